#include "scanner/base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sprawl {
namespace {

Result<int> OpenLockFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{path + ": cannot create lock file: " + std::strerror(errno)};
  }
  return fd;
}

}  // namespace

Result<FileLock> FileLock::Wait(const std::string& path) {
  auto fd = OpenLockFile(path);
  if (!fd.ok()) return fd.error();
  while (::flock(*fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int e = errno;
    ::close(*fd);
    return Error{path + ": cannot lock: " + std::strerror(e)};
  }
  return FileLock(*fd);
}

Result<std::optional<FileLock>> FileLock::Try(const std::string& path) {
  auto fd = OpenLockFile(path);
  if (!fd.ok()) return fd.error();
  if (::flock(*fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(*fd);
    if (e == EWOULDBLOCK) return std::optional<FileLock>();
    return Error{path + ": cannot lock: " + std::strerror(e)};
  }
  return std::optional<FileLock>(FileLock(*fd));
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sprawl
