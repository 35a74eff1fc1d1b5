#include "scanner/scan/git_scan.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "scanner/base/hash.h"
#include "scanner/base/test_pause.h"
#include "scanner/base/text.h"
#include "scanner/clients/client_files.h"
#include "scanner/git/git_handles.h"
#include "scanner/git/object_store_health.h"
#include "scanner/scan/blob_scan.h"
#include "scanner/scan/commit_provenance.h"
#include "scanner/scan/git_client_annotator.h"
#include "scanner/scan/git_pipeline_annotator.h"
#include "scanner/scan/index_segments.h"
#include "scanner/scan/indexed_history.h"
#include "scanner/scan/staged_scan.h"
#include "scanner/sources/git_history.h"
#include "scanner/sources/history_index.h"
#include "scanner/sources/ref_tips.h"

namespace sprawl {
namespace {

constexpr uint32_t kNoCommit = UINT32_MAX;

std::string StripSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// SPRAWL_PHASE_TIMES=1 prints the wall and calling-thread CPU seconds of
// each phase to stderr (for bench/; never part of a report).
class PhaseTimer {
 public:
  PhaseTimer() : on_(std::getenv("SPRAWL_PHASE_TIMES") != nullptr) { Reset(); }
  void Mark(const char* phase) {
    if (!on_) return;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_)
            .count();
    const Rss rss = ReadRss();
    std::fprintf(stderr,
                 "sprawl: phase %s: %.2f s wall, %.2f s cpu (this thread), "
                 "%.2f s cpu (process), peak RSS %ld MB (at its end: %ld MB "
                 "anonymous, %ld MB mapped files)\n",
                 phase, wall, Cpu(CLOCK_THREAD_CPUTIME_ID) - cpu_,
                 Cpu(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_, rss.peak_mb,
                 rss.anon_mb, rss.file_mb);
    Reset();
  }

 private:
  struct Rss {
    long peak_mb = -1;
    long anon_mb = -1;
    long file_mb = -1;
  };
  static Rss ReadRss() {
    Rss out;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return out;
    char line[256];
    long kb = 0;
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) {
        out.peak_mb = kb / 1024;
      } else if (std::sscanf(line, "RssAnon: %ld kB", &kb) == 1) {
        out.anon_mb = kb / 1024;
      } else if (std::sscanf(line, "RssFile: %ld kB", &kb) == 1) {
        out.file_mb = kb / 1024;
      }
    }
    std::fclose(f);
    return out;
  }
  static double Cpu(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) +
           static_cast<double>(ts.tv_nsec) / 1e9;
  }
  void Reset() {
    wall_ = std::chrono::steady_clock::now();
    cpu_ = Cpu(CLOCK_THREAD_CPUTIME_ID);
    process_cpu_ = Cpu(CLOCK_PROCESS_CPUTIME_ID);
  }
  bool on_;
  std::chrono::steady_clock::time_point wall_;
  double cpu_ = 0;
  double process_cpu_ = 0;
};

// Peels a revparse result to a commit oid.
Result<git_oid> PeelCommit(git_object* obj, const std::string& what) {
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) {
    return Error{"--range " + what + ": not a commit: " + GitLastError()};
  }
  git_oid oid = *git_object_id(peeled);
  git_object_free(peeled);
  return oid;
}

// Resolves "A..B" (or "A...B") into commits to include and to exclude.
Status ResolveRange(git_repository* repo, const std::string& range,
                    CommitGraph* graph, std::vector<uint32_t>* include,
                    std::vector<uint32_t>* exclude) {
  git_revspec spec;
  if (git_revparse(&spec, repo, range.c_str()) != 0) {
    return Error{"--range " + range + ": " + GitLastError()};
  }
  GitObjectPtr from(spec.from);
  GitObjectPtr to(spec.to);
  if ((spec.flags & GIT_REVSPEC_RANGE) == 0 || !from || !to) {
    return Error{"--range " + range + ": expected A..B"};
  }
  Result<git_oid> a = PeelCommit(from.get(), range);
  if (!a.ok()) return a.error();
  Result<git_oid> b = PeelCommit(to.get(), range);
  if (!b.ok()) return b.error();
  include->push_back(graph->Load(*b));
  if (spec.flags & GIT_REVSPEC_MERGE_BASE) {  // A...B: symmetric difference
    include->push_back(graph->Load(*a));
    git_oidarray bases{};
    if (git_merge_bases(&bases, repo, &*a, &*b) == 0) {
      for (std::size_t i = 0; i < bases.count; ++i) {
        exclude->push_back(graph->Load(bases.ids[i]));
      }
      git_oidarray_dispose(&bases);
    }
  } else {
    exclude->push_back(graph->Load(*a));
  }
  return Status::Ok();
}

// Fills `out->index` with the (path, blob) pairs of the full history or
// of the range by walking commits in order; pair commits are positions in
// `out->commits` (or kNoCommit).
Status Walk(git_repository* repo, git_odb* odb, const GitScanOptions& options,
            Diagnostics* diagnostics, CommitGraph* graph, OidSet* old,
            IndexedHistory* out, ScanStats* stats, PhaseTimer* timer) {
  out->tips = StartTips(repo, options.tips, diagnostics);
  std::vector<git_oid> tree_tips;
  if (options.range.empty()) {
    std::vector<uint32_t> starts;
    for (const RefTip& t : out->tips) {
      if (t.commit) {
        starts.push_back(graph->Load(*t.commit));
      } else {
        tree_tips.push_back(t.tree);
      }
    }
    out->commits = graph->AllParentsFirst(starts, options.cancel);
    out->index =
        std::make_unique<HistoryIndex>(odb, nullptr, diagnostics, &out->once);
    timer->Mark("commits");
    IndexSegments(std::string(git_repository_commondir(repo)) + "objects",
                  nullptr, *graph, out->commits, options, diagnostics,
                  &out->once, out->index.get());
    stats->commits = out->commits.size();
  } else {
    std::vector<uint32_t> include, exclude;
    Status s = ResolveRange(repo, options.range, graph, &include, &exclude);
    if (!s.ok()) return s;
    CommitGraph::Range r = graph->Limit(include, exclude, options.cancel);
    for (uint32_t b : r.boundary) {
      if (Cancelled(options.cancel)) break;
      MarkTreeOld(odb, graph->tree(b), old, diagnostics);
    }
    out->commits = std::move(r.commits);
    out->index = std::make_unique<HistoryIndex>(odb, old, diagnostics);
    for (uint32_t i = 0; i < out->commits.size(); ++i) {
      if (Cancelled(options.cancel)) break;
      out->index->AddCommitTree(graph->tree(out->commits[i]), i);
      ++stats->commits;
    }
  }
  for (const git_oid& t : tree_tips) out->index->AddCommitTree(t, kNoCommit);
  if (Cancelled(options.cancel)) stats->interrupted = true;
  return Status::Ok();
}

// The commit walk's blob scan: every blob of the index (less skip_blobs).
void ScanIndexedBlobs(git_repository* repo, const GitScanOptions& options,
                      const Matcher& matcher, Diagnostics* diagnostics,
                      IndexedHistory* out, GitScanResult* result) {
  BlobScanOptions scan;
  scan.objects_dir = std::string(git_repository_commondir(repo)) + "objects";
  scan.threads = options.threads;
  scan.max_blob_size = options.max_blob_size;
  scan.cancel = options.cancel;
  scan.scan_timeout = options.limits.scan_timeout;
  scan.progress = options.progress;
  const HistoryIndex& idx = *out->index;
  // With skip_blobs, only the blobs not in it are read; `picked` maps a
  // position in `fresh` back to its index in idx.blobs().
  std::vector<git_oid> fresh;
  std::vector<uint32_t> picked;
  out->known.assign(idx.blobs().size(), false);
  if (options.skip_blobs != nullptr) {
    for (uint32_t b = 0; b < idx.blobs().size(); ++b) {
      std::string hex = GitHex(idx.blobs()[b]);
      if (options.skip_blobs->count(hex)) {
        out->known[b] = options.known_secret_blobs != nullptr &&
                        options.known_secret_blobs->count(hex) != 0;
        continue;
      }
      fresh.push_back(idx.blobs()[b]);
      picked.push_back(b);
      result->scanned_blobs.push_back(std::move(hex));
    }
  }
  const bool skipping = options.skip_blobs != nullptr;
  scan.describe = [&idx, &picked, skipping](uint32_t b) {
    if (skipping) b = picked[b];
    return EscapeForDisplay(idx.paths().Path(idx.blob_path(b)));
  };
  out->scanned =
      ScanBlobs(skipping ? fresh : idx.blobs(), matcher, scan, diagnostics);
  out->hits.assign(idx.blobs().size(), nullptr);
  for (auto& hit : out->scanned.hits) {
    out->hits[skipping ? picked[hit.first] : hit.first] = &hit.second;
  }
}

// Whether a location is at the tip of a branch (HEAD, refs/heads/*,
// refs/remotes/*): the pipeline versions whose secret names `references`
// lists. Tags and other refs (pull requests, notes) are snapshots of
// history; a mirror of curl/curl holds 17,639 pull-request refs.
bool IsBranchRef(const std::string& name) {
  return name.starts_with("refs/heads/") || name.starts_with("refs/remotes/");
}

bool AtBranchTip(const std::vector<std::string>& refs, bool in_head) {
  return in_head || std::any_of(refs.begin(), refs.end(), IsBranchRef);
}

// HEAD and the branch tips of `tips`: all a pipeline request asks of the
// refs, and on a mirror a handful against tens of thousands of
// pull-request refs (curl/curl: 17,887 tips, whose trees every path of
// every pipeline version was resolved against).
std::vector<RefTip> BranchTips(const std::vector<RefTip>& tips) {
  std::vector<RefTip> out;
  for (const RefTip& t : tips) {
    if (t.name == "HEAD" || IsBranchRef(t.name)) out.push_back(t);
  }
  return out;
}

// True for files that configure sprawl itself: anything under `.sprawl/`,
// any `.sprawlignore`, and `extra` (or anything under an `extra` directory).
bool IsSprawlConfigPath(const std::string& path,
                        const std::vector<std::string>& extra) {
  if (path.rfind(".sprawl/", 0) == 0 || path == ".sprawlignore" ||
      (path.size() > 14 &&
       path.compare(path.size() - 14, 14, "/.sprawlignore") == 0)) {
    return true;
  }
  for (const std::string& e : extra) {
    if (path == e || (path.size() > e.size() && path.rfind(e, 0) == 0 &&
                      path[e.size()] == '/')) {
      return true;
    }
  }
  return false;
}

bool FindingLess(const Finding& a, const Finding& b) {
  if (LocationLess(a.location, b.location)) return true;
  if (LocationLess(b.location, a.location)) return false;
  return std::tie(a.rule, a.secret) < std::tie(b.rule, b.secret);
}

Result<GitScanResult> ScanHistory(git_repository* repo,
                                  const GitScanOptions& options,
                                  const Matcher& matcher,
                                  Diagnostics* diagnostics,
                                  GitScanResult result) {
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo) != 0) {
    return Error{result.root +
                 ": cannot open object database: " + GitLastError()};
  }
  GitOdbPtr odb(odb_raw);
  CommitGraph graph(odb.get(), ReadShallowGrafts(repo), diagnostics);
  IndexedHistory ix;
  PhaseTimer timer;
  const std::string objects_dir =
      std::string(git_repository_commondir(repo)) + "objects";
  if (options.range.empty() && UseTreePass(objects_dir, options.provenance)) {
    Status s = IndexByTreePass(
        repo, options, matcher, diagnostics, &graph, &ix, &result,
        [&timer](const char* phase) { timer.Mark(phase); });
    if (!s.ok()) return s.error();
    if (result.stats.interrupted) return result;
  } else {
    OidSet old;
    Status s = Walk(repo, odb.get(), options, diagnostics, &graph, &old, &ix,
                    &result.stats, &timer);
    if (!s.ok()) return s.error();
    old.clear();
    timer.Mark("trees");
    if (result.stats.interrupted) return result;
    ScanIndexedBlobs(repo, options, matcher, diagnostics, &ix, &result);
    timer.Mark("blobs");
  }
  const uint64_t commits = result.stats.commits;
  result.stats += ix.scanned.stats;
  result.stats.commits = commits;
  const HistoryIndex& idx = *ix.index;
  const std::vector<bool>& known = ix.known;

  // Every (path, blob) pair of a blob with hits becomes one location per hit.
  OdbTreeSource odb_trees(odb.get());
  TipMembership membership(
      ix.trees ? static_cast<TreeSource*>(ix.trees.get()) : &odb_trees,
      ix.tips);
  TipMembership branch_membership(
      ix.trees ? static_cast<TreeSource*>(ix.trees.get()) : &odb_trees,
      BranchTips(ix.tips));
  GitPipelineAnnotator pipelines(odb.get(), matcher, diagnostics,
                                 options.limits.max_yaml_size);
  GitClientAnnotator clients(odb.get(), matcher, diagnostics,
                             options.limits.max_yaml_size);
  std::map<uint32_t, GitProvenance> commit_info;
  // Pairs far outnumber paths: judge each path id once, and build path
  // strings only for the pairs that are reported or analysed.
  std::unordered_map<uint32_t, std::string> system_of_path;
  auto system_of = [&](uint32_t id) -> const std::string& {
    auto it = system_of_path.find(id);
    if (it == system_of_path.end()) {
      it = system_of_path
               .emplace(id,
                        GitPipelineAnnotator::SystemFor(idx.paths().Path(id)))
               .first;
    }
    return it->second;
  };
  // Pipeline files: each distinct blob is analysed once, on every thread,
  // before the pairs are located. Parsed for sure: blobs with rule hits
  // (their findings get a context), known blobs, and the versions at branch
  // tips (references come from those only); every other historic version
  // only when it could hold a literal secret or a pipeline finding.
  {
    std::vector<GitPipelineAnnotator::Request> requests;
    std::vector<std::string> refs;
    for (const HistoryIndex::Pair& pair : idx.pairs()) {
      if (Cancelled(options.cancel)) break;
      const std::string& system = system_of(pair.path);
      if (system.empty()) continue;
      GitPipelineAnnotator::Request r;
      r.blob = idx.blobs()[pair.blob];
      r.system = system;
      r.path = idx.paths().Path(pair.path);
      r.needed = ix.hits[pair.blob] != nullptr || known[pair.blob];
      if (!r.needed) {
        bool in_head = false;
        refs.clear();
        branch_membership.Lookup(r.path, r.blob, &refs, &in_head);
        r.needed = in_head || !refs.empty();
      }
      requests.push_back(std::move(r));
    }
    pipelines.Prepare(requests, objects_dir, options.threads, options.cancel);
    timer.Mark("pipelines");
    if (Cancelled(options.cancel)) {
      result.stats.interrupted = true;
      return result;
    }
  }
  // The same for developer-client files: by name, else (for JSON and YAML
  // paths) by the blob's content.
  std::unordered_map<uint32_t, std::pair<std::string, bool>> client_of_path;
  auto client_of = [&](uint32_t id, const git_oid& blob) -> std::string {
    auto it = client_of_path.find(id);
    if (it == client_of_path.end()) {
      const std::string path = idx.paths().Path(id);
      std::string client = GitClientAnnotator::ClientForPath(path);
      const bool sniff = client.empty() && ClientSniffable(path);
      it = client_of_path.emplace(id, std::make_pair(std::move(client), sniff))
               .first;
    }
    if (!it->second.second) return it->second.first;
    return clients.Sniff(idx.paths().Path(id), blob);
  };
  if (options.progress != nullptr) {
    options.progress->BeginPhase("(path, blob) pairs located",
                                 idx.pairs().size(), true);
  }
  // Pairs without a finding are skipped in nanoseconds and counted in
  // batches; one that is located costs a commit lookup and a ref walk, so
  // it is counted at once (else the phase sat at 0% while the slow pairs
  // were worked through).
  std::size_t pending = 0;
  auto count = [&](bool now) {
    ++pending;
    if (options.progress != nullptr && (now || pending >= 1024)) {
      options.progress->Add(pending, 0);
      pending = 0;
    }
  };
  // Paths excluded by --exclude / `exclude:` / .sprawlignore, judged once
  // per path id.
  std::unordered_map<uint32_t, bool> excluded_path;
  auto excluded = [&](uint32_t id) {
    if (options.exclude == nullptr || options.exclude->empty()) return false;
    auto it = excluded_path.find(id);
    if (it == excluded_path.end()) {
      it = excluded_path
               .emplace(id, options.exclude->ExcludesPath(idx.paths().Path(id)))
               .first;
    }
    return it->second;
  };
  if (!options.range.empty()) {
    std::set<std::string> changed;
    for (const HistoryIndex::Pair& pair : idx.pairs()) {
      std::string path = idx.paths().Path(pair.path);
      if (IsSprawlConfigPath(path, options.own_config_paths))
        changed.insert(std::move(path));
    }
    result.changed_config.assign(changed.begin(), changed.end());
  }
  TestPause("locations", options.cancel);
  for (const HistoryIndex::Pair& pair : idx.pairs()) {
    if (Cancelled(options.cancel)) {
      result.stats.interrupted = true;
      break;
    }
    const std::string& system = system_of(pair.path);
    const std::string client =
        system.empty() ? client_of(pair.path, idx.blobs()[pair.blob]) : "";
    if (ix.hits[pair.blob] == nullptr && system.empty() && client.empty() &&
        !known[pair.blob]) {
      count(false);
      continue;
    }
    if (excluded(pair.path)) {
      ++result.stats.skipped_ignored;
      continue;
    }
    count(true);
    const std::string path = idx.paths().Path(pair.path);
    GitProvenance prov;
    if (pair.commit != kNoCommit) {
      auto it = commit_info.find(pair.commit);
      if (it == commit_info.end()) {
        it = commit_info
                 .emplace(
                     pair.commit,
                     CommitProvenance(repo, graph.oid(ix.commits[pair.commit]),
                                      diagnostics))
                 .first;
      }
      prov = it->second;
    }
    const git_oid& blob = idx.blobs()[pair.blob];
    prov.blob = GitHex(blob);
    // A location that is only a pipeline version's context (no finding of
    // its own, no known blob, no client file) needs only whether it is at a
    // branch tip; every other one its full ref list.
    const bool reported = ix.hits[pair.blob] != nullptr || known[pair.blob] ||
                          !client.empty() ||
                          pipelines.MayAddFindings(system, blob);
    (reported ? membership : branch_membership)
        .Lookup(path, blob, &prov.refs, &prov.in_head);
    if (known[pair.blob]) result.known_pairs.push_back({prov.blob, path, prov});
    const std::size_t first = result.findings.size();
    const std::vector<Hit> kNone;
    const std::vector<Hit>& hits =
        ix.hits[pair.blob] == nullptr ? kNone : *ix.hits[pair.blob];
    AppendBlobFindings(hits, "git", path, prov, &result.findings);
    if (!system.empty()) {
      Location where;
      where.source = "git";
      where.path = path;
      where.git = prov;
      pipelines.Annotate(system, blob, where, &result.findings, first,
                         AtBranchTip(prov.refs, prov.in_head));
    }
    if (!client.empty()) {
      Location where;
      where.source = "git";
      where.path = path;
      where.git = prov;
      clients.Annotate(client, blob, where, &result.findings, first);
    }
  }
  if (options.progress != nullptr && pending > 0) {
    options.progress->Add(pending, 0);
  }
  pipelines.MoveInto(&result);
  if (Cancelled(options.cancel)) result.stats.interrupted = true;
  clients.MoveInto(&result);
  std::sort(result.findings.begin(), result.findings.end(), FindingLess);
  timer.Mark("locations");
  result.stats.skipped_unreadable += graph.missing_count();
  return result;
}

// The commits a range excludes: A of A..B, the merge bases of A...B.
std::vector<std::string> RangeBase(git_repository* repo,
                                   const std::string& range) {
  std::vector<std::string> out;
  git_revspec spec;
  if (git_revparse(&spec, repo, range.c_str()) != 0) return out;
  GitObjectPtr from(spec.from);
  GitObjectPtr to(spec.to);
  if (!from || !to) return out;
  Result<git_oid> a = PeelCommit(from.get(), range);
  Result<git_oid> b = PeelCommit(to.get(), range);
  if (!a.ok() || !b.ok()) return out;
  if ((spec.flags & GIT_REVSPEC_MERGE_BASE) == 0) {
    out.push_back(GitHex(*a));
    return out;
  }
  git_oidarray bases{};
  if (git_merge_bases(&bases, repo, &*a, &*b) == 0) {
    for (std::size_t i = 0; i < bases.count; ++i) {
      out.push_back(GitHex(bases.ids[i]));
    }
    git_oidarray_dispose(&bases);
  }
  return out;
}

// Tells the secrets a range added from those it inherited: scans the full
// history of the range's base (only when the range found something) and,
// for each range secret also found there, records its digest in
// `inherited` and gives its locations the commit that introduced it in the
// base (the same path's first, else the earliest anywhere). Problems
// reading the base only make a secret look new, never old.
void ClassifyRange(git_repository* repo, const GitScanOptions& options,
                   const Matcher& matcher, Diagnostics* diagnostics,
                   GitScanResult* range) {
  GitScanOptions base = options;
  base.range.clear();
  base.tips = RangeBase(repo, options.range);
  base.exclude = nullptr;
  base.classify_range = false;
  base.skip_blobs = nullptr;
  base.known_secret_blobs = nullptr;
  range->range_classified = true;
  if (base.tips.empty()) return;  // a root commit range: all of it is new
  Diagnostics quiet(nullptr);
  GitScanResult base_result;
  base_result.root = range->root;
  Result<GitScanResult> scanned =
      ScanHistory(repo, base, matcher, &quiet, std::move(base_result));
  if (quiet.warnings() + quiet.errors() > 0) {
    diagnostics->Note(
        "", std::to_string(quiet.warnings() + quiet.errors()) +
                " problem(s) reading the history of the range's base; a "
                "secret it holds there may be reported as new");
  }
  if (!scanned.ok()) {
    range->range_classified = false;
    return;
  }
  if (scanned->stats.interrupted) {
    range->stats.interrupted = true;
    range->range_classified = false;
    return;
  }
  std::unordered_map<std::string, std::vector<const Finding*>> in_base;
  for (const Finding& f : scanned->findings) {
    if (f.location.git) in_base[Sha256Hex(f.secret)].push_back(&f);
  }
  for (Finding& f : range->findings) {
    const std::string digest = Sha256Hex(f.secret);
    auto it = in_base.find(digest);
    if (it == in_base.end()) continue;
    range->inherited.insert(digest);
    if (!f.location.git) continue;
    const Finding* best = nullptr;
    for (int same_path = 1; same_path >= 0 && best == nullptr; --same_path) {
      for (const Finding* b : it->second) {
        if (same_path == 1 && b->location.path != f.location.path) continue;
        if (best == nullptr ||
            b->location.git->date < best->location.git->date) {
          best = b;
        }
      }
    }
    GitProvenance& to = *f.location.git;
    const GitProvenance& from = *best->location.git;
    to.commit = from.commit;
    to.author = from.author;
    to.author_email = from.author_email;
    to.date = from.date;
    to.summary = from.summary;
  }
}

}  // namespace

Result<GitScanResult> ScanGitHistory(const GitScanOptions& options,
                                     const Matcher& matcher,
                                     Diagnostics* diagnostics) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, options.repo_path.c_str(), 0, nullptr) !=
      0) {
    return Error{options.repo_path + ": not a git repository"};
  }
  GitRepoPtr repo(raw);
  // Before libgit2 reads any object: packs it could crash or hang on are
  // named and left out, and their objects counted as unread.
  if (Status s = GuardRepository(raw, options.verified_pack_dir); !s.ok()) {
    return s.error();
  }
  GitScanResult result;
  ReportObjectStore(
      *CheckObjectStore(std::string(git_repository_commondir(raw)) + "objects",
                        options.verified_pack_dir),
      diagnostics, &result.stats);
  const char* workdir = git_repository_workdir(raw);
  result.root =
      StripSlash(workdir != nullptr ? workdir : git_repository_path(raw));
  result.full_history = options.range.empty() && !options.staged;
  GitScanOptions opts = options;
  if (opts.threads <= 0) {
    opts.threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  if (opts.staged) {
    return ScanStaged(raw, opts, matcher, diagnostics, std::move(result));
  }
  if (git_repository_is_shallow(raw) == 1) {
    result.shallow = true;
    diagnostics->Warn(result.root,
                      "shallow clone: history before the graft is not scanned");
  }
  Result<GitScanResult> scanned =
      ScanHistory(raw, opts, matcher, diagnostics, std::move(result));
  if (scanned.ok() && opts.range.empty() && !scanned->stats.interrupted &&
      scanned->stats.files_scanned == 0 && scanned->stats.commits == 0 &&
      scanned->stats.skipped_unreadable == 0 &&
      git_repository_is_empty(raw) == 0) {
    // References exist, yet not one commit or blob could be read (a
    // truncated or missing pack): nothing here may pass for clean.
    ++scanned->stats.skipped_unreadable;
    diagnostics->Warn(scanned->root,
                      "the repository has references but no commit or blob "
                      "could be read; its history was not scanned");
  }
  if (scanned.ok() && !opts.range.empty() && opts.classify_range &&
      !scanned->stats.interrupted) {
    if (scanned->findings.empty()) {
      scanned->range_classified = true;
    } else {
      ClassifyRange(raw, opts, matcher, diagnostics, &*scanned);
    }
  }
  return scanned;
}

}  // namespace sprawl
