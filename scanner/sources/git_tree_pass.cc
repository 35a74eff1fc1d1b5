#include "scanner/sources/git_tree_pass.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "scanner/pipelines/pipeline_files.h"
#include "scanner/sources/git_objects.h"

namespace sprawl {
namespace {

constexpr uint32_t kOidRef = 0x80000000u;  // ref indexes Part::oids

constexpr uint32_t kMaxNames = 1u << 27;

// One kept entry of a tree, in stored order, in 8 bytes: a long history
// has tens of millions (mostly subtrees).
class Kept {
 public:
  // `matters`, for blobs: a target or a pipeline file name wherever it is;
  // otherwise a YAML file that matters only under a pipeline directory.
  Kept(uint32_t name, uint32_t ref, EntryKind kind, bool matters)
      : ref_(ref),
        bits_(name | static_cast<uint32_t>(kind) << 27 |
              static_cast<uint32_t>(matters) << 30) {}
  uint32_t name() const { return bits_ & (kMaxNames - 1); }  // Part-local
  // The catalog entry of a subtree, or kOidRef | index in Part::oids.
  uint32_t ref() const { return ref_; }
  EntryKind kind() const { return static_cast<EntryKind>((bits_ >> 27) & 7); }
  bool matters() const { return (bits_ >> 30) & 1; }

 private:
  uint32_t ref_;
  uint32_t bits_;
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
  const T& operator[](std::size_t i) const { return chunks_[i >> kShift][i & kMask]; }
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

// A Bloom filter of the catalog's blobs (two probes, 16 bits per blob,
// under 2% false positives), small enough to stay in cache: tells almost
// every listed blob present without a catalog lookup per tree entry.
class BlobFilter {
 public:
  BlobFilter(const ObjectCatalog& catalog, const std::vector<uint32_t>& blobs) {
    std::size_t bits = 1 << 16;
    while (bits < blobs.size() * 16) bits *= 2;
    words_.assign(bits / 64, 0);
    mask_ = bits - 1;
    for (uint32_t e : blobs) {
      const auto [a, b] = Probes(catalog.entry(e).oid);
      words_[a >> 6] |= uint64_t{1} << (a & 63);
      words_[b >> 6] |= uint64_t{1} << (b & 63);
    }
  }
  bool MayHave(const git_oid& oid) const {
    const auto [a, b] = Probes(oid);
    return ((words_[a >> 6] >> (a & 63)) & (words_[b >> 6] >> (b & 63)) & 1) != 0;
  }

 private:
  std::pair<uint64_t, uint64_t> Probes(const git_oid& oid) const {
    uint64_t a, b;  // oids are uniform: their bytes are the hash
    std::memcpy(&a, oid.id + 4, sizeof a);
    std::memcpy(&b, oid.id + 12, sizeof b);
    return {a & mask_, b & mask_};
  }
  std::vector<uint64_t> words_;
  uint64_t mask_ = 0;
};

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
    for (std::size_t i = begin; i < end; ++i) {
      const CatalogEntry& en = catalog_.entry(trees[i]);
      if (en.delta && en.pack != kNoEntry) ++need_[en.base];
    }
    std::string why;
    std::string_view data;
    std::vector<DeltaCopy> copies;
    for (std::size_t i = begin; i < end; ++i) {
      const auto local = static_cast<uint32_t>(i - begin);
      part_->first.push_back(static_cast<uint32_t>(part_->kept.size()));
      if ((local & 1023) == 1023) {
        if (options.progress != nullptr) options.progress->Add(1024, 0);
        if (options.cancel != nullptr && options.cancel->load()) break;
      }
      const uint32_t e = trees[i];
      if (!decoder.Decode(e, &data, &why, &copies)) {
        part_->bad.emplace_back(local, why);
      } else {
        ReadTree(e, data, copies, local);
      }
      Release(e);
    }
    while (part_->first.size() < end - begin) {  // cancelled: empty trees
      part_->first.push_back(static_cast<uint32_t>(part_->kept.size()));
    }
    part_->first.push_back(static_cast<uint32_t>(part_->kept.size()));
  }

 private:
  void ReadTree(uint32_t e, std::string_view data,
                const std::vector<DeltaCopy>& copies, uint32_t local) {
    const CatalogEntry& en = catalog_.entry(e);
    const std::vector<Judged>* base = nullptr;
    if (en.delta && !copies.empty()) {
      if (auto it = judged_.find(en.base); it != judged_.end()) {
        base = &it->second;
      }
    }
    // Node-based map: `base` stays valid while this inserts.
    std::vector<Judged>* mine = need_.count(e) != 0 ? &judged_[e] : nullptr;
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

  // Forgets what `e`'s base was kept for once `e` was its last dependent.
  void Release(uint32_t e) {
    const CatalogEntry& en = catalog_.entry(e);
    if (!en.delta || en.pack == kNoEntry) return;
    auto it = need_.find(en.base);
    if (it != need_.end() && --it->second == 0) {
      need_.erase(it);
      judged_.erase(en.base);
    }
  }

  const ObjectCatalog& catalog_;
  const TargetSet& targets_;
  const BlobFilter& blobs_;
  FindCache find_;
  Part* part_;
  std::unordered_map<uint32_t, uint32_t> need_;  // base -> dependents left
  std::unordered_map<uint32_t, std::vector<Judged>> judged_;
};

}  // namespace

// Joins the parts, marks relevance bottom-up and writes the cut trees.
class TreePassBuilder {
 public:
  TreePassBuilder(const ObjectCatalog& catalog,
                  const std::vector<uint32_t>& trees,
                  const std::vector<std::size_t>& starts,
                  std::vector<Part>& parts)
      : catalog_(catalog), trees_(trees), starts_(starts), parts_(parts) {}

  std::unique_ptr<RelevantTrees> Build() {
    auto out = std::make_unique<RelevantTrees>();
    out->catalog_ = &catalog_;
    out->trees_read_ = trees_.size();
    out->malformed_.assign(catalog_.size(), false);
    MarkPipelineDirs();
    relevant_.assign(catalog_.size(), false);
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      for (const auto& [local, why] : parts_[p].bad) {
        const uint32_t e = trees_[starts_[p] + local];
        out->bad_[e] = why;
        relevant_[e] = true;
      }
      for (uint32_t local : parts_[p].malformed) {
        const uint32_t e = trees_[starts_[p] + local];
        out->malformed_[e] = true;
        relevant_[e] = true;
      }
    }
    MarkRelevant();
    Write(out.get());
    return out;
  }

 private:
  static bool IsSubtree(const Kept& k) {
    return k.kind() == EntryKind::kTree && (k.ref() & kOidRef) == 0;
  }
  // Whether a kept entry other than a subtree belongs in the cut tree.
  bool Keep(uint32_t tree, const Kept& k) const {
    return k.kind() != EntryKind::kBlob || k.matters() || pipeline_dir_[tree];
  }

  // A tree is relevant when it keeps an entry that matters or has a
  // relevant subtree. Sweeps over the trees in reverse pack order, until
  // nothing changes: git writes a tree before its subtrees, so one sweep
  // mostly settles it and the second confirms. Each sweep streams the kept
  // entries and touches only a bit per tree.
  void MarkRelevant() {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t p = 0; p < parts_.size(); ++p) {
        const Part& part = parts_[p];
        for (std::size_t t = 0; t + 1 < part.first.size(); ++t) {
          const uint32_t tree = trees_[starts_[p] + t];
          if (relevant_[tree]) continue;
          for (uint32_t i = part.first[t]; i < part.first[t + 1]; ++i) {
            const Kept& k = part.kept[i];
            if (IsSubtree(k) ? relevant_[k.ref()] : Keep(tree, k)) {
              relevant_[tree] = true;
              changed = true;
              break;
            }
          }
        }
      }
    }
  }

  // Trees under a directory whose name may make YAML files pipeline files
  // (PipelineCandidateDir), and every tree below those: sweeps in pack
  // order (parents mostly first) until nothing changes.
  void MarkPipelineDirs() {
    pipeline_dir_.assign(catalog_.size(), false);
    std::vector<std::vector<bool>> dir_name(parts_.size());
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      for (const std::string* name : parts_[p].names) {
        dir_name[p].push_back(PipelineCandidateDir(*name));
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      ForEachKept([&](uint32_t tree, const Part& part, const Kept& k) {
        if (!IsSubtree(k) || pipeline_dir_[k.ref()]) return;
        const auto p = static_cast<std::size_t>(&part - parts_.data());
        if (pipeline_dir_[tree] || dir_name[p][k.name()]) {
          pipeline_dir_[k.ref()] = true;
          changed = true;
        }
      });
    }
  }

  // Calls f(tree catalog entry, part, kept entry) for every kept entry.
  template <typename F>
  void ForEachKept(F&& f) {
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      const Part& part = parts_[p];
      for (std::size_t t = 0; t + 1 < part.first.size(); ++t) {
        const uint32_t tree = trees_[starts_[p] + t];
        for (uint32_t i = part.first[t]; i < part.first[t + 1]; ++i) {
          f(tree, part, part.kept[i]);
        }
      }
    }
  }

  // Writes the cut trees, each part's into its own buffer on its own
  // thread (each tree belongs to one part, so the spans do not overlap).
  void Write(RelevantTrees* out) {
    out->span_.assign(catalog_.size(), RelevantTrees::Span{});
    out->raw_.resize(parts_.size());
    std::vector<std::size_t> written(parts_.size(), 0);
    std::vector<std::thread> pool;
    for (std::size_t p = 1; p < parts_.size(); ++p) {
      pool.emplace_back([this, out, p, &written] { WritePart(p, out, &written[p]); });
    }
    WritePart(0, out, &written[0]);
    for (std::thread& t : pool) t.join();
    for (std::size_t n : written) out->relevant_ += n;
  }

  void WritePart(std::size_t p, RelevantTrees* out, std::size_t* written) {
    const Part& part = parts_[p];
    std::string& raw = out->raw_[p];
    for (std::size_t t = 0; t + 1 < part.first.size(); ++t) {
      const uint32_t tree = trees_[starts_[p] + t];
      if (!relevant_[tree] || out->bad_.count(tree) != 0) continue;
      const std::size_t begin = raw.size();
      for (uint32_t i = part.first[t]; i < part.first[t + 1]; ++i) {
        const Kept& k = part.kept[i];
        if (IsSubtree(k) ? !relevant_[k.ref()] : !Keep(tree, k)) continue;
        raw.append(k.kind() == EntryKind::kTree        ? "40000 "
                   : k.kind() == EntryKind::kSubmodule ? "160000 "
                                                     : "100644 ");
        raw.append(*part.names[k.name()]);
        raw.push_back('\0');
        const git_oid& oid = (k.ref() & kOidRef) != 0
                                 ? part.oids[k.ref() & ~kOidRef]
                                 : catalog_.entry(k.ref()).oid;
        raw.append(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ);
      }
      out->span_[tree] = {begin, static_cast<uint32_t>(raw.size() - begin),
                          static_cast<uint32_t>(p)};
      ++*written;
    }
  }

  const ObjectCatalog& catalog_;
  const std::vector<uint32_t>& trees_;
  const std::vector<std::size_t>& starts_;
  std::vector<Part>& parts_;
  std::vector<bool> pipeline_dir_;
  std::vector<bool> relevant_;
};

bool RelevantTrees::Read(const git_oid& oid, TreeBytes* out,
                         std::string* why) {
  const uint32_t e = catalog_->Find(oid);
  if (e == kNoEntry) {
    *why = "tree " + GitHex(oid) + " missing or unreadable";
    return false;
  }
  if (catalog_->entry(e).type != GIT_OBJECT_TREE) {
    *why = "object " + GitHex(oid) + " is not a tree";
    return false;
  }
  if (auto b = bad_.find(e); b != bad_.end()) {
    *why = "tree " + GitHex(oid) + " missing or unreadable: " + b->second;
    return false;
  }
  const Span& span = span_[e];
  out->data = span.size == 0 ? std::string_view()
                             : std::string_view(raw_[span.part])
                                   .substr(span.begin, span.size);
  out->malformed = malformed_[e];
  return true;
}

std::unique_ptr<RelevantTrees> RunTreePass(const ObjectCatalog& catalog,
                                           const OidSet& targets,
                                           const TreePassOptions& options) {
  const std::vector<uint32_t>& trees = catalog.OfType(GIT_OBJECT_TREE);
  const TargetSet target_set(targets);
  const BlobFilter blobs(catalog, catalog.OfType(GIT_OBJECT_BLOB));
  const std::size_t n = trees.size();
  const std::size_t threads = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(1, options.threads)), 1,
      std::max<std::size_t>(1, n / 1024));
  if (options.progress != nullptr) {
    options.progress->BeginPhase("trees read", n, true);
  }
  std::vector<Part> parts(threads);
  std::vector<std::size_t> starts(threads + 1);
  for (std::size_t k = 0; k <= threads; ++k) starts[k] = n * k / threads;
  std::vector<std::thread> pool;
  for (std::size_t k = 1; k < threads; ++k) {
    pool.emplace_back([&, k] {
      ShareReader(catalog, target_set, blobs, &parts[k])
          .Run(trees, starts[k], starts[k + 1], static_cast<int>(200 + k),
               options);
    });
  }
  ShareReader(catalog, target_set, blobs, &parts[0])
      .Run(trees, starts[0], starts[1], 200, options);
  for (std::thread& t : pool) t.join();
  catalog.ReleasePacks();
  return TreePassBuilder(catalog, trees, starts, parts).Build();
}

}  // namespace sprawl
