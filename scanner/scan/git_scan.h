// ScanGitHistory: the git history scan. Enumerates (through sources/) every
// blob reachable from any ref (or the blobs a commit range introduces, or
// the staged index), scans each distinct blob once on N workers (each with
// its own git_repository handle and ContentScanner) and attaches provenance
// to every finding.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/glob.h"
#include "scanner/base/result.h"
#include "scanner/base/scan_progress.h"
#include "scanner/base/scan_stats.h"
#include "scanner/findings/finding.h"
#include "scanner/findings/report.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/scan_limits.h"

namespace sprawl {

// How a full-history scan works out provenance (see indexed_history.h).
enum class GitProvenanceMode { kAuto, kCommitWalk, kTreePass };

struct GitScanOptions {
  std::string repo_path = ".";  // work tree, any directory inside it, or bare
  std::string range;            // "A..B": only blobs of rev-list B ^A
  bool staged = false;          // only index entries differing from HEAD
  int threads = 0;              // 0 = hardware concurrency
  uint64_t max_blob_size = 50u << 20;  // larger blobs: diagnostic, skipped
  const std::atomic<bool>* cancel = nullptr;  // set by SIGINT; stop promptly
  // Full history: the commits are indexed in up to `threads` contiguous
  // segments of at least this many commits, one thread each.
  std::size_t min_commits_per_segment = 2000;
  ScanProgress* progress = nullptr;  // commits indexed, then blobs read
  ScanLimits limits;                 // scan timeout per blob, YAML size
  // Where packs checked clean are recorded, so the next scan of an
  // unchanged pack skips the walk over its entries ("" = nowhere;
  // CheckObjectStore in scanner/git/object_store_health.h).
  std::string verified_pack_dir;
  // Sweeps: hex oids of blobs already scanned in an earlier sweep; their
  // content is not read again (full history only). Not owned.
  const std::unordered_set<std::string>* skip_blobs = nullptr;
  // Sweeps: the subset of skip_blobs an earlier sweep found secrets in.
  // Their (path, blob) pairs are returned in known_pairs, so a known secret
  // that moved to a new path (a rename, a copy, a new branch) still gets a
  // location without its blob being read again. Not owned.
  const std::unordered_set<std::string>* known_secret_blobs = nullptr;
  // Full history: the commit walk or the tree pass; kAuto chooses by size.
  // Both give the same findings.
  GitProvenanceMode provenance = GitProvenanceMode::kAuto;
  // Full history: hex commit oids to start from instead of every ref (the
  // base of a range, to tell what a range added from what it inherited).
  std::vector<std::string> tips;
  // Paths these rules exclude (--exclude, the config's `exclude:`, the root
  // `.sprawlignore`) are never locations, in any mode. Not owned.
  const IgnoreRules* exclude = nullptr;
  // --range: find every secret of the range in the history of its base
  // (one more full-history scan, only when the range has findings) to set
  // GitScanResult::inherited and give inherited secrets their true
  // introducing commit.
  bool classify_range = true;
  // --range: repository-relative files that configure sprawl besides
  // `.sprawl/**` and `.sprawlignore` (a configured inventory or rule pack);
  // a range that adds or changes any is listed in changed_config.
  std::vector<std::string> own_config_paths;
};

// A (path, blob) pair of a known secret blob, with its provenance.
struct KnownBlobPair {
  std::string blob;  // hex oid
  std::string path;
  GitProvenance git;
};

struct GitScanResult {
  std::vector<Finding> findings;  // source "git" (or "index" for --staged)
  ScanStats stats;
  std::string root;               // work tree (or git dir when bare)
  bool shallow = false;
  bool full_history = false;      // true when neither range nor staged
  // Hex oids of the blobs whose content this scan read (after skip_blobs);
  // filled only when skip_blobs is set.
  std::vector<std::string> scanned_blobs;
  // From pipeline files in the scanned blobs: sorted, deduplicated.
  std::vector<PipelineReference> references;
  std::vector<PipelineFindingEntry> pipeline_findings;
  // Every pair of a blob in known_secret_blobs, in history order.
  std::vector<KnownBlobPair> known_pairs;
  // --range: SHA-256 hex digests of the secrets found in the range that are
  // also reachable from its base (not new to the range). Set when the range
  // was classified (`range_classified`); otherwise every secret counts new.
  std::unordered_set<std::string> inherited;
  bool range_classified = false;
  // --range: repository-relative paths of sprawl's own configuration the
  // range changes (.sprawl/*, .sprawlignore, the configured inventory).
  std::vector<std::string> changed_config;
};

// A repository that cannot be opened, or a range that does not resolve, is
// an Error (exit 2); unreadable objects inside are diagnostics.
Result<GitScanResult> ScanGitHistory(const GitScanOptions& options,
                                     const Matcher& matcher,
                                     Diagnostics* diagnostics);

}  // namespace sprawl
