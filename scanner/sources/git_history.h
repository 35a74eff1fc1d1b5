// CommitGraph: the commits of one repository, loaded lazily from raw objects,
// and the two walks the git source needs: every commit reachable from a set
// of tips in parents-first order, and the commits of a range B ^A (git's
// limited walk: stops once only excluded commits remain, so a CI range never
// reads the whole history). Missing commits and the parents of shallow-graft
// commits are treated as absent (missing ones with a diagnostic).
// Not thread-safe; uses the caller's object database.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/git/git_handles.h"

namespace sprawl {

class CommitGraph {
 public:
  static constexpr uint32_t kMissing = UINT32_MAX;

  // `shallow` lists graft commits whose parents are not in the repository.
  CommitGraph(git_odb* odb, std::unordered_set<git_oid, OidHash, OidEq> shallow,
              Diagnostics* diagnostics);

  // Index of a commit, reading it on first use; kMissing when it cannot be
  // read or is not a commit.
  uint32_t Load(const git_oid& oid);

  const git_oid& oid(uint32_t c) const { return nodes_[c].oid; }
  const git_oid& tree(uint32_t c) const { return nodes_[c].tree; }
  int64_t time(uint32_t c) const { return nodes_[c].time; }
  // Commits that could not be read (each named in a warning).
  uint64_t missing_count() const { return missing_.size(); }
  // Parents present in the repository (loads them).
  std::vector<uint32_t> Parents(uint32_t c);

  // Every commit reachable from `tips`, parents before children; ties broken
  // by (committer time, oid), so the order is deterministic.
  std::vector<uint32_t> AllParentsFirst(const std::vector<uint32_t>& tips,
                                        const std::atomic<bool>* cancel);

  struct Range {
    std::vector<uint32_t> commits;   // B ^A, parents first
    std::vector<uint32_t> boundary;  // excluded parents of range commits
  };
  // Commits reachable from `include` and not from `exclude`.
  Range Limit(const std::vector<uint32_t>& include,
              const std::vector<uint32_t>& exclude,
              const std::atomic<bool>* cancel);

 private:
  struct Node {
    git_oid oid{};
    git_oid tree{};
    int64_t time = 0;
    uint32_t parent_begin = 0;  // into parent_oids_
    uint32_t parent_count = 0;
    uint8_t flags = 0;
  };

  // Orders `set` parents-first with (time, oid) tie-breaking.
  std::vector<uint32_t> TopoSort(const std::vector<uint32_t>& set);
  void MarkUninteresting(uint32_t c);

  git_odb* odb_;
  std::unordered_set<git_oid, OidHash, OidEq> shallow_;
  Diagnostics* diagnostics_;
  std::vector<Node> nodes_;
  std::vector<git_oid> parent_oids_;
  std::unordered_map<git_oid, uint32_t, OidHash, OidEq> index_;
  std::unordered_set<git_oid, OidHash, OidEq> missing_;
};

}  // namespace sprawl
