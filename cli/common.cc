#include "cli/common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <sys/stat.h>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/app.h"
#include "reporters/reporter.h"
#include "scanner/base/status_line.h"
#include "scanner/base/text.h"
#include "scanner/findings/pairing.h"
#include "scanner/base/repo_file.h"
#include "scanner/base/test_pause.h"
#include "scanner/findings/completeness.h"
#include "scanner/findings/credential.h"
#include "scanner/findings/report_builder.h"
#include "scanner/inventory/dates.h"
#include "scanner/inventory/reconcile.h"
#include "scanner/clients/client_scan.h"
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
                "Do not read or write the cache (compiled rules, packs "
                "verified clean)");
  cmd->add_flag("-v,--verbose", o->verbose, "Also print notes on stderr");
}

void AddCommonFlags(CLI::App* cmd, CommonOptions* o) {
  AddRuleFlags(cmd, o);
  std::string formats;
  for (const auto& f : ReportFormats()) formats += (formats.empty() ? "" : "|") + f;
  cmd->add_option_function<std::vector<std::string>>(
         "-f,--format",
         [o](const std::vector<std::string>& v) {
           o->formats = v;
           o->format = v.front();
         },
         "Report format: " + formats +
             " (default text; repeat with --output for several reports "
             "from one scan)")
      ->allow_extra_args(false);
  cmd->add_option_function<std::vector<std::string>>(
         "-o,--output",
         [o](const std::vector<std::string>& v) {
           o->outputs = v;
           o->output = v.front() == "-" ? "" : v.front();
         },
         "Write the report to FILE instead of stdout (once per --format)")
      ->allow_extra_args(false);
  cmd->add_option("--color", o->color,
                  "ANSI colour in the text report: auto (a terminal, "
                  "NO_COLOR unset, TERM not dumb), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("-j,--threads", o->threads,
                  "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--fail-on", o->fail_on,
                  "Statuses that fail the gate, comma-separated, or 'none' "
                  "(default: revoked,expired,unowned,misplaced,unregistered)");
  cmd->add_option("--min-confidence", o->min_confidence,
                  "Lowest confidence that can fail the gate: low, medium or "
                  "high (default medium; lower ones are still reported)");
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

void AddGateFlags(CLI::App* cmd, CommonOptions* o) {
  cmd->add_option("--exclude", o->exclude,
                  "Skip paths matching this gitignore-style glob; never "
                  "reported as locations (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--new-only", o->new_only,
                "git --range: only credentials new to the range fail the "
                "gate (inherited ones are reported, with new: false)");
  cmd->add_option("--incomplete-ok", o->incomplete_ok,
                  "Skips that do not make the scan incomplete (exit 3): "
                  "too-large,timed-out, or none (default)");
  cmd->add_flag("--trust-repo-config", o->trust_repo_config,
                "Let the scanned tree's .sprawl/config.yaml and ignore files "
                "weaken the gate (catch-all excludes, fewer fail_on "
                "statuses, lower limits)");
}

Status CheckOutputWritable(const std::string& output, bool make_parents) {
  if (output.empty() || output == "-") return Status::Ok();
  namespace fs = std::filesystem;
  const fs::path path(output);
  std::error_code ec;
  const fs::path parent =
      path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (make_parents && !fs::exists(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) {
      return Error{output + ": cannot create its directory: " + ec.message()};
    }
  }
  struct stat st;
  if (::stat(output.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Error{output + ": is a directory"};
    if (::access(output.c_str(), W_OK) != 0) {
      return Error{output + ": cannot write: " + std::strerror(errno)};
    }
    return Status::Ok();
  }
  if (errno != ENOENT) {
    return Error{output + ": cannot write: " + std::strerror(errno)};
  }
  if (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error{output + ": cannot write: directory " + parent.string() +
                 " does not exist"};
  }
  if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    return Error{output + ": cannot write: " + std::strerror(errno)};
  }
  return Status::Ok();
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
          std::string why;
          auto rules =
              LoadCachedRuleSet(mo.cache_dir, key, &why, ClientSecretRules());
          if (!why.empty()) {
            diagnostics->Warn(
                mo.cache_dir + "/rules-" + key + ".json",
                "rules cache ignored (" + why + "); rules compiled again");
          }
          if (rules) return Matcher::Build(std::move(*rules), mo, diagnostics);
          auto parsed =
              BuildRuleSet(packs, mo.cache_dir, key, ClientSecretRules());
          if (!parsed.ok()) return parsed.error();
          return Matcher::Build(std::move(parsed).value(), mo, diagnostics);
        });
  }
  auto rules = BuildRuleSet(*packs, mo.cache_dir, key, ClientSecretRules());
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
  // An error may quote a configuration or inventory file's bytes.
  std::cerr << "sprawl: error: " << EscapeControls(message) << '\n';
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
  if (!path.empty()) return LoadInventory(path);  // named by the user
  // Named by the repository: a regular file inside it, size-capped.
  const bool named = configured.has_value();
  path = named ? *configured : root + "/.sprawl/inventory.yaml";
  auto text = ReadRepoFile(root, path);
  if (!text.ok()) return text.error();
  if (!*text) {
    if (!named) return Inventory{};
    return Error{path + ": cannot read inventory"};
  }
  return ParseInventory(**text, path);
}

Result<Report> MakeReport(const std::string& command,
                          const CommonOptions& options, const Matcher& matcher,
                          std::vector<Finding> findings, const ScanStats& stats,
                          const Diagnostics& diagnostics,
                          const ScanContext& context) {
  auto policy =
      MakeReportPolicy(options.fail_on, options.now, options.show_secrets,
                       options.min_confidence);
  if (!policy.ok()) return policy.error();
  std::optional<std::string> key;
  if (const char* k = std::getenv("SPRAWL_FINGERPRINT_KEY"); k && *k) key = k;
  policy->new_only = options.new_only;
  if (std::string bad =
          ParseIncompleteOk(options.incomplete_ok, &policy->complete);
      !bad.empty()) {
    return Error{bad};
  }
  policy->cancel = InstallInterruptHandler();
  ScanOutput scan;
  scan.findings = std::move(findings);
  scan.stats = stats;
  scan.diagnostics = diagnostics.warnings() + diagnostics.errors();
  scan.references = context.references;
  scan.pipeline_findings = context.pipeline_findings;
  scan.root = context.root;
  scan.full_scan = context.full_scan;
  scan.inherited = context.inherited;
  scan.changed_config = context.changed_config;
  static const Inventory kEmpty;
  return AssembleReport(command, std::move(scan), matcher.rules(),
                        context.inventory ? *context.inventory : kEmpty,
                        *policy, Fingerprinter(key));
}

bool UseColor(const CommonOptions& options, int fd) {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(fd) && (no_color == nullptr || *no_color == '\0') &&
         (term == nullptr || std::string_view(term) != "dumb");
}

Result<std::vector<std::pair<std::string, std::string>>> ReportTargets(
    const CommonOptions& options) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto& f = options.formats;
  const auto& o = options.outputs;
  auto file = [](const std::string& path) { return path == "-" ? "" : path; };
  if (f.size() <= 1 && o.size() <= 1) {
    out.emplace_back(f.empty() ? options.format : f[0],
                     o.empty() ? "" : file(o[0]));
    return out;
  }
  if (f.size() != o.size()) {
    return Error{"--format and --output: give one --output per --format "
                 "(got " + std::to_string(f.size()) + " formats and " +
                 std::to_string(o.size()) + " outputs)"};
  }
  int to_stdout = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    out.emplace_back(f[i], file(o[i]));
    to_stdout += o[i] == "-" ? 1 : 0;
  }
  if (to_stdout > 1) return Error{"--output: '-' (stdout) given twice"};
  return out;
}

namespace {

// Renders to a temporary file beside `path` and renames it into place.
Status WriteReportFile(const std::string& path, const std::string& format,
                       const Report& report, const RenderOptions& render) {
  const std::filesystem::path target(path);
  std::string tmpl = (target.parent_path().empty()
                          ? std::filesystem::path(".")
                          : target.parent_path())
                         .string() +
                     "/." + target.filename().string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return Error{path + ": cannot write the report: " + std::strerror(errno)};
  }
  ::close(fd);
  auto fail = [&](const std::string& why) -> Status {
    std::error_code ec;
    std::filesystem::remove(tmpl, ec);
    return Error{path + ": " + why};
  };
  {
    std::ofstream out(tmpl, std::ios::binary | std::ios::trunc);
    if (!out) return fail("cannot write the report");
    Status st = RenderReport(format, report, render, out);
    if (!st.ok()) return fail(st.error().message);
    out.close();
    if (!out) return fail("cannot write the report (disk full?)");
  }
  // mkstemp creates 0600; a report gets the usual mode.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(tmpl.c_str(), 0666 & ~mask);
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
    return fail(std::string("cannot write the report: ") +
                std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

int EmitReport(const CommonOptions& options, const Report& report) {
  auto targets = ReportTargets(options);
  if (!targets.ok()) return FailWith(targets.error().message);
  for (const auto& [format, output] : *targets) {
    RenderOptions render;
    render.date = options.now.empty() ? FormatDate(TodayUtc()) : options.now;
    if (output.empty()) {
      render.color = UseColor(options, STDOUT_FILENO);
      Status st = RenderReport(format, report, render, std::cout);
      if (!st.ok()) return FailWith(st.error().message);
      std::cout.flush();
      // A full disk or a closed pipe (with SIGPIPE ignored by the parent)
      // must not pass for a clean gate.
      if (!std::cout) return FailWith("cannot write the report to stdout");
    } else {
      render.color = options.color == "always";
      Status st = WriteReportFile(output, format, report, render);
      if (!st.ok()) return FailWith(st.error().message);
    }
  }
  if (report.stats.interrupted) {
    std::cerr << "sprawl: warning: interrupted; the report is partial\n";
  }
  for (const auto& why : report.incomplete) {
    std::cerr << "sprawl: warning: incomplete scan: " << why << '\n';
  }
  for (const auto& path : report.changed_config) {
    std::cerr << "sprawl: warning: the range changes sprawl's configuration "
              << EscapeForDisplay(path)
              << "; the base revision's settings were used\n";
  }
  // Precedence 2 > 1 > 3 > 0 (errors return above). A Ctrl-C while the
  // report was written still makes the run incomplete.
  const bool late_interrupt = InstallInterruptHandler()->load();
  if (late_interrupt && !report.stats.interrupted) {
    std::cerr << "sprawl: warning: interrupted while writing the report\n";
  }
  if (ReportFails(report)) return kExitPolicy;
  if (!report.incomplete.empty() || report.stats.interrupted ||
      late_interrupt) {
    return kExitIncomplete;
  }
  return kExitOk;
}

int FinishScan(const std::string& command, const CommonOptions& options,
               const Matcher& matcher, std::vector<Finding> findings,
               const ScanStats& stats, const Diagnostics& diagnostics,
               const ScanContext& context) {
  auto report = MakeReport(command, options, matcher, std::move(findings),
                           stats, diagnostics, context);
  if (!report.ok()) return FailWith(report.error().message);
  const std::atomic<bool>* cancel = InstallInterruptHandler();
  TestPause("report", cancel);
  if (cancel->load() && !report->stats.interrupted) {
    report->stats.interrupted = true;
    report->incomplete.insert(report->incomplete.begin(),
                              "interrupted before the report was written");
  }
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
  CompletenessOptions complete;
  if (std::string bad = ParseIncompleteOk(options.incomplete_ok, &complete);
      !bad.empty()) {
    return bad;
  }
  if (!options.min_confidence.empty()) {
    auto m = ParseMinConfidence(options.min_confidence, "--min-confidence");
    if (!m.ok()) return m.error().message;
  }
  std::vector<std::string> formats = options.formats;
  if (formats.empty()) formats.push_back(options.format);
  for (const std::string& format : formats) {
    bool known = false;
    for (const auto& f : ReportFormats()) known = known || f == format;
    if (!known) {
      std::string list;
      for (const auto& f : ReportFormats())
        list += (list.empty() ? "" : ", ") + f;
      return "--format: unknown format '" + format + "' (available: " + list +  // NOLINT(performance-inefficient-string-concatenation)
             ")";
    }
  }
  if (auto targets = ReportTargets(options); !targets.ok()) {
    return targets.error().message;
  }
  return "";
}

namespace {
std::atomic<bool> g_interrupted{false};  // written only by the signal handler

// How long a scan may take to wind down after SIGINT/SIGTERM before the
// watchdog ends the process: a phase inside a library call that does not
// poll the flag (libgit2 on a damaged object store) must not keep a CI job
// or a sweep alive forever. SPRAWL_INTERRUPT_GRACE=SECONDS overrides it.
unsigned g_grace_seconds = 10;

extern "C" void OnInterruptWatchdog(int) {
  static const char kMsg[] =
      "sprawl: error: interrupted, and still busy when the grace period "
      "ended; exiting without a report (scan incomplete)\n";
  (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  std::_Exit(3);  // incomplete scan
}

extern "C" void OnSignal(int) {
  if (g_interrupted.exchange(true)) {
    // Second Ctrl-C: leave now.
    std::_Exit(130);
  }
  // First signal: the scan stops at its next poll and reports; if it has
  // not exited by the deadline, SIGALRM ends it (alarm is
  // async-signal-safe).
  ::alarm(g_grace_seconds);
}
}  // namespace

const std::atomic<bool>* InstallInterruptHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  if (const char* g = std::getenv("SPRAWL_INTERRUPT_GRACE")) {
    const long v = std::strtol(g, nullptr, 10);
    if (v > 0 && v < 86400) g_grace_seconds = static_cast<unsigned>(v);
  }
  struct sigaction watchdog {};
  watchdog.sa_handler = OnInterruptWatchdog;
  sigemptyset(&watchdog.sa_mask);
  sigaction(SIGALRM, &watchdog, nullptr);
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
  // The line is drawn with "\r" and an erase-line escape: not on a dumb
  // terminal.
  const char* term = std::getenv("TERM");
  if (!isatty(STDERR_FILENO) ||
      (term != nullptr && std::string_view(term) == "dumb")) {
    return;
  }
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
      // Diagnostics print above it (StatusLine), never over it.
      StatusLine::Stderr().Show("sprawl: " + line);
      s->printed = true;
    }
    if (s->printed) StatusLine::Stderr().Clear();
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
