#include "scanner/sources/dir_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// Adds the lines of an ignore file, less (with a warning) catch-all lines
// when `drop_catch_all`.
void AddIgnoreFile(const std::string& shown, const std::string& base,
                   std::string_view text, bool drop_catch_all,
                   Diagnostics* diagnostics, IgnoreRules* rules) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (drop_catch_all && IsCatchAllPattern(line)) {
      diagnostics->Warn(shown,
                        "a pattern that excludes every file is not honoured "
                        "(the scanned tree cannot switch its own gate off; "
                        "--trust-repo-config to allow)");
      continue;
    }
    rules->AddPattern(base, line);
  }
}

// An ignore file: never a symlink (in or out of the tree), a device or a
// FIFO, at most kMaxRepoFileSize; anything else is a warning and ignored.
bool ReadSmallFile(const std::string& path, std::string* out,
                   Diagnostics* diagnostics) {
  auto text = ReadNoFollow(path);
  if (!text.ok()) {
    diagnostics->Warn("", text.error().message);
    return false;
  }
  if (!*text) return false;
  *out = std::move(**text);
  return true;
}

std::string Join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace

void DirWalker::Walk(const std::string& root, const std::string& display_prefix,
                     const std::function<void(WalkItem)>& emit) {
  prefix_ = display_prefix;
  exclude_ = IgnoreRules();
  for (const auto& glob : options_.exclude) exclude_.AddPattern("", glob);
  stack_.clear();
  WalkDir(root, "", 0, emit);
}

bool DirWalker::Ignored(const std::string& rel, bool is_dir) const {
  if (exclude_.Check(rel, is_dir) == IgnoreRules::Verdict::kIgnore) return true;
  // Deeper ignore files take precedence over shallower ones.
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    auto v = it->second.Check(rel, is_dir);
    if (v != IgnoreRules::Verdict::kNone) {
      return v == IgnoreRules::Verdict::kIgnore;
    }
  }
  return false;
}

void DirWalker::WalkDir(const std::string& abs, const std::string& rel,
                        int depth, const std::function<void(WalkItem)>& emit) {
  if (options_.cancel != nullptr && options_.cancel->load()) return;
  const std::string shown = prefix_.empty() ? (rel.empty() ? abs : rel)
                                            : Join(prefix_, rel);
  if (depth > options_.max_depth) {
    diagnostics_->Warn(shown, "directory nesting deeper than " +
                                  std::to_string(options_.max_depth) +
                                  " levels; not descended");
    ++stats_->skipped_other;
    return;
  }
  DirHandle dir(opendir(abs.c_str()));
  if (!dir) {
    diagnostics_->Warn(shown, std::string("cannot read directory: ") +
                                  std::strerror(errno));
    ++stats_->skipped_unreadable;
    return;
  }
  std::size_t pushed = 0;
  if (options_.use_ignore_files) {
    for (const char* name : {".gitignore", ".sprawlignore"}) {
      std::string text;
      if (ReadSmallFile(Join(abs, name), &text, diagnostics_)) {
        if (pushed == 0) stack_.emplace_back(rel, IgnoreRules());
        AddIgnoreFile(Join(shown, name), rel, text, options_.drop_catch_all,
                      diagnostics_, &stack_.back().second);
        pushed = 1;
      }
    }
  }
  std::vector<std::pair<std::string, unsigned char>> entries;
  errno = 0;
  while (dirent* e = readdir(dir.get())) {
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    entries.emplace_back(n, e->d_type);
  }
  dir.reset();
  std::sort(entries.begin(), entries.end());
  for (auto& [name, type] : entries) {
    if (options_.cancel != nullptr && options_.cancel->load()) break;
    const std::string child_abs = Join(abs, name);
    std::string child_rel = rel;
    if (!child_rel.empty()) child_rel += '/';
    child_rel += name;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (lstat(child_abs.c_str(), &st) != 0) {
        diagnostics_->Warn(Join(prefix_, child_rel),
                           std::string("cannot stat: ") + std::strerror(errno));
        ++stats_->skipped_unreadable;
        continue;
      }
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK
                                   : DT_FIFO;
    }
    if (type == DT_DIR) {
      if (name == ".git") continue;
      if (Ignored(child_rel, true)) {
        ++stats_->skipped_ignored;
        continue;
      }
      WalkDir(child_abs, child_rel, depth + 1, emit);
      continue;
    }
    if (type != DT_REG) {
      // Symlinks are never followed (no loops, no escaping the root);
      // FIFOs, sockets and devices are never opened.
      ++stats_->skipped_other;
      continue;
    }
    if (Ignored(child_rel, false)) {
      ++stats_->skipped_ignored;
      continue;
    }
    WalkItem item;
    item.abs_path = child_abs;
    item.rel_path = prefix_.empty() ? child_rel : Join(prefix_, child_rel);
    if (!IsValidUtf8(item.rel_path)) {
      diagnostics_->Warn(item.rel_path,
                         "file name is not valid UTF-8; reported with \\x "
                         "escapes");
    }
    emit(std::move(item));
  }
  if (pushed) stack_.pop_back();
}

}  // namespace sprawl
