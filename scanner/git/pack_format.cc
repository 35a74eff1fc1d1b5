#include "scanner/git/pack_format.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace sprawl {
namespace {

uint64_t DeltaVarint(const unsigned char** p, const unsigned char* end) {
  uint64_t v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    const unsigned c = *(*p)++;
    v |= uint64_t{c & 0x7f} << shift;
    if ((c & 0x80) == 0) return v;
  }
  return UINT64_MAX;
}

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string Hex(const unsigned char* oid) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < kPackOidSize; ++i) {
    out += kHex[oid[i] >> 4];
    out += kHex[oid[i] & 15];
  }
  return out;
}

}  // namespace

uint64_t PackIndexTable::Find(const unsigned char* oid) const {
  uint64_t lo = 0, hi = count;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    const int c = std::memcmp(Name(mid), oid, kPackOidSize);
    if (c == 0) return mid;
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return UINT64_MAX;
}

std::string CheckPackIndex(const unsigned char* d, std::size_t size,
                           PackIndexTable* out) {
  constexpr std::size_t kFanout = 256 * 4;  // NOLINT(bugprone-implicit-widening-of-multiplication-result)
  constexpr std::size_t kTrailer = 2 * kPackOidSize;
  const bool v2 = size >= 8 && std::memcmp(d, "\377tOc", 4) == 0;
  if (v2 && Be32(d + 4) != 2) {
    return "unsupported index version " + std::to_string(Be32(d + 4));
  }
  const std::size_t header = v2 ? 8 : 0;
  if (size < header + kFanout + kTrailer) return "index file too small";
  const unsigned char* fanout = d + header;
  for (unsigned b = 1; b < 256; ++b) {
    if (Be32(fanout + 4 * b) < Be32(fanout + 4 * (b - 1))) {  // NOLINT(bugprone-implicit-widening-of-multiplication-result)
      return "index fanout table is not sorted";
    }
  }
  const uint64_t n = Be32(fanout + 255 * 4);  // NOLINT(bugprone-implicit-widening-of-multiplication-result)
  // The count must fit the file before anything of its size is allocated.
  const std::size_t body = size - header - kFanout - kTrailer;
  const std::size_t per = v2 ? kPackOidSize + 8 : kPackOidSize + 4;
  if (n > body / per) {
    return v2 ? "wrong index v2 file size" : "wrong index v1 file size";
  }
  const std::size_t large_bytes = body - n * per;
  if (!v2 && large_bytes != 0) return "wrong index v1 file size";
  if (v2 && (large_bytes % 8 != 0 || large_bytes / 8 > n)) {
    return "wrong index v2 file size";
  }
  PackIndexTable t;
  t.version = v2 ? 2 : 1;
  t.count = n;
  const unsigned char* entries = fanout + kFanout;
  t.names_ = v2 ? entries : entries + 4;
  t.stride_ = v2 ? kPackOidSize : kPackOidSize + 4;
  t.pack_checksum = d + size - kTrailer;
  const unsigned char* offs = v2 ? entries + n * (kPackOidSize + 4) : nullptr;
  const unsigned char* large = v2 ? offs + n * 4 : nullptr;
  const uint64_t large_count = large_bytes / 8;
  t.offsets.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    const unsigned char* name = t.Name(i);
    if (i > 0 && std::memcmp(t.Name(i - 1), name, kPackOidSize) >= 0) {
      return "index names are not sorted (entry " + std::to_string(i) + ")";
    }
    const unsigned b = name[0];
    const uint64_t lo = b == 0 ? 0 : Be32(fanout + 4 * (b - 1));  // NOLINT(bugprone-implicit-widening-of-multiplication-result)
    if (i < lo || i >= Be32(fanout + 4 * b)) {  // NOLINT(bugprone-implicit-widening-of-multiplication-result)
      return "index entry " + std::to_string(i) +
             " lies outside its fanout bucket";
    }
    uint64_t off = v2 ? Be32(offs + i * 4) : Be32(entries + i * per);
    if (v2 && (off & 0x80000000u) != 0) {
      const uint64_t k = off & 0x7fffffffu;
      if (k >= large_count) {
        return "index entry " + std::to_string(i) +
               " names a 64-bit offset past the offset table";
      }
      off = (uint64_t{Be32(large + k * 8)} << 32) | Be32(large + k * 8 + 4);
    }
    t.offsets.push_back(off);
  }
  *out = std::move(t);
  return "";
}

std::string CheckPackAgainstIndex(const unsigned char* pack, std::size_t size,
                                  const PackIndexTable& index) {
  if (size < 12 + kPackOidSize) return "pack file too small (truncated?)";
  if (std::memcmp(pack, "PACK", 4) != 0) return "not a pack file (bad magic)";
  const uint32_t version = Be32(pack + 4);
  if (version != 2 && version != 3) {
    return "unsupported pack version " + std::to_string(version);
  }
  if (Be32(pack + 8) != index.count) {
    return "pack holds " + std::to_string(Be32(pack + 8)) +
           " objects, its index " + std::to_string(index.count);
  }
  if (std::memcmp(pack + size - kPackOidSize, index.pack_checksum,
                  kPackOidSize) != 0) {
    return "pack checksum does not match its index (truncated or replaced)";
  }
  std::vector<uint64_t> sorted = index.offsets;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] < 12 || sorted[i] >= size - kPackOidSize) {
      return "index names offset " + std::to_string(sorted[i]) +
             " outside the pack";
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return "index names offset " + std::to_string(sorted[i]) + " twice";
    }
  }
  return "";
}

std::vector<BadPackEntry> FindBadPackEntries(
    const unsigned char* pack, std::size_t size, const PackIndexTable& index,
    const std::function<void(uint64_t)>& read) {
  // Entry numbers fit 32 bits (the fanout counts them in 32); memory is
  // 17 bytes an entry, and reasons are kept only for bad entries.
  const auto n = static_cast<uint32_t>(index.count);
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> order(n);  // entries by offset
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&index](uint32_t a, uint32_t b) {
    return index.offsets[a] < index.offsets[b];
  });
  std::vector<uint32_t> base(n, kNone);  // kNone: whole (or malformed)
  std::unordered_map<uint32_t, std::string> reason;  // malformed entries
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t i = order[k];
    const uint64_t off = index.offsets[i];
    const uint64_t end =
        k + 1 < n ? index.offsets[order[k + 1]] : size - kPackOidSize;
    if (read) read(end - off);
    PackEntryHeader h;
    if (!ParsePackEntryHeader(pack + off, pack + end, &h)) {
      reason[i] = "malformed entry header";
    } else if (h.type == kPackOfsDelta) {
      if (h.base_distance == 0) {
        reason[i] = "offset delta names itself as its base";
      } else if (h.base_distance > off) {
        reason[i] = "offset delta base lies before the pack";
      } else {
        const uint64_t at = off - h.base_distance;
        auto it = std::lower_bound(
            order.begin(), order.begin() + k, at,
            [&index](uint32_t e, uint64_t v) { return index.offsets[e] < v; });
        if (it == order.begin() + k || index.offsets[*it] != at) {
          reason[i] =
              "offset delta base at " + std::to_string(at) + " is no entry";
        } else {
          base[i] = *it;
        }
      }
    } else if (h.type == kPackRefDelta) {
      const uint64_t b = index.Find(h.base_oid);
      if (b == UINT64_MAX) {
        reason[i] = "delta base " + Hex(h.base_oid) + " missing from the pack";
      } else {
        base[i] = static_cast<uint32_t>(b);
      }
    }
  }
  // Every chain is followed once: 0 unvisited, 1 on the current chain,
  // 2 good, 3 bad.
  std::vector<uint8_t> state(n, 0);
  std::vector<uint32_t> chain;
  for (uint32_t start = 0; start < n; ++start) {
    if (state[start] != 0) continue;
    chain.clear();
    uint32_t e = start;
    while (state[e] == 0) {
      state[e] = 1;
      chain.push_back(e);
      if (base[e] == kNone) break;  // whole, or malformed
      e = base[e];
    }
    // The chain ended at a whole or malformed entry (e == the last one
    // pushed, its base none), at an entry already resolved, or back on
    // itself: a cycle from e's place on the chain.
    bool good;
    std::size_t cycle_from = chain.size();
    if (state[e] == 1 && base[e] != kNone) {
      cycle_from = static_cast<std::size_t>(
          std::find(chain.begin(), chain.end(), e) - chain.begin());
      good = false;
    } else if (state[e] == 1) {
      good = reason.count(e) == 0;
    } else {
      good = state[e] == 2;
    }
    for (std::size_t c = 0; c < chain.size(); ++c) {
      const uint32_t x = chain[c];
      state[x] = good ? 2 : 3;
      if (good || reason.count(x) != 0) continue;
      reason[x] = (c >= cycle_from ? "delta cycle (its base is "
                                   : "delta base unreadable (") +
                  Hex(index.Name(base[x])) + ")";
    }
  }
  std::vector<BadPackEntry> out;
  for (uint32_t i = 0; i < n; ++i) {
    if (state[i] == 3) out.push_back({i, std::move(reason[i])});
  }
  return out;
}

bool ParsePackEntryHeader(const unsigned char* p, const unsigned char* end,
                          PackEntryHeader* h) {
  if (p >= end) return false;
  unsigned c = *p++;
  h->type = static_cast<int>((c >> 4) & 7);
  h->size = c & 15;
  for (int shift = 4; c & 0x80; shift += 7) {
    if (p >= end || shift > 57) return false;
    c = *p++;
    h->size |= uint64_t{c & 0x7f} << shift;
  }
  if (h->type == kPackOfsDelta) {
    if (p >= end) return false;
    c = *p++;
    uint64_t d = c & 0x7f;
    while (c & 0x80) {
      if (p >= end || d > (UINT64_MAX >> 8)) return false;
      c = *p++;
      d = ((d + 1) << 7) | (c & 0x7f);
    }
    h->base_distance = d;
  } else if (h->type == kPackRefDelta) {
    if (static_cast<std::size_t>(end - p) < kPackOidSize) return false;
    h->base_oid = p;
    p += kPackOidSize;
  } else if (h->type < kPackCommit || h->type > kPackTag) {
    return false;
  }
  h->data = p;
  return true;
}

bool ApplyDelta(std::string_view base, std::string_view delta,
                std::size_t max_size, std::string* out,
                std::vector<DeltaCopy>* copies) {
  const auto* p = reinterpret_cast<const unsigned char*>(delta.data());
  const unsigned char* end = p + delta.size();
  const uint64_t src = DeltaVarint(&p, end);
  const uint64_t dst = DeltaVarint(&p, end);
  if (src != base.size() || dst > max_size) return false;
  out->clear();
  // Reserve no more than the base and the delta could plausibly yield: a
  // lying size header must not make us allocate it up front.
  out->reserve(std::min<uint64_t>(dst, base.size() + delta.size() * 8));
  while (p < end) {
    const unsigned op = *p++;
    if (op & 0x80) {
      uint64_t off = 0, n = 0;
      for (int b = 0; b < 4; ++b) {
        if ((op & (1u << b)) && p < end) off |= uint64_t{*p++} << (8 * b);
      }
      for (int b = 0; b < 3; ++b) {
        if ((op & (0x10u << b)) && p < end) n |= uint64_t{*p++} << (8 * b);
      }
      if (n == 0) n = 0x10000;
      if (off + n > base.size() || out->size() + n > dst) return false;
      if (copies != nullptr) {
        copies->push_back({static_cast<uint32_t>(out->size()),
                           static_cast<uint32_t>(off),
                           static_cast<uint32_t>(n)});
      }
      out->append(base.data() + off, n);
    } else if (op != 0) {
      if (static_cast<std::size_t>(end - p) < op || out->size() + op > dst) {
        return false;
      }
      out->append(reinterpret_cast<const char*>(p), op);
      p += op;
    } else {
      return false;  // opcode 0 is reserved
    }
  }
  return out->size() == dst;
}

}  // namespace sprawl
