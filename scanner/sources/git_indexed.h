// A full or ranged history indexed for the location phase of `sprawl git`:
// the (path, blob, first commit) pairs, the scanned blobs' hits, and what
// keeps them alive. Filled either by the commit walk (git_source.cc) or by
// the tree pass (IndexByTreePass). Internal to scanner/sources/.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

#include "scanner/match/matcher.h"
#include "scanner/sources/git_blob_scan.h"
#include "scanner/sources/git_history.h"
#include "scanner/sources/git_pack.h"
#include "scanner/sources/git_provenance.h"
#include "scanner/sources/git_repo_info.h"
#include "scanner/sources/git_source.h"
#include "scanner/sources/git_tree_pass.h"

namespace sprawl {

struct IndexedHistory {
  std::vector<uint32_t> commits;  // walk position -> graph id
  std::vector<RefTip> tips;
  std::unique_ptr<ObjectCatalog> catalog;  // tree pass only
  std::unique_ptr<RelevantTrees> trees;    // tree pass only
  std::unique_ptr<HistoryIndex> index;     // pair commits: walk positions
  BlobScanResult scanned;                  // owns the hits
  std::vector<const std::vector<Hit>*> hits;  // by index blob; null: none
  std::vector<bool> known;  // by index blob: in options.known_secret_blobs
};

// Which way a full-history scan indexes provenance: the commit walk reads
// every tree in commit order; the tree pass (git_tree_pass.h) reads them in
// pack order and keeps only what the scanned blobs need. kAuto picks the
// tree pass for histories whose packs hold many objects, or as the
// SPRAWL_PROVENANCE environment variable ("walk" or "pass") says.
bool UseTreePass(const std::string& objects_dir, GitProvenanceMode mode);

// Indexes the full history (every ref) with the tree pass and scans every
// blob of the object database once. Phases are reported through `mark`.
Status IndexByTreePass(git_repository* repo,
                       const GitScanOptions& options, const Matcher& matcher,
                       Diagnostics* diagnostics, CommitGraph* graph,
                       IndexedHistory* out, GitScanResult* result,
                       const std::function<void(const char*)>& mark);

}  // namespace sprawl
