// GitCommonDir: the directory holding a repository's objects and refs,
// shared by a main work tree, its linked work trees (`git worktree add`) and
// a work tree whose `.git` is a `gitdir:` file: what identifies "the same
// repository" when a sweep finds it under several paths. Reads only the
// filesystem; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "scanner/sweep/sweep_target.h"

namespace sprawl {

// `repo` is a work tree or a bare repository; the result is made
// canonical when it exists.
std::filesystem::path GitCommonDir(const std::string& repo);

// Drops the local targets whose common dir an earlier target (in order)
// already has; returns the dropped ones' keys with the key they duplicate.
std::vector<std::pair<std::string, std::string>> DropSameRepository(
    std::vector<SweepTarget>* targets);

}  // namespace sprawl
