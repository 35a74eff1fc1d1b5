// IndexByTreePass: the full-history index built from one blob scan and one
// tree pass in pack order (see git_tree_pass.h for why).
#include "scanner/scan/indexed_history.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>
#include <unordered_map>

#include "scanner/base/text.h"
#include "scanner/git/mapped_file.h"
#include "scanner/git/pack_index.h"
#include "scanner/scan/index_segments.h"

namespace sprawl {
namespace {

// Below this many packed objects the commit walk is as fast, and it also
// names blobs a tree lists but the object database lacks.
constexpr uint64_t kTreePassMinObjects = 20000;

uint64_t PackedObjects(const std::string& objects_dir) {
  uint64_t n = 0;
  for (const std::string& idx_path : PackIndexFiles(objects_dir)) {
    MappedFile idx(idx_path);
    if (auto view = ViewPackIndex(idx)) n += view->count;
  }
  return n;
}

}  // namespace

bool UseTreePass(const std::string& objects_dir, GitProvenanceMode mode) {
  if (mode == GitProvenanceMode::kAuto) {
    if (const char* env = std::getenv("SPRAWL_PROVENANCE")) {
      if (std::strcmp(env, "walk") == 0) return false;
      if (std::strcmp(env, "pass") == 0) return true;
    }
    return PackedObjects(objects_dir) >= kTreePassMinObjects;
  }
  return mode == GitProvenanceMode::kTreePass;
}

Status IndexByTreePass(git_repository* repo, const GitScanOptions& options,
                       const Matcher& matcher, Diagnostics* diagnostics,
                       CommitGraph* graph, IndexedHistory* out,
                       GitScanResult* result,
                       const std::function<void(const char*)>& mark) {
  const std::string objects_dir =
      std::string(git_repository_commondir(repo)) + "objects";
  out->tips = StartTips(repo, options.tips, diagnostics);
  std::vector<git_oid> tree_tips;
  std::vector<git_oid> commit_tips;
  for (const RefTip& t : out->tips) {
    if (t.commit) {
      commit_tips.push_back(*t.commit);
    } else {
      tree_tips.push_back(t.tree);
    }
  }
  // The commit graph is read while the blobs are scanned: it needs only the
  // repository's own handle, and the walk below is the first to use it.
  double commit_cpu = 0;  // for SPRAWL_PHASE_TIMES
  std::thread commit_reader([&] {
    std::vector<uint32_t> starts;
    starts.reserve(commit_tips.size());
    for (const git_oid& c : commit_tips) starts.push_back(graph->Load(c));
    out->commits = graph->AllParentsFirst(starts, options.cancel);
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    commit_cpu =
        static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  });
  struct Joiner {
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) t.join();
    }
  } joiner{commit_reader};

  // Every blob of the object database, less those an earlier sweep read.
  // The commit reader owns the repository's handle until it is joined
  // (libgit2 objects are for one thread at a time): the catalog gets its own.
  GitOdbPtr catalog_odb = OpenPrivateOdb(objects_dir, 300);
  if (!catalog_odb) {
    return Error{objects_dir +
                 ": cannot open object database: " + GitLastError()};
  }
  out->catalog =
      ObjectCatalog::Load(catalog_odb.get(), objects_dir, diagnostics);
  std::vector<git_oid> blobs;
  std::vector<uint32_t> blob_entries;  // their catalog entries
  OidSet targets;
  for (uint32_t e : out->catalog->OfType(GIT_OBJECT_BLOB)) {
    const git_oid& oid = out->catalog->entry(e).oid;
    if (options.skip_blobs != nullptr) {
      std::string hex = GitHex(oid);
      if (options.skip_blobs->count(hex) != 0) {
        if (options.known_secret_blobs != nullptr &&
            options.known_secret_blobs->count(hex) != 0) {
          targets.insert(oid);
        }
        continue;
      }
      result->scanned_blobs.push_back(std::move(hex));
    }
    blobs.push_back(oid);
    blob_entries.push_back(e);
  }
  mark("catalog");
  BlobScanOptions scan;
  scan.objects_dir = objects_dir;
  scan.threads = options.threads;
  scan.max_blob_size = options.max_blob_size;
  scan.cancel = options.cancel;
  scan.scan_timeout = options.limits.scan_timeout;
  scan.progress = options.progress;
  scan.defer_warnings = true;
  scan.in_pack_order = true;
  scan.catalog = out->catalog.get();
  scan.entries = &blob_entries;
  // Delta-aware scanning gives the same report; this switch exists to
  // measure it and to show that it does (bench/real_bench.sh).
  // Below a few thousand blobs it saves nothing worth the second Hyperscan
  // database it needs (compiled once per rule set, then cached).
  const char* no_delta = std::getenv("SPRAWL_NO_DELTA_SCAN");
  scan.no_delta = (no_delta != nullptr && std::string_view(no_delta) == "1") ||
                  blobs.size() < 4096;
  out->scanned = ScanBlobs(blobs, matcher, scan, diagnostics);
  for (const auto& [b, hits] : out->scanned.hits) targets.insert(blobs[b]);
  for (const auto& [b, why] : out->scanned.warnings) targets.insert(blobs[b]);
  mark("blobs");
  commit_reader.join();
  result->stats.commits = out->commits.size();
  mark("commits");  // read while the blobs were scanned
  if (std::getenv("SPRAWL_PHASE_TIMES") != nullptr) {
    std::fprintf(stderr,
                 "sprawl:   commit graph: %.2f s cpu on its own thread, during "
                 "the blobs\n",
                 commit_cpu);
  }
  if (out->scanned.stats.interrupted || Cancelled(options.cancel)) {
    result->stats.interrupted = true;
    return Status::Ok();
  }

  TreePassOptions pass;
  pass.threads = options.threads;
  pass.cancel = options.cancel;
  pass.progress = options.progress;
  out->trees = RunTreePass(*out->catalog, targets, pass);
  mark("trees");
  if (std::getenv("SPRAWL_PHASE_TIMES") != nullptr) {
    std::fprintf(
        stderr,
        "sprawl: tree pass: %zu trees read, %zu relevant, %zu targets\n",
        out->trees->trees_read(), out->trees->relevant(), targets.size());
  }
  if (Cancelled(options.cancel)) {
    result->stats.interrupted = true;
    return Status::Ok();
  }

  // The cut trees are read-only now: the commits are walked in segments,
  // one per thread, over the same RelevantTrees.
  out->index =
      std::make_unique<HistoryIndex>(out->trees.get(), diagnostics, &out->once);
  HistoryIndex& idx = *out->index;
  IndexSegments(objects_dir, out->trees.get(), *graph, out->commits, options,
                diagnostics, &out->once, &idx);
  for (const git_oid& t : tree_tips) idx.AddCommitTree(t, UINT32_MAX);
  idx.DropTrees();

  std::unordered_map<git_oid, uint32_t, OidHash, OidEq> index_blob;
  for (uint32_t b = 0; b < idx.blobs().size(); ++b) {
    index_blob.emplace(idx.blobs()[b], b);
  }
  out->hits.assign(idx.blobs().size(), nullptr);
  for (const auto& [b, hits] : out->scanned.hits) {
    if (auto it = index_blob.find(blobs[b]); it != index_blob.end()) {
      out->hits[it->second] = &hits;
    }
  }
  out->known.assign(idx.blobs().size(), false);
  if (options.known_secret_blobs != nullptr) {
    for (uint32_t b = 0; b < idx.blobs().size(); ++b) {
      out->known[b] = options.known_secret_blobs->count(GitHex(idx.blobs()[b]));
    }
  }
  // Blobs a tree lists that the object database lacks.
  for (uint32_t b = 0; b < idx.blobs().size(); ++b) {
    const uint32_t e = out->catalog->Find(idx.blobs()[b]);
    if (e != kNoEntry && out->catalog->entry(e).type == GIT_OBJECT_BLOB)
      continue;
    ++out->scanned.stats.skipped_unreadable;
    diagnostics->Warn(
        EscapeForDisplay(idx.paths().Path(idx.blob_path(b))),
        "blob " + GitHex(idx.blobs()[b]) +
            (e == kNoEntry ? " unreadable: not in the object database"
                           : " unreadable: not a blob"));
  }
  // The blob scan's warnings, now with a path; blobs no ref reaches are
  // garbage awaiting `git gc` and only get a note.
  for (const auto& [b, why] : out->scanned.warnings) {
    if (auto it = index_blob.find(blobs[b]); it != index_blob.end()) {
      diagnostics->Warn(
          EscapeForDisplay(idx.paths().Path(idx.blob_path(it->second))), why);
    } else {
      diagnostics->Note("", why + " (reachable from no ref)");
    }
  }
  mark("walk");
  return Status::Ok();
}

}  // namespace sprawl
