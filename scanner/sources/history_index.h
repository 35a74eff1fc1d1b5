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
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/flat_set.h"
#include "scanner/git/git_handles.h"
#include "scanner/sources/once_filter.h"
#include "scanner/sources/path_table.h"
#include "scanner/sources/tree_source.h"

namespace sprawl {

// Adds every tree and blob reachable from `tree` to `old` (set semantics).
void MarkTreeOld(git_odb* odb, const git_oid& tree, OidSet* old,
                 Diagnostics* diagnostics);

class HistoryIndex {
 public:
  // `old` may be null (full history); it must outlive the index, and so
  // must `once` (which may be null when the index is not a segment).
  HistoryIndex(git_odb* odb, const OidSet* old, Diagnostics* diagnostics,
               OnceFilter* once = nullptr);
  // Reads trees from `source` (which must outlive the index) instead.
  HistoryIndex(TreeSource* source, Diagnostics* diagnostics,
               OnceFilter* once = nullptr);

  // Records the pairs of `tree` not seen before, attributing them to
  // `commit` (an opaque number chosen by the caller).
  void AddCommitTree(const git_oid& tree, uint32_t commit);

  // Appends the pairs of `later`, an index of the commits that follow this
  // one's (numbered in the same sequence), that this index does not hold:
  // the result equals one index fed every commit in order.
  void Absorb(const HistoryIndex& later);

  // Releases the tree objects kept for skipping; call before the object
  // database they came from is freed.
  void DropTrees() { last_tree_.clear(); }

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

  // Whether a diagnostic keyed `key` should be printed now.
  bool FirstTime(const std::string& key) {
    return once_ == nullptr || once_->First(key);
  }

  std::unique_ptr<TreeSource> own_source_;
  TreeSource* source_;
  const OidSet* old_;
  Diagnostics* diagnostics_;
  OnceFilter* once_;
  PathTable paths_;
  FlatSet<PathOid, PathOidHash> seen_trees_;
  FlatSet<PathOid, PathOidHash> seen_pairs_;
  std::unordered_map<git_oid, uint32_t, OidHash, OidEq> blob_ids_;
  std::vector<git_oid> blobs_;
  std::vector<uint32_t> blob_path_;
  std::vector<Pair> pairs_;
  std::unordered_set<uint32_t> noted_submodules_;
  // The tree object last walked at each path id: entries unchanged
  // from it (same name, kind and oid) were recorded then and are skipped
  // without hashing, so a commit costs what it changed, not its tree sizes.
  std::unordered_map<uint32_t, TreeBytes> last_tree_;
  OidSet bad_trees_;
};

}  // namespace sprawl
