#include "scanner/base/repo_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return "";
  return buf;
}

bool Inside(const std::string& real_root, const std::string& real_path) {
  if (real_root == "/") return true;
  return real_path == real_root ||
         (real_path.size() > real_root.size() &&
          real_path.compare(0, real_root.size(), real_root) == 0 &&
          real_path[real_root.size()] == '/');
}

std::string Shown(const std::string& path) { return EscapeForDisplay(path); }

// Opens `path` without following a final symlink or blocking on a FIFO,
// and reads it when it is a regular file of at most `max` bytes.
Result<std::optional<std::string>> ReadOpened(const std::string& path,
                                              const std::string& shown,
                                              uint64_t max, bool nofollow) {
  int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
  if (nofollow) flags |= O_NOFOLLOW;
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return Error{shown + ": is a symbolic link; not read"};
    return Error{shown + ": cannot open: " + std::strerror(errno)};
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return Error{shown + ": cannot stat: " + std::strerror(errno)};
  }
  if (!S_ISREG(st.st_mode)) {
    return Error{shown +
                 ": not a regular file (a device, FIFO, socket or "
                 "directory); not read"};
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    return Error{shown + ": " + std::to_string(st.st_size) +
                 " bytes is over the limit of " + std::to_string(max) +
                 " bytes for a configuration file; not read"};
  }
  // Back to blocking reads of a regular file.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{shown + ": cannot read: " + std::strerror(errno)};
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max) {
      return Error{shown + ": grew over the limit of " + std::to_string(max) +
                   " bytes while read; not read"};
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace

Status CheckRepoPath(const std::string& root, const std::string& path,
                     bool dir_ok) {
  const std::string shown = Shown(path);
  struct stat lst;
  if (::lstat(path.c_str(), &lst) != 0) {
    return Error{shown + ": " + std::strerror(errno)};
  }
  const std::string real_root = RealPath(root.empty() ? "." : root);
  const std::string real = RealPath(path);
  if (real_root.empty() || real.empty() || !Inside(real_root, real)) {
    return Error{shown +
                 ": outside the scanned root; a repository may only name "
                 "files inside itself (pass it as a flag to trust it)"};
  }
  struct stat st;
  if (::stat(real.c_str(), &st) != 0) {
    return Error{shown + ": " + std::strerror(errno)};
  }
  if (S_ISREG(st.st_mode) || (dir_ok && S_ISDIR(st.st_mode))) {
    return Status::Ok();
  }
  return Error{shown + ": not a regular file" +
               std::string(dir_ok ? " or directory" : "") + "; not read"};
}

Result<std::optional<std::string>> ReadRepoFile(const std::string& root,
                                                const std::string& path) {
  const std::string shown = Shown(path);
  struct stat lst;
  if (::lstat(path.c_str(), &lst) != 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Error{shown + ": " + std::strerror(errno)};
  }
  const std::string real_root = RealPath(root.empty() ? "." : root);
  const std::string real = RealPath(path);
  if (real.empty()) {
    // A dangling symlink: treat as absent only when it is not a link out.
    return Error{shown + ": cannot resolve: " + std::strerror(errno)};
  }
  if (real_root.empty() || !Inside(real_root, real)) {
    return Error{shown +
                 ": outside the scanned root (a symbolic link or path "
                 "leading out of the repository); not read"};
  }
  return ReadOpened(real, shown, kMaxRepoFileSize, /*nofollow=*/true);
}

Result<std::optional<std::string>> ReadBoundedFile(const std::string& path,
                                                   uint64_t max) {
  return ReadOpened(path, Shown(path), max, /*nofollow=*/false);
}

Result<std::optional<std::string>> ReadNoFollow(const std::string& path,
                                                uint64_t max) {
  return ReadOpened(path, Shown(path), max, /*nofollow=*/true);
}

}  // namespace sprawl
