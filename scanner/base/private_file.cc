#include "scanner/base/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include "scanner/base/hash.h"

namespace sprawl {
namespace {

constexpr std::string_view kSeal = "\n#sprawl-sha256:";
constexpr std::size_t kTrailer = kSeal.size() + 64 + 1;

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool EnsurePrivateDir(const std::string& dir, std::string* why) {
  std::error_code ec;
  const std::filesystem::path path(dir);
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *why = dir + ": cannot create: " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *why = dir + ": not a directory (or a symbolic link); cache not used";
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    *why = dir + ": owned by another user; cache not used";
    return false;
  }
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
    *why = dir + ": cannot make private: " + std::strerror(errno);
    return false;
  }
  return true;
}

bool WriteSealedFile(const std::string& dir, const std::string& path,
                     std::string_view payload, std::string* why) {
  if (!EnsurePrivateDir(dir, why)) return false;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(reinterpret_cast<uintptr_t>(&payload));
  Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600)};
  if (f.fd < 0) {
    *why = tmp + ": cannot create: " + std::strerror(errno);
    return false;
  }
  ::fchmod(f.fd, 0600);  // whatever the umask
  std::string out(payload);
  out += kSeal;
  out += Sha256Hex(payload);
  out += '\n';
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(f.fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *why = tmp + ": cannot write: " + std::strerror(errno);
      ::unlink(tmp.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *why = path + ": cannot write: " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::optional<std::string> ReadSealedFile(const std::string& path,
                                          std::size_t max_size,
                                          std::string* why) {
  why->clear();
  Fd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno != ENOENT)
      *why = std::string("cannot open: ") + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = "not a regular file";
    return std::nullopt;
  }
  if (st.st_uid != ::geteuid()) {
    *why = "owned by another user";
    return std::nullopt;
  }
  if ((st.st_mode & 022) != 0) {
    *why = "writable by group or others";
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    *why = "larger than any cache sprawl writes";
    return std::nullopt;
  }
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  if (bytes.size() < kTrailer ||
      std::string_view(bytes).substr(bytes.size() - kTrailer, kSeal.size()) !=
          kSeal ||
      bytes.back() != '\n') {
    *why = "no integrity seal (tampered with, or from an older sprawl)";
    return std::nullopt;
  }
  const std::string digest = bytes.substr(bytes.size() - 65, 64);
  bytes.resize(bytes.size() - kTrailer);
  if (Sha256Hex(bytes) != digest) {
    *why =
        "content does not match its SHA-256 seal (tampered with or "
        "corrupt)";
    return std::nullopt;
  }
  return bytes;
}

}  // namespace sprawl
