// FileLock: an exclusive flock(2) on a lock file, held while the object
// lives (and dropped by the kernel if the process dies). Serialises
// processes: the updates of one mirror in a shared --cache-dir, the sweeps
// writing one datastore. Move-only; not thread-safe.
#pragma once

#include <optional>
#include <string>

#include "scanner/base/result.h"

namespace sprawl {

class FileLock {
 public:
  // Waits for the lock on `path` (created 0600 when missing).
  static Result<FileLock> Wait(const std::string& path);
  // Takes the lock if free; nullopt when another process holds it.
  static Result<std::optional<FileLock>> Try(const std::string& path);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace sprawl
