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
  slots_.assign(catalog_.size(), Slot{});
  for (std::string& buf : cached_) {
    if (spare_.size() < kMaxSpare) spare_.push_back(std::move(buf));
  }
  cached_.clear();
  free_.clear();
  cached_bytes_ = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const CatalogEntry& en = catalog_.entry(entries[i]);
    if (en.delta && en.pack != kNoEntry) ++slots_[en.base].need;
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

bool PackDecoder::DecodeAt(uint32_t e, std::string_view* view, std::string* why,
                           std::size_t depth) {
  if (const uint32_t c = slots_[e].cached; c != 0) {
    *view = cached_[c - 1];
    return true;
  }
  if (depth > 10000) {
    *why = "object " + GitHex(catalog_.entry(e).oid) + ": delta chain too deep";
    return false;
  }
  if (pool_.size() <= depth) pool_.resize(depth + 1);
  const CatalogEntry& en = catalog_.entry(e);
  if (en.pack == kNoEntry) {
    if (!FromLibgit2(e, &pool_[depth], why)) return false;
    *view = pool_[depth];
    return true;
  }
  const MappedFile& pack = catalog_.pack(en.pack);
  PackEntryHeader h;
  const unsigned char* end = pack.data() + en.end;
  // deflate expands at most ~1032:1, so a header claiming more than that of
  // its stream is lying: refuse it before allocating what it claims.
  if (!ParsePackEntryHeader(pack.data() + en.offset, end, &h) ||
      h.size > kMaxObject ||
      h.size > static_cast<uint64_t>(end - h.data) * kMaxDeflateRatio + 64) {
    *why = "object " + GitHex(en.oid) + ": malformed pack entry";
    return false;
  }
  const auto in_size = static_cast<std::size_t>(end - h.data);
  if (!en.delta) {
    if (!Inflate(h.data, in_size, h.size, &pool_[depth])) {
      *why = "object " + GitHex(en.oid) + ": corrupt pack data";
      return false;
    }
  } else {
    std::vector<DeltaCopy>* record = record_;
    record_ = nullptr;  // bases further down the chain are not recorded
    std::string_view base;
    if (!DecodeAt(en.base, &base, why, depth + 1)) return false;
    if (!Inflate(h.data, in_size, h.size, &delta_)) {
      *why = "object " + GitHex(en.oid) + ": corrupt delta data";
      return false;
    }
    if (!ApplyDelta(base, delta_, kMaxObject, &pool_[depth], record)) {
      *why = "object " + GitHex(en.oid) + ": malformed delta";
      return false;
    }
  }
  std::string& out = pool_[depth];
  if (slots_[e].need != 0 && cached_bytes_ + out.size() <= kCacheCap) {
    // Cached by moving the buffer in (a spare one takes its place), unless
    // the buffer, reused, is much larger than the object: then a copy of
    // the object's size is cached, so the cache holds no slack.
    cached_bytes_ += out.size();
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
    if (out.capacity() > out.size() + out.size() / 4 + 64) {
      kept = out;
    } else {
      kept = std::move(out);
      out.clear();
      if (!spare_.empty()) {
        out = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    *view = kept;
    return true;
  }
  *view = out;
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
  const bool ok = DecodeAt(e, out, why, 0);
  record_ = nullptr;
  const CatalogEntry& en = catalog_.entry(e);
  if (en.delta && en.pack != kNoEntry && slots_[en.base].need != 0 &&
      --slots_[en.base].need == 0) {
    Evict(en.base);
  }
  return ok;
}

}  // namespace sprawl
