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
#include "scanner/sources/git_handles.h"

namespace sprawl {

using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

// Interned slash-separated paths; id 0 is the root (empty path).
class PathTable {
 public:
  PathTable();
  uint32_t Intern(uint32_t parent, std::string_view name);
  std::string Path(uint32_t id) const;
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }
  uint32_t parent(uint32_t id) const { return nodes_[id].parent; }
  std::string_view name(uint32_t id) const {
    return std::string_view(names_).substr(nodes_[id].name_begin,
                                           nodes_[id].name_size);
  }

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

// True the first time a key is offered: several HistoryIndex segments walked
// on different threads share one, so a diagnostic about the same submodule
// or broken tree is printed once. Thread-safe.
class OnceFilter {
 public:
  bool First(std::string key);

 private:
  std::mutex mu_;
  std::unordered_set<std::string> seen_;
};

// A raw tree as HistoryIndex reads it: the bytes, and what keeps them.
struct TreeBytes {
  GitOdbObjectPtr object;  // when read from an object database
  std::string_view data;
  bool malformed = false;  // the source found the tree malformed
};

// Where HistoryIndex reads trees from.
class TreeSource {
 public:
  virtual ~TreeSource() = default;
  // False (with the reason in `why`) when the tree cannot be read.
  virtual bool Read(const git_oid& oid, TreeBytes* out, std::string* why) = 0;
  // The object id to name in a diagnostic about the tree `oid`: a source
  // may stand for subtrees in the trees it returns by ids of its own.
  virtual git_oid RealOid(const git_oid& oid) const { return oid; }
};

// Reads trees from an object database.
class OdbTreeSource : public TreeSource {
 public:
  explicit OdbTreeSource(git_odb* odb) : odb_(odb) {}
  bool Read(const git_oid& oid, TreeBytes* out, std::string* why) override;

 private:
  git_odb* odb_;
};

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
