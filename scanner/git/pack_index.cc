#include "scanner/git/pack_index.h"

#include <git2.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <utility>

namespace sprawl {

namespace {

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

uint64_t PackIndexView::Below(unsigned b) const {
  return b == 0 ? 0 : Be32(fanout + std::size_t{b - 1} * 4);
}

uint64_t PackIndexView::Offset(uint64_t i) const {
  uint64_t off = Be32(offsets + i * 4);
  if ((off & 0x80000000u) == 0) return off;
  const uint64_t k = off & 0x7fffffffu;
  if (k >= large_count) return UINT64_MAX;
  return (uint64_t{Be32(large + k * 8)} << 32) | Be32(large + k * 8 + 4);
}

std::optional<PackIndexView> ViewPackIndex(const MappedFile& idx) {
  const unsigned char* d = idx.data();
  const std::size_t size = idx.size();
  if (d == nullptr || size < 8 + 256 * 4 || std::memcmp(d, "\377tOc", 4) != 0 ||
      Be32(d + 4) != 2) {
    return std::nullopt;
  }
  PackIndexView v;
  v.fanout = d + 8;
  v.count = Be32(v.fanout + std::size_t{255} * 4);
  v.names = v.fanout + std::size_t{256} * 4;
  constexpr std::size_t kHeader = 8 + 256 * 4;  // magic, version, fanout
  if (v.count > (size - kHeader) / (GIT_OID_RAWSZ + 8)) return std::nullopt;
  v.offsets = v.names + v.count * (GIT_OID_RAWSZ + 4);  // past the CRC-32s
  v.large = v.offsets + v.count * 4;
  if (static_cast<std::size_t>(v.large - d) > size) return std::nullopt;
  v.large_count = (size - static_cast<std::size_t>(v.large - d)) / 8;
  return v;
}

std::vector<std::string> PackIndexFiles(const std::string& objects_dir) {
  namespace fs = std::filesystem;
  std::vector<std::pair<fs::file_time_type, std::string>> found;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(objects_dir) / "pack", ec), end;
       !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".idx") continue;
    std::error_code tec;
    found.emplace_back(fs::last_write_time(p, tec), p.string());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  std::vector<std::string> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace sprawl
