#include "scanner/findings/pairing.h"
#include "scanner/sweep/sweep.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include <unistd.h>

#include "scanner/base/dir_fd.h"
#include "scanner/base/redact.h"
#include "scanner/base/url_userinfo.h"
#include "scanner/findings/credential.h"
#include "scanner/findings/report_builder.h"
#include "scanner/git/ref_files.h"
#include "scanner/git/ref_signature.h"
#include "scanner/base/redact.h"
#include "scanner/clients/client_files.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/scan/git_scan.h"
#include "scanner/sources/git_mirror.h"
#include "scanner/sweep/isolated_run.h"
#include "scanner/sweep/partial_clone.h"
#include "scanner/sweep/repo_inventory.h"
#include "scanner/sweep/sweep_diagnostics.h"

namespace sprawl {
namespace {

struct Outcome {
  RepositoryEntry entry;
  ScanStats stats;
};

// Shared by the repository workers; `mu` guards the datastore and counters.
struct SweepContext {
  const SweepOptions& options;
  LazyMatcher* matcher;  // built by the first repository that changed
  Datastore* store;
  Diagnostics* diagnostics;
  int64_t sweep_id;
  int threads_per_repo;
  std::mutex mu;
  int commits = 0;
  // The first error that fails the whole sweep: the datastore's, or rules
  // that do not build.
  Status fatal_error;
  // Every repository row of the datastore, read once at the start.
  std::unordered_map<std::string, StoredRepository> previous;
  // Unchanged repositories are recorded in batches: they carry nothing a
  // crash could lose, and one transaction each was most of the cost of a
  // sweep with no new commits.
  std::vector<StoredRepository> unchanged;
  // options.root, open (nullptr = none): repositories below it are opened
  // relative to it, sparing the walk of its path for each one.
  const DirFd* root = nullptr;
  // With options.isolate: held shared by a worker while it calls libgit2
  // in this process (mirror updates), and exclusively (with `mu`, which
  // every datastore access holds) across each fork, so no child inherits a
  // lock another thread held.
  std::shared_mutex fork_guard;
};

// Large enough that a sweep of a few thousand repositories flushes once, at
// the end: a flush holds the lock every worker commits under.
constexpr std::size_t kUnchangedBatch = 4096;

// Writes the pending unchanged rows; the caller holds ctx->mu.
void FlushUnchanged(SweepContext* ctx) {
  if (ctx->unchanged.empty()) return;
  Status s = ctx->store->CommitUnchanged(ctx->sweep_id, ctx->unchanged);
  if (!s.ok() && ctx->fatal_error.ok()) ctx->fatal_error = s;
  ctx->unchanged.clear();
}

std::string TipsJson(
    const std::vector<std::pair<std::string, std::string>>& tips) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, oid] : tips) j[name] = oid;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<StoredCredential> ToStored(std::vector<Finding> findings,
                                       const std::string& repo,
                                       const Matcher& matcher,
                                       const SweepOptions& options) {
  const auto& rules = matcher.rules();
  std::vector<StoredCredential> out;
  std::vector<Credential> credentials = GroupCredentials(
      std::move(findings), rules, Fingerprinter(options.fingerprint_key));
  // Identifier parts join their secrets; the datastore keeps no identifier.
  PairCredentials(rules, &credentials);
  for (Credential& c : credentials) {
    ReportedCredential row = ReportRow(std::move(c), rules, false);
    StoredCredential s;
    s.fingerprint = std::move(row.fingerprint);
    s.rule = std::move(row.rule);
    s.rule_name = std::move(row.rule_name);
    s.provider = std::move(row.provider);
    s.category = std::move(row.category);
    s.confidence = std::move(row.confidence);
    s.redacted = std::move(row.redacted);
    s.also_matched = std::move(row.also_matched);
    s.locations = std::move(row.locations);
    for (Location& l : s.locations) l.repo = repo;
    out.push_back(std::move(s));
  }
  return out;
}

// What a scan of `repo` adds to the datastore. New blobs are left out: the
// caller decides whether the scan was whole enough to record them.
RepositoryScan ToRepositoryScan(GitScanResult* result, const std::string& repo,
                                const Matcher& matcher,
                                const SweepOptions& options) {
  RepositoryScan scan;
  scan.found = ToStored(std::move(result->findings), repo, matcher, options);
  for (KnownBlobPair& pair : result->known_pairs) {
    std::string system = PipelineSystemForPath(pair.path);
    std::string client = ClientForPath(pair.path);
    scan.known.push_back({std::move(pair.path), std::move(pair.git),
                          std::move(system), std::move(client)});
  }
  scan.references = std::move(result->references);
  scan.pipeline_findings = std::move(result->pipeline_findings);
  return scan;
}

// The repository's incremental state: blobs already read, and those of them
// that hold located secrets. False (with `error`) when the store fails.
bool LoadIncremental(SweepContext* ctx, const std::string& repo,
                     std::unordered_set<std::string>* skip,
                     std::unordered_set<std::string>* known,
                     std::string* error) {
  std::lock_guard<std::mutex> lock(ctx->mu);
  auto blobs = ctx->store->ScannedBlobs(repo);
  if (!blobs.ok()) {
    *error = blobs.error().message;
    return false;
  }
  auto secret = ctx->store->SecretBlobs(repo);
  if (!secret.ok()) {
    *error = secret.error().message;
    return false;
  }
  *skip = std::move(blobs).value();
  *known = std::move(secret).value();
  return true;
}

// Commits one repository's row (and what its scan adds) under the lock.
void Commit(SweepContext* ctx, const StoredRepository& row,
            const RepositoryScan& scan) {
  std::lock_guard<std::mutex> lock(ctx->mu);
  if (row.status == "unchanged") {
    ctx->unchanged.push_back(row);
    if (ctx->unchanged.size() >= kUnchangedBatch) FlushUnchanged(ctx);
    return;
  }
  Status s = ctx->store->CommitRepository(ctx->sweep_id, row, scan);
  if (!s.ok()) {
    if (ctx->fatal_error.ok()) ctx->fatal_error = s;
    return;
  }
  ++ctx->commits;
  if (ctx->options.abort_after_commits > 0 &&
      ctx->commits >= ctx->options.abort_after_commits) {
    std::_Exit(75);  // test hook: a crash right after a commit
  }
}

// Records `row` with `status` and `error` (plus what `scan` adds) and fills
// the outcome; the shared end of every path below.
Outcome Finish(const SweepTarget& target, SweepContext* ctx, Outcome out,
               StoredRepository row, const std::string& status,
               const std::string& error, const RepositoryScan& scan,
               std::chrono::steady_clock::time_point start) {
  out.entry.status = status;
  out.entry.error = error;
  row.status = status;
  row.error = error;
  row.blobs_scanned = out.entry.blobs_scanned;
  row.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  if (status == "failed") ctx->diagnostics->Warn(target.key, error);
  Commit(ctx, row, scan);
  return out;
}

// What libgit2 reads of one repository (its refs, then its history), and
// the commit of the result: the part a corrupt object store can crash or
// hang, run in a child process when the sweep isolates repositories.
// `file_tips_json` and `signature`: what the ref files said, if anything.
Outcome ScanRepository(const SweepTarget& target, const std::string& path,
                       StoredRepository row, const std::string& file_tips_json,
                       const RefSignature& signature,
                       const StoredRepository* previous,
                       const Matcher& matcher, SweepContext* ctx,
                       std::chrono::steady_clock::time_point start) {
  Outcome out;
  out.entry.repo = target.key;
  auto finish = [&](const std::string& status, const std::string& error,
                    const RepositoryScan& scan) {
    return Finish(target, ctx, out, row, status, error, scan, start);
  };
  const bool reusable =
      previous != nullptr &&
      (previous->status == "scanned" || previous->status == "unchanged");
  auto tips = ReadRefTips(path);
  if (!tips.ok()) return finish("failed", tips.error().message, {});
  if (tips->empty()) {
    return finish("skipped", "empty repository: no refs", {});
  }
  const std::string tips_json = TipsJson(*tips);
  // Whenever the tips are read, so is the repository's own inventory at
  // HEAD: stored with the row, it stands while the tips do.
  OwnInventory own = ReadOwnInventory(path, target.key,
                                      ctx->options.fingerprint_key.has_value());
  row.inventory = std::move(own.text);
  row.inventory_error = std::move(own.error);
  // A signature stands for these tips only when the ref files, read before
  // libgit2 was asked, said the same.
  std::string signature_text;
  if (tips_json == file_tips_json) signature_text = signature.Encode();
  if (reusable && previous->ref_tips == tips_json) {
    row.ref_tips = tips_json;
    row.ref_signature = std::move(signature_text);
    return finish("unchanged", "", {});
  }
  std::unordered_set<std::string> skip;
  std::unordered_set<std::string> known;
  if (std::string error;
      !LoadIncremental(ctx, target.key, &skip, &known, &error)) {
    return finish("failed", error, {});
  }

  GitScanOptions scan;
  scan.repo_path = path;
  scan.threads = ctx->threads_per_repo;
  scan.max_blob_size = ctx->options.max_blob_size;
  scan.limits = ctx->options.limits;
  scan.exclude = ctx->options.exclude;
  scan.cancel = ctx->options.cancel;
  scan.skip_blobs = &skip;
  scan.known_secret_blobs = &known;
  Diagnostics local(nullptr, true);
  auto result = ScanGitHistory(scan, matcher, &local);
  const bool partial = IsPartialClone(path);
  Forward(local, target.key, ctx->diagnostics, partial);
  if (!result.ok()) return finish("failed", result.error().message, {});
  out.stats = result->stats;
  out.entry.blobs_scanned = result->scanned_blobs.size();
  if (result->stats.interrupted) {
    // Nothing of a half-scanned repository is committed.
    out.entry.status = "skipped";
    out.entry.error = "sweep interrupted";
    return out;
  }
  // A problem with one file's content (malformed pipeline YAML, a blob over
  // the size limit) is a diagnostic; only objects that cannot be read make
  // a repository incomplete.
  const uint64_t unreadable = result->stats.skipped_unreadable;
  const int object_problems = ObjectProblems(local);
  RepositoryScan adds =
      ToRepositoryScan(&*result, target.key, matcher, ctx->options);
  std::string note;
  if (partial && (unreadable > 0 || object_problems > 0)) {
    // A partial clone lacks objects by design: what it holds is scanned
    // and recorded (so an unchanged rerun reads nothing), with a note.
    note = "partial clone: " + std::to_string(unreadable) +
           " blob(s) not present locally were not scanned";
    if (object_problems > static_cast<int>(unreadable)) {
      note += " (and other objects missing: " + FirstProblem(local) + ")";
    }
    ctx->diagnostics->Warn(target.key, note);
  } else if (local.errors() > 0 || unreadable > 0 || object_problems > 0) {
    // Unreadable objects: keep what was found, but record no tips and no
    // blobs, so the next sweep scans this repository again.
    return finish("failed", "corrupt repository: " + FirstProblem(local),
                  adds);
  }
  row.ref_tips = tips_json;
  row.ref_signature = std::move(signature_text);
  adds.new_blobs = std::move(result->scanned_blobs);
  return finish("scanned", note, adds);
}

// ScanRepository in a child process with its own datastore connection,
// under the --repo-timeout budget: a crash or a hang there is this
// repository's `failed`, with the reason, and the sweep goes on.
Outcome ScanRepositoryIsolated(const SweepTarget& target,
                               const std::string& path, StoredRepository row,
                               const std::string& file_tips_json,
                               const RefSignature& signature,
                               const StoredRepository* previous,
                               const Matcher& matcher, SweepContext* ctx,
                               std::chrono::steady_clock::time_point start) {
  const SweepOptions& options = ctx->options;
  auto work = [&]() -> IsolatedReport {
    IsolatedReport report;
    if (!options.test_crash_repo.empty() && target.key == options.test_crash_repo) {
      std::abort();  // test hook: a scan that crashes
    }
    if (!options.test_hang_repo.empty() && target.key == options.test_hang_repo) {
      for (;;) ::pause();  // test hook: a scan that never ends
    }
    Diagnostics diagnostics(nullptr, true);
    auto store = Datastore::Open(options.datastore_path, /*create=*/false);
    if (!store.ok()) {
      report.status = "fatal";
      report.error = store.error().message;
      return report;
    }
    SweepContext child{options,     ctx->matcher,   &*store,
                       &diagnostics, ctx->sweep_id, ctx->threads_per_repo,
                       {},          0,              Status::Ok(),
                       {},          {},             ctx->root,
                       {}};
    Outcome o = ScanRepository(target, path, row, file_tips_json, signature,
                               previous, matcher, &child, start);
    FlushUnchanged(&child);
    report.status = child.fatal_error.ok() ? o.entry.status : "fatal";
    report.error =
        child.fatal_error.ok() ? o.entry.error : child.fatal_error.error().message;
    report.blobs_scanned = o.entry.blobs_scanned;
    report.stats = o.stats;
    report.diagnostics = diagnostics.Text();
    return report;
  };
  IsolatedOutcome isolated = RunIsolated(
      work, options.repo_timeout_seconds,
      [ctx] {
        ctx->fork_guard.lock();
        ctx->mu.lock();
      },
      [ctx] {
        ctx->mu.unlock();
        ctx->fork_guard.unlock();
      });
  if (!isolated.completed) {
    Outcome out;
    out.entry.repo = target.key;
    row.ref_tips.clear();
    row.ref_signature = "";
    return Finish(target, ctx, out, row, "failed", isolated.failure, {},
                  start);
  }
  const IsolatedReport& r = isolated.report;
  ForwardText(r.diagnostics, "", ctx->diagnostics);
  Outcome out;
  out.entry = {target.key, r.status, r.blobs_scanned, r.error};
  out.stats = r.stats;
  if (r.status == "fatal") {
    std::lock_guard<std::mutex> lock(ctx->mu);
    if (ctx->fatal_error.ok()) ctx->fatal_error = Error{r.error};
    out.entry.status = "failed";
  }
  return out;
}

Outcome SweepOne(const SweepTarget& target, SweepContext* ctx) {
  const auto start = std::chrono::steady_clock::now();
  Outcome out;
  out.entry.repo = target.key;
  StoredRepository row;
  row.repo = target.key;
  // A URL's token stays out of the datastore (the key has none either).
  row.source = target.remote ? StripUrlUserinfo(target.location)
                             : target.location;
  row.ref_signature = "";  // none, unless the tips are read and signed
  auto finish = [&](const std::string& status, const std::string& error,
                    const RepositoryScan& scan) {
    return Finish(target, ctx, out, row, status, error, scan, start);
  };
  std::string path = target.location;
  if (target.remote) {
    std::shared_lock<std::shared_mutex> no_fork(ctx->fork_guard);
    auto mirror = UpdateMirror(ctx->options.cache_dir, target.location);
    if (!mirror.ok()) return finish("failed", mirror.error().message, {});
    path = *mirror;
  }
  // Read-only while the workers run.
  const StoredRepository* previous = nullptr;
  if (auto it = ctx->previous.find(target.key); it != ctx->previous.end()) {
    previous = &it->second;
  }
  // A row from before the own inventory was recorded (schema 5) takes the
  // libgit2 path once, which reads it.
  const bool reusable =
      previous != nullptr &&
      (previous->status == "scanned" || previous->status == "unchanged") &&
      previous->inventory.has_value();
  const bool below_root = ctx->root != nullptr && !target.remote;
  const DirFd* base = below_root ? ctx->root : nullptr;
  const std::string& ref_path = below_root ? target.key : path;
  // The common case of a periodic sweep, answered by a stat of each ref
  // file and directory read last time (see ref_signature.h).
  if (reusable && previous->ref_signature) {
    if (auto sig = RefSignature::Decode(*previous->ref_signature);
        sig &&
        SignatureHolds(*sig, ref_path, base, ctx->options.racy_margin_ns)) {
      row.ref_tips = previous->ref_tips;
      row.ref_signature.reset();  // stored already
      return finish("unchanged", "", {});
    }
  }
  // Else from the ref files alone; signed again, so that the stat suffices
  // next time.
  RefSignature signature;
  std::string file_tips_json;
  if (auto fast = ReadRefTipsFromFiles(ref_path, base, &signature);
      fast && !fast->empty()) {
    file_tips_json = TipsJson(*fast);
    if (reusable && previous->ref_tips == file_tips_json) {
      row.ref_tips = file_tips_json;
      row.ref_signature = signature.Encode();
      return finish("unchanged", "", {});
    }
  }
  if (std::error_code ec;
      !target.remote && !std::filesystem::is_directory(path, ec)) {
    return finish("failed", "no such directory: " + path, {});
  }
  // Built here, before any fork, and shared read-only.
  auto matcher = ctx->matcher->Get();
  if (!matcher.ok()) {
    std::lock_guard<std::mutex> lock(ctx->mu);
    if (ctx->fatal_error.ok()) ctx->fatal_error = matcher.error();
    out.entry.status = "failed";
    out.entry.error = matcher.error().message;
    return out;  // the sweep fails: nothing is committed for this one
  }
  if (ctx->options.isolate) {
    return ScanRepositoryIsolated(target, path, row, file_tips_json,
                                  signature, previous, **matcher, ctx, start);
  }
  return ScanRepository(target, path, row, file_tips_json, signature,
                        previous, **matcher, ctx, start);
}

}  // namespace

Result<int64_t> PreviousFinishedSweep(Datastore* store, int64_t before) {
  auto sweeps = store->Sweeps();
  if (!sweeps.ok()) return sweeps.error();
  int64_t best = 0;
  for (const SweepRecord& s : *sweeps) {
    if (s.id < before && !s.finished.empty()) best = std::max(best, s.id);
  }
  return best;
}

Result<SweepResult> RunSweep(const SweepOptions& options, LazyMatcher* matcher,
                             Datastore* store, Diagnostics* diagnostics) {
  SweepResult result;
  auto id = store->BeginSweep();
  if (!id.ok()) return id.error();
  result.sweep_id = *id;
  auto previous = PreviousFinishedSweep(store, result.sweep_id);
  if (!previous.ok()) return previous.error();
  result.previous_sweep = *previous;

  int threads =
      options.threads > 0
          ? options.threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::size_t n = options.targets.size();
  // Many small repositories: one worker per thread, one thread each; few
  // large ones: the threads are split among them.
  const int workers = static_cast<int>(std::max<std::size_t>(
      1, std::min<std::size_t>(static_cast<std::size_t>(threads), n)));
  SweepContext ctx{options,
                   matcher,
                   store,
                   diagnostics,
                   result.sweep_id,
                   std::max(1, threads / workers),
                   {},
                   0,
                   Status::Ok(),
                   {},
                   {},
                   nullptr,
                   {}};
  std::optional<DirFd> root;
  if (!options.root.empty()) {
    root = DirFd::Open(options.root, nullptr, /*follow_link=*/true);
    if (root->ok()) ctx.root = &*root;
  }
  auto rows = store->Repositories();
  if (!rows.ok()) return rows.error();
  for (StoredRepository& r : *rows) {
    std::string key = r.repo;
    ctx.previous.emplace(std::move(key), std::move(r));
  }
  std::vector<Outcome> outcomes(n);
  if (options.progress != nullptr) {
    options.progress->BeginPhase("repositories", n, true);
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      const SweepTarget& t = options.targets[i];
      if (options.cancel != nullptr && options.cancel->load()) {
        outcomes[i].entry = {t.key, "skipped", 0, "sweep interrupted"};
        continue;
      }
      outcomes[i] = SweepOne(t, &ctx);
      if (options.progress != nullptr) {
        options.progress->Add(1, outcomes[i].stats.bytes_scanned);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  FlushUnchanged(&ctx);
  if (!ctx.fatal_error.ok()) return ctx.fatal_error.error();

  for (Outcome& o : outcomes) {
    result.stats += o.stats;
    result.interrupted =
        result.interrupted || o.entry.error == "sweep interrupted";
    result.repositories.push_back(std::move(o.entry));
  }
  std::sort(result.repositories.begin(), result.repositories.end(),
            [](const RepositoryEntry& a, const RepositoryEntry& b) {
              return a.repo < b.repo;
            });
  result.stats.interrupted = result.interrupted;
  if (!result.interrupted) {
    Status s = store->FinishSweep(result.sweep_id);
    if (!s.ok()) return s.error();
  }
  return result;
}

}  // namespace sprawl
