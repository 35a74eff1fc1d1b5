// ReadShare (git_tree_share.h): one thread's share of the tree pass.
#include "scanner/sources/git_tree_share.h"

#include <algorithm>

#include "scanner/clients/client_files.h"
#include "scanner/pipelines/pipeline_files.h"

namespace sprawl::tree_pass {
namespace {

// How one entry of a tree was judged, for trees that are deltas against
// it: an entry they copy whole needs no lookup again.
struct Judged {
  uint32_t offset;  // entry bytes [offset, offset + size) in the tree
  uint32_t size;
  uint32_t name;
  uint32_t ref;
  uint32_t rank;  // how many entries before this one the tree kept
  EntryKind kind;
  bool matters;
  bool kept;
};

// The judged entries of a tree, and where its kept entries start in
// Part::kept (its entries of rank r at kept_begin + r).
struct Judgement {
  std::vector<Judged> entries;
  std::size_t kept_begin = 0;
};

// The judged entries of `base` whose bytes a delta copied, by the delta's
// offsets. Tree entries delimit themselves, so when p starts an entry of
// the delta's result and a copy puts a base entry's first byte there, the
// entries from p to the end of that copy are the base's, byte for byte.
class CopiedEntries {
 public:
  CopiedEntries(const std::vector<DeltaCopy>& copies, const Judgement* base)
      : copies_(copies), base_(base) {}
  // The base entries [*first, *last) copied whole to the result starting
  // at p, in a row; false when p does not start a copied base entry.
  bool At(uint32_t p, std::size_t* first, std::size_t* last) {
    if (base_ == nullptr) return false;
    while (next_ < copies_.size() &&
           copies_[next_].to + copies_[next_].size <= p) {
      ++next_;
    }
    if (next_ == copies_.size() || copies_[next_].to > p) return false;
    const DeltaCopy& c = copies_[next_];
    const uint32_t from = c.from + (p - c.to);
    const uint64_t copy_end = uint64_t{c.from} + c.size;
    // Copies mostly run through the base in order: try the entry after
    // the last run found before searching.
    const std::vector<Judged>& base = base_->entries;
    std::size_t i = cursor_;
    if (i >= base.size() || base[i].offset != from) {
      i = static_cast<std::size_t>(
          std::lower_bound(
              base.begin(), base.end(), from,
              [](const Judged& j, uint32_t off) { return j.offset < off; }) -
          base.begin());
    }
    if (i == base.size() || base[i].offset != from ||
        uint64_t{from} + base[i].size > copy_end) {
      return false;
    }
    // Base entries are contiguous, so their ends increase: the run is
    // every entry from i that ends within the copy.
    const auto end = std::upper_bound(
        base.begin() + static_cast<std::ptrdiff_t>(i) + 1, base.end(), copy_end,
        [](uint64_t limit, const Judged& j) {
          return limit < uint64_t{j.offset} + j.size;
        });
    *first = i;
    *last = static_cast<std::size_t>(end - base.begin());
    cursor_ = *last;
    return true;
  }

 private:
  const std::vector<DeltaCopy>& copies_;
  const Judgement* base_;
  std::size_t next_ = 0;    // first copy that may hold the next entry
  std::size_t cursor_ = 0;  // the base entry expected next
};

// Reads trees [begin, end) of `trees` in order and keeps what matters.
class ShareReader {
 public:
  ShareReader(const ObjectCatalog& catalog, const TargetSet& targets,
              const BlobFilter& blobs, Part* part)
      : catalog_(catalog), targets_(targets), blobs_(blobs), part_(part) {}

  void Run(const std::vector<uint32_t>& trees, std::size_t begin,
           std::size_t end, int k, const TreePassOptions& options) {
    PackDecoder decoder(catalog_, k);
    decoder.Plan(trees, begin, end);
    std::string why;
    std::string_view data;
    std::vector<DeltaCopy> copies;
    part_->first.reserve(end - begin + 1);
    for (std::size_t i = begin; i < end; ++i) {
      const auto local = static_cast<uint32_t>(i - begin);
      part_->first.push_back(static_cast<uint32_t>(part_->kept.size()));
      if ((local & 1023) == 1023) {
        if (options.progress != nullptr) options.progress->Add(1024, 0);
        if (Cancelled(options.cancel)) break;
      }
      const uint32_t e = trees[i];
      const bool decoded = decoder.Decode(e, &data, &why, &copies);
      // The previous tree's subtree lookups, prefetched while this one was
      // decoded: before this tree may copy their results.
      ResolvePending();
      if (!decoded) {
        part_->bad.emplace_back(local, why);
      } else {
        ReadTree(e, data, copies, local, decoder.Dependents(e) != 0);
      }
      // Forgets what e's base was judged once e was its last dependent.
      const CatalogEntry& en = catalog_.entry(e);
      if (en.delta && en.pack != kNoEntry && decoder.Dependents(en.base) == 0) {
        if (auto it = judged_.find(en.base); it != judged_.end()) {
          if (spare_.size() < 256)
            spare_.push_back(std::move(it->second.entries));
          judged_.erase(it);
        }
      }
    }
    ResolvePending();
    while (part_->first.size() < end - begin) {  // cancelled: empty trees
      part_->first.push_back(static_cast<uint32_t>(part_->kept.size()));
    }
    part_->first.push_back(static_cast<uint32_t>(part_->kept.size()));
  }

 private:
  // `based`: some tree still to be read is a delta against this one.
  void ReadTree(uint32_t e, std::string_view data,
                const std::vector<DeltaCopy>& copies, uint32_t local,
                bool based) {
    const CatalogEntry& en = catalog_.entry(e);
    const Judgement* base = nullptr;
    if (en.delta && !copies.empty()) {
      if (auto it = judged_.find(en.base); it != judged_.end()) {
        base = &it->second;
      }
    }
    // Node-based map: `base` stays valid while this inserts.
    Judgement* mine = nullptr;
    if (based) {
      mine = &judged_[e];
      if (!spare_.empty()) {
        mine->entries.swap(spare_.back());
        spare_.pop_back();
      }
      mine->entries.clear();
      mine->kept_begin = part_->kept.size();
    }
    const std::size_t kept_begin = part_->kept.size();
    CopiedEntries copied(copies, base);
    const auto n = static_cast<uint32_t>(data.size());
    std::size_t first = 0;
    std::size_t last = 0;
    for (uint32_t p = 0; p < n;) {
      if (copied.At(p, &first, &last)) {
        // Copied whole: judged when the base was read. Its kept entries
        // are taken in one run, and its judgements shifted to this tree.
        const std::vector<Judged>& from = base->entries;
        const Judged& end = from[last - 1];
        const uint32_t kept_to = end.rank + (end.kept ? 1 : 0);
        const auto rank =
            static_cast<uint32_t>(part_->kept.size() - kept_begin);
        part_->kept.AppendFrom(base->kept_begin + from[first].rank,
                               base->kept_begin + kept_to);
        if (mine != nullptr) {
          const uint32_t shift = p - from[first].offset;
          const uint32_t rank_shift = rank - from[first].rank;
          for (std::size_t i = first; i < last; ++i) {
            Judged j = from[i];
            j.offset += shift;
            j.rank += rank_shift;
            mine->entries.push_back(j);
          }
        }
        p = end.offset + end.size + (p - from[first].offset);
        continue;
      }
      RawTreeReader reader(data.substr(p));
      RawTreeEntry entry;
      if (!reader.Next(&entry)) {
        part_->malformed.push_back(local);
        return;
      }
      Judged j = Judge(entry);
      j.size = static_cast<uint32_t>(reinterpret_cast<const char*>(entry.oid) +
                                     GIT_OID_RAWSZ - (data.data() + p));
      j.offset = p;
      j.rank = static_cast<uint32_t>(part_->kept.size() - kept_begin);
      p += j.size;
      if (j.kept && j.name >= kMaxNames) {  // only a forged history gets here
        part_->malformed.push_back(local);
        return;
      }
      if (j.ref == kPendingRef) {
        pending_.push_back({*entry.oid, part_->kept.size(),
                            mine != nullptr ? &mine->entries : nullptr,
                            mine != nullptr ? mine->entries.size() : 0});
      }
      if (mine != nullptr) mine->entries.push_back(j);
      if (j.kept) part_->kept.push_back(Kept(j.name, j.ref, j.kind, j.matters));
    }
  }

  // Fills in the subtree entries of the last tree read: the catalog entry
  // of a tree, or else (missing, or not a tree) the oid, kept by index in
  // Part::oids.
  void ResolvePending() {
    for (const Pending& p : pending_) {
      uint8_t type = 0;
      uint32_t ref = catalog_.Find(p.oid, &type);
      if (type != GIT_OBJECT_TREE) {
        ref = kOidRef | static_cast<uint32_t>(part_->oids.size());
        part_->oids.push_back(p.oid);
      }
      part_->kept[p.kept].set_ref(ref);
      if (p.judged != nullptr) (*p.judged)[p.index].ref = ref;
    }
    pending_.clear();
  }

  Judged Judge(const RawTreeEntry& e) {
    Judged j{0, 0, 0, kNoEntry, 0, e.kind, true, true};
    if (e.kind == EntryKind::kTree) {
      // The catalog entry of a subtree is looked up after the next tree is
      // decoded (ResolvePending), its slot prefetched meanwhile.
      catalog_.Prefetch(*e.oid);
      j.ref = kPendingRef;
      j.name = part_->Name(e.name);
      return j;
    } else if (e.kind == EntryKind::kBlob) {
      // A blob the object database lacks is kept, so the walk can say
      // where it was (a partial clone, or a corrupt repository).
      j.matters =
          targets_.Has(*e.oid) || PipelineCandidateName(e.name) ||
          ClientCandidateName(e.name) ||
          (!blobs_.MayHave(*e.oid) && catalog_.Find(*e.oid) == kNoEntry);
      j.kept = j.matters || IsYamlName(e.name);
    } else {
      j.kept = e.kind == EntryKind::kSubmodule;
    }
    if (!j.kept) return j;
    if (j.ref == kNoEntry) {
      j.ref = kOidRef | static_cast<uint32_t>(part_->oids.size());
      part_->oids.push_back(*e.oid);
    }
    j.name = part_->Name(e.name);
    return j;
  }

  const ObjectCatalog& catalog_;
  const TargetSet& targets_;
  const BlobFilter& blobs_;
  Part* part_;
  std::unordered_map<uint32_t, Judgement> judged_;
  // Subtree entries of the last tree read whose catalog entry is not
  // looked up yet: where their refs go in Part::kept and in the tree's
  // judgement (when it has one).
  struct Pending {
    git_oid oid;
    std::size_t kept;
    std::vector<Judged>* judged;
    std::size_t index;
  };
  std::vector<Pending> pending_;
  std::vector<std::vector<Judged>> spare_;  // released, for reuse
};

}  // namespace

void ReadShare(const ObjectCatalog& catalog, const std::vector<uint32_t>& trees,
               std::size_t begin, std::size_t end, const TargetSet& targets,
               const BlobFilter& blobs, int k, const TreePassOptions& options,
               Part* part) {
  ShareReader(catalog, targets, blobs, part).Run(trees, begin, end, k, options);
}

}  // namespace sprawl::tree_pass
