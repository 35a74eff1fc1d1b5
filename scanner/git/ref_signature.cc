#include "scanner/git/ref_signature.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

namespace sprawl {
namespace {

// Header of the encoding; a new layout gets a new tag, and an old one then
// decodes as nothing (the next sweep reads the refs and signs again).
constexpr std::string_view kHeader = "refsig1 ";

char KindChar(RefSignature::Kind kind) {
  switch (kind) {
    case RefSignature::Kind::kContent:
      return 'c';
    case RefSignature::Kind::kIdentity:
      return 'i';
    case RefSignature::Kind::kMissing:
      break;
  }
  return 'm';
}

bool SameFileType(uint32_t a, uint32_t b) {
  return (a & S_IFMT) == (b & S_IFMT);
}

}  // namespace

RefSignature RefSignature::Begin() {
  RefSignature s;
  s.taken_ns = RealtimeNowNs();
  return s;
}

void RefSignature::Add(Kind kind, std::string path,
                       const std::optional<FileStat>& stat) {
  if (path.find('\n') != std::string::npos ||
      (kind != Kind::kMissing && !stat)) {
    complete = false;
    return;
  }
  entries.push_back({kind, std::move(path), stat.value_or(FileStat{})});
}

// "refsig1 <taken_ns>\n", then per entry "<kind> " and for a stat
// "<dev> <ino> <mode> <size> <mtime_ns> <ctime_ns - mtime_ns> " (usually 0),
// then the path and a newline: the path comes last, so it may hold spaces.
std::string RefSignature::Encode() const {
  if (!complete) return "";
  std::string out(kHeader);
  out.reserve(32 + entries.size() * 64);
  AppendNumberText(taken_ns, '\n', &out);
  for (const Entry& e : entries) {
    out.push_back(KindChar(e.kind));
    out.push_back(' ');
    if (e.kind != Kind::kMissing) AppendStatText(e.stat, &out);
    out.append(e.path);
    out.push_back('\n');
  }
  return out;
}

std::optional<RefSignature> RefSignature::Decode(std::string_view text) {
  if (!text.starts_with(kHeader)) return std::nullopt;
  text.remove_prefix(kHeader.size());
  RefSignature s;
  if (!TakeNumberText(&text, '\n', &s.taken_ns)) return std::nullopt;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    if (line.size() < 3 || line[1] != ' ') return std::nullopt;
    Entry e;
    switch (line[0]) {
      case 'c':
        e.kind = Kind::kContent;
        break;
      case 'i':
        e.kind = Kind::kIdentity;
        break;
      case 'm':
        e.kind = Kind::kMissing;
        break;
      default:
        return std::nullopt;
    }
    line.remove_prefix(2);
    if (e.kind != Kind::kMissing && !TakeStatText(&line, &e.stat)) {
      return std::nullopt;
    }
    if (line.empty()) return std::nullopt;
    e.path = std::string(line);
    s.entries.push_back(std::move(e));
  }
  if (s.entries.empty()) return std::nullopt;
  return s;
}

bool SignatureHolds(const RefSignature& signature, const std::string& repo_path,
                    const DirFd* base, int64_t racy_margin_ns) {
  if (!signature.complete || signature.entries.empty()) return false;
  // The reader's first step decides where the git directory is: .git, a
  // directory and not a link, or else the repository itself. It is opened
  // once and everything else is stat'ed below it: each path component
  // looked up costs more than the open.
  const RefSignature::Entry& first = signature.entries.front();
  if (first.path != ".git" || first.kind == RefSignature::Kind::kContent) {
    return false;
  }
  const bool work_tree = first.kind == RefSignature::Kind::kIdentity;
  std::string path = repo_path;
  if (work_tree) path.append("/.git");
  const DirFd git_dir = DirFd::OpenForStat(path, base, !work_tree);
  if (!git_dir.ok()) return false;
  const int64_t racy_from = signature.taken_ns - racy_margin_ns;
  // A .git whose own stat holds has the same entries as when it was read:
  // what was missing in it then (commondir, packed-refs) still is. Index
  // writes change it often, so it is not required to hold.
  bool same_git_entries = false;
  if (work_tree) {
    std::optional<FileStat> now = git_dir.Stat();
    if (!now || now->dev != first.stat.dev || now->ino != first.stat.ino ||
        !SameFileType(now->mode, first.stat.mode)) {
      return false;
    }
    same_git_entries = *now == first.stat && now->mtime_ns < racy_from &&
                       now->ctime_ns < racy_from;
  }
  const std::string_view prefix = work_tree ? ".git/" : "";
  for (std::size_t i = work_tree ? 1 : 0; i < signature.entries.size(); ++i) {
    const RefSignature::Entry& e = signature.entries[i];
    if (!e.path.starts_with(prefix) ||
        e.kind == RefSignature::Kind::kIdentity) {
      return false;
    }
    path.assign(e.path, prefix.size());
    if (e.kind == RefSignature::Kind::kMissing && same_git_entries &&
        path.find('/') == std::string::npos) {
      continue;
    }
    FileStat now;
    const int error = DirFd::StatPath(&git_dir, path, &now);
    if (e.kind == RefSignature::Kind::kMissing) {
      if (error != ENOENT) return false;
      continue;
    }
    if (error != 0 || !(now == e.stat)) return false;
    if (now.mtime_ns >= racy_from || now.ctime_ns >= racy_from) return false;
  }
  return true;
}

}  // namespace sprawl
