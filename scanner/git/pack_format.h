// Git pack entry headers and delta instructions, as documented in git's
// gitformat-pack(5): pure functions over bytes, without libgit2, so the
// parsing of untrusted pack data can be fuzzed on its own
// (fuzz/pack_fuzz.cc). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sprawl {

// Raw pack entry types: 1-4 whole objects, 6 and 7 deltas.
inline constexpr int kPackCommit = 1;
inline constexpr int kPackTag = 4;
inline constexpr int kPackOfsDelta = 6;
inline constexpr int kPackRefDelta = 7;
inline constexpr std::size_t kPackOidSize = 20;

struct PackEntryHeader {
  int type = 0;
  uint64_t size = 0;                        // inflated size of the data
  uint64_t base_distance = 0;               // OFS_DELTA: base is this far back
  const unsigned char* base_oid = nullptr;  // REF_DELTA: 20 bytes
  const unsigned char* data = nullptr;      // the zlib stream
};

// Parses the header of the entry at [p, end). False when malformed.
bool ParsePackEntryHeader(const unsigned char* p, const unsigned char* end,
                          PackEntryHeader* h);

// A run of a delta's result copied from its base: result bytes
// [to, to + size) are the base's bytes [from, from + size).
struct DeltaCopy {
  uint32_t to;
  uint32_t from;
  uint32_t size;
};

// Applies the delta instructions `delta` to `base` into `*out` (replaced).
// With `copies`, appends the copy runs in order. False when the delta is
// malformed, does not fit its base, or its result exceeds `max_size`.
bool ApplyDelta(std::string_view base, std::string_view delta,
                std::size_t max_size, std::string* out,
                std::vector<DeltaCopy>* copies);

}  // namespace sprawl
