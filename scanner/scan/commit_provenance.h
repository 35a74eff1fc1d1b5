// The provenance of a finding in a commit (author, date, summary), read
// through the caller's git_repository; not thread-safe with respect to it.
// FormatGitDate is a pure function.
#pragma once

#include <git2.h>

#include <cstdint>
#include <string>

#include "scanner/base/diagnostics.h"
#include "scanner/findings/finding.h"

namespace sprawl {

// Author, date, summary of a commit; `commit` and `blob` filled by caller.
GitProvenance CommitProvenance(git_repository* repo, const git_oid& commit,
                               Diagnostics* diagnostics);

// "2026-01-02T03:04:05+01:00" for `time` seconds at `offset_minutes`.
std::string FormatGitDate(int64_t time, int offset_minutes);

}  // namespace sprawl
