// ReadHeadFile: one file of a repository's default branch tip (the tree of
// HEAD), read from its object store, so a bare mirror is read like a clone
// and a work tree's uncommitted edits are not. A sweep reads each
// repository's own .sprawl/inventory.yaml this way. Only a regular blob is
// read (a symbolic link, submodule or directory at the path counts as
// absent), and only up to `max` bytes. Free function; thread-safe (each
// call opens its own libgit2 handles).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "scanner/base/result.h"

namespace sprawl {

// The content of `rel` (a path relative to the repository's top) in HEAD's
// tree of the repository at `repo_path`. nullopt when HEAD is unborn or
// has no regular file there; an Error (naming `rel`, never content) when
// the repository, HEAD's commit or the blob cannot be read, or the blob is
// over `max` bytes.
Result<std::optional<std::string>> ReadHeadFile(const std::string& repo_path,
                                                const std::string& rel,
                                                uint64_t max);

}  // namespace sprawl
