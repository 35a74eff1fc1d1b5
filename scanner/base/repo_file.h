// Reading files a scanned repository supplies (its config, ignore files,
// inventory, rule packs, CODEOWNERS): each must be a regular file inside
// the scanned root (a symlink is followed only when it resolves inside the
// root), at most kMaxRepoFileSize bytes, and is opened with O_NOFOLLOW |
// O_NONBLOCK and checked with fstat, so /dev/zero, a FIFO or /etc/passwd
// behind a repository path neither hangs, exhausts memory nor echoes an
// outside file's content in an error. Free functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "scanner/base/result.h"

namespace sprawl {

inline constexpr uint64_t kMaxRepoFileSize = 16u << 20;  // 16 MiB

// Reads `path` (absolute, or relative to the working directory) that the
// repository at `root` supplies. nullopt when it does not exist; an Error
// naming `path` (never its content) when it is outside `root`, not a
// regular file, over the cap or unreadable.
Result<std::optional<std::string>> ReadRepoFile(const std::string& root,
                                                const std::string& path);

// Checks that `path` exists inside `root` and is a regular file or (with
// `dir_ok`) a directory; an Error naming it otherwise.
Status CheckRepoPath(const std::string& root, const std::string& path,
                     bool dir_ok);

// Reads a file named by the user (a flag or the environment), not by the
// repository: anywhere, but still a regular file of at most `max` bytes
// opened without blocking. nullopt when it does not exist.
Result<std::optional<std::string>> ReadBoundedFile(
    const std::string& path, uint64_t max = kMaxRepoFileSize);

// Reads `path` only when it is itself a regular file (a symbolic link is
// refused, not followed) of at most `max` bytes, without blocking. nullopt
// when it does not exist.
Result<std::optional<std::string>> ReadNoFollow(
    const std::string& path, uint64_t max = kMaxRepoFileSize);

}  // namespace sprawl
