#include "scanner/sources/git_ref_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace sprawl {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kSha1Hex = 40;

bool IsHexOid(std::string_view s) {
  return s.size() == kSha1Hex &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<std::string> ReadSmallFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::string_view TrimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The git directory of a plain work tree or bare repository.
std::optional<fs::path> GitDir(const fs::path& repo) {
  std::error_code ec;
  const fs::path dot_git = repo / ".git";
  if (fs::is_directory(fs::symlink_status(dot_git, ec))) return dot_git;
  if (fs::exists(fs::symlink_status(dot_git, ec))) return std::nullopt;
  if (fs::is_regular_file(repo / "HEAD", ec) &&
      fs::is_directory(repo / "refs", ec)) {
    return repo;
  }
  return std::nullopt;
}

// packed-refs: "<oid> <name>" lines, a "# pack-refs" header and "^<oid>"
// peeled lines.
bool ReadPackedRefs(const fs::path& git_dir,
                    std::map<std::string, std::string>* refs) {
  std::error_code ec;
  if (!fs::exists(git_dir / "packed-refs", ec)) return true;
  std::optional<std::string> text = ReadSmallFile(git_dir / "packed-refs");
  if (!text) return false;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::string_view l = TrimNewline(line);
    if (l.empty() || l[0] == '#' || l[0] == '^') continue;
    if (l.size() < kSha1Hex + 2 || l[kSha1Hex] != ' ') return false;
    if (!IsHexOid(l.substr(0, kSha1Hex))) return false;
    (*refs)[std::string(l.substr(kSha1Hex + 1))] =
        std::string(l.substr(0, kSha1Hex));
  }
  return true;
}

// Reads a small file relative to `dir_fd`; nullopt when it cannot.
std::optional<std::string> ReadAt(int dir_fd, const char* name) {
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[256];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      if (n < 0) return std::nullopt;
      return text;
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > 4096) {  // not a ref file
      ::close(fd);
      return std::nullopt;
    }
  }
}

// Adds the loose refs below directory `dir_fd` (named `prefix`, e.g.
// "refs/") to `refs`: loose refs override packed ones, symbolic refs are
// not tips. POSIX directory calls: a sweep does this for every repository.
bool ReadLooseRefsAt(int dir_fd, const std::string& prefix, int depth,
                     std::map<std::string, std::string>* refs) {
  if (depth > 32) return false;
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    ::close(dir_fd);
    return false;
  }
  bool ok = true;
  while (ok) {
    errno = 0;
    const dirent* e = ::readdir(dir);
    if (e == nullptr) {
      ok = errno == 0;
      break;
    }
    const std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) {
      const int sub = ::openat(::dirfd(dir), e->d_name,
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      ok = sub >= 0 &&
           ReadLooseRefsAt(sub, prefix + std::string(name) + "/", depth + 1,
                           refs);
      continue;
    }
    if (e->d_type != DT_REG) {
      ok = false;  // a link, or a file system without d_type: ask libgit2
      continue;
    }
    if (name.size() >= 5 && name.substr(name.size() - 5) == ".lock") {
      ok = false;  // a ref is being written: let libgit2 judge
      continue;
    }
    std::optional<std::string> text = ReadAt(::dirfd(dir), e->d_name);
    const std::string full = prefix + std::string(name);
    std::string_view value = text ? TrimNewline(*text) : std::string_view();
    if (text && value.rfind("ref: ", 0) == 0) {
      refs->erase(full);
    } else if (text && IsHexOid(value)) {
      (*refs)[full] = std::string(value);
    } else {
      ok = false;
    }
  }
  ::closedir(dir);
  return ok;
}

bool ReadLooseRefs(const fs::path& git_dir,
                   std::map<std::string, std::string>* refs) {
  const int fd = ::open((git_dir / "refs").c_str(),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  return fd >= 0 && ReadLooseRefsAt(fd, "refs/", 0, refs);
}

}  // namespace

std::optional<RefTipList> ReadRefTipsFromFiles(const std::string& repo_path) {
  std::optional<fs::path> git_dir = GitDir(repo_path);
  if (!git_dir) return std::nullopt;
  std::error_code ec;
  for (const char* other : {"commondir", "reftable"}) {
    if (fs::exists(*git_dir / other, ec)) return std::nullopt;
  }
  std::map<std::string, std::string> refs;
  if (!ReadPackedRefs(*git_dir, &refs) || !ReadLooseRefs(*git_dir, &refs)) {
    return std::nullopt;
  }
  std::optional<std::string> head_text = ReadSmallFile(*git_dir / "HEAD");
  if (!head_text) return std::nullopt;
  RefTipList tips(refs.begin(), refs.end());
  std::string_view head = TrimNewline(*head_text);
  if (head.rfind("ref: ", 0) == 0) {
    auto it = refs.find(std::string(head.substr(5)));
    if (it != refs.end()) tips.emplace_back("HEAD", it->second);
  } else if (IsHexOid(head)) {
    tips.emplace_back("HEAD", std::string(head));
  } else {
    return std::nullopt;
  }
  return tips;
}

}  // namespace sprawl
