#include "scanner/sources/git_tree_pass.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "scanner/base/thread_errors.h"
#include "scanner/base/test_pause.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/sources/git_tree_share.h"

namespace sprawl {

using tree_pass::BlobFilter;
using tree_pass::Kept;
using tree_pass::kOidRef;
using tree_pass::Part;
using tree_pass::TargetSet;

namespace {

// A bitset by catalog entry that the parts' threads set and test at once.
// Bits are only ever set, so relaxed atomics suffice: a sweep that misses
// a bit set concurrently sees it in the next sweep, which there is, since
// setting it counted as a change.
class AtomicBits {
 public:
  void Assign(std::size_t n) {
    words_ = std::vector<std::atomic<uint64_t>>(n / 64 + 1);
  }
  bool operator[](std::size_t i) const {
    return ((words_[i >> 6].load(std::memory_order_relaxed) >> (i & 63)) & 1) !=
           0;
  }
  void Set(std::size_t i) {
    words_[i >> 6].fetch_or(uint64_t{1} << (i & 63), std::memory_order_relaxed);
  }

 private:
  std::vector<std::atomic<uint64_t>> words_;
};

// Runs f(p) for every part p, each on its own thread (the first on the
// calling one); true when any call returned true.
template <typename F>
bool EachPart(std::size_t parts, F&& f) {
  std::vector<char> changed(parts, 0);
  std::vector<std::thread> pool;
  ThreadErrors errors;  // an allocation failure is rethrown after the join
  pool.reserve(parts);
  for (std::size_t p = 1; p < parts; ++p) {
    pool.emplace_back([&f, &changed, &errors, p] {
      errors.Run([&] { changed[p] = f(p) ? 1 : 0; });
    });
  }
  if (parts > 0) errors.Run([&] { changed[0] = f(0) ? 1 : 0; });
  for (std::thread& t : pool) t.join();
  errors.Rethrow();
  return std::find(changed.begin(), changed.end(), 1) != changed.end();
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
    const bool timed = std::getenv("SPRAWL_PHASE_TIMES") != nullptr;
    auto t0 = std::chrono::steady_clock::now();
    auto step = [&](const char* what) {
      if (!timed) return;
      const auto t = std::chrono::steady_clock::now();
      std::fprintf(stderr, "sprawl:   tree pass %s: %.2f s\n", what,
                   std::chrono::duration<double>(t - t0).count());
      t0 = t;
    };
    auto out = std::make_unique<RelevantTrees>();
    out->catalog_ = &catalog_;
    out->trees_read_ = trees_.size();
    out->malformed_.assign(catalog_.size(), false);
    MarkPipelineDirs();
    step("pipeline directories");
    relevant_.Assign(catalog_.size());
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      for (const auto& [local, why] : parts_[p].bad) {
        const uint32_t e = trees_[starts_[p] + local];
        out->bad_[e] = why;
        relevant_.Set(e);
      }
      for (uint32_t local : parts_[p].malformed) {
        const uint32_t e = trees_[starts_[p] + local];
        out->malformed_[e] = true;
        relevant_.Set(e);
      }
    }
    MarkRelevant();
    step("relevance");
    Write(out.get());
    step("write");
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
  // relevant subtree. Sweeps over the trees in pack order, each part on its
  // own thread, until nothing changes. Pack order mostly puts subtrees
  // first (a sweep the other way leaves four times as many entries to
  // sweep again), but it follows paths more than depth, so some relevance
  // takes a few sweeps to propagate. A tree found irrelevant with every
  // subtree already settled is settled too; later sweeps skip settled
  // trees.
  void MarkRelevant() {
    AtomicBits irrelevant;  // settled as irrelevant
    irrelevant.Assign(catalog_.size());
    while (EachPart(parts_.size(), [&](std::size_t p) {
      return SweepRelevance(p, &irrelevant);
    })) {
    }
  }

  bool SweepRelevance(std::size_t p, AtomicBits* irrelevant) {
    bool changed = false;
    const Part& part = parts_[p];
    for (std::size_t t = 0; t + 1 < part.first.size(); ++t) {
      const uint32_t tree = trees_[starts_[p] + t];
      if (relevant_[tree] || (*irrelevant)[tree]) continue;
      bool relevant = false;
      bool settled = true;
      for (uint32_t i = part.first[t]; i < part.first[t + 1]; ++i) {
        const Kept& k = part.kept[i];
        if (IsSubtree(k)) {
          // relevant_ before irrelevant: a subtree is never both, so a
          // concurrent change reads as "not settled yet".
          if (relevant_[k.ref()]) {
            relevant = true;
            break;
          }
          if (!(*irrelevant)[k.ref()]) settled = false;
        } else if (Keep(tree, k)) {
          relevant = true;
          break;
        }
      }
      if (relevant) {
        relevant_.Set(tree);
        changed = true;
      } else if (settled) {
        irrelevant->Set(tree);
      }
    }
    return changed;
  }

  // Trees under a directory whose name may make YAML files pipeline files
  // (PipelineCandidateDir), and every tree below those: sweeps in pack
  // order, each part on its own thread, until nothing changes.
  void MarkPipelineDirs() {
    pipeline_dir_.Assign(catalog_.size());
    std::vector<std::vector<bool>> dir_name(parts_.size());
    bool any = false;
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      dir_name[p].reserve(parts_[p].names.size());
      for (const std::string* name : parts_[p].names) {
        dir_name[p].push_back(PipelineCandidateDir(*name));
        any = any || dir_name[p].back();
      }
    }
    if (!any) return;  // no such directory anywhere in history
    while (EachPart(parts_.size(), [&](std::size_t p) {
      bool changed = false;
      const Part& part = parts_[p];
      for (std::size_t t = 0; t + 1 < part.first.size(); ++t) {
        const uint32_t tree = trees_[starts_[p] + t];
        for (uint32_t i = part.first[t]; i < part.first[t + 1]; ++i) {
          const Kept& k = part.kept[i];
          if (!IsSubtree(k) || pipeline_dir_[k.ref()]) continue;
          if (pipeline_dir_[tree] || dir_name[p][k.name()]) {
            pipeline_dir_.Set(k.ref());
            changed = true;
          }
        }
      }
      return changed;
    })) {
    }
  }

  // Writes the cut trees, each part's into its own buffer on its own
  // thread (each tree belongs to one part, so the spans do not overlap).
  void Write(RelevantTrees* out) {
    out->span_.assign(catalog_.size(), RelevantTrees::Span{});
    out->raw_.resize(parts_.size());
    std::vector<std::size_t> written(parts_.size(), 0);
    std::vector<std::thread> pool;
    ThreadErrors errors;
    for (std::size_t p = 1; p < parts_.size(); ++p) {
      pool.emplace_back([this, out, p, &written, &errors] {
        errors.Run([&] { WritePart(p, out, &written[p]); });
      });
    }
    errors.Run([&] { WritePart(0, out, &written[0]); });
    for (std::thread& t : pool) t.join();
    errors.Rethrow();
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
        const git_oid oid = (k.ref() & kOidRef) != 0
                                ? part.oids[k.ref() & ~kOidRef]
                                : RelevantTrees::StandIn(k.ref());
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
  AtomicBits pipeline_dir_;
  AtomicBits relevant_;
};

namespace {

constexpr unsigned char kStandInTag[GIT_OID_RAWSZ - 4] = {
    0x73, 0x70, 0x72, 0x61, 0x77, 0x6c, 0x2d, 0x63,   // "sprawl-c"
    0x75, 0x74, 0x2d, 0x74, 0x72, 0x65, 0x65, 0x00};  // "ut-tree", NUL

}  // namespace

git_oid RelevantTrees::StandIn(uint32_t e) {
  git_oid oid{};
  std::memcpy(oid.id, &e, 4);
  std::memcpy(oid.id + 4, kStandInTag, sizeof kStandInTag);
  return oid;
}

uint32_t RelevantTrees::StandInEntry(const git_oid& oid) const {
  if (std::memcmp(oid.id + 4, kStandInTag, sizeof kStandInTag) != 0) {
    return kNoEntry;
  }
  uint32_t e = 0;
  std::memcpy(&e, oid.id, 4);
  return e < catalog_->size() ? e : kNoEntry;
}

git_oid RelevantTrees::RealOid(const git_oid& oid) const {
  const uint32_t e = StandInEntry(oid);
  return e == kNoEntry ? oid : catalog_->entry(e).oid;
}

bool RelevantTrees::Read(const git_oid& oid, TreeBytes* out, std::string* why) {
  uint32_t e = StandInEntry(oid);  // a subtree of a cut tree: no lookup
  if (e == kNoEntry) {
    uint8_t type = 0;  // from the oid table: no cache miss on the entry
    e = catalog_->Find(oid, &type);
    if (e == kNoEntry) {
      *why = "tree " + GitHex(oid) + " missing or unreadable";
      return false;
    }
    if (type != GIT_OBJECT_TREE) {
      *why = "object " + GitHex(oid) + " is not a tree";
      return false;
    }
  }
  if (!bad_.empty()) {
    if (auto b = bad_.find(e); b != bad_.end()) {
      *why = "tree " + GitHex(catalog_->entry(e).oid) +
             " missing or unreadable: " + b->second;
      return false;
    }
  }
  const Span& span = span_[e];
  out->data =
      span.size == 0
          ? std::string_view()
          : std::string_view(raw_[span.part]).substr(span.begin, span.size);
  out->malformed = malformed_[e];
  return true;
}

std::unique_ptr<RelevantTrees> RunTreePass(const ObjectCatalog& catalog,
                                           const OidSet& targets,
                                           const TreePassOptions& options) {
  const std::vector<uint32_t>& trees = catalog.OfType(GIT_OBJECT_TREE);
  const auto read_start = std::chrono::steady_clock::now();
  const TargetSet target_set(targets);
  const BlobFilter blobs(catalog, catalog.OfType(GIT_OBJECT_BLOB));
  const std::size_t n = trees.size();
  const std::size_t threads = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(1, options.threads)), 1,
      std::max<std::size_t>(1, n / 1024));
  if (options.progress != nullptr) {
    options.progress->BeginPhase("trees read", n, true);
  }
  TestPause("tree-pass", options.cancel);
  std::vector<Part> parts(threads);
  std::vector<std::size_t> starts(threads + 1);
  for (std::size_t k = 0; k <= threads; ++k) starts[k] = n * k / threads;
  std::vector<std::thread> pool;
  ThreadErrors errors;
  for (std::size_t k = 1; k < threads; ++k) {
    pool.emplace_back([&, k] {
      errors.Run([&] {
        tree_pass::ReadShare(catalog, trees, starts[k], starts[k + 1],
                             target_set, blobs, static_cast<int>(200 + k),
                             options, &parts[k]);
      });
    });
  }
  errors.Run([&] {
    tree_pass::ReadShare(catalog, trees, starts[0], starts[1], target_set,
                         blobs, 200, options, &parts[0]);
  });
  for (std::thread& t : pool) t.join();
  errors.Rethrow();
  catalog.ReleasePacks();
  if (std::getenv("SPRAWL_PHASE_TIMES") != nullptr) {
    std::fprintf(stderr, "sprawl:   tree pass read: %.2f s\n",
                 std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - read_start)
                     .count());
  }
  // Interrupted: the caller reports a partial result and reads no tree, so
  // the sweeps and cutting are not worth waiting for.
  if (Cancelled(options.cancel)) return std::make_unique<RelevantTrees>();
  return TreePassBuilder(catalog, trees, starts, parts).Build();
}

}  // namespace sprawl
