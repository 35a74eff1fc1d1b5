// PackDecoder (git_pack.h): inflates pack entries and applies deltas.
#include <algorithm>
#include <cstring>

#include "scanner/sources/git_pack.h"

namespace sprawl {
namespace {

constexpr std::size_t kMaxObject = std::size_t{1} << 31;  // trees, commits
constexpr std::size_t kCacheCap = std::size_t{384} << 20;  // per decoder
constexpr uint64_t kMaxDeflateRatio = 1032;

}  // namespace

PackDecoder::PackDecoder(const ObjectCatalog& catalog, int k)
    : catalog_(catalog), k_(k) {}

PackDecoder::~PackDecoder() {
  if (zs_ready_) inflateEnd(&zs_);
}

void PackDecoder::Plan(const std::vector<uint32_t>& entries,
                       std::size_t begin, std::size_t end) {
  need_.clear();
  cache_.clear();
  cached_bytes_ = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const CatalogEntry& en = catalog_.entry(entries[i]);
    if (en.delta && en.pack != kNoEntry) ++need_[en.base];
  }
}

bool PackDecoder::Inflate(const unsigned char* in, std::size_t in_size,
                          std::size_t out_size, std::string* out) {
  // A zlib stream: a two-byte header, raw deflate, an Adler-32. The header
  // is checked here and the deflate data inflated raw; the exact size
  // check below stands in for the checksum.
  if (in_size < 2 || (in[0] & 0x0f) != 8 || (in[1] & 0x20) != 0 ||
      ((unsigned{in[0]} << 8) | in[1]) % 31 != 0) {
    return false;
  }
  if (!zs_ready_) {
    if (inflateInit2(&zs_, -MAX_WBITS) != Z_OK) return false;
    zs_ready_ = true;
  } else if (inflateReset(&zs_) != Z_OK) {
    return false;
  }
  out->resize(out_size + 1);  // one spare byte: a longer stream is an error
  zs_.next_in = const_cast<unsigned char*>(in + 2);
  zs_.avail_in = static_cast<uInt>(std::min<std::size_t>(in_size - 2, UINT32_MAX));
  zs_.next_out = reinterpret_cast<unsigned char*>(out->data());
  zs_.avail_out = static_cast<uInt>(out_size + 1);
  const int r = inflate(&zs_, Z_FINISH);
  if (r != Z_STREAM_END || zs_.total_out != out_size) return false;
  out->resize(out_size);
  return true;
}

PackDecoder::Buffer PackDecoder::FromLibgit2(uint32_t e, std::string* why) {
  const git_oid& oid = catalog_.entry(e).oid;
  if (!odb_) {
    odb_ = OpenPrivateOdb(catalog_.objects_dir(), k_);
    if (!odb_) {
      *why = "cannot open object database: " + GitLastError();
      return nullptr;
    }
  }
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb_.get(), &oid) != 0) {
    *why = "object " + GitHex(oid) + " missing or unreadable: " + GitLastError();
    return nullptr;
  }
  GitOdbObjectPtr obj(raw);
  return std::make_shared<const std::string>(
      static_cast<const char*>(git_odb_object_data(raw)),
      git_odb_object_size(raw));
}

PackDecoder::Buffer PackDecoder::DecodeShared(uint32_t e, std::string* why,
                                              int depth) {
  if (auto it = cache_.find(e); it != cache_.end()) return it->second;
  const CatalogEntry& en = catalog_.entry(e);
  if (en.pack == kNoEntry) return FromLibgit2(e, why);
  const MappedFile& pack = catalog_.pack(en.pack);
  PackEntryHeader h;
  const unsigned char* end = pack.data() + en.end;
  // deflate expands at most ~1032:1, so a header claiming more than that of
  // its stream is lying: refuse it before allocating what it claims.
  if (!ParsePackEntryHeader(pack.data() + en.offset, end, &h) ||
      h.size > kMaxObject ||
      h.size > static_cast<uint64_t>(end - h.data) * kMaxDeflateRatio + 64) {
    *why = "object " + GitHex(en.oid) + ": malformed pack entry";
    return nullptr;
  }
  auto out = std::make_shared<std::string>();
  const auto in_size = static_cast<std::size_t>(end - h.data);
  if (!en.delta) {
    if (!Inflate(h.data, in_size, h.size, out.get())) {
      *why = "object " + GitHex(en.oid) + ": corrupt pack data";
      return nullptr;
    }
  } else {
    if (depth > 10000) {
      *why = "object " + GitHex(en.oid) + ": delta chain too deep";
      return nullptr;
    }
    std::vector<DeltaCopy>* record = record_;
    record_ = nullptr;  // bases further down the chain are not recorded
    Buffer base = DecodeShared(en.base, why, depth + 1);
    if (!base) return nullptr;
    if (!Inflate(h.data, in_size, h.size, &delta_)) {
      *why = "object " + GitHex(en.oid) + ": corrupt delta data";
      return nullptr;
    }
    if (!ApplyDelta(*base, delta_, kMaxObject, out.get(), record)) {
      *why = "object " + GitHex(en.oid) + ": malformed delta";
      return nullptr;
    }
  }
  Buffer result = std::move(out);
  if (need_.count(e) != 0 && cached_bytes_ + result->size() <= kCacheCap) {
    cached_bytes_ += result->size();
    cache_.emplace(e, result);
  }
  return result;
}

bool PackDecoder::Decode(uint32_t e, std::string_view* out, std::string* why,
                         std::vector<DeltaCopy>* copies) {
  if (copies != nullptr) copies->clear();
  record_ = copies;
  last_ = DecodeShared(e, why, 0);
  record_ = nullptr;
  const CatalogEntry& en = catalog_.entry(e);
  if (en.delta && en.pack != kNoEntry) {
    if (auto it = need_.find(en.base); it != need_.end() && --it->second == 0) {
      need_.erase(it);
      if (auto c = cache_.find(en.base); c != cache_.end()) {
        cached_bytes_ -= c->second->size();
        cache_.erase(c);
      }
    }
  }
  if (!last_) return false;
  *out = *last_;
  return true;
}

}  // namespace sprawl
