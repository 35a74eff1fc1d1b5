// Shared plumbing of the scanning subcommands: the common flags, loading
// rules and building the matcher (with the on-disk cache), turning findings
// into a report and the report into output and an exit code.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <CLI/CLI.hpp>

#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/base/scan_progress.h"
#include "scanner/base/scan_stats.h"
#include "scanner/config/config.h"
#include "scanner/findings/finding.h"
#include "scanner/findings/report.h"
#include "scanner/inventory/inventory.h"
#include "scanner/match/lazy_matcher.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/scan_limits.h"

namespace sprawl {

struct CommonOptions {
  std::string format = "text";       // the first --format
  std::string output;                // the first --output FILE ("" = stdout)
  // Every --format and --output, in order: one scan, several reports
  // (pairs; see ReportTargets). Empty when the flag was not given.
  std::vector<std::string> formats;
  std::vector<std::string> outputs;
  std::string color = "auto";        // --color auto|always|never
  int threads = -1;                  // --threads (0 = all cores, -1 = unset)
  std::vector<std::string> rules;    // --rules PATH (repeatable)
  std::string fail_on;               // --fail-on LIST ("" = default)
  std::string min_confidence;        // --min-confidence ("" = config/medium)
  std::string now;                   // --now YYYY-MM-DD
  bool show_secrets = false;         // --show-secrets
  bool verbose = false;              // --verbose: print notes too
  bool no_cache = false;             // --no-cache: skip compiled-rules cache
  std::string inventory;             // --inventory FILE
  std::string scan_timeout;          // --scan-timeout SECONDS ("" = config)
  std::string max_yaml_size;         // --max-yaml-size BYTES ("" = config)
  std::vector<std::string> exclude;  // --exclude GLOB (repeatable)
  bool trust_repo_config = false;    // --trust-repo-config
  bool new_only = false;             // --new-only / policy.fail_on_new_only
  std::string incomplete_ok;         // --incomplete-ok LIST
};

// The per-file limits from the flags, else the config, else the defaults.
// A malformed value is an Error naming the flag.
Result<ScanLimits> ResolveLimits(const CommonOptions& options,
                                 const Config& config);

// What a scan looked at, for reconciliation.
struct ScanContext {
  std::string root;                    // scanned root (CODEOWNERS, inventory)
  bool full_scan = false;              // fills inventory.unseen
  const Inventory* inventory = nullptr;  // never null once resolved
  // From pipeline files, copied into the report (statuses set there).
  std::vector<PipelineReference> references;
  std::vector<PipelineFindingEntry> pipeline_findings;
  // git --range, once classified: digests of the secrets the range
  // inherited from its base (sets each credential's `new`). Not owned.
  const std::unordered_set<std::string>* inherited = nullptr;
  // git --range: sprawl's own config files the range changes.
  std::vector<std::string> changed_config;
};

// --inventory, else $SPRAWL_INVENTORY, else the config's `inventory:`, else
// <root>/.sprawl/inventory.yaml; none found is an empty inventory. A file
// that was named but is missing or invalid is an Error (exit 2). The last
// two are repository-supplied: regular files inside `root`, size-capped
// (scanner/base/repo_file.h).
Result<Inventory> ResolveInventory(const CommonOptions& options,
                                   const std::string& root,
                                   const std::optional<std::string>& configured);

// Groups findings into credentials and reconciles them into a Report.
Result<Report> MakeReport(const std::string& command,
                          const CommonOptions& options, const Matcher& matcher,
                          std::vector<Finding> findings, const ScanStats& stats,
                          const Diagnostics& diagnostics,
                          const ScanContext& context);

// Renders the report in every requested (format, output) pair; returns the
// exit code (0, 1, or 2 on output errors). Each file is written to a
// temporary file beside it and renamed into place, so a failed write never
// leaves a truncated report.
int EmitReport(const CommonOptions& options, const Report& report);

// The (format, output) pairs of one run: `--format F` alone writes F to
// stdout (no --format: text); otherwise the i-th --format goes to the i-th
// --output ("-" = stdout). An Error when the counts do not pair up.
Result<std::vector<std::pair<std::string, std::string>>> ReportTargets(
    const CommonOptions& options);

// Whether the text report and the progress line may use ANSI escapes:
// --color always|never, else (auto) only on a terminal, with NO_COLOR unset
// or empty and TERM not "dumb".
bool UseColor(const CommonOptions& options, int fd);

// Registers the common flags on `cmd`.
void AddCommonFlags(CLI::App* cmd, CommonOptions* options);
// Registers the flags of commands that scan and gate: --exclude,
// --new-only, --incomplete-ok, --trust-repo-config.
void AddGateFlags(CLI::App* cmd, CommonOptions* options);
// Fails (an Error naming it) when --output cannot be written, before any
// scan: creates missing parent directories when `make_parents`.
Status CheckOutputWritable(const std::string& output, bool make_parents);
// Registers only the rule-loading flags (rules subcommands).
void AddRuleFlags(CLI::App* cmd, CommonOptions* options);

// Built-in packs plus --rules; Error on a broken pack.
Result<std::vector<Rule>> LoadAllRules(const CommonOptions& options);

// Where the compiled Hyperscan database is cached ("" = none).
std::string CacheDir(const CommonOptions& options);

Result<std::unique_ptr<Matcher>> BuildMatcher(const CommonOptions& options,
                                              Diagnostics* diagnostics,
                                              bool eager = false);
// BuildMatcher in two steps: packs beyond the built-in ones are read and
// checked now (bad rules stop a run before it starts; a rule-cache hit
// stands for packs that parsed before), the rules are loaded and the
// Hyperscan database loaded or compiled only when the returned builder runs.
Result<LazyMatcher::Builder> PrepareMatcher(const CommonOptions& options,
                                            Diagnostics* diagnostics,
                                            bool eager = false);

// Groups findings, builds and renders the report, returns the exit code.
int FinishScan(const std::string& command, const CommonOptions& options,
               const Matcher& matcher, std::vector<Finding> findings,
               const ScanStats& stats, const Diagnostics& diagnostics,
               const ScanContext& context);

// Validates flags every scanning command shares; "" when fine.
std::string ValidateCommon(const CommonOptions& options);

// Prints "sprawl: error: <message>" and returns kExitError.
int FailWith(const std::string& message);

// SIGINT/SIGTERM set this flag; scans poll it and stop with partial results.
const std::atomic<bool>* InstallInterruptHandler();

// Prints a progress line (see FormatProgress) to stderr four times a second
// while alive, only when stderr is a terminal and after the first second;
// erases it when done. Never writes to stdout.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(const ScanProgress* progress);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sprawl
