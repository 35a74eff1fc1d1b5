// IsPartialClone: whether a repository was cloned with a filter (git's
// "promisor" packs), so objects missing from it are expected rather than a
// sign of corruption. Reads only the filesystem; thread-safe.
#pragma once

#include <string>

namespace sprawl {

// `repo` is a work tree (with a .git directory or a `gitdir:` file) or a
// bare repository. True when its object store holds a `.promisor` pack, or
// its config names a promisor remote (`remote.<name>.promisor = true`) or
// `extensions.partialclone`.
bool IsPartialClone(const std::string& repo);

}  // namespace sprawl
