#include "scanner/git/pack_format.h"

#include <algorithm>
#include <cstring>

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

}  // namespace

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
