// ObjectCatalog: every object of a repository's object database with its
// type: objects of its packs with their offsets (types read from the entry
// headers and delta chains, nothing inflated), and the rest (loose,
// alternates, version-1 indexes) through libgit2. Read-only once loaded, so
// any number of PackDecoders (pack_decoder.h) may share it.
//
// scanner/git/ holds sprawl's own readers of git's on-disk formats, used
// where libgit2 is too slow for a whole history: mapped files, pack indexes
// (pack_index.h), this catalog, the pack decoder, pack entry and delta
// parsing (pack_format.h), raw commits and trees (raw_objects.h), the index
// file (index_file_reader.h), ref files and their signatures (ref_files.h,
// ref_signature.h). The formats are stable and documented (gitformat-pack(5),
// gitformat-index(5), gitrepository-layout(5)). CONTRACT: every reader here
// reads exactly what libgit2 reads for the same repository, and hands what
// it does not handle to libgit2 rather than guessing. The tests holding
// them to it: "the pack reader returns every object as libgit2 does" and
// "the tree pass reports exactly what the commit walk reports"
// (tests/sources/git_tree_pass_test.cc), the ref-file reader against ReadRefTips
// (tests/sweep/sweep_refs_test.cc), --staged on every index format
// (tests/scan/git_source_test.cc), and tests/git/pack_format_test.cc. Nothing in
// scanner/git/ includes a header from sources/, scan/, match/ or findings/
// (scripts/lint checks).
#pragma once

#include <git2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/huge_pages.h"
#include "scanner/git/mapped_file.h"
#include "scanner/git/pack_index.h"

namespace sprawl {

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

}  // namespace sprawl
