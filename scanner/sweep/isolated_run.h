// RunIsolated: runs one repository's scan in a child process (fork) under a
// time budget, so a crash (a corrupt pack that makes libgit2 segfault) or a
// hang (a delta cycle it spins on) ends that repository, recorded `failed`
// with the reason, and never the sweep. The child reports a small
// IsolatedReport back through a pipe; everything else it does (the datastore
// commit) it does itself. Call from any thread; the child only runs `work`
// and then _exits.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "scanner/base/scan_stats.h"

namespace sprawl {

struct IsolatedReport {
  std::string status;       // scanned | unchanged | failed | skipped
  std::string error;        // the row's error or note
  uint64_t blobs_scanned = 0;
  ScanStats stats;
  std::string diagnostics;  // the child's diagnostic lines, to re-report
};

struct IsolatedOutcome {
  bool completed = false;   // the child ran `work` to the end
  std::string failure;      // else why: "crashed (signal 11)", "timed out..."
  IsolatedReport report;    // when completed
};

// Runs `work` in a child process; waits at most `timeout_seconds` (0 = no
// limit), then kills it. Ctrl-C reaches the child too (same process group):
// it stops like any scan and reports `skipped`.
// `lock` runs just before the fork and `unlock` just after it, in the
// parent: the caller holds there whatever no other thread may be inside of
// at the fork (the datastore, libgit2), so the child never inherits a lock
// held by a thread it does not have.
IsolatedOutcome RunIsolated(const std::function<IsolatedReport()>& work,
                            int64_t timeout_seconds,
                            const std::function<void()>& lock = {},
                            const std::function<void()>& unlock = {});

}  // namespace sprawl
