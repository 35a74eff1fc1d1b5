#include "scanner/git/pack_read_order.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "scanner/git/git_handles.h"
#include "scanner/git/mapped_file.h"
#include "scanner/git/pack_index.h"

namespace sprawl {
namespace {

// Fills offset[i] (and pack[i] = rank) for blobs found in this index.
void LookupInIndex(const MappedFile& idx, uint32_t rank,
                   const std::vector<git_oid>& blobs,
                   std::vector<uint32_t>* pack, std::vector<uint64_t>* offset) {
  const std::optional<PackIndexView> view = ViewPackIndex(idx);
  if (!view) return;  // version 1 indexes: order by oid instead
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    if ((*pack)[i] != UINT32_MAX) continue;
    const unsigned char* id = blobs[i].id;
    uint64_t lo = view->Below(id[0]);
    uint64_t hi = view->Below(id[0] + 1u);
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      const int c = std::memcmp(view->Name(mid), id, GIT_OID_RAWSZ);
      if (c == 0) {
        const uint64_t off = view->Offset(mid);
        if (off == UINT64_MAX) break;
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
