#include "scanner/git/ref_files.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <string_view>
#include <utility>

#include "scanner/base/dir_fd.h"

namespace sprawl {
namespace {

constexpr std::size_t kSha1Hex = 40;
// A loose ref or HEAD is one short line; a longer file is not one.
constexpr std::size_t kMaxRefFile = 4096;
constexpr std::size_t kMaxPackedRefs = std::size_t{1} << 30;

bool IsHexOid(std::string_view s) {
  return s.size() == kSha1Hex && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string_view TrimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Records what the reader looked at, when a signature is wanted.
class Signer {
 public:
  explicit Signer(RefSignature* signature) : signature_(signature) {}
  bool on() const { return signature_ != nullptr; }
  void Add(RefSignature::Kind kind, std::string path,
           const std::optional<FileStat>& stat) {
    if (signature_ != nullptr) signature_->Add(kind, std::move(path), stat);
  }

 private:
  RefSignature* signature_;
};

// The git directory of a plain work tree (.git a directory, not a link) or
// else the repository directory itself, as a bare candidate that HEAD and
// refs/ confirm or not; `prefix` is the git directory's path relative to
// the repository's (".git/" or "").
DirFd OpenGitDir(const std::string& repo, const DirFd* base, Signer* signer,
                 std::string* prefix) {
  DirFd dot_git = DirFd::Open(repo + "/.git", base);
  if (dot_git.ok()) {
    // Only walked through: its own times change with every index write.
    signer->Add(RefSignature::Kind::kIdentity, ".git", dot_git.Stat());
    *prefix = ".git/";
    return dot_git;
  }
  if (dot_git.error() != ENOENT) return dot_git;
  signer->Add(RefSignature::Kind::kMissing, ".git", std::nullopt);
  prefix->clear();
  return DirFd::Open(repo, base, /*follow_link=*/true);
}

// packed-refs: "<oid> <name>" lines, a "# pack-refs" header and "^<oid>"
// peeled lines.
bool ParsePackedRefs(std::string_view text,
                     std::map<std::string, std::string>* refs) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = TrimNewline(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (l.empty() || l[0] == '#' || l[0] == '^') continue;
    if (l.size() < kSha1Hex + 2 || l[kSha1Hex] != ' ') return false;
    if (!IsHexOid(l.substr(0, kSha1Hex))) return false;
    (*refs)[std::string(l.substr(kSha1Hex + 1))] =
        std::string(l.substr(0, kSha1Hex));
  }
  return true;
}

// Adds the loose refs of directory `dir` (named `prefix`, e.g. "refs/",
// at `sign_prefix` + `prefix` below the repository) to `refs`: loose refs
// override packed ones, symbolic refs are not tips.
bool ReadLooseRefs(DirFd* dir, const std::string& sign_prefix,
                   const std::string& prefix, int depth, Signer* signer,
                   std::map<std::string, std::string>* refs) {
  if (depth > 32) return false;
  if (signer->on()) {
    std::string self = sign_prefix;
    self.append(prefix, 0, prefix.size() - 1);
    signer->Add(RefSignature::Kind::kContent, std::move(self), dir->Stat());
  }
  auto entries = dir->List();
  if (!entries) return false;
  for (const DirEntry& e : *entries) {
    const std::string full = prefix + e.name;
    if (e.type == DirEntry::Type::kDirectory) {
      DirFd sub = DirFd::Open(e.name, dir);
      if (!sub.ok() || !ReadLooseRefs(&sub, sign_prefix, full + "/", depth + 1,
                                      signer, refs)) {
        return false;
      }
      continue;
    }
    // A link, a lock file (a ref being written): let libgit2 judge.
    if (e.type != DirEntry::Type::kFile || e.name.ends_with(".lock")) {
      return false;
    }
    FileStat stat;
    std::optional<std::string> text = dir->ReadFile(
        e.name, kMaxRefFile, nullptr, signer->on() ? &stat : nullptr);
    if (!text) return false;
    if (signer->on()) {
      std::string path = sign_prefix;
      path.append(full);
      signer->Add(RefSignature::Kind::kContent, std::move(path), stat);
    }
    const std::string_view value = TrimNewline(*text);
    if (value.starts_with("ref: ")) {
      refs->erase(full);
    } else if (IsHexOid(value)) {
      (*refs)[full] = std::string(value);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<RefTipList> ReadRefTipsFromFiles(const std::string& repo_path,
                                               const DirFd* base,
                                               RefSignature* signature) {
  if (signature != nullptr) *signature = RefSignature::Begin();
  Signer signer(signature);
  // Looked up by name: a listing of the git directory costs more. A
  // reftable repository needs no lookup: its refs/heads is a file that
  // holds no oid, which ReadLooseRefs refuses.
  std::string prefix;
  DirFd git_dir = OpenGitDir(repo_path, base, &signer, &prefix);
  if (!git_dir.ok() || git_dir.Has("commondir")) return std::nullopt;
  signer.Add(RefSignature::Kind::kMissing, prefix + "commondir", std::nullopt);
  std::map<std::string, std::string> refs;
  bool missing = false;
  FileStat stat;
  auto packed = git_dir.ReadFile("packed-refs", kMaxPackedRefs, &missing,
                                 signer.on() ? &stat : nullptr);
  if (!packed && !missing) return std::nullopt;
  if (packed && !ParsePackedRefs(*packed, &refs)) return std::nullopt;
  if (packed) {
    signer.Add(RefSignature::Kind::kContent, prefix + "packed-refs", stat);
  } else {
    signer.Add(RefSignature::Kind::kMissing, prefix + "packed-refs",
               std::nullopt);
  }
  DirFd refs_dir = DirFd::Open("refs", &git_dir);
  if (!refs_dir.ok() ||
      !ReadLooseRefs(&refs_dir, prefix, "refs/", 0, &signer, &refs)) {
    return std::nullopt;
  }
  std::optional<std::string> head_text = git_dir.ReadFile(
      "HEAD", kMaxRefFile, nullptr, signer.on() ? &stat : nullptr);
  if (!head_text) return std::nullopt;
  signer.Add(RefSignature::Kind::kContent, prefix + "HEAD", stat);
  RefTipList tips(refs.begin(), refs.end());
  std::string_view head = TrimNewline(*head_text);
  if (head.starts_with("ref: ")) {
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
