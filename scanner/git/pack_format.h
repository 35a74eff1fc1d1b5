// Git pack entry headers and delta instructions, as documented in git's
// gitformat-pack(5): pure functions over bytes, without libgit2, so the
// parsing of untrusted pack data can be fuzzed on its own
// (fuzz/pack_fuzz.cc). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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

// A pack index (.idx, version 1 or 2) that CheckPackIndex has validated:
// its size matches its object count, the fanout never decreases, the names
// are strictly sorted within their fanout buckets, and every 64-bit offset
// reference lies inside the large-offset table. Views the checked bytes.
struct PackIndexTable {
  int version = 0;
  uint64_t count = 0;
  std::vector<uint64_t> offsets;                 // pack offset, by name order
  const unsigned char* pack_checksum = nullptr;  // 20 bytes: the pack's trailer
  // The name (oid) of entry i (name order).
  const unsigned char* Name(uint64_t i) const { return names_ + i * stride_; }
  // The entry named `oid` (20 bytes), or UINT64_MAX.
  uint64_t Find(const unsigned char* oid) const;

  const unsigned char* names_ = nullptr;
  std::size_t stride_ = kPackOidSize;
};

// Validates the index bytes [idx, idx + size) before anything trusts its
// counts. Empty on success (then `out` is filled), else the reason, in
// words git users know ("wrong index v2 file size"). The object count is
// checked against the size before anything is allocated.
std::string CheckPackIndex(const unsigned char* idx, std::size_t size,
                           PackIndexTable* out);

// Validates a pack's bytes against its checked index: the header (PACK,
// version 2 or 3, the index's object count), the trailer (the checksum the
// index records, so a truncated or replaced pack shows), and every offset
// (inside the pack, distinct). Empty on success, else the reason.
std::string CheckPackAgainstIndex(const unsigned char* pack, std::size_t size,
                                  const PackIndexTable& index);

// An entry of a pack that no reader may be handed: its header is
// malformed, its delta base is missing from the pack or not an entry, or
// its delta chain never ends (a cycle: a REF_DELTA naming itself, two
// deltas naming each other, ...), or it leads to such an entry.
struct BadPackEntry {
  uint64_t entry = 0;  // in name order
  std::string reason;
};

// Follows every entry's delta chain (iteratively, each entry once) and
// lists the entries that cannot be decoded, by name order. `pack` and
// `index` must have passed CheckPackAgainstIndex. `read` (optional) is
// told the bytes of each entry as its header is read.
std::vector<BadPackEntry> FindBadPackEntries(
    const unsigned char* pack, std::size_t size, const PackIndexTable& index,
    const std::function<void(uint64_t)>& read = nullptr);

}  // namespace sprawl
