// PackReadOrder: the order to read a set of blobs in so that consecutive
// reads reuse the delta bases just inflated. Reads the version-2 pack index
// files directly (their format is stable and documented in git's
// gitformat-pack(5)); libgit2 exposes no pack offsets. A pure function of
// the files on disk; thread-safe.
#pragma once

#include <git2.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sprawl {

// The order to read `blobs` in: by (pack, offset in pack), then blobs found
// in no pack (loose) by oid. Exposed for tests.
std::vector<uint32_t> PackReadOrder(const std::string& objects_dir,
                                    const std::vector<git_oid>& blobs);

}  // namespace sprawl
