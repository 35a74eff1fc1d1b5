// Internal to the tree pass (git_tree_pass.cc): what one thread keeps of
// its contiguous share of the trees, and the reader that fills it. Not
// thread-safe; one Part and one reader per thread.
#pragma once

#include <git2.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "scanner/git/git_handles.h"
#include "scanner/git/object_catalog.h"
#include "scanner/git/pack_decoder.h"
#include "scanner/git/raw_objects.h"
#include "scanner/sources/git_tree_pass.h"
#include "scanner/sources/history_index.h"

namespace sprawl::tree_pass {

constexpr uint32_t kOidRef = 0x80000000u;      // ref indexes Part::oids
constexpr uint32_t kPendingRef = 0x7fffffffu;  // a subtree not looked up yet

constexpr uint32_t kMaxNames = 1u << 27;

// One kept entry of a tree, in stored order, in 8 bytes: a long history
// has tens of millions (mostly subtrees).
class Kept {
 public:
  Kept() = default;
  // `matters`, for blobs: a target or a pipeline file name wherever it is;
  // otherwise a YAML file that matters only under a pipeline directory.
  Kept(uint32_t name, uint32_t ref, EntryKind kind, bool matters)
      : ref_(ref),
        bits_(name | static_cast<uint32_t>(kind) << 27 |
              static_cast<uint32_t>(matters) << 30) {}
  uint32_t name() const { return bits_ & (kMaxNames - 1); }  // Part-local
  // The catalog entry of a subtree, or kOidRef | index in Part::oids.
  uint32_t ref() const { return ref_; }
  void set_ref(uint32_t ref) { ref_ = ref; }
  EntryKind kind() const { return static_cast<EntryKind>((bits_ >> 27) & 7); }
  bool matters() const { return (bits_ >> 30) & 1; }

 private:
  uint32_t ref_ = 0;
  uint32_t bits_ = 0;
};

// A vector grown in fixed chunks: no doubling copy of a large array.
template <typename T>
class ChunkedVector {
 public:
  void push_back(const T& v) {
    if ((size_ & kMask) == 0) chunks_.emplace_back().reserve(kChunk);
    chunks_.back().push_back(v);
    ++size_;
  }
  // Appends copies of elements [begin, end) of this vector (T trivially
  // copyable).
  void AppendFrom(std::size_t begin, std::size_t end) {
    while (begin < end) {
      if ((size_ & kMask) == 0) chunks_.emplace_back().reserve(kChunk);
      // The source run within one chunk, and the room left in the last:
      // reserve() made the last chunk's capacity final, so no reallocation
      // moves the source (an earlier element) while it is copied.
      const std::size_t n = std::min(
          {end - begin, kChunk - (begin & kMask), kChunk - (size_ & kMask)});
      const T* from = chunks_[begin >> kShift].data() + (begin & kMask);
      std::vector<T>& last = chunks_.back();
      const std::size_t at = last.size();
      last.resize(at + n);
      std::memcpy(static_cast<void*>(last.data() + at), from, n * sizeof(T));
      size_ += n;
      begin += n;
    }
  }
  const T& operator[](std::size_t i) const {
    return chunks_[i >> kShift][i & kMask];
  }
  T& operator[](std::size_t i) { return chunks_[i >> kShift][i & kMask]; }
  std::size_t size() const { return size_; }

 private:
  static constexpr std::size_t kShift = 20;
  static constexpr std::size_t kChunk = std::size_t{1} << kShift;
  static constexpr std::size_t kMask = kChunk - 1;
  std::vector<std::vector<T>> chunks_;
  std::size_t size_ = 0;
};

// What one thread kept of its contiguous share of the trees.
struct Part {
  std::vector<uint32_t> first;  // per tree of the share: first kept entry
  ChunkedVector<Kept> kept;
  std::vector<git_oid> oids;
  std::vector<std::pair<uint32_t, std::string>> bad;  // share index, why
  std::vector<uint32_t> malformed;                    // share index
  std::vector<const std::string*> names;              // id -> name

  uint32_t Name(std::string_view name) {
    auto it = name_ids_.find(name);
    if (it != name_ids_.end()) return it->second;
    const auto id = static_cast<uint32_t>(names.size());
    names.push_back(&name_ids_.emplace(std::string(name), id).first->first);
    return id;
  }

 private:
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  // Node-based: the keys' addresses stay valid for `names`.
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>>
      name_ids_;
};

// Open-addressing set of the target blobs' oids.
class TargetSet {
 public:
  explicit TargetSet(const OidSet& targets) {
    std::size_t n = 64;
    while (n < targets.size() * 4) n *= 2;
    slots_.assign(n, git_oid{});
    used_.assign(n, false);
    for (const git_oid& o : targets) {
      std::size_t s = Hash(o) & (n - 1);
      while (used_[s]) s = (s + 1) & (n - 1);
      slots_[s] = o;
      used_[s] = true;
    }
  }
  bool Has(const git_oid& o) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = Hash(o) & mask; used_[s]; s = (s + 1) & mask) {
      if (std::memcmp(slots_[s].id, o.id, GIT_OID_RAWSZ) == 0) return true;
    }
    return false;
  }

 private:
  static std::size_t Hash(const git_oid& o) { return OidHash()(o); }
  std::vector<git_oid> slots_;
  std::vector<bool> used_;
};

// A Bloom filter of the catalog's blobs (16 bits per blob, two bits set
// per blob within one 64-bit word, about 2% false positives), small enough
// to stay in cache: tells almost every listed blob present without a
// catalog lookup per tree entry, at one cache miss at most.
class BlobFilter {
 public:
  BlobFilter(const ObjectCatalog& catalog, const std::vector<uint32_t>& blobs) {
    std::size_t words = 1 << 10;
    while (words * 64 < blobs.size() * 16) words *= 2;
    words_.assign(words, 0);
    mask_ = words - 1;
    for (uint32_t e : blobs) {
      const auto [w, bits] = Probe(catalog.entry(e).oid);
      words_[w] |= bits;
    }
  }
  bool MayHave(const git_oid& oid) const {
    const auto [w, bits] = Probe(oid);
    return (words_[w] & bits) == bits;
  }

 private:
  // The word, and the two bits in it, for `oid`: oids are uniform (their
  // bytes are the hash), so their bytes serve as the hash functions.
  std::pair<std::size_t, uint64_t> Probe(const git_oid& oid) const {
    uint64_t a, b;
    std::memcpy(&a, oid.id + 4, sizeof a);
    std::memcpy(&b, oid.id + 12, sizeof b);
    return {static_cast<std::size_t>(a & mask_),
            (uint64_t{1} << (b & 63)) | (uint64_t{1} << ((b >> 6) & 63))};
  }
  std::vector<uint64_t> words_;
  uint64_t mask_ = 0;
};

// Reads trees [begin, end) of `trees` in pack order with decoder number
// `k` and fills `part` with what matters.
void ReadShare(const ObjectCatalog& catalog, const std::vector<uint32_t>& trees,
               std::size_t begin, std::size_t end, const TargetSet& targets,
               const BlobFilter& blobs, int k, const TreePassOptions& options,
               Part* part);

}  // namespace sprawl::tree_pass
