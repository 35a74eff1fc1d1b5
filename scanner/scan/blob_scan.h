// Scans a set of distinct blobs on N workers: each worker opens its own
// object database (with private pack caches) and owns a ContentScanner. Blobs are read in pack order
// (from the pack .idx files) in contiguous chunks, so consecutive reads
// reuse the delta bases just inflated. Binary blobs (NUL in the first 8000
// bytes) and blobs over the size limit are skipped (the latter with a
// diagnostic, learned from the object header without inflating the blob);
// unreadable blobs are diagnostics. Thread-safe to call; blocks until done.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/scan_progress.h"
#include "scanner/base/scan_stats.h"
#include "scanner/findings/finding.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/content_scanner.h"
#include "scanner/scan/scan_limits.h"
#include "scanner/base/scan_stats.h"
#include "scanner/git/object_catalog.h"
#include "scanner/git/pack_decoder.h"

namespace sprawl {

struct BlobScanOptions {
  std::string objects_dir;  // the common dir's objects/: one handle per worker
  int threads = 1;          // >= 1
  uint64_t max_blob_size = 50u << 20;
  const std::atomic<bool>* cancel = nullptr;
  ScanProgress* progress = nullptr;  // blobs and bytes read; may be null
  double scan_timeout = 0;  // seconds per blob (see ScanLimits); 0 = none
  // Names blob i in diagnostics (a path, raw bytes escaped); called from
  // worker threads, so it must be safe to call concurrently.
  std::function<std::string(uint32_t)> describe;
  // Return warnings about blobs (too large, unreadable, timed out) in
  // BlobScanResult::warnings instead of reporting them, for a caller that
  // learns the blobs' paths later.
  bool defer_warnings = false;
  // The blobs are already in pack order (from an ObjectCatalog): read them
  // as given instead of looking each up in the pack indexes.
  bool in_pack_order = false;
  // With in_pack_order, optionally: the catalog the blobs come from and
  // their entries in it (parallel to the blobs). Workers then decode pack
  // entries themselves (PackDecoder keeps the intermediate bases of a delta
  // chain; libgit2 re-applies the whole chain for every object on it,
  // quadratic on a deep chain) and use libgit2 only for the rest.
  const ObjectCatalog* catalog = nullptr;
  const std::vector<uint32_t>* entries = nullptr;
  // With a catalog: scan every blob whole, never as a delta of its base
  // (SPRAWL_NO_DELTA_SCAN=1; for measuring and for checking that both
  // give the same report).
  bool no_delta = false;
};

struct BlobScanResult {
  // (blob index, hits in offset order) for blobs with hits, by blob index.
  std::vector<std::pair<uint32_t, std::vector<Hit>>> hits;
  ScanStats stats;  // files_scanned counts blobs
  // With defer_warnings: (blob index, message), by blob index.
  std::vector<std::pair<uint32_t, std::string>> warnings;
};

BlobScanResult ScanBlobs(const std::vector<git_oid>& blobs,
                         const Matcher& matcher, const BlobScanOptions& options,
                         Diagnostics* diagnostics);

// Appends one Finding per hit at (`source`, `path`) with provenance `prov`.
void AppendBlobFindings(const std::vector<Hit>& hits, const char* source,
                        const std::string& path, const GitProvenance& prov,
                        std::vector<Finding>* findings);

}  // namespace sprawl
