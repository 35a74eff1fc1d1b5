// ReadShare (git_tree_share.h): one thread's share of the tree pass.
#include <algorithm>

#include "scanner/pipelines/pipeline_files.h"
#include "scanner/sources/git_tree_share.h"

namespace sprawl::tree_pass {
namespace {

// Remembers the catalog entries of recently seen subtree oids, and whether
// they are trees: successive versions of a directory share most of their
// subtrees, and the catalog itself is too large to stay in cache.
class FindCache {
 public:
  explicit FindCache(const ObjectCatalog& catalog)
      : catalog_(catalog), slots_(kSize) {}
  // The catalog entry of the tree `oid`, or kNoEntry when it is missing or
  // not a tree.
  uint32_t FindTree(const git_oid& oid) {
    Slot& s = slots_[OidHash()(oid) & (kSize - 1)];
    if (!OidEq()(s.oid, oid) || !s.used) {
      uint8_t type = 0;
      const uint32_t e = catalog_.Find(oid, &type);
      s.oid = oid;
      s.used = true;
      s.tree = type == GIT_OBJECT_TREE ? e : kNoEntry;
    }
    return s.tree;
  }

 private:
  static constexpr std::size_t kSize = 1 << 16;
  struct Slot {
    git_oid oid{};
    bool used = false;
    uint32_t tree = kNoEntry;
  };
  const ObjectCatalog& catalog_;
  std::vector<Slot> slots_;
};

// How one entry of a tree was judged, for trees that are deltas against
// it: an entry they copy whole needs no lookup again.
struct Judged {
  uint32_t offset;  // entry bytes [offset, offset + size) in the tree
  uint32_t size;
  uint32_t name;
  uint32_t ref;
  EntryKind kind;
  bool matters;
  bool kept;
};

// The judged entries of `base` whose bytes a delta copied, by the delta's
// offsets: At(p) is the base entry copied whole to start at p, if any.
// Tree entries delimit themselves, so when p starts an entry of the delta's
// result, that entry is the base entry, byte for byte.
class CopiedEntries {
 public:
  CopiedEntries(const std::vector<DeltaCopy>& copies,
                const std::vector<Judged>* base)
      : copies_(copies), base_(base) {}
  const Judged* At(uint32_t p) {
    if (base_ == nullptr) return nullptr;
    while (next_ < copies_.size() &&
           copies_[next_].to + copies_[next_].size <= p) {
      ++next_;
    }
    if (next_ == copies_.size() || copies_[next_].to > p) return nullptr;
    const DeltaCopy& c = copies_[next_];
    const uint32_t from = c.from + (p - c.to);
    // Copies mostly run through the base in order: try the entry after
    // the last one found before searching.
    const std::vector<Judged>& base = *base_;
    std::size_t i = cursor_;
    if (i >= base.size() || base[i].offset != from) {
      i = static_cast<std::size_t>(
          std::lower_bound(base.begin(), base.end(), from,
                           [](const Judged& j, uint32_t off) {
                             return j.offset < off;
                           }) -
          base.begin());
    }
    if (i == base.size() || base[i].offset != from ||
        uint64_t{from} + base[i].size > uint64_t{c.from} + c.size) {
      return nullptr;
    }
    cursor_ = i + 1;
    return &base[i];
  }

 private:
  const std::vector<DeltaCopy>& copies_;
  const std::vector<Judged>* base_;
  std::size_t next_ = 0;    // first copy that may hold the next entry
  std::size_t cursor_ = 0;  // the base entry expected next
};

// Reads trees [begin, end) of `trees` in order and keeps what matters.
class ShareReader {
 public:
  ShareReader(const ObjectCatalog& catalog, const TargetSet& targets,
              const BlobFilter& blobs, Part* part)
      : catalog_(catalog), targets_(targets), blobs_(blobs), find_(catalog),
        part_(part) {}

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
      if (!decoder.Decode(e, &data, &why, &copies)) {
        part_->bad.emplace_back(local, why);
      } else {
        ReadTree(e, data, copies, local, decoder.Dependents(e) != 0);
      }
      // Forgets what e's base was judged once e was its last dependent.
      const CatalogEntry& en = catalog_.entry(e);
      if (en.delta && en.pack != kNoEntry && decoder.Dependents(en.base) == 0) {
        if (auto it = judged_.find(en.base); it != judged_.end()) {
          if (spare_.size() < 256) spare_.push_back(std::move(it->second));
          judged_.erase(it);
        }
      }
    }
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
    const std::vector<Judged>* base = nullptr;
    if (en.delta && !copies.empty()) {
      if (auto it = judged_.find(en.base); it != judged_.end()) {
        base = &it->second;
      }
    }
    // Node-based map: `base` stays valid while this inserts.
    std::vector<Judged>* mine = nullptr;
    if (based) {
      mine = &judged_[e];
      if (!spare_.empty()) {
        mine->swap(spare_.back());
        spare_.pop_back();
      }
      mine->clear();
    }
    CopiedEntries copied(copies, base);
    const auto n = static_cast<uint32_t>(data.size());
    for (uint32_t p = 0; p < n;) {
      Judged j;
      if (const Judged* same = copied.At(p)) {
        j = *same;  // copied whole: judged when the base was read
      } else {
        RawTreeReader reader(data.substr(p));
        RawTreeEntry entry;
        if (!reader.Next(&entry)) {
          part_->malformed.push_back(local);
          return;
        }
        j = Judge(entry);
        j.size = static_cast<uint32_t>(reinterpret_cast<const char*>(entry.oid) +
                                       GIT_OID_RAWSZ - (data.data() + p));
      }
      j.offset = p;
      p += j.size;
      if (mine != nullptr) mine->push_back(j);
      if (!j.kept) continue;
      if (j.name >= kMaxNames) {  // only a forged history gets here
        part_->malformed.push_back(local);
        return;
      }
      part_->kept.push_back(Kept(j.name, j.ref, j.kind, j.matters));
    }
  }

  Judged Judge(const RawTreeEntry& e) {
    Judged j{0, 0, 0, kNoEntry, e.kind, true, true};
    if (e.kind == EntryKind::kTree) {
      j.ref = find_.FindTree(*e.oid);  // else kept by oid: the walk says why
    } else if (e.kind == EntryKind::kBlob) {
      // A blob the object database lacks is kept, so the walk can say
      // where it was (a partial clone, or a corrupt repository).
      j.matters = targets_.Has(*e.oid) || PipelineCandidateName(e.name) ||
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
  FindCache find_;
  Part* part_;
  std::unordered_map<uint32_t, std::vector<Judged>> judged_;
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
