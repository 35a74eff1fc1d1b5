// The ref tips of a repository read straight from its files (loose refs
// under refs/, packed-refs, HEAD), without opening it through libgit2. An
// org-wide sweep asks this of every repository before anything else, and
// for an unchanged one it is the whole cost of the sweep.
//
// Only the plain layouts are handled: a work tree whose .git is a directory,
// or a bare repository, with the files ref backend. Anything else (a .git
// file, a linked worktree, reftable, a lock file, a line it does not
// understand) gives nullopt, and the caller asks libgit2 instead.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scanner/base/dir_fd.h"
#include "scanner/git/ref_signature.h"

namespace sprawl {

using RefTipList = std::vector<std::pair<std::string, std::string>>;

// (ref name, oid hex) for every direct reference under refs/, sorted by
// name, then ("HEAD", oid) when HEAD resolves: the same list ReadRefTips
// gives, except that object existence is not checked.
// A relative `repo_path` is taken relative to `base` when given (a sweep
// opens its root once, and each lookup of a path component counts).
// With `signature`, it is filled with the stat of everything read, each
// taken before the read (a change after it shows at the next comparison);
// meaningful only when tips are returned.
std::optional<RefTipList> ReadRefTipsFromFiles(
    const std::string& repo_path, const DirFd* base = nullptr,
    RefSignature* signature = nullptr);

}  // namespace sprawl
