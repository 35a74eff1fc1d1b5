#include "scanner/base/dir_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <ctime>
#include <string_view>
#include <utility>

namespace sprawl {

void AppendNumberText(int64_t value, char end, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, r.ptr);
  out->push_back(end);
}

bool TakeNumberText(std::string_view* text, char end, int64_t* value) {
  auto r = std::from_chars(text->data(), text->data() + text->size(), *value);
  if (r.ec != std::errc() || r.ptr == text->data() + text->size() ||
      *r.ptr != end) {
    return false;
  }
  text->remove_prefix(static_cast<std::size_t>(r.ptr - text->data()) + 1);
  return true;
}

void AppendStatText(const FileStat& stat, std::string* out) {
  AppendNumberText(static_cast<int64_t>(stat.dev), ' ', out);
  AppendNumberText(static_cast<int64_t>(stat.ino), ' ', out);
  AppendNumberText(stat.mode, ' ', out);
  AppendNumberText(stat.size, ' ', out);
  AppendNumberText(stat.mtime_ns, ' ', out);
  AppendNumberText(stat.ctime_ns - stat.mtime_ns, ' ', out);
}

bool TakeStatText(std::string_view* text, FileStat* stat) {
  int64_t n[6];
  for (int64_t& v : n) {
    if (!TakeNumberText(text, ' ', &v)) return false;
  }
  stat->dev = static_cast<uint64_t>(n[0]);
  stat->ino = static_cast<uint64_t>(n[1]);
  stat->mode = static_cast<uint32_t>(n[2]);
  stat->size = n[3];
  stat->mtime_ns = n[4];
  stat->ctime_ns = n[4] + n[5];
  return true;
}
namespace {

DirEntry::Type TypeOf(int dir_fd, const dirent64& d) {
  switch (d.d_type) {
    case DT_DIR:
      return DirEntry::Type::kDirectory;
    case DT_REG:
      return DirEntry::Type::kFile;
    case DT_UNKNOWN:
      break;  // the file system does not say: ask it
    default:
      return DirEntry::Type::kOther;
  }
  struct stat st;
  if (::fstatat(dir_fd, d.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return DirEntry::Type::kOther;
  }
  if (S_ISDIR(st.st_mode)) return DirEntry::Type::kDirectory;
  return S_ISREG(st.st_mode) ? DirEntry::Type::kFile : DirEntry::Type::kOther;
}

FileStat ToFileStat(const struct stat& st) {
  constexpr int64_t kNs = 1000000000;
  FileStat f;
  f.dev = static_cast<uint64_t>(st.st_dev);
  f.ino = static_cast<uint64_t>(st.st_ino);
  f.mode = static_cast<uint32_t>(st.st_mode);
  f.size = static_cast<int64_t>(st.st_size);
  f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * kNs +
               static_cast<int64_t>(st.st_mtim.tv_nsec);
  f.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * kNs +
               static_cast<int64_t>(st.st_ctim.tv_nsec);
  return f;
}

}  // namespace

std::optional<FileStat> FdStat(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::nullopt;
  return ToFileStat(st);
}

int64_t RealtimeNowNs() {
  constexpr int64_t kNs = 1000000000;
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * kNs +
         static_cast<int64_t>(now.tv_nsec);
}

DirFd DirFd::Open(const std::string& path, const DirFd* parent,
                  bool follow_link) {
  const int at = parent != nullptr ? parent->fd_ : AT_FDCWD;
  const int fd = ::openat(
      at, path.c_str(),
      O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW));
  return DirFd(fd, fd < 0 ? errno : 0);
}

DirFd DirFd::OpenForStat(const std::string& path, const DirFd* parent,
                         bool follow_link) {
#ifdef O_PATH
  const int at = parent != nullptr ? parent->fd_ : AT_FDCWD;
  const int fd = ::openat(
      at, path.c_str(),
      O_PATH | O_DIRECTORY | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW));
  return DirFd(fd, fd < 0 ? errno : 0);
#else
  return Open(path, parent, follow_link);
#endif
}

DirFd::DirFd(DirFd&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      error_(other.error_),
      listed_(other.listed_) {}

DirFd& DirFd::operator=(DirFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    error_ = other.error_;
    listed_ = other.listed_;
  }
  return *this;
}

DirFd::~DirFd() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::vector<DirEntry>> DirFd::List() {
  if (fd_ < 0) return std::nullopt;
  if (listed_ && ::lseek(fd_, 0, SEEK_SET) != 0) return std::nullopt;
  listed_ = true;
  alignas(dirent64) char buf[16384];
  std::vector<DirEntry> out;
  for (;;) {
    const ssize_t n = ::getdents64(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return out;
    for (ssize_t off = 0; off < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(buf + off);
      off += d->d_reclen;
      const std::string_view name(d->d_name);
      if (name == "." || name == "..") continue;
      out.push_back({std::string(name), TypeOf(fd_, *d)});
    }
  }
}

std::optional<std::string> DirFd::ReadFile(const std::string& name,
                                           std::size_t max_bytes, bool* missing,
                                           FileStat* stat) const {
  // O_NONBLOCK: a FIFO swapped in for a file must not hang the sweep.
  const int fd = ::openat(fd_, name.c_str(),
                          O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (missing != nullptr) *missing = fd < 0 && errno == ENOENT;
  if (fd < 0) return std::nullopt;
  if (stat != nullptr) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return std::nullopt;
    }
    *stat = ToFileStat(st);
  }
  std::string text;
  char buf[16384];
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      ok = false;
      break;
    }
    // A read of a regular file is short only at its end: a one-line ref
    // file costs a single read.
    if (static_cast<std::size_t>(n) < sizeof buf) break;
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return text;
}

std::optional<FileStat> DirFd::Stat() const {
  struct stat st;
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) return std::nullopt;
  return ToFileStat(st);
}

int DirFd::StatPath(const DirFd* base, const std::string& path, FileStat* out) {
  struct stat st;
  const int at = base != nullptr ? base->fd_ : AT_FDCWD;
  if (::fstatat(at, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  *out = ToFileStat(st);
  return 0;
}

bool DirFd::Has(const std::string& name) const {
  return ::faccessat(fd_, name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

}  // namespace sprawl
