// IndexedHistory: a full or ranged history indexed for the location phase of
// `sprawl git`: the (path, blob, first commit) pairs, the scanned blobs'
// hits, and what keeps them alive. Filled either by the commit walk
// (git_scan.cc, IndexSegments in index_segments.h) or by the tree pass
// (IndexByTreePass, indexed_history.cc). Internal to scanner/scan/.
#pragma once

#include <git2.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/git/object_catalog.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/blob_scan.h"
#include "scanner/scan/git_scan.h"
#include "scanner/sources/git_history.h"
#include "scanner/sources/git_tree_pass.h"
#include "scanner/sources/history_index.h"
#include "scanner/sources/once_filter.h"
#include "scanner/sources/ref_tips.h"

namespace sprawl {

struct IndexedHistory {
  std::vector<uint32_t> commits;  // walk position -> graph id
  std::vector<RefTip> tips;
  std::unique_ptr<ObjectCatalog> catalog;     // tree pass only
  std::unique_ptr<RelevantTrees> trees;       // tree pass only
  std::unique_ptr<HistoryIndex> index;        // pair commits: walk positions
  BlobScanResult scanned;                     // owns the hits
  std::vector<const std::vector<Hit>*> hits;  // by index blob; null: none
  std::vector<bool> known;  // by index blob: in options.known_secret_blobs
  OnceFilter once;          // the index's segments print each diagnostic once
};

// Which way a full-history scan indexes provenance: the commit walk reads
// every tree in commit order; the tree pass (git_tree_pass.h) reads them in
// pack order and keeps only what the scanned blobs need. kAuto picks the
// tree pass for histories whose packs hold many objects, or as the
// SPRAWL_PROVENANCE environment variable ("walk" or "pass") says.
bool UseTreePass(const std::string& objects_dir, GitProvenanceMode mode);

// Indexes the full history (every ref) with the tree pass and scans every
// blob of the object database once. Phases are reported through `mark`.
Status IndexByTreePass(git_repository* repo, const GitScanOptions& options,
                       const Matcher& matcher, Diagnostics* diagnostics,
                       CommitGraph* graph, IndexedHistory* out,
                       GitScanResult* result,
                       const std::function<void(const char*)>& mark);

}  // namespace sprawl
