#include "cli/sweep.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "cli/app.h"
#include "scanner/base/file_lock.h"
#include "scanner/base/text.h"
#include "scanner/config/config.h"
#include "scanner/datastore/datastore.h"
#include "scanner/findings/report_builder.h"
#include "scanner/inventory/dates.h"
#include "scanner/report/assemble_report.h"
#include "scanner/sweep/dir_listing.h"
#include "scanner/sweep/git_common_dir.h"
#include "scanner/sweep/store_report.h"
#include "scanner/sweep/sweep.h"
#include "scanner/sweep/sweep_reconcile.h"

namespace sprawl {

struct SweepCommands {
  CLI::App* sweep = nullptr;
  CLI::App* report = nullptr;
  CLI::App* merge = nullptr;
  // sweep
  std::string root;
  std::string repos;
  std::string datastore = ".sprawl/sweep.db";
  std::string cache_dir = ".sprawl/mirrors";
  std::string shard;
  std::string max_blob_size;
  int64_t repo_timeout = 3600;
  bool no_repo_inventory = false;  // sweep and report
  // report
  std::string report_datastore;
  std::vector<std::string> status, provider, repo;
  std::string since;
  // merge
  std::string merge_out;
  std::vector<std::string> merge_in;
};

namespace {

// Reconciles a stored report against the inventory by the policy of the
// flags, as AssembleReport does for a single scan, and against the own
// inventory each of `repositories` recorded (none with --no-repo-inventory;
// see ReconcileSweep).
Status ReconcileReport(const CommonOptions& common, const Inventory& inventory,
                       bool full_scan,
                       const std::vector<StoredRepository>& repositories,
                       Report* report, Diagnostics* diagnostics) {
  auto policy = MakeReportPolicy(common.fail_on, common.now, false,
                                 common.min_confidence);
  if (!policy.ok()) return policy.error();
  ReconcileOptions rec;
  rec.today = policy->today;
  rec.full_scan = full_scan;
  rec.fail_on = policy->fail_on;
  rec.min_confidence = policy->min_confidence;
  ReconcileSweep(inventory, repositories, rec, report, diagnostics);
  return Status::Ok();
}

// The rows whose own inventories apply: those of `keys` (nullptr = all),
// none with --no-repo-inventory.
Result<std::vector<StoredRepository>> OwnInventoryRows(
    bool disabled, Datastore* store,
    const std::unordered_set<std::string>* keys) {
  std::vector<StoredRepository> rows;
  if (disabled) return rows;
  auto all = store->Repositories();
  if (!all.ok()) return all.error();
  for (StoredRepository& r : *all) {
    if (keys == nullptr || keys->count(r.repo) > 0) rows.push_back(std::move(r));
  }
  return rows;
}

// Config of `root` folded under the flags, then validation.
Result<Config> PrepareCommon(const std::string& root, CommonOptions* common) {
  auto config = LoadConfigForRoot(root);
  if (!config.ok()) return config.error();
  if (common->threads < 0) common->threads = config->threads.value_or(0);
  if (common->fail_on.empty() && config->fail_on)
    common->fail_on = *config->fail_on;
  if (common->min_confidence.empty() && config->min_confidence)
    common->min_confidence = *config->min_confidence;
  for (const auto& r : config->rules) common->rules.push_back(r);
  if (std::string bad = ValidateCommon(*common); !bad.empty())
    return Error{bad};
  return config;
}

std::optional<std::string> FingerprintKey() {
  if (const char* k = std::getenv("SPRAWL_FINGERPRINT_KEY"); k && *k) return k;
  return std::nullopt;
}

int RunSweepCommand(const SweepCommands& a, CommonOptions common) {
  if (a.root.empty() == a.repos.empty()) {
    return FailWith("sweep: give exactly one of --root DIR or --repos FILE");
  }
  Diagnostics diagnostics(stderr, common.verbose);
  if (Status out = CheckOutputWritable(common.output, true); !out.ok()) {
    return FailWith(out.error().message);
  }
  const std::string root = a.root.empty() ? "." : a.root;
  auto config = PrepareCommon(root, &common);
  if (!config.ok()) return FailWith(config.error().message);
  if (common.show_secrets) {
    diagnostics.Warn("",
                     "--show-secrets: a datastore never holds raw secrets;"
                     " previews only");
  }
  SweepOptions options;
  if (const char* n = std::getenv("SPRAWL_TEST_RACY_MARGIN_MS"); n && *n) {
    options.racy_margin_ns = int64_t{std::atoi(n)} * 1000000;
  }
  // An existing datastore is opened before discovery, which reuses the
  // directory listings it recorded; a new one is only created once the
  // flags, rules and targets are known to be good.
  std::optional<Datastore> store;
  DirListings listed_before, listed_now;
  if (!a.root.empty() && std::filesystem::exists(a.datastore)) {
    auto opened = Datastore::Open(a.datastore, /*create=*/false);
    if (!opened.ok()) return FailWith(opened.error().message);
    store.emplace(std::move(opened).value());
    Status loaded = LoadDirListings(&*store, a.root, &listed_before);
    if (!loaded.ok()) return FailWith(loaded.error().message);
  }
  DiscoveryOptions discovery;
  discovery.threads = common.threads;
  discovery.previous = &listed_before;
  discovery.seen = &listed_now;
  discovery.racy_margin_ns = options.racy_margin_ns;
  std::vector<std::pair<std::string, std::string>> unreadable;
  discovery.unreadable = &unreadable;
  auto targets = a.root.empty() ? ReadRepositoryList(a.repos)
                                : FindRepositories(a.root, discovery);
  if (!targets.ok()) return FailWith(targets.error().message);
  // Not silent: a directory discovery could not read may hide repositories.
  for (const auto& [rel, why] : unreadable) {
    diagnostics.Warn(
        EscapeForDisplay((std::filesystem::path(a.root) / rel).string()),
        "cannot read this directory (" + why +
            "): repositories below it are not swept");
  }
  options.targets = std::move(targets).value();
  // A linked work tree, or a work tree whose .git is a gitdir file, is the
  // repository it shares objects and refs with: swept once, under the
  // first key.
  for (const auto& [dup, of] : DropSameRepository(&options.targets)) {
    diagnostics.Note(dup, "same repository as " + EscapeForDisplay(of) +
                              " (a linked work tree); swept once, as " +
                              EscapeForDisplay(of));
  }
  options.root = a.root;
  if (!a.shard.empty()) {
    auto shard = ParseShard(a.shard);
    if (!shard.ok()) return FailWith(shard.error().message);
    std::erase_if(options.targets, [&](const SweepTarget& t) {
      return !InShard(t.key, *shard);
    });
  }
  auto inventory = ResolveInventory(common, root, config->inventory);
  if (!inventory.ok()) return FailWith(inventory.error().message);
  if (!a.max_blob_size.empty()) {
    auto size = ParseByteSize(a.max_blob_size);
    if (!size.ok()) return FailWith("--max-blob-size: " + size.error().message);
    options.max_blob_size = *size;
  } else if (config->max_blob_size) {
    options.max_blob_size = *config->max_blob_size;
  }
  auto limits = ResolveLimits(common, *config);
  if (!limits.ok()) return FailWith(limits.error().message);
  options.limits = *limits;
  // --exclude and the sweep root's `exclude:` (the operator's, trusted).
  IgnoreRules exclude;
  for (const auto& glob : config->exclude) exclude.AddPattern("", glob);
  for (const auto& glob : common.exclude) exclude.AddPattern("", glob);
  options.exclude = &exclude;
  // Loaded when the first repository needs a scan: none may.
  auto build = PrepareMatcher(common, &diagnostics);
  if (!build.ok()) return FailWith(build.error().message);
  LazyMatcher matcher(std::move(build).value());
  if (!store) {
    auto created = Datastore::Open(a.datastore, /*create=*/true);
    if (!created.ok()) return FailWith(created.error().message);
    store.emplace(std::move(created).value());
  }
  // One sweep at a time per datastore.
  auto lock = FileLock::Try(a.datastore + ".lock");
  if (!lock.ok()) return FailWith(lock.error().message);
  if (!*lock) {
    return FailWith(a.datastore +
                    ": another sweep is writing this datastore; wait for it "
                    "to finish, or give this one its own --datastore (then "
                    "`sprawl merge` them)");
  }
  if (!a.root.empty()) {
    Status saved = SaveDirListings(&*store, a.root, listed_before, listed_now);
    if (!saved.ok()) return FailWith(saved.error().message);
  }

  options.cache_dir = a.cache_dir;
  options.threads = common.threads;
  options.fingerprint_key = FingerprintKey();
  options.cancel = InstallInterruptHandler();
  if (const char* n = std::getenv("SPRAWL_TEST_ABORT_AFTER_COMMITS"); n && *n) {
    options.abort_after_commits = std::atoi(n);
  }
  // Each repository's scan in a child process under a time budget (the
  // resume test hook needs the crash to take the whole process down).
  options.isolate = options.abort_after_commits == 0;
  options.datastore_path = a.datastore;
  options.repo_timeout_seconds = a.repo_timeout;
  if (const char* k = std::getenv("SPRAWL_TEST_SWEEP_CRASH"); k && *k) {
    options.test_crash_repo = k;
  }
  if (const char* k = std::getenv("SPRAWL_TEST_SWEEP_HANG"); k && *k) {
    options.test_hang_repo = k;
  }
  ScanProgress progress;
  options.progress = &progress;
  auto swept = [&] {
    ProgressPrinter printer(&progress);
    return RunSweep(options, &matcher, &*store, &diagnostics);
  }();
  if (!swept.ok()) return FailWith(swept.error().message);

  std::unordered_set<std::string> keys;
  for (const auto& t : options.targets) keys.insert(t.key);
  StoreReportOptions ro;
  ro.repos = &keys;
  ro.new_after_sweep = swept->previous_sweep;
  ro.with_repositories = false;  // swept->repositories, just below
  auto report = ReportFromStore(&*store, "sweep", ro);
  if (!report.ok()) return FailWith(report.error().message);
  report->repositories = swept->repositories;
  report->stats = swept->stats;
  auto own = OwnInventoryRows(a.no_repo_inventory, &*store, &keys);
  if (!own.ok()) return FailWith(own.error().message);
  Status s = ReconcileReport(common, *inventory,
                             a.shard.empty() && !swept->interrupted, *own,
                             &*report, &diagnostics);
  if (!s.ok()) return FailWith(s.error().message);
  report->diagnostics = diagnostics.warnings() + diagnostics.errors();
  return EmitReport(common, *report);
}

bool Listed(const std::vector<std::string>& filter, const std::string& value) {
  return filter.empty() ||
         std::find(filter.begin(), filter.end(), value) != filter.end();
}

// Applies --status, --provider, --repo and --since to a reconciled report
// (pipeline references and findings: --repo only). Reconciliation runs
// first, so `reused` still counts every repository.
void FilterReport(const SweepCommands& a, Report* report) {
  std::vector<ReportedCredential> kept;
  for (ReportedCredential& c : report->credentials) {
    if (!Listed(a.status, c.status) || !Listed(a.provider, c.provider))
      continue;
    if (!a.repo.empty()) {
      std::erase_if(c.locations,
                    [&](const Location& l) { return !Listed(a.repo, l.repo); });
      if (c.locations.empty()) continue;
    }
    kept.push_back(std::move(c));
  }
  report->credentials = std::move(kept);
  if (a.repo.empty()) return;
  std::erase_if(report->repositories, [&](const RepositoryEntry& r) {
    return !Listed(a.repo, r.repo);
  });
  std::erase_if(report->references, [&](const PipelineReference& r) {
    return !Listed(a.repo, r.repo);
  });
  std::erase_if(report->pipeline_findings, [&](const PipelineFindingEntry& p) {
    return !Listed(a.repo, p.repo);
  });
}

int RunReport(const SweepCommands& a, const CommonOptions& common) {
  if (Status out = CheckOutputWritable(common.output, true); !out.ok()) {
    return FailWith(out.error().message);
  }
  if (std::string bad = ValidateCommon(common); !bad.empty())
    return FailWith(bad);
  if (!a.since.empty() && !ParseDate(a.since)) {
    return FailWith("--since: expected YYYY-MM-DD, got '" + a.since + "'");
  }
  for (const auto& s : a.status) {
    if (!ParseFailOn(s).ok())
      return FailWith("--status: unknown status '" + s + "'");
  }
  // Read-only: a report never writes (a read-only filesystem, a datastore
  // another sweep is writing, a file that is not a datastore at all).
  auto store = Datastore::OpenReadOnly(a.report_datastore);
  if (!store.ok()) return FailWith(store.error().message);
  auto inventory = ResolveInventory(common, ".", std::nullopt);
  if (!inventory.ok()) return FailWith(inventory.error().message);
  auto baseline = BaselineSweep(&*store);
  if (!baseline.ok()) return FailWith(baseline.error().message);
  StoreReportOptions ro;
  ro.new_after_sweep = *baseline;
  ro.since = a.since;
  auto report = ReportFromStore(&*store, "report", ro);
  if (!report.ok()) return FailWith(report.error().message);
  auto own = OwnInventoryRows(a.no_repo_inventory, &*store, nullptr);
  if (!own.ok()) return FailWith(own.error().message);
  Diagnostics diagnostics(stderr, common.verbose);
  Status s = ReconcileReport(common, *inventory, true, *own, &*report,
                             &diagnostics);
  if (!s.ok()) return FailWith(s.error().message);
  report->diagnostics += diagnostics.warnings() + diagnostics.errors();
  FilterReport(a, &*report);
  return EmitReport(common, *report);
}

int RunMerge(const SweepCommands& a) {
  namespace fs = std::filesystem;
  // Every input is checked (read-only) before OUT is created or touched:
  // a missing or refused input leaves no OUT behind.
  std::error_code ec;
  const bool out_existed = fs::exists(a.merge_out, ec);
  for (const auto& in : a.merge_in) {
    if (out_existed && fs::equivalent(in, a.merge_out, ec)) {
      return FailWith(in + ": is the same file as the output " + a.merge_out +
                      "; nothing to merge");
    }
    auto checked = Datastore::OpenReadOnly(in);
    if (!checked.ok()) return FailWith(checked.error().message);
  }
  auto out = Datastore::Open(a.merge_out, /*create=*/true);
  if (!out.ok()) return FailWith(out.error().message);
  for (const auto& in : a.merge_in) {
    Status s = out->MergeFrom(in);
    if (!s.ok()) {
      if (!out_existed) {
        // Nothing half-made: the new OUT goes (each merge is one
        // transaction, so an existing OUT holds only whole inputs).
        out = Error{"closed"};
        for (const char* suffix : {"", "-wal", "-shm"}) {
          fs::remove(a.merge_out + suffix, ec);
        }
      }
      return FailWith(in + ": " + s.error().message);
    }
  }
  std::cerr << "sprawl: merged " << a.merge_in.size() << " datastore(s) into "
            << a.merge_out << '\n';
  return kExitOk;
}

}  // namespace

std::shared_ptr<SweepCommands> AddSweepCommands(CLI::App* app,
                                                CommonOptions* common) {
  auto c = std::make_shared<SweepCommands>();
  c->sweep = app->add_subcommand(
      "sweep", "Scan many repositories incrementally into a datastore");
  AddCommonFlags(c->sweep, common);
  c->sweep
      ->add_option("--exclude", common->exclude,
                   "Skip paths matching this gitignore-style glob; never "
                   "reported as locations (repeatable)")
      ->allow_extra_args(false);
  c->sweep->add_option("--root", c->root,
                       "Sweep every git repository below DIR");
  c->sweep->add_option("--repos", c->repos,
                       "Sweep the repositories listed in FILE (paths or "
                       "URLs, one per line, # comments)");
  c->sweep->add_option("--datastore", c->datastore,
                       "SQLite datastore (default: .sprawl/sweep.db)");
  c->sweep->add_option("--cache-dir", c->cache_dir,
                       "Where URLs are mirrored (default: .sprawl/mirrors)");
  c->sweep->add_option("--shard", c->shard,
                       "Sweep only shard I of N (I/N, 0-based), split by a "
                       "hash of each repository");
  c->sweep->add_option("--max-blob-size", c->max_blob_size,
                       "Skip (with a diagnostic) larger blobs (default 50MiB)");
  c->sweep->add_option("--repo-timeout", c->repo_timeout,
                       "Stop a repository's scan after SECONDS and record it "
                       "failed, the sweep going on (default 3600; 0 = none)")
      ->check(CLI::NonNegativeNumber);
  c->sweep->add_flag("--no-repo-inventory", c->no_repo_inventory,
                     "Ignore each repository's own .sprawl/inventory.yaml "
                     "(default: a repository's own inventory registers its "
                     "own credentials; the org inventory wins)");

  c->report = app->add_subcommand(
      "report", "Render a sweep datastore in any format, without rescanning");
  AddCommonFlags(c->report, common);
  c->report->add_option("--datastore", c->report_datastore, "SQLite datastore")
      ->required();
  c->report->add_option("--status", c->status,
                        "Only credentials with this status (repeatable)");
  c->report->add_option("--provider", c->provider,
                        "Only credentials of this provider (repeatable)");
  c->report->add_option("--repo", c->repo,
                        "Only locations in this repository (repeatable)");
  c->report->add_option("--since", c->since,
                        "Only credentials first seen on or after YYYY-MM-DD");
  c->report->add_flag("--no-repo-inventory", c->no_repo_inventory,
                      "Ignore the own .sprawl/inventory.yaml each repository "
                      "had when it was swept");

  c->merge = app->add_subcommand(
      "merge", "Combine shard datastores into OUT (created when missing)");
  c->merge->add_option("out", c->merge_out, "Datastore to write")->required();
  c->merge->add_option("inputs", c->merge_in, "Datastores to add")->required();
  return c;
}

bool RunSweepCommands(const SweepCommands& c, const CommonOptions& common,
                      int* exit_code) {
  if (c.sweep->parsed()) {
    *exit_code = RunSweepCommand(c, common);
  } else if (c.report->parsed()) {
    *exit_code = RunReport(c, common);
  } else if (c.merge->parsed()) {
    *exit_code = RunMerge(c);
  } else {
    return false;
  }
  return true;
}

}  // namespace sprawl
