// PackReadOrder: reads the version-2 pack index files directly (their format
// is stable and documented in git's gitformat-pack(5)); libgit2 exposes no
// pack offsets.

#include <algorithm>
#include <cstring>
#include <numeric>

#include "scanner/sources/git_blob_scan.h"
#include "scanner/sources/git_handles.h"
#include "scanner/sources/git_pack.h"

namespace sprawl {
namespace {

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Fills offset[i] (and pack[i] = rank) for blobs found in this index.
void LookupInIndex(const MappedFile& idx, uint32_t rank,
                   const std::vector<git_oid>& blobs,
                   std::vector<uint32_t>* pack, std::vector<uint64_t>* offset) {
  const unsigned char* d = idx.data();
  const std::size_t size = idx.size();
  if (size < 8 + 256 * 4 || std::memcmp(d, "\377tOc", 4) != 0 ||
      Be32(d + 4) != 2) {
    return;  // version 1 indexes: order by oid instead
  }
  const unsigned char* fanout = d + 8;
  const uint64_t n = Be32(fanout + std::size_t{255} * 4);
  const unsigned char* names = fanout + std::size_t{256} * 4;
  const unsigned char* offsets = names + n * (GIT_OID_RAWSZ + 4);
  const unsigned char* large = offsets + n * 4;
  if (static_cast<std::size_t>(large - d) > size) return;
  const uint64_t large_count = (size - (large - d)) / 8;
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    if ((*pack)[i] != UINT32_MAX) continue;
    const unsigned char* id = blobs[i].id;
    uint32_t lo = id[0] == 0 ? 0 : Be32(fanout + (std::size_t{id[0]} - 1) * 4);
    uint32_t hi = Be32(fanout + std::size_t{id[0]} * 4);
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      int c =
          std::memcmp(names + uint64_t{mid} * GIT_OID_RAWSZ, id, GIT_OID_RAWSZ);
      if (c == 0) {
        uint64_t off = Be32(offsets + uint64_t{mid} * 4);
        if (off & 0x80000000u) {
          uint64_t k = off & 0x7fffffffu;
          if (k >= large_count) break;
          const unsigned char* p = large + k * 8;
          off = (uint64_t{Be32(p)} << 32) | Be32(p + 4);
        }
        (*pack)[i] = rank;
        (*offset)[i] = off;
        break;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
  }
}

}  // namespace

std::vector<uint32_t> PackReadOrder(const std::string& objects_dir,
                                    const std::vector<git_oid>& blobs) {
  const std::vector<std::string> idx_files = PackIndexFiles(objects_dir);
  std::vector<uint32_t> pack(blobs.size(), UINT32_MAX);
  std::vector<uint64_t> offset(blobs.size(), 0);
  for (uint32_t rank = 0; rank < idx_files.size(); ++rank) {
    MappedFile idx(idx_files[rank]);
    if (idx.data() != nullptr) LookupInIndex(idx, rank, blobs, &pack, &offset);
  }
  std::vector<uint32_t> order(blobs.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (pack[a] != pack[b]) return pack[a] < pack[b];
    if (offset[a] != offset[b]) return offset[a] < offset[b];
    return std::memcmp(blobs[a].id, blobs[b].id, GIT_OID_RAWSZ) < 0;
  });
  return order;
}

}  // namespace sprawl
