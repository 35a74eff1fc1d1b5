#include "cli/common.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/app.h"
#include "reporters/reporter.h"
#include "scanner/findings/credential.h"
#include "scanner/findings/report_builder.h"
#include "scanner/inventory/dates.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/report/assemble_report.h"
#include "scanner/ruleset/rule_cache.h"
#include "scanner/ruleset/rule_loader.h"
#include "scanner/ruleset/rule_set.h"

namespace sprawl {

void AddRuleFlags(CLI::App* cmd, CommonOptions* o) {
  cmd->add_option("--rules", o->rules,
                  "Extra rule pack: a YAML file or a directory of them "
                  "(repeatable)")
      ->allow_extra_args(false);  // one pack per flag: never swallow paths
  cmd->add_flag("--no-cache", o->no_cache,
                "Do not read or write the compiled-rules cache");
  cmd->add_flag("-v,--verbose", o->verbose, "Also print notes on stderr");
}

void AddCommonFlags(CLI::App* cmd, CommonOptions* o) {
  AddRuleFlags(cmd, o);
  std::string formats;
  for (const auto& f : ReportFormats()) formats += (formats.empty() ? "" : "|") + f;
  cmd->add_option("-f,--format", o->format, "Report format: " + formats)
      ->capture_default_str();
  cmd->add_option("-o,--output", o->output,
                  "Write the report to FILE instead of stdout");
  cmd->add_option("-j,--threads", o->threads,
                  "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--fail-on", o->fail_on,
                  "Statuses that fail the gate, comma-separated, or 'none' "
                  "(default: revoked,expired,unowned,misplaced,unregistered)");
  cmd->add_option("--now", o->now,
                  "Evaluate dates as of YYYY-MM-DD (reproducible runs)");
  cmd->add_option("--inventory", o->inventory,
                  "Credential inventory (default: $SPRAWL_INVENTORY, then "
                  ".sprawl/inventory.yaml under the scanned root)");
  cmd->add_flag("--show-secrets", o->show_secrets,
                "Include raw secrets in the report (never do this in CI logs)");
  cmd->add_option("--scan-timeout", o->scan_timeout,
                  "Stop matching one file or blob after SECONDS, with a "
                  "diagnostic (default 60; 0 = no limit)");
  cmd->add_option("--max-yaml-size", o->max_yaml_size,
                  "Parse pipeline files up to BYTES; larger ones are matched "
                  "as text only, with a diagnostic (default 5MiB)");
}

Result<ScanLimits> ResolveLimits(const CommonOptions& options,
                                 const Config& config) {
  ScanLimits limits;
  if (!options.scan_timeout.empty()) {
    auto seconds = ParseSeconds(options.scan_timeout);
    if (!seconds.ok()) {
      return Error{"--scan-timeout: " + seconds.error().message};
    }
    limits.scan_timeout = *seconds;
  } else if (config.scan_timeout) {
    limits.scan_timeout = *config.scan_timeout;
  }
  if (!options.max_yaml_size.empty()) {
    auto size = ParseByteSize(options.max_yaml_size);
    if (!size.ok()) return Error{"--max-yaml-size: " + size.error().message};
    limits.max_yaml_size = *size;
  } else if (config.max_yaml_size) {
    limits.max_yaml_size = *config.max_yaml_size;
  }
  return limits;
}

Result<std::vector<Rule>> LoadAllRules(const CommonOptions& options) {
  auto rules = LoadBuiltinRules();
  if (!rules.ok()) return rules.error();
  for (const auto& path : options.rules) {
    auto more = LoadRulesFromPath(path);
    if (!more.ok()) return more.error();
    Status st = MergeRules(&rules.value(), std::move(more).value());
    if (!st.ok()) return st.error();
  }
  return rules;
}

std::string CacheDir(const CommonOptions& options) {
  if (options.no_cache) return "";
  if (const char* d = std::getenv("SPRAWL_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) {
    return std::string(d) + "/sprawl";
  }
  if (const char* h = std::getenv("HOME"); h && *h) {
    return std::string(h) + "/.cache/sprawl";
  }
  return "";
}

namespace {

// PrepareMatcher for any packs: they are read and checked now.
Result<LazyMatcher::Builder> CheckedBuilder(const CommonOptions& options,
                                            Diagnostics* diagnostics,
                                            bool eager) {
  MatcherOptions mo;
  mo.cache_dir = CacheDir(options);
  mo.eager_re2 = eager;
  auto packs = ReadRulePacks(options.rules);
  if (!packs.ok()) return packs.error();
  const std::string key = RulesCacheKey(*packs);
  // A warm cache skips YAML parsing; `rules check` (eager) needs examples.
  // Its rules parsed when it was written, so they are only loaded (with the
  // packs parsed again should the entry no longer load) by the builder.
  if (!eager && !mo.cache_dir.empty() && HasCachedRules(mo.cache_dir, key)) {
    return LazyMatcher::Builder(
        [packs = std::move(packs).value(), key, mo,
         diagnostics]() -> Result<std::unique_ptr<Matcher>> {
          auto rules = LoadCachedRuleSet(mo.cache_dir, key);
          if (rules) return Matcher::Build(std::move(*rules), mo, diagnostics);
          auto parsed = BuildRuleSet(packs, mo.cache_dir, key);
          if (!parsed.ok()) return parsed.error();
          return Matcher::Build(std::move(parsed).value(), mo, diagnostics);
        });
  }
  auto rules = BuildRuleSet(*packs, mo.cache_dir, key);
  if (!rules.ok()) return rules.error();
  return LazyMatcher::Builder(
      [rules = std::move(rules).value(), mo,
       diagnostics]() mutable -> Result<std::unique_ptr<Matcher>> {
        return Matcher::Build(std::move(rules), mo, diagnostics);
      });
}

}  // namespace

Result<LazyMatcher::Builder> PrepareMatcher(const CommonOptions& options,
                                            Diagnostics* diagnostics,
                                            bool eager) {
  // The built-in packs ship checked: with no other pack nothing needs a
  // check before the first scan, not even the rule cache's key.
  if (!eager && options.rules.empty()) {
    return LazyMatcher::Builder(
        [options, diagnostics]() -> Result<std::unique_ptr<Matcher>> {
          auto build = CheckedBuilder(options, diagnostics, false);
          if (!build.ok()) return build.error();
          return (*build)();
        });
  }
  return CheckedBuilder(options, diagnostics, eager);
}

Result<std::unique_ptr<Matcher>> BuildMatcher(const CommonOptions& options,
                                              Diagnostics* diagnostics,
                                              bool eager) {
  auto build = PrepareMatcher(options, diagnostics, eager);
  if (!build.ok()) return build.error();
  return (*build)();
}

int FailWith(const std::string& message) {
  std::cerr << "sprawl: error: " << message << '\n';
  return kExitError;
}

namespace {

bool ValidDate(const std::string& s) { return ParseDate(s).has_value(); }

}  // namespace

Result<Inventory> ResolveInventory(const CommonOptions& options,
                                   const std::string& root,
                                   const std::optional<std::string>& configured) {
  std::string path = options.inventory;
  if (path.empty()) {
    if (const char* e = std::getenv("SPRAWL_INVENTORY"); e && *e) path = e;
  }
  if (path.empty() && configured) path = *configured;
  if (path.empty()) {
    const std::string fallback = root + "/.sprawl/inventory.yaml";
    if (access(fallback.c_str(), F_OK) != 0) return Inventory{};
    path = fallback;
  }
  return LoadInventory(path);
}

Result<Report> MakeReport(const std::string& command,
                          const CommonOptions& options, const Matcher& matcher,
                          std::vector<Finding> findings, const ScanStats& stats,
                          const Diagnostics& diagnostics,
                          const ScanContext& context) {
  auto policy =
      MakeReportPolicy(options.fail_on, options.now, options.show_secrets);
  if (!policy.ok()) return policy.error();
  std::optional<std::string> key;
  if (const char* k = std::getenv("SPRAWL_FINGERPRINT_KEY"); k && *k) key = k;
  ScanOutput scan;
  scan.findings = std::move(findings);
  scan.stats = stats;
  scan.diagnostics = diagnostics.warnings() + diagnostics.errors();
  scan.references = context.references;
  scan.pipeline_findings = context.pipeline_findings;
  scan.root = context.root;
  scan.full_scan = context.full_scan;
  static const Inventory kEmpty;
  return AssembleReport(command, std::move(scan), matcher.rules(),
                        context.inventory ? *context.inventory : kEmpty,
                        *policy, Fingerprinter(key));
}

int EmitReport(const CommonOptions& options, const Report& report) {
  RenderOptions render;
  if (options.output.empty()) {
    const char* no_color = std::getenv("NO_COLOR");
    render.color = isatty(STDOUT_FILENO) && (no_color == nullptr || !*no_color);
    Status st = RenderReport(options.format, report, render, std::cout);
    if (!st.ok()) return FailWith(st.error().message);
    std::cout.flush();
    // A full disk or a closed pipe (with SIGPIPE ignored by the parent) must
    // not pass for a clean gate.
    if (!std::cout) return FailWith("cannot write the report to stdout");
  } else {
    std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
    if (!out) return FailWith(options.output + ": cannot write the report");
    Status st = RenderReport(options.format, report, render, out);
    if (!st.ok()) return FailWith(st.error().message);
    out.close();
    if (!out) return FailWith(options.output + ": cannot write the report");
  }
  if (report.stats.interrupted) {
    std::cerr << "sprawl: warning: interrupted; the report is partial\n";
  }
  return ReportFails(report) ? kExitPolicy : kExitOk;
}

int FinishScan(const std::string& command, const CommonOptions& options,
               const Matcher& matcher, std::vector<Finding> findings,
               const ScanStats& stats, const Diagnostics& diagnostics,
               const ScanContext& context) {
  auto report = MakeReport(command, options, matcher, std::move(findings),
                           stats, diagnostics, context);
  if (!report.ok()) return FailWith(report.error().message);
  return EmitReport(options, *report);
}

// Validates flags every scanning command shares; "" when fine.
std::string ValidateCommon(const CommonOptions& options) {
  if (!options.now.empty() && !ValidDate(options.now)) {
    return "--now: expected YYYY-MM-DD, got '" + options.now + "'";
  }
  if (!options.fail_on.empty()) {
    auto f = ParseFailOn(options.fail_on);
    if (!f.ok()) return f.error().message;
  }
  bool known = false;
  for (const auto& f : ReportFormats()) known = known || f == options.format;
  if (!known) {
    std::string list;
    for (const auto& f : ReportFormats()) list += (list.empty() ? "" : ", ") + f;
    return "--format: unknown format '" + options.format + "' (available: " +
           list + ")";
  }
  return "";
}

namespace {
std::atomic<bool> g_interrupted{false};  // written only by the signal handler

extern "C" void OnSignal(int) {
  if (g_interrupted.exchange(true)) {
    // Second Ctrl-C: leave now.
    std::_Exit(130);
  }
}
}  // namespace

const std::atomic<bool>* InstallInterruptHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_interrupted;
}

struct ProgressPrinter::State {
  const ScanProgress* progress;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool printed = false;
  std::thread thread;
};

ProgressPrinter::ProgressPrinter(const ScanProgress* progress)
    : state_(std::make_unique<State>()) {
  state_->progress = progress;
  if (!isatty(STDERR_FILENO)) return;
  State* s = state_.get();
  s->thread = std::thread([s] {
    std::unique_lock<std::mutex> lock(s->mu);
    const auto start = std::chrono::steady_clock::now();
    auto phase_start = start;
    uint32_t phase = s->progress->phase.load(std::memory_order_acquire);
    while (!s->cv.wait_for(lock, std::chrono::milliseconds(250),
                           [s] { return s->done; })) {
      const auto now = std::chrono::steady_clock::now();
      if (const uint32_t p = s->progress->phase.load(std::memory_order_acquire);
          p != phase) {
        phase = p;
        phase_start = now;
      }
      // Quick runs print nothing.
      if (std::chrono::duration<double>(now - start).count() < 1.0) continue;
      const std::string line = FormatProgress(
          *s->progress, std::chrono::duration<double>(now - phase_start).count());
      std::fprintf(stderr, "\r\x1b[Ksprawl: %s", line.c_str());
      s->printed = true;
    }
    if (s->printed) std::fputs("\r\x1b[K", stderr);
  });
}

ProgressPrinter::~ProgressPrinter() {
  if (!state_->thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->done = true;
  }
  state_->cv.notify_all();
  state_->thread.join();
}

}  // namespace sprawl
