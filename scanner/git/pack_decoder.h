// PackDecoder: inflates the objects of an ObjectCatalog's packs and applies
// deltas itself, keeping each decoded base only until the last object of its
// assigned range that needs it has been decoded, so a pass in pack order
// inflates every object once. Objects outside the packs are read through
// libgit2. One per thread; not thread-safe.
#pragma once

#include <git2.h>
#include <libdeflate.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/git/git_handles.h"
#include "scanner/git/object_catalog.h"
#include "scanner/git/pack_format.h"

namespace sprawl {

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
  // Decodes `e` into a buffer of its own (pool_[depth]) or finds it in the
  // cache; `*out` views the result.
  bool DecodeAt(uint32_t e, std::string_view* out, std::string* why,
                std::size_t depth);
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
  // Per depth of a delta chain being decoded: the buffers results are
  // decoded into (so a base outlives the delta applied to it).
  std::deque<std::string> pool_;
  std::vector<DeltaCopy>* record_ = nullptr;  // for the top-level delta
  struct Slot {
    uint32_t need = 0;    // planned entries left that are deltas against it
    uint32_t cached = 0;  // 1 + its index in cached_, or 0
  };
  std::vector<Slot> slots_;         // by catalog entry
  std::deque<std::string> cached_;  // the base cache (stable addresses)
  std::vector<uint32_t> free_;      // indexes of cached_ not in use
  std::vector<std::string> spare_;  // evicted buffers, for reuse
  std::size_t cached_bytes_ = 0;
};

}  // namespace sprawl
