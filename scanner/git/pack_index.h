// PackIndexView: a version-2 pack index (.idx, git's gitformat-pack(5)) read
// in place from its mapping, and the list of a repository's .idx files.
// Views borrow the mapping; pure reads, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanner/git/mapped_file.h"

namespace sprawl {

// A version-2 pack index (.idx) over its mapping: the fanout table, the
// sorted names and the offsets, by entry number.
struct PackIndexView {
  const unsigned char* fanout = nullptr;
  uint64_t count = 0;
  const unsigned char* names = nullptr;    // count * 20 bytes, sorted
  const unsigned char* offsets = nullptr;  // count * 4, after the CRC-32s
  const unsigned char* large = nullptr;    // 8-byte offsets past 2 GiB
  uint64_t large_count = 0;

  // Entries whose name starts with a byte below `b`.
  uint64_t Below(unsigned b) const;
  const unsigned char* Name(uint64_t i) const { return names + i * 20; }
  // The pack offset of entry i; UINT64_MAX when its large offset is
  // missing.
  uint64_t Offset(uint64_t i) const;
};

// The view of `idx`, or nullopt when it is not a well-formed version-2
// index (version 1 indexes are left to libgit2).
std::optional<PackIndexView> ViewPackIndex(const MappedFile& idx);

// The .idx files of `objects_dir`/pack, newest first (the order readers
// search them in).
std::vector<std::string> PackIndexFiles(const std::string& objects_dir);

}  // namespace sprawl
