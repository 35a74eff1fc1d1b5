// The tree pass: provenance for a full history without walking every tree
// in commit order. Walking history commit by commit reads each distinct
// tree at random places in the pack, through delta chains; on a long
// history that costs several times the blob scan. Instead:
//
//  1. every blob in the object database is scanned (in pack order), which
//     tells which blobs hold secrets — the targets;
//  2. every tree is read once, in pack order on N threads (PackDecoder),
//     keeping only entries that can matter: subtrees, target blobs, blobs
//     whose name may be a pipeline file, submodules;
//  3. the trees that contain something that matters, directly or through a
//     subtree, are marked relevant, bottom-up;
//  4. HistoryIndex then walks the commits in order as usual, but over those
//     relevant trees cut down to what matters, which is small and in memory.
//
// The walk gives the same (path, blob, first commit) pairs for the targets
// and pipeline files as a full walk would. Blobs that are in the object
// database but reachable from no ref are scanned too; their hits have no
// location and are not reported.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/scan_progress.h"
#include "scanner/git/object_catalog.h"
#include "scanner/git/pack_decoder.h"
#include "scanner/sources/history_index.h"

namespace sprawl {

struct TreePassOptions {
  int threads = 1;
  const std::atomic<bool>* cancel = nullptr;
  ScanProgress* progress = nullptr;  // trees read; may be null
};

// The relevant trees, cut down; a TreeSource for HistoryIndex. A tree of
// the catalog that is not relevant reads as empty (nothing under it
// matters); one missing from the catalog, or unreadable, is an error.
//
// In the cut trees, a subtree is named not by its oid but by a stand-in
// that holds its catalog entry (StandIn), so reading it costs no lookup
// in the oid table; RealOid gives the true oid for diagnostics. Blobs keep
// their oids.
class RelevantTrees : public TreeSource {
 public:
  bool Read(const git_oid& oid, TreeBytes* out, std::string* why) override;
  git_oid RealOid(const git_oid& oid) const override;
  // The stand-in for the tree at catalog entry `e`: the entry in the first
  // four bytes, then a fixed tag no SHA-1 oid will share in practice.
  static git_oid StandIn(uint32_t e);
  std::size_t trees_read() const { return trees_read_; }
  std::size_t relevant() const { return relevant_; }

 private:
  friend class TreePassBuilder;
  // The catalog entry a stand-in holds, or kNoEntry for a true oid.
  uint32_t StandInEntry(const git_oid& oid) const;
  const ObjectCatalog* catalog_ = nullptr;
  std::vector<std::string> raw_;  // per pass thread: cut trees in a row
  struct Span {
    uint64_t begin = 0;  // in raw_[part]
    uint32_t size = 0;   // 0: not relevant (or an empty cut tree)
    uint32_t part = 0;
  };
  std::vector<Span> span_;                         // by catalog entry
  std::unordered_map<uint32_t, std::string> bad_;  // unreadable -> why
  std::vector<bool> malformed_;                    // by catalog entry
  std::size_t relevant_ = 0;
  std::size_t trees_read_ = 0;
};

// Reads every tree of `catalog` once and keeps what matters for `targets`
// (blob oids whose locations are wanted) and pipeline files.
std::unique_ptr<RelevantTrees> RunTreePass(const ObjectCatalog& catalog,
                                           const OidSet& targets,
                                           const TreePassOptions& options);

}  // namespace sprawl
