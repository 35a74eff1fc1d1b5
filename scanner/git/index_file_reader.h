// Reads the staged changes straight from a git index file (versions 2-4,
// gitformat-index(5)) and compares them with HEAD's tree, skipping every
// directory whose cached tree (the TREE extension) equals HEAD's: a small
// commit in a 100k-file repository reads a handful of trees. libgit2 parses
// and hashes the whole index instead, which costs several times more.
// Not thread-safe with respect to `odb`.
#pragma once

#include <git2.h>

#include <optional>
#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"

namespace sprawl {

struct StagedBlob {
  std::string path;  // raw bytes, relative to the work tree
  git_oid blob{};
};

// Regular-file index entries (every stage of a conflicted path) whose blob
// is not HEAD's blob at that path; `head_tree` null means no commit yet.
// nullopt when the file uses something this reader does not handle (split
// or sparse index, unknown version, malformed data): fall back to libgit2.
std::optional<std::vector<StagedBlob>> ReadStagedChanges(
    const std::string& index_path, git_odb* odb, const git_oid* head_tree);

}  // namespace sprawl
