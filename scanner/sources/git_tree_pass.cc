#include "scanner/sources/git_tree_pass.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
      const uint32_t e = catalog_.Find(oid);
      s.oid = oid;
      s.used = true;
      s.tree = e != kNoEntry && catalog_.entry(e).type == GIT_OBJECT_TREE
                   ? e
                   : kNoEntry;
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

void ReadShare(const ObjectCatalog& catalog, const std::vector<uint32_t>& trees,
               std::size_t begin, std::size_t end, const TargetSet& targets,
               const BlobFilter& blobs, int k, const TreePassOptions& options,
               Part* part) {
  PackDecoder decoder(catalog, k);
  decoder.Plan(trees, begin, end);
  FindCache find(catalog);
  std::string why;
  for (std::size_t i = begin; i < end; ++i) {
    const auto local = static_cast<uint32_t>(i - begin);
    part->first.push_back(static_cast<uint32_t>(part->kept.size()));
    if ((local & 1023) == 1023) {
      if (options.progress != nullptr) options.progress->Add(1024, 0);
      if (options.cancel != nullptr && options.cancel->load()) break;
    }
    std::string_view data;
    if (!decoder.Decode(trees[i], &data, &why)) {
      part->bad.emplace_back(local, why);
      continue;
    }
    RawTreeReader reader(data);
    RawTreeEntry e;
    while (reader.Next(&e)) {
      uint32_t ref = kNoEntry;
      bool matters = true;
      if (e.kind == EntryKind::kTree) {
        ref = find.FindTree(*e.oid);  // else kept by oid: the walk says why
      } else if (e.kind == EntryKind::kBlob) {
        // A blob the object database lacks is kept, so the walk can say
        // where it was (a partial clone, or a corrupt repository).
        matters = targets.Has(*e.oid) || PipelineCandidateName(e.name) ||
                  (!blobs.MayHave(*e.oid) && catalog.Find(*e.oid) == kNoEntry);
        if (!matters && !IsYamlName(e.name)) continue;
      } else if (e.kind != EntryKind::kSubmodule) {
        continue;
      }
      if (ref == kNoEntry) {
        ref = kOidRef | static_cast<uint32_t>(part->oids.size());
        part->oids.push_back(*e.oid);
      }
      const uint32_t name = part->Name(e.name);
      if (name >= kMaxNames) {  // only a forged history gets here
        part->malformed.push_back(local);
        break;
      }
      part->kept.push_back(Kept(name, ref, e.kind, matters));
    }
    if (reader.error()) part->malformed.push_back(local);
  }
  while (part->first.size() < end - begin) {  // cancelled: empty trees
    part->first.push_back(static_cast<uint32_t>(part->kept.size()));
  }
  part->first.push_back(static_cast<uint32_t>(part->kept.size()));
}

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
    Locate();
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

  // Where each tree's kept entries are: (part, index in the part) + 1.
  void Locate() {
    where_.assign(catalog_.size(), 0);
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      for (std::size_t t = 0; t + 1 < parts_[p].first.size(); ++t) {
        where_[trees_[starts_[p] + t]] = (uint64_t{p} << 32 | t) + 1;
      }
    }
  }

  // A tree is relevant when it keeps an entry that matters or has a
  // relevant subtree: decided children first, by a depth-first walk down
  // the subtree entries (no reverse index of tens of millions of edges).
  void MarkRelevant() {
    enum : uint8_t { kNew, kOpen, kDone };
    std::vector<uint8_t> state(catalog_.size(), kNew);
    struct Frame {
      uint32_t tree;
      uint32_t next;  // kept entry to look at next
      uint32_t end;
      const Part* part;
    };
    std::vector<Frame> stack;
    auto open = [&](uint32_t e) {
      state[e] = kOpen;
      if (where_[e] == 0) {  // not read (not a tree of the catalog)
        state[e] = kDone;
        return;
      }
      const Part& part = parts_[(where_[e] - 1) >> 32];
      const auto t = static_cast<uint32_t>(where_[e] - 1);
      stack.push_back({e, part.first[t], part.first[t + 1], &part});
    };
    for (uint32_t root : trees_) {
      if (state[root] != kNew) continue;
      open(root);
      while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.next == f.end) {
          state[f.tree] = kDone;
          const bool relevant = relevant_[f.tree];
          stack.pop_back();
          if (relevant && !stack.empty()) relevant_[stack.back().tree] = true;
          continue;
        }
        const Kept& k = f.part->kept[f.next++];
        if (!IsSubtree(k)) {
          if (Keep(f.tree, k)) relevant_[f.tree] = true;
        } else if (state[k.ref()] == kNew) {
          open(k.ref());
        } else if (state[k.ref()] == kDone && relevant_[k.ref()]) {
          relevant_[f.tree] = true;
        }  // kOpen: a cycle, which only forged objects make; ignored
      }
    }
  }

  // Trees under a directory whose name may make YAML files pipeline files,
  // top-down through every subtree (PipelineCandidateDir).
  void MarkPipelineDirs() {
    pipeline_dir_.assign(catalog_.size(), false);
    std::vector<uint32_t> stack;
    ForEachKept([&](uint32_t, const Part& part, const Kept& k) {
      if (IsSubtree(k) && !pipeline_dir_[k.ref()] &&
          PipelineCandidateDir(*part.names[k.name()])) {
        pipeline_dir_[k.ref()] = true;
        stack.push_back(k.ref());
      }
    });
    while (!stack.empty()) {
      const uint32_t e = stack.back();
      stack.pop_back();
      if (where_[e] == 0) continue;
      const Part& part = parts_[(where_[e] - 1) >> 32];
      const uint32_t t = static_cast<uint32_t>(where_[e] - 1);
      for (uint32_t i = part.first[t]; i < part.first[t + 1]; ++i) {
        const Kept& k = part.kept[i];
        if (IsSubtree(k) && !pipeline_dir_[k.ref()]) {
          pipeline_dir_[k.ref()] = true;
          stack.push_back(k.ref());
        }
      }
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

  void Write(RelevantTrees* out) {
    out->span_.assign(catalog_.size(), {0, 0});
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      const Part& part = parts_[p];
      for (std::size_t t = 0; t + 1 < part.first.size(); ++t) {
        const uint32_t tree = trees_[starts_[p] + t];
        if (!relevant_[tree] || out->bad_.count(tree) != 0) continue;
        std::string& raw = out->raw_;
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
        out->span_[tree] = {begin, static_cast<uint32_t>(raw.size() - begin)};
        ++out->relevant_;
      }
    }
  }

  const ObjectCatalog& catalog_;
  const std::vector<uint32_t>& trees_;
  const std::vector<std::size_t>& starts_;
  std::vector<Part>& parts_;
  std::vector<uint64_t> where_;
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
  out->data = std::string_view(raw_).substr(span_[e].first, span_[e].second);
  out->malformed = malformed_[e];
  return true;
}

std::unique_ptr<RelevantTrees> RunTreePass(const ObjectCatalog& catalog,
                                           const OidSet& targets,
                                           const TreePassOptions& options) {
  const std::vector<uint32_t> trees = catalog.OfType(GIT_OBJECT_TREE);
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
      ReadShare(catalog, trees, starts[k], starts[k + 1], target_set, blobs,
                static_cast<int>(200 + k), options, &parts[k]);
    });
  }
  ReadShare(catalog, trees, starts[0], starts[1], target_set, blobs, 200,
            options, &parts[0]);
  for (std::thread& t : pool) t.join();
  if (std::getenv("SPRAWL_DEBUG_PACK")) {
    for (const Part& p : parts) std::fprintf(stderr, "part: %zu kept, %zu oids, %zu names\n", p.kept.size(), p.oids.size(), p.names.size());
  }
  return TreePassBuilder(catalog, trees, starts, parts).Build();
}

}  // namespace sprawl
