// HistoryIndex: the distinct (path, blob) pairs of a set of commits, each
// with the first commit (in the order commits are added) whose tree holds
// that blob at that path, and the distinct blobs to scan. A subtree already
// seen at the same path is skipped whole, which makes the walk linear in the
// number of distinct trees rather than commits x files. Objects listed as
// `old` (a --range boundary) are skipped at any path: they introduce nothing.
// Not thread-safe; reads through the caller's object database.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/sources/git_handles.h"

namespace sprawl {

using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

// Interned slash-separated paths; id 0 is the root (empty path).
class PathTable {
 public:
  PathTable();
  uint32_t Intern(uint32_t parent, std::string_view name);
  std::string Path(uint32_t id) const;

 private:
  struct Node {
    uint32_t parent;
    uint32_t name_begin;
    uint32_t name_size;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  std::vector<Node> nodes_;
  std::string names_;
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> ids_;
  std::string key_;  // reused lookup buffer
};

// Adds every tree and blob reachable from `tree` to `old` (set semantics).
void MarkTreeOld(git_odb* odb, const git_oid& tree, OidSet* old,
                 Diagnostics* diagnostics);

class HistoryIndex {
 public:
  // `old` may be null (full history); it must outlive the index.
  HistoryIndex(git_odb* odb, const OidSet* old, Diagnostics* diagnostics);

  // Records the pairs of `tree` not seen before, attributing them to
  // `commit` (an opaque number chosen by the caller).
  void AddCommitTree(const git_oid& tree, uint32_t commit);

  struct Pair {
    uint32_t path;
    uint32_t blob;    // index into blobs()
    uint32_t commit;  // first commit holding it
  };
  const std::vector<Pair>& pairs() const { return pairs_; }
  const std::vector<git_oid>& blobs() const { return blobs_; }
  // One path at which a blob occurs, for diagnostics.
  uint32_t blob_path(uint32_t blob) const { return blob_path_[blob]; }
  const PathTable& paths() const { return paths_; }

 private:
  void WalkTree(const git_oid& tree, uint32_t path, uint32_t commit);

  git_odb* odb_;
  const OidSet* old_;
  Diagnostics* diagnostics_;
  PathTable paths_;
  std::unordered_set<PathOid, PathOidHash> seen_trees_;
  std::unordered_set<PathOid, PathOidHash> seen_pairs_;
  std::unordered_map<git_oid, uint32_t, OidHash, OidEq> blob_ids_;
  std::vector<git_oid> blobs_;
  std::vector<uint32_t> blob_path_;
  std::vector<Pair> pairs_;
  std::unordered_set<uint32_t> noted_submodules_;
  // The tree object last walked at each path id: entries unchanged
  // from it (same name, kind and oid) were recorded then and are skipped
  // without hashing, so a commit costs what it changed, not its tree sizes.
  std::unordered_map<uint32_t, GitOdbObjectPtr> last_tree_;
  OidSet bad_trees_;
};

}  // namespace sprawl
