#include "scanner/sweep/sweep.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "scanner/base/dir_fd.h"
#include "scanner/findings/credential.h"
#include "scanner/findings/report_builder.h"
#include "scanner/git/ref_files.h"
#include "scanner/git/ref_signature.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/scan/git_scan.h"
#include "scanner/sources/git_mirror.h"
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
  for (Credential& c :
       GroupCredentials(std::move(findings), rules,
                        Fingerprinter(options.fingerprint_key))) {
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
    scan.known.push_back(
        {std::move(pair.path), std::move(pair.git), std::move(system)});
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

Outcome SweepOne(const SweepTarget& target, SweepContext* ctx) {
  const auto start = std::chrono::steady_clock::now();
  Outcome out;
  out.entry.repo = target.key;
  StoredRepository row;
  row.repo = target.key;
  row.source = target.location;
  row.ref_signature = "";  // none, unless the tips are read and signed
  auto finish = [&](const std::string& status, const std::string& error,
                    const RepositoryScan& scan) {
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
  };
  std::string path = target.location;
  if (target.remote) {
    auto mirror = UpdateMirror(ctx->options.cache_dir, target.location);
    if (!mirror.ok()) return finish("failed", mirror.error().message, {});
    path = *mirror;
  }
  // Read-only while the workers run.
  const StoredRepository* previous = nullptr;
  if (auto it = ctx->previous.find(target.key); it != ctx->previous.end()) {
    previous = &it->second;
  }
  const bool reusable =
      previous != nullptr &&
      (previous->status == "scanned" || previous->status == "unchanged");
  auto unchanged = [&](const std::string& tips_json) {
    return reusable && previous->ref_tips == tips_json;
  };
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
    if (unchanged(file_tips_json)) {
      row.ref_tips = file_tips_json;
      row.ref_signature = signature.Encode();
      return finish("unchanged", "", {});
    }
  }
  if (std::error_code ec;
      !target.remote && !std::filesystem::is_directory(path, ec)) {
    return finish("failed", "no such directory: " + path, {});
  }
  auto tips = ReadRefTips(path);
  if (!tips.ok()) return finish("failed", tips.error().message, {});
  if (tips->empty()) {
    return finish("skipped", "empty repository: no refs", {});
  }
  const std::string tips_json = TipsJson(*tips);
  // A signature stands for these tips only when the ref files, read before
  // libgit2 was asked, said the same.
  std::string signature_text;
  if (tips_json == file_tips_json) signature_text = signature.Encode();
  if (unchanged(tips_json)) {
    row.ref_tips = tips_json;
    row.ref_signature = std::move(signature_text);
    return finish("unchanged", "", {});
  }
  auto matcher = ctx->matcher->Get();
  if (!matcher.ok()) {
    std::lock_guard<std::mutex> lock(ctx->mu);
    if (ctx->fatal_error.ok()) ctx->fatal_error = matcher.error();
    out.entry.status = "failed";
    out.entry.error = matcher.error().message;
    return out;  // the sweep fails: nothing is committed for this one
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
  scan.cancel = ctx->options.cancel;
  scan.skip_blobs = &skip;
  scan.known_secret_blobs = &known;
  Diagnostics local(nullptr, true);
  auto result = ScanGitHistory(scan, **matcher, &local);
  Forward(local, target.key, ctx->diagnostics);
  if (!result.ok()) return finish("failed", result.error().message, {});
  out.stats = result->stats;
  out.entry.blobs_scanned = result->scanned_blobs.size();
  if (result->stats.interrupted) {
    // Nothing of a half-scanned repository is committed.
    out.entry.status = "skipped";
    out.entry.error = "sweep interrupted";
    return out;
  }
  // Unreadable objects: keep what was found, but record no tips and no
  // blobs, so the next sweep scans this repository again.
  const int expected = static_cast<int>(result->stats.skipped_too_large) +
                       (result->shallow ? 1 : 0);
  const bool damaged = result->stats.skipped_unreadable > 0 ||
                       local.errors() > 0 || local.warnings() > expected;
  RepositoryScan adds =
      ToRepositoryScan(&*result, target.key, **matcher, ctx->options);
  if (damaged) {
    return finish("failed", "corrupt repository: " + FirstProblem(local), adds);
  }
  row.ref_tips = tips_json;
  row.ref_signature = std::move(signature_text);
  adds.new_blobs = std::move(result->scanned_blobs);
  return finish("scanned", "", adds);
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
                   nullptr};
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
