// Completeness: whether a scan read everything it was asked to read. A gate
// must never pass on what it could not read, so an incomplete scan exits 3
// (unless a credential fails the policy, exit 1, or an error, exit 2).
// Pure functions over ScanStats; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "scanner/base/scan_stats.h"

namespace sprawl {

// Skips that a trusted setting (a flag, or the config of a range's base)
// may accept as complete: `--incomplete-ok too-large,timed-out`.
struct CompletenessOptions {
  bool too_large_ok = false;  // files/blobs over the size limit
  bool timed_out_ok = false;  // matching stopped at --scan-timeout
};

// Parses "too-large,timed-out" (or "none"); unknown names are an Error
// message (returned), "" when fine.
std::string ParseIncompleteOk(const std::string& csv, CompletenessOptions* out);

// What the scan did not read, in words, one entry per kind ("3 unreadable
// files or objects", "interrupted", ...); empty when complete.
std::vector<std::string> IncompleteReasons(const ScanStats& stats,
                                           const CompletenessOptions& options);

}  // namespace sprawl
