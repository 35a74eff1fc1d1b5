// Repository plumbing for sweeps: the ref tips of a repository (what decides
// "unchanged" without walking history) and bare mirrors of remote URLs kept
// in a cache directory (cloned the first time, fetched with prune after).
// Free functions; each opens its own libgit2 handles, so they are safe to
// call from several threads on different repositories.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scanner/base/result.h"

namespace sprawl {

// (ref name, target oid hex) for every direct reference, sorted by name,
// then ("HEAD", oid) when HEAD resolves. A repository that does not open,
// or a tip whose object is missing, is an Error.
Result<std::vector<std::pair<std::string, std::string>>> ReadRefTips(
    const std::string& repo_path);

// True when `url` names a remote (scheme://, or scp-like user@host:path)
// rather than a local path.
bool IsRemoteUrl(const std::string& url);

// The mirror directory for `url` under `cache_dir`: a readable name plus a
// hash of the URL, so two URLs never share one.
std::string MirrorPath(const std::string& cache_dir, const std::string& url);

// Clones `url` as a bare mirror (+refs/*:refs/*) into MirrorPath, or fetches
// (with prune) when the mirror exists. Returns the mirror path.
Result<std::string> UpdateMirror(const std::string& cache_dir,
                                 const std::string& url);

}  // namespace sprawl
