#include "scanner/sources/git_ref_files.h"

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

// Loose refs override packed ones; symbolic refs are not tips.
bool ReadLooseRefs(const fs::path& git_dir,
                   std::map<std::string, std::string>* refs) {
  std::error_code ec;
  fs::recursive_directory_iterator it(git_dir / "refs", ec);
  if (ec) return false;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return false;
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec)) continue;
    if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) return false;
    const std::string name = entry.path().lexically_relative(git_dir).string();
    if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".lock") == 0) {
      return false;  // a ref is being written: let libgit2 judge
    }
    std::optional<std::string> text = ReadSmallFile(entry.path());
    if (!text) return false;
    std::string_view value = TrimNewline(*text);
    if (value.rfind("ref: ", 0) == 0) {
      refs->erase(name);
      continue;
    }
    if (!IsHexOid(value)) return false;
    (*refs)[name] = std::string(value);
  }
  return !ec;
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
