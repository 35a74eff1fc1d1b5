// IndexSegments: the commit walk of a full or ranged history, split into one
// contiguous segment of commits per thread (each with its own HistoryIndex)
// and absorbed in order. Blocks until done; reads `graph` from every thread
// (it must be fully loaded for `commits`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/scan/git_scan.h"
#include "scanner/sources/git_history.h"
#include "scanner/sources/history_index.h"
#include "scanner/sources/once_filter.h"
#include "scanner/sources/tree_source.h"

namespace sprawl {

// Indexes the trees of `commits` (graph ids, parents first) into `index`,
// split into one contiguous segment per thread: segment k is walked on its
// own thread, then absorbed in order, which gives exactly the index a
// single walk would. Pair commits are positions in `commits`. Segments read
// trees from `shared` (which must be safe to read from several threads),
// or, when it is null, each from its own handle on `objects_dir`.
void IndexSegments(const std::string& objects_dir, TreeSource* shared,
                   const CommitGraph& graph,
                   const std::vector<uint32_t>& commits,
                   const GitScanOptions& options, Diagnostics* diagnostics,
                   OnceFilter* once, HistoryIndex* index);

}  // namespace sprawl
