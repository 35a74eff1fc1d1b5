#include "scanner/git/pack_decoder.h"

#include <algorithm>
#include <cstring>

namespace sprawl {
namespace {

constexpr std::size_t kMaxObject = std::size_t{1} << 31;   // trees, commits
constexpr std::size_t kCacheCap = std::size_t{384} << 20;  // per decoder
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr std::size_t kMaxSpare = 256;  // evicted buffers kept for reuse

}  // namespace

PackDecoder::PackDecoder(const ObjectCatalog& catalog, int k)
    : catalog_(catalog), k_(k) {}

PackDecoder::~PackDecoder() = default;

void PackDecoder::Plan(const std::vector<uint32_t>& entries, std::size_t begin,
                       std::size_t end) {
  // Only the slots the last plan touched need resetting: a plan per chunk
  // of a blob scan must not cost the size of the whole catalog.
  if (slots_.size() != catalog_.size()) {
    slots_.assign(catalog_.size(), Slot{});
  } else {
    for (uint32_t t : touched_) slots_[t] = Slot{};
  }
  touched_.clear();
  for (std::string& buf : cached_) {
    if (spare_.size() < kMaxSpare) spare_.push_back(std::move(buf));
  }
  cached_.clear();
  free_.clear();
  cached_bytes_ = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const CatalogEntry& en = catalog_.entry(entries[i]);
    if (en.delta && en.pack != kNoEntry) {
      if (slots_[en.base].need++ == 0) touched_.push_back(en.base);
    }
  }
}

bool PackDecoder::Inflate(const unsigned char* in, std::size_t in_size,
                          std::size_t out_size, std::string* out) {
  // A zlib stream: a two-byte header, raw deflate, an Adler-32. The header
  // is checked here and the deflate data inflated raw into exactly the
  // size the entry header states; a stream that ends short of it or runs
  // past it fails, which stands in for the checksum.
  if (in_size < 2 || (in[0] & 0x0f) != 8 || (in[1] & 0x20) != 0 ||
      ((unsigned{in[0]} << 8) | in[1]) % 31 != 0) {
    return false;
  }
  if (!inflater_) {
    inflater_.reset(libdeflate_alloc_decompressor());
    if (!inflater_) return false;
  }
  out->resize(out_size);
  std::size_t used = 0;
  std::size_t produced = 0;
  return libdeflate_deflate_decompress_ex(inflater_.get(), in + 2, in_size - 2,
                                          out->data(), out_size, &used,
                                          &produced) == LIBDEFLATE_SUCCESS &&
         produced == out_size;
}

bool PackDecoder::FromLibgit2(uint32_t e, std::string* out, std::string* why) {
  const git_oid& oid = catalog_.entry(e).oid;
  if (!odb_) {
    odb_ = OpenPrivateOdb(catalog_.objects_dir(), k_);
    if (!odb_) {
      *why = "cannot open object database: " + GitLastError();
      return false;
    }
  }
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb_.get(), &oid) != 0) {
    *why =
        "object " + GitHex(oid) + " missing or unreadable: " + GitLastError();
    return false;
  }
  GitOdbObjectPtr obj(raw);
  out->assign(static_cast<const char*>(git_odb_object_data(raw)),
              git_odb_object_size(raw));
  return true;
}

bool PackDecoder::ReadEntry(uint32_t e, PackEntryHeader* h, std::string* why) {
  const CatalogEntry& en = catalog_.entry(e);
  const MappedFile& pack = catalog_.pack(en.pack);
  pack.NoteRead(en.end - en.offset);
  const unsigned char* end = pack.data() + en.end;
  // deflate expands at most ~1032:1, so a header claiming more than that of
  // its stream is lying: refuse it before allocating what it claims.
  if (!ParsePackEntryHeader(pack.data() + en.offset, end, h) ||
      h->size > kMaxObject ||
      h->size > static_cast<uint64_t>(end - h->data) * kMaxDeflateRatio + 64) {
    *why = "object " + GitHex(en.oid) + ": malformed pack entry";
    return false;
  }
  return true;
}

std::string_view PackDecoder::Keep(uint32_t e, std::string* out) {
  if (slots_[e].need == 0 || cached_bytes_ + out->size() > kCacheCap) {
    return *out;
  }
  // Cached by moving the buffer in (a spare one takes its place), unless
  // the buffer, reused, is much larger than the object: then a copy of the
  // object's size is cached, so the cache holds no slack.
  cached_bytes_ += out->size();
  uint32_t c = 0;
  if (free_.empty()) {
    c = static_cast<uint32_t>(cached_.size());
    cached_.emplace_back();
  } else {
    c = free_.back();
    free_.pop_back();
  }
  slots_[e].cached = c + 1;
  std::string& kept = cached_[c];
  if (out->capacity() > out->size() + out->size() / 4 + 64) {
    kept = *out;
  } else {
    kept = std::move(*out);
    out->clear();
    if (!spare_.empty()) {
      *out = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  return kept;
}

bool PackDecoder::DecodeAt(uint32_t e, std::string_view* view,
                           std::string* why) {
  // The chain from `e` down to a cached entry, a whole one or one read
  // through libgit2, decoded bottom-up in two alternating buffers: no
  // recursion and no depth limit, and each entry of a chain is decoded
  // once per call however deep it is.
  chain_.clear();
  std::string_view base;
  bool have_base = false;
  for (uint32_t x = e;;) {
    if (const uint32_t c = slots_[x].cached; c != 0) {
      base = cached_[c - 1];
      have_base = true;
      break;
    }
    chain_.push_back(x);
    const CatalogEntry& en = catalog_.entry(x);
    if (en.pack == kNoEntry || !en.delta) break;
    if (chain_.size() > catalog_.size()) {  // the catalog excludes cycles
      *why = "object " + GitHex(catalog_.entry(e).oid) + ": delta chain loops";
      return false;
    }
    x = en.base;
  }
  if (pool_.size() < 2) pool_.resize(2);
  std::vector<DeltaCopy>* record = record_;
  record_ = nullptr;
  std::size_t which = 0;
  for (std::size_t i = chain_.size(); i-- > 0; which ^= 1) {
    const uint32_t y = chain_[i];
    const CatalogEntry& en = catalog_.entry(y);
    std::string& out = pool_[which];
    if (!have_base) {  // the bottom of the chain: whole
      if (en.pack == kNoEntry) {
        if (!FromLibgit2(y, &out, why)) return false;
      } else {
        PackEntryHeader h;
        if (!ReadEntry(y, &h, why)) return false;
        const unsigned char* end = catalog_.pack(en.pack).data() + en.end;
        if (!Inflate(h.data, static_cast<std::size_t>(end - h.data), h.size,
                     &out)) {
          *why = "object " + GitHex(en.oid) + ": corrupt pack data";
          return false;
        }
      }
      have_base = true;
    } else {
      PackEntryHeader h;
      if (!ReadEntry(y, &h, why)) return false;
      const unsigned char* end = catalog_.pack(en.pack).data() + en.end;
      if (!Inflate(h.data, static_cast<std::size_t>(end - h.data), h.size,
                   &delta_)) {
        *why = "object " + GitHex(en.oid) + ": corrupt delta data";
        return false;
      }
      if (!ApplyDelta(base, delta_, kMaxObject, &out,
                      i == 0 ? record : nullptr)) {
        *why = "object " + GitHex(en.oid) + ": malformed delta";
        return false;
      }
    }
    base = Keep(y, &out);
  }
  *view = base;
  return true;
}

void PackDecoder::Evict(uint32_t e) {
  const uint32_t c = slots_[e].cached;
  if (c == 0) return;
  std::string& buf = cached_[c - 1];
  cached_bytes_ -= buf.size();
  if (spare_.size() < kMaxSpare) {
    spare_.push_back(std::move(buf));
  } else {
    std::string().swap(buf);
  }
  free_.push_back(c - 1);
  slots_[e].cached = 0;
}

bool PackDecoder::Decode(uint32_t e, std::string_view* out, std::string* why,
                         std::vector<DeltaCopy>* copies) {
  if (copies != nullptr) copies->clear();
  record_ = copies;
  const bool ok = DecodeAt(e, out, why);
  record_ = nullptr;
  const CatalogEntry& en = catalog_.entry(e);
  if (en.delta && en.pack != kNoEntry && slots_[en.base].need != 0 &&
      --slots_[en.base].need == 0) {
    Evict(en.base);
  }
  return ok;
}

}  // namespace sprawl
