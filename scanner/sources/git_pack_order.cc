// PackReadOrder: reads the version-2 pack index files directly (their format
// is stable and documented in git's gitformat-pack(5)); libgit2 exposes no
// pack offsets.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "scanner/sources/git_blob_scan.h"
#include "scanner/sources/git_handles.h"

namespace sprawl {
namespace {

// A read-only mapping of one file; empty when it cannot be mapped.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ,
                       MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const unsigned char*>(p);
        size_ = static_cast<std::size_t>(st.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

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
  namespace fs = std::filesystem;
  std::vector<std::pair<fs::file_time_type, std::string>> idx_files;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(objects_dir) / "pack", ec), end;
       !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".idx") continue;
    std::error_code tec;
    auto t = fs::last_write_time(p, tec);
    idx_files.emplace_back(t, p.string());
  }
  // Newest pack first, like the readers do when an object is in several.
  std::sort(idx_files.begin(), idx_files.end(),
            [](const auto& a, const auto& b) {
              if (a.first != b.first) return a.first > b.first;
              return a.second < b.second;
            });
  std::vector<uint32_t> pack(blobs.size(), UINT32_MAX);
  std::vector<uint64_t> offset(blobs.size(), 0);
  for (uint32_t rank = 0; rank < idx_files.size(); ++rank) {
    MappedFile idx(idx_files[rank].second);
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
