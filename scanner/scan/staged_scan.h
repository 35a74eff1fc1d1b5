// ScanStaged, the --staged mode of the git scan: index entries whose blob
// differs from HEAD's tree at that path (every entry before the first
// commit), read from the object database, never from the work tree.
// Internal to scanner/scan/; uses the caller's repository handle.
#pragma once

#include <git2.h>

#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/git_scan.h"

namespace sprawl {

// `result` arrives with root set; findings have source "index" and carry the
// blob oid but no commit.
Result<GitScanResult> ScanStaged(git_repository* repo,
                                 const GitScanOptions& options,
                                 const Matcher& matcher,
                                 Diagnostics* diagnostics,
                                 GitScanResult result);

}  // namespace sprawl
