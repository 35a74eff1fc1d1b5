// Direct reading of git pack files, for the one pass over every tree of a
// history. The formats are stable and documented in git's gitformat-pack(5):
// a version-2 .idx (fanout, sorted names, offsets) and a .pack of zlib
// streams, each object whole or a delta against a base earlier in the file
// (OFS_DELTA) or named by oid (REF_DELTA).
//
// ObjectCatalog lists every object of a repository's object database with
// its type: objects of its packs with their offsets (types read from the
// entry headers and delta chains, nothing inflated), and the rest (loose,
// alternates, version-1 indexes) through libgit2. Read-only once loaded, so
// any number of PackDecoders may share it.
//
// PackDecoder inflates objects and applies deltas itself, keeping each
// decoded base only until the last object of its assigned range that needs
// it has been decoded, so a pass in pack order inflates every object once.
// One per thread.
#pragma once

#include <git2.h>
#include <libdeflate.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/huge_pages.h"
#include "scanner/sources/git_handles.h"
#include "scanner/sources/pack_format.h"

namespace sprawl {

// A read-only mapping of one file; empty when it cannot be mapped.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // Drops this mapping's resident pages (they stay in the page cache and
  // come back on the next read): a pass over a large pack need not keep it
  // all counted in the process's resident set.
  void Release() const;

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// A version-2 pack index (.idx) over its mapping: the fanout table, the
// sorted names and the offsets, by entry number.
struct PackIndexView {
  const unsigned char* fanout = nullptr;
  uint64_t count = 0;
  const unsigned char* names = nullptr;    // count * 20 bytes, sorted
  const unsigned char* offsets = nullptr;  // count * 4, after the CRC-32s
  const unsigned char* large = nullptr;    // 8-byte offsets past 2 GiB
  uint64_t large_count = 0;

  // Entries whose name starts with a byte below `b`.
  uint64_t Below(unsigned b) const;
  const unsigned char* Name(uint64_t i) const { return names + i * 20; }
  // The pack offset of entry i; UINT64_MAX when its large offset is
  // missing.
  uint64_t Offset(uint64_t i) const;
};

// The view of `idx`, or nullopt when it is not a well-formed version-2
// index (version 1 indexes are left to libgit2).
std::optional<PackIndexView> ViewPackIndex(const MappedFile& idx);

// The .idx files of `objects_dir`/pack, newest first (the order readers
// search them in).
std::vector<std::string> PackIndexFiles(const std::string& objects_dir);

inline constexpr uint32_t kNoEntry = UINT32_MAX;

struct CatalogEntry {
  git_oid oid{};
  uint64_t offset = 0;       // in its pack
  uint64_t end = 0;          // where the next entry (or the trailer) starts
  uint32_t pack = kNoEntry;  // kNoEntry: read through libgit2
  uint32_t base = kNoEntry;  // the delta base's entry, for deltas
  uint8_t type = 0;          // git_object_t once resolved; 0 = unknown
  bool delta = false;
};

class ObjectCatalog {
 public:
  // Catalogs `odb` (whose directory is `objects_dir`). Unreadable entry
  // headers become warnings and the objects are read through libgit2.
  static std::unique_ptr<ObjectCatalog> Load(git_odb* odb,
                                             const std::string& objects_dir,
                                             Diagnostics* diagnostics);

  std::size_t size() const { return entries_.size(); }
  const CatalogEntry& entry(uint32_t i) const { return entries_[i]; }
  // The entry of `oid`, or kNoEntry.
  uint32_t Find(const git_oid& oid) const;
  // Find, with the entry's type (0 when not found) from the same slot: one
  // cache miss instead of two in the tree pass's hottest lookup.
  uint32_t Find(const git_oid& oid, uint8_t* type) const;
  // Starts loading the oid table's slot for `oid` into the cache, for a
  // Find a little later.
  void Prefetch(const git_oid& oid) const;
  // Entries of one type (commit, tree, blob or tag): by (pack, offset),
  // then the rest by oid.
  const std::vector<uint32_t>& OfType(git_object_t type) const;
  const MappedFile& pack(uint32_t p) const { return *packs_[p]; }
  // MappedFile::Release on every pack.
  void ReleasePacks() const;
  const std::string& objects_dir() const { return objects_dir_; }

 private:
  uint32_t Insert(const git_oid& oid);  // kNoEntry when already present
  void IndexPack(const MappedFile& idx, uint32_t pack_no,
                 std::vector<uint32_t>* order);
  void ReadHeaders(uint32_t pack_no, const std::vector<uint32_t>& order,
                   Diagnostics* diagnostics);
  void Rehash(std::size_t capacity);
  void ListTypes();

  std::string objects_dir_;
  std::vector<std::unique_ptr<MappedFile>> packs_;
  HugeVector<CatalogEntry> entries_;
  struct Slot {  // the whole oid: a lookup touches one slot, no entry
    git_oid oid{};
    uint32_t entry = kNoEntry;
    uint8_t type = 0;  // the entry's, once Load has resolved types
  };
  HugeVector<Slot> slots_;                             // open addressing
  std::vector<std::vector<uint32_t>> pack_order_;      // per pack, by offset
  std::vector<uint32_t> by_type_[GIT_OBJECT_TAG + 1];  // see OfType
};

// Decodes catalog entries; not thread-safe (one per thread).
class PackDecoder {
 public:
  // `k` numbers this decoder's private libgit2 handle (OpenPrivateOdb), used
  // for objects outside the packs.
  PackDecoder(const ObjectCatalog& catalog, int k);
  ~PackDecoder();
  PackDecoder(const PackDecoder&) = delete;
  PackDecoder& operator=(const PackDecoder&) = delete;

  // Announces the entries about to be decoded, in order, so bases are kept
  // exactly as long as some of them still needs them.
  void Plan(const std::vector<uint32_t>& entries, std::size_t begin,
            std::size_t end);

  // The content of entry `e` (valid until the next call), or false with
  // the reason in `why`. With `copies`, a delta decoded now also lists
  // the runs it copied from its base (catalog entry(e).base), in order;
  // the list is empty when `e` was whole or came from the cache.
  bool Decode(uint32_t e, std::string_view* out, std::string* why,
              std::vector<DeltaCopy>* copies = nullptr);

  // How many of the planned entries not yet decoded are deltas against
  // `e` (0 for an entry outside the catalog's packs).
  uint32_t Dependents(uint32_t e) const { return slots_[e].need; }

 private:
  // Decodes `e` (and the chain below it, bottom-up) or finds it in the
  // cache; `*out` views the result (in the cache or in pool_).
  bool DecodeAt(uint32_t e, std::string_view* out, std::string* why);
  // The header of pack entry `e`, checked against its stream's size.
  bool ReadEntry(uint32_t e, PackEntryHeader* h, std::string* why);
  // Caches `*out` as entry e's content when planned entries still need it
  // (moving the buffer in); the view of the kept content.
  std::string_view Keep(uint32_t e, std::string* out);
  bool Inflate(const unsigned char* in, std::size_t in_size,
               std::size_t out_size, std::string* out);
  bool FromLibgit2(uint32_t e, std::string* out, std::string* why);
  // Drops `e` from the cache; its buffer is kept for reuse.
  void Evict(uint32_t e);

  const ObjectCatalog& catalog_;
  int k_;
  GitOdbPtr odb_;  // opened on first use
  struct FreeInflater {
    void operator()(libdeflate_decompressor* d) const {
      libdeflate_free_decompressor(d);
    }
  };
  // Whole-buffer raw inflate: pack entries state their inflated size.
  std::unique_ptr<libdeflate_decompressor, FreeInflater> inflater_;
  std::string delta_;  // reused inflate buffer for delta data
  // Two buffers a chain is decoded into, alternately (so a base outlives
  // the delta applied to it).
  std::deque<std::string> pool_;
  std::vector<uint32_t> chain_;  // the chain being decoded, top first
  std::vector<DeltaCopy>* record_ = nullptr;  // for the top-level delta
  struct Slot {
    uint32_t need = 0;    // planned entries left that are deltas against it
    uint32_t cached = 0;  // 1 + its index in cached_, or 0
  };
  std::vector<Slot> slots_;         // by catalog entry
  std::vector<uint32_t> touched_;  // entries whose slot the plan set
  std::deque<std::string> cached_;  // the base cache (stable addresses)
  std::vector<uint32_t> free_;      // indexes of cached_ not in use
  std::vector<std::string> spare_;  // evicted buffers, for reuse
  std::size_t cached_bytes_ = 0;
};

}  // namespace sprawl
