// RunSweep: scans many repositories into a Datastore, incrementally. Per
// repository: mirror it when it is a URL; the recorded stat of every ref
// file and directory still holding, or else ref tips equal to the recorded
// ones, means `unchanged` (no history walk); otherwise scan the
// history skipping blobs already recorded for it (a skipped blob that holds
// known secrets still gets a location at every new path it appears at), and
// commit the repository (status, tips, new blobs, credentials, locations,
// pipeline references and findings) in one transaction.
// Repositories run on a pool of workers that share the thread budget; a
// repository that cannot be read is `failed` and the others go on, and with
// `isolate` so is one whose scan crashes or outlives --repo-timeout.
// Blocks until done; the matcher is built when the first repository needs
// a scan (a sweep with no new commits never builds it) and then shared
// read-only; the datastore is only touched under an internal lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanner/base/glob.h"
#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/base/scan_progress.h"
#include "scanner/base/scan_stats.h"
#include "scanner/datastore/datastore.h"
#include "scanner/findings/report.h"
#include "scanner/git/ref_signature.h"
#include "scanner/match/lazy_matcher.h"
#include "scanner/scan/scan_limits.h"
#include "scanner/sweep/sweep_target.h"

namespace sprawl {

struct SweepOptions {
  // --root: every local target's key is its path below this directory,
  // which the sweep opens once ("" = targets are located by path alone).
  std::string root;
  std::vector<SweepTarget> targets;           // what to sweep, in report order
  std::string cache_dir = ".sprawl/mirrors";  // bare mirrors of URLs
  int threads = 0;  // total worker budget; 0 = all cores
  uint64_t max_blob_size = 50u << 20;
  std::optional<std::string> fingerprint_key;  // SPRAWL_FINGERPRINT_KEY
  const std::atomic<bool>* cancel = nullptr;   // stop after current repos
  ScanProgress* progress = nullptr;  // repositories done (and bytes read)
  ScanLimits limits;                 // per blob, as for `sprawl git`
  // --exclude / `exclude:`: paths never reported as locations. Not owned.
  const IgnoreRules* exclude = nullptr;
  // A ref file or directory changed this recently before the last sweep
  // read it proves nothing by its stat (see ref_signature.h); tests shrink
  // it to exercise the stat-only path without waiting.
  int64_t racy_margin_ns = kRacyMarginNs;
  // Test hook: terminate the process (no cleanup) right after this many
  // repositories were committed, to exercise resuming. 0 = never.
  int abort_after_commits = 0;
  // Each repository's libgit2 reads (refs, history) and its commit run in a
  // child process (isolated_run.h), so a crash or hang there fails that
  // repository only; the child opens `datastore_path` itself.
  bool isolate = false;
  std::string datastore_path;
  // Per repository, with `isolate`: a child still running after this long
  // is killed and the repository recorded failed (--repo-timeout; 0 = none).
  int64_t repo_timeout_seconds = 0;
  // Test hooks (with `isolate`): the child scanning this repository key
  // aborts, or hangs, instead of scanning.
  std::string test_crash_repo;
  std::string test_hang_repo;
};

struct SweepResult {
  int64_t sweep_id = 0;
  // The last finished sweep before this one (0 = none): credentials first
  // seen after it are "new since last sweep".
  int64_t previous_sweep = 0;
  std::vector<RepositoryEntry> repositories;  // one per target, by key
  ScanStats stats;                            // summed over this run
  bool interrupted = false;
};

// An Error only when the datastore itself fails or the matcher does not
// build; per-repository problems are statuses.
Result<SweepResult> RunSweep(const SweepOptions& options, LazyMatcher* matcher,
                             Datastore* store, Diagnostics* diagnostics);

// The last finished sweep with an id below `before` (0 = none).
Result<int64_t> PreviousFinishedSweep(Datastore* store, int64_t before);

}  // namespace sprawl
