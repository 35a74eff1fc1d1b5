// MappedFile: a read-only memory mapping of one file (a pack or its .idx),
// released when destroyed. Immutable once constructed, so threads may read
// one concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "scanner/base/dir_fd.h"

namespace sprawl {

// A read-only mapping of one file; empty when it cannot be mapped.
class MappedFile {
 public:
  static constexpr uint64_t kReleaseEvery = uint64_t{64} << 20;

  explicit MappedFile(const std::string& path,
                      uint64_t release_every = kReleaseEvery);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // The mapped file's device, inode, size and times, read from the
  // descriptor that was mapped (all zero when nothing is mapped).
  const FileStat& stat() const { return stat_; }
  // Drops this mapping's resident pages (they stay in the page cache and
  // come back on the next read): a pass over a large pack need not keep it
  // all counted in the process's resident set.
  void Release() const;

  // Counts `bytes` read through the mapping (from any thread) and calls
  // Release each time `release_every` more have been read: a pass over a
  // pack keeps about that much of it resident, not all of it (a 496 MB
  // pack of git/git was all counted in the scan's peak resident set).
  void NoteRead(uint64_t bytes) const;

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  FileStat stat_;
  uint64_t release_every_;
  mutable std::atomic<uint64_t> read_{0};
};

}  // namespace sprawl
