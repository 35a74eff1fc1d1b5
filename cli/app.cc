#include "cli/app.h"

#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sys/stat.h>
#include <unordered_set>

#include "cli/common.h"
#include "cli/hook.h"
#include "cli/sweep.h"
#include "scanner/base/glob.h"
#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"
#include "scanner/config/config.h"
#include "scanner/config/config_trust.h"
#include "scanner/inventory/draft.h"
#include "scanner/inventory/inventory.h"
#include "scanner/match/rule_checker.h"
#include "scanner/match/synthetic_cases.h"
#include "scanner/clients/home_stores.h"
#include "scanner/scan/dir_scan.h"
#include "scanner/scan/git_scan.h"
#include "scanner/sources/git_revision_files.h"
#include "scanner/scan/git_scan.h"

namespace sprawl {
namespace {

constexpr uint64_t kDefaultMaxSize = 50u << 20;

struct DirArgs {
  std::vector<std::string> paths;
  std::string max_file_size;  // "" = config, else 50 MiB
  bool no_ignore = false;
  // --home [DIR]: only the developer credential stores under DIR ("" =
  // $HOME); `home_given` says whether the flag was there at all.
  std::string home;
  bool home_given = false;
};

struct GitArgs {
  std::string repo = ".";
  std::string range;
  bool staged = false;
  std::string max_blob_size;  // "" = config, else 50 MiB
};

// Resolves a size flag: the flag, else the config, else the default.
Result<uint64_t> SizeSetting(const std::string& flag, const char* name,
                             const std::optional<uint64_t>& configured) {
  if (!flag.empty()) {
    auto size = ParseByteSize(flag);
    if (!size.ok()) return Error{std::string(name) + ": " + size.error().message};
    return *size;
  }
  return configured.value_or(kDefaultMaxSize);
}

// Where settings come from: the scanned tree (repository-supplied, may only
// make the gate stricter unless --trust-repo-config), or a range's base
// revision (trusted), copied out by `base`.
struct ConfigSource {
  std::string root;  // directory standing for the tree
  bool trusted = false;
  RevisionFiles* base = nullptr;  // --range only
};

// The repository-relative form of `path` under `root`, "" when outside.
std::string RelativeTo(std::string root, const std::string& path) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  const std::string rel =
      std::filesystem::path(path)
          .lexically_normal()
          .lexically_relative(std::filesystem::path(root).lexically_normal())
          .string();
  return rel.empty() || rel.rfind("..", 0) == 0 ? "" : rel;
}

// Loads `<root>/.sprawl/config.yaml` and folds it under the flags.
Result<Config> ApplyConfig(const ConfigSource& source, CommonOptions* common,
                           Diagnostics* diagnostics) {
  auto config = LoadConfigForRoot(source.root);
  if (!config.ok()) return config.error();
  if (!source.trusted) RestrictRepositoryConfig(&*config, diagnostics);
  // Paths the config names: inside the repository (copied out of the base
  // revision first, for a range), regular files or rule directories.
  std::vector<std::string> named = config->rules;
  if (config->inventory) named.push_back(*config->inventory);
  for (const std::string& path : named) {
    const std::string rel = RelativeTo(source.root, path);
    if (rel.empty()) {
      return Error{config->path + ": " + EscapeForDisplay(path) +
                   ": outside the repository; a repository's config may only "
                   "name files inside it (pass it as a flag instead)"};
    }
    if (source.base != nullptr) {
      auto copied = source.base->Extract(rel);
      if (!copied.ok()) return copied.error();
    }
  }
  for (const std::string& path : config->rules) {
    Status inside = CheckRepoPath(source.root, path, /*dir_ok=*/true);
    if (!inside.ok())
      return Error{config->path + ": " + inside.error().message};
  }
  if (!common->new_only && config->fail_on_new_only) {
    common->new_only = *config->fail_on_new_only;
  }
  if (common->incomplete_ok.empty() && config->incomplete_ok) {
    common->incomplete_ok = *config->incomplete_ok;
  }
  if (common->threads < 0) common->threads = config->threads.value_or(0);
  if (common->fail_on.empty() && config->fail_on) {
    common->fail_on = *config->fail_on;
  }
  if (common->min_confidence.empty() && config->min_confidence) {
    common->min_confidence = *config->min_confidence;
  }
  for (const auto& r : config->rules) common->rules.push_back(r);
  return config;
}

struct StdinArgs {
  std::string path = "-";
};

// The outcome of any scan, ready for MakeReport.
struct Scanned {
  std::vector<Finding> findings;
  ScanStats stats;
  std::string root;
  bool full_scan = false;
  std::vector<PipelineReference> references;          // pipeline files
  std::vector<PipelineFindingEntry> pipeline_findings;
  // git --range: what the range inherited from its base, when classified.
  std::optional<std::unordered_set<std::string>> inherited;
  std::vector<std::string> changed_config;
};

// Everything a scanning command prepares before it scans: config folded
// under the flags, validated flags, the inventory, the matcher.
struct Prepared {
  Config config;
  Inventory inventory;
  std::unique_ptr<Matcher> matcher;
  ConfigSource source;
};

Result<Prepared> Prepare(const ConfigSource& source, CommonOptions* common,
                         Diagnostics* diagnostics) {
  Prepared p;
  p.source = source;
  const std::string& root = source.root;
  auto config = ApplyConfig(source, common, diagnostics);
  if (!config.ok()) return config.error();
  p.config = std::move(config).value();
  if (std::string bad = ValidateCommon(*common); !bad.empty()) {
    return Error{bad};
  }
  auto inventory = ResolveInventory(*common, root, p.config.inventory);
  if (!inventory.ok()) return inventory.error();
  const char* key = std::getenv("SPRAWL_FINGERPRINT_KEY");
  if (Status kind = CheckFingerprintKind(*inventory, key != nullptr && *key);
      !kind.ok()) {
    return kind.error();
  }
  p.inventory = std::move(inventory).value();
  auto matcher = BuildMatcher(*common, diagnostics);
  if (!matcher.ok()) return matcher.error();
  p.matcher = std::move(matcher).value();
  return p;
}

std::string DirRoot(const std::vector<std::string>& paths) {
  struct stat st;
  return !paths.empty() && ::stat(paths[0].c_str(), &st) == 0 &&
                 S_ISDIR(st.st_mode)
             ? paths[0]
             : ".";
}

Result<Scanned> ScanDir(const CommonOptions& common, const DirArgs& args,
                        const Prepared& p, Diagnostics* diagnostics) {
  auto max_size =
      SizeSetting(args.max_file_size, "--max-file-size", p.config.max_file_size);
  if (!max_size.ok()) return max_size.error();
  auto limits = ResolveLimits(common, p.config);
  if (!limits.ok()) return limits.error();
  DirScanOptions options;
  options.limits = *limits;
  if (!args.paths.empty()) options.roots = args.paths;
  if (args.home_given) {
    // Only the known stores, named relative to the home directory.
    options.roots.clear();
    for (const HomeStore& s : HomeCredentialStores(args.home)) {
      options.roots.push_back(s.path);
      options.root_names.push_back(s.rel);
    }
  }
  options.threads = common.threads;
  options.max_file_size = *max_size;
  options.use_ignore_files = !args.no_ignore;
  options.drop_catch_all = !p.source.trusted;
  options.exclude = p.config.exclude;
  options.exclude.insert(options.exclude.end(), common.exclude.begin(),
                         common.exclude.end());
  options.cancel = InstallInterruptHandler();
  ScanProgress progress;
  options.progress = &progress;
  Result<DirScanResult> result = [&] {
    ProgressPrinter printer(&progress);
    return ScanDirectories(options, *p.matcher, diagnostics);
  }();
  if (!result.ok()) return result.error();
  // A --home scan covers a few stores, not a tree: no `unseen` list.
  Scanned scanned;
  scanned.findings = std::move(result->findings);
  scanned.stats = result->stats;
  scanned.root = args.home_given ? args.home : DirRoot(args.paths);
  scanned.full_scan = !args.home_given;
  scanned.references = std::move(result->references);
  scanned.pipeline_findings = std::move(result->pipeline_findings);
  return scanned;
}

Result<Scanned> ScanGit(const CommonOptions& common, const GitArgs& args,
                        const Prepared& p, Diagnostics* diagnostics) {
  auto max_size =
      SizeSetting(args.max_blob_size, "--max-blob-size", p.config.max_blob_size);
  if (!max_size.ok()) return max_size.error();
  if (args.staged && !args.range.empty()) {
    return Error{"--staged and --range cannot be combined"};
  }
  auto limits = ResolveLimits(common, p.config);
  if (!limits.ok()) return limits.error();
  GitScanOptions options;
  options.limits = *limits;
  options.repo_path = args.repo;
  options.range = args.range;
  options.staged = args.staged;
  options.threads = common.threads;
  options.max_blob_size = *max_size;
  options.cancel = InstallInterruptHandler();
  // Packs checked clean are remembered beside the rules: a pre-commit
  // hook's `--staged` then walks no pack to open the repository.
  if (const std::string cache = CacheDir(common); !cache.empty()) {
    options.verified_pack_dir = cache + "/packs";
  }
  const IgnoreRules exclude = GitExclusions(
      common.exclude, p.config, p.source.root, p.source.trusted, diagnostics);
  options.exclude = &exclude;
  for (const std::string& path : p.config.rules) {
    options.own_config_paths.push_back(RelativeTo(p.source.root, path));
  }
  if (p.config.inventory) {
    options.own_config_paths.push_back(
        RelativeTo(p.source.root, *p.config.inventory));
  }
  ScanProgress progress;
  options.progress = &progress;
  auto result = [&] {
    ProgressPrinter printer(&progress);
    return ScanGitHistory(options, *p.matcher, diagnostics);
  }();
  if (!result.ok()) return result.error();
  const bool full = args.range.empty() && !args.staged;
  Scanned scanned;
  scanned.findings = std::move(result->findings);
  scanned.stats = result->stats;
  scanned.root = result->root;
  scanned.full_scan = full;
  scanned.references = std::move(result->references);
  scanned.pipeline_findings = std::move(result->pipeline_findings);
  if (result->range_classified)
    scanned.inherited = std::move(result->inherited);
  scanned.changed_config = std::move(result->changed_config);
  return scanned;
}

int Finish(const std::string& command, const CommonOptions& common,
           const Prepared& p, Result<Scanned> scanned,
           const Diagnostics& diagnostics) {
  if (!scanned.ok()) return FailWith(scanned.error().message);
  ScanContext context;
  context.root = scanned->root;
  context.full_scan = scanned->full_scan;
  context.inventory = &p.inventory;
  context.references = std::move(scanned->references);
  context.pipeline_findings = std::move(scanned->pipeline_findings);
  if (scanned->inherited) context.inherited = &*scanned->inherited;
  context.changed_config = std::move(scanned->changed_config);
  return FinishScan(command, common, *p.matcher, std::move(scanned->findings),
                    scanned->stats, diagnostics, context);
}

int RunDir(CommonOptions common, DirArgs args) {
  Diagnostics diagnostics(stderr, common.verbose);
  if (Status out = CheckOutputWritable(common.output, true); !out.ok()) {
    return FailWith(out.error().message);
  }
  if (args.home_given) {
    if (!args.paths.empty()) return FailWith("--home takes no PATH arguments");
    if (args.home.empty()) {
      const char* h = std::getenv("HOME");
      if (h == nullptr || *h == '\0') {
        return FailWith("--home: HOME is not set; give the directory");
      }
      args.home = h;
    }
    struct stat st;
    if (::stat(args.home.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return FailWith(args.home + ": home directory does not exist");
    }
  }
  auto p = Prepare({args.home_given ? args.home : DirRoot(args.paths),
                    common.trust_repo_config},
                   &common,
                   &diagnostics);
  if (!p.ok()) return FailWith(p.error().message);
  return Finish("dir", common, *p, ScanDir(common, args, *p, &diagnostics),
                diagnostics);
}

int RunGit(CommonOptions common, const GitArgs& args) {
  Diagnostics diagnostics(stderr, common.verbose);
  if (Status out = CheckOutputWritable(common.output, true); !out.ok()) {
    return FailWith(out.error().message);
  }
  // A range's settings come from its base revision, never from the change
  // under review (which could otherwise switch its own gate off).
  ConfigSource source{args.repo, common.trust_repo_config};
  std::unique_ptr<RevisionFiles> base;
  if (!args.range.empty() && !args.staged) {
    auto opened = RevisionFiles::OpenRangeBase(args.repo, args.range);
    if (!opened.ok()) return FailWith(opened.error().message);
    base = std::move(opened).value();
    for (const char* rel : {".sprawl", ".sprawlignore"}) {
      auto copied = base->Extract(rel);
      if (!copied.ok()) return FailWith(copied.error().message);
    }
    source = {base->dir(), true, base.get()};
  }
  auto p = Prepare(source, &common, &diagnostics);
  if (!p.ok()) return FailWith(p.error().message);
  return Finish("git", common, *p, ScanGit(common, args, *p, &diagnostics),
                diagnostics);
}

int RunStdin(CommonOptions common, const StdinArgs& args) {
  Diagnostics diagnostics(stderr, common.verbose);
  if (Status out = CheckOutputWritable(common.output, true); !out.ok()) {
    return FailWith(out.error().message);
  }
  auto p = Prepare({".", common.trust_repo_config}, &common, &diagnostics);
  if (!p.ok()) return FailWith(p.error().message);
  auto limits = ResolveLimits(common, p->config);
  if (!limits.ok()) return FailWith(limits.error().message);
  auto result = ScanStream(STDIN_FILENO, args.path, "stdin", *p->matcher,
                           &diagnostics, *limits);
  if (!result.ok()) return FailWith(result.error().message);
  // --exclude (and `exclude:`) judge the name the input is reported as.
  IgnoreRules exclude;
  for (const auto& glob : p->config.exclude) exclude.AddPattern("", glob);
  for (const auto& glob : common.exclude) exclude.AddPattern("", glob);
  if (exclude.ExcludesPath(args.path)) {
    result->findings.clear();
    ++result->stats.skipped_ignored;
  }
  Scanned scanned;
  scanned.findings = std::move(result->findings);
  scanned.stats = result->stats;
  scanned.root = ".";
  return Finish("stdin", common, *p, std::move(scanned), diagnostics);
}

int RunInventoryLint(const std::string& file) {
  auto inv = LoadInventory(file);
  if (!inv.ok()) return FailWith(inv.error().message);
  std::cout << file << ": ok (" << inv->consumers.size() << " consumers, "
            << inv->credentials.size() << " credentials, " << inv->allow.size()
            << " allow entries)\n";
  return kExitOk;
}

// --output names the inventory file to write; an existing one is extended.
int RunInventoryInit(CommonOptions common, const DirArgs& dir_args,
                     bool from_git) {
  const std::string output = common.output;
  if (output.empty()) return FailWith("inventory init: --output FILE is required");
  // Before the scan: a bad --output must not cost one. `.sprawl/` is made.
  if (Status out = CheckOutputWritable(output, true); !out.ok()) {
    return FailWith(out.error().message);
  }
  Diagnostics diagnostics(stderr, common.verbose);
  const std::string root = DirRoot(dir_args.paths);
  // Extend the output file when it already is an inventory.
  std::string original;
  Inventory existing;
  if (std::ifstream in(output, std::ios::binary); in) {
    original.assign(std::istreambuf_iterator<char>(in),
                    std::istreambuf_iterator<char>());
    auto inv = ParseInventory(original, output);
    if (!inv.ok()) return FailWith(inv.error().message);
    existing = std::move(inv).value();
  }
  auto p = Prepare({root, common.trust_repo_config}, &common, &diagnostics);
  if (!p.ok()) return FailWith(p.error().message);
  Result<Scanned> scanned =
      from_git ? ScanGit(common, GitArgs{root, "", false, ""}, *p, &diagnostics)
               : ScanDir(common, dir_args, *p, &diagnostics);
  if (!scanned.ok()) return FailWith(scanned.error().message);
  common.show_secrets = false;  // a draft never carries a raw secret
  ScanContext context;
  context.root = scanned->root;
  context.inventory = &p->inventory;
  auto report = MakeReport("inventory-init", common, *p->matcher,
                           std::move(scanned->findings), scanned->stats,
                           diagnostics, context);
  if (!report.ok()) return FailWith(report.error().message);
  int added = 0;
  std::string text;
  if (original.empty()) {
    text = DraftInventory(*report, &added);
  } else {
    auto extended = ExtendInventory(original, existing, *report, &added);
    if (!extended.ok()) return FailWith(output + ": " + extended.error().message);
    text = std::move(extended).value();
  }
  auto check = ParseInventory(text, output);
  if (!check.ok()) {
    return FailWith("internal: drafted inventory does not validate: " +
                    check.error().message);
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return FailWith(output + ": cannot write");
  std::cerr << "sprawl: " << added << " credential(s) added to " << output
            << "; fill in each owner\n";
  return kExitOk;
}

int RunRulesList(const CommonOptions& common, bool patterns) {
  Diagnostics diagnostics(stderr, common.verbose);
  auto matcher = BuildMatcher(common, &diagnostics);
  if (!matcher.ok()) return FailWith(matcher.error().message);
  const auto& rules = (*matcher)->rules();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    if (patterns) {
      std::cout << r.pattern << '\n';
      continue;
    }
    std::cout << r.id << '\t' << r.provider << '\t' << r.category << '\t'
              << ConfidenceName(r.confidence) << '\t'
              << RuleEngineName((*matcher)->engine(i)) << '\t' << r.name
              << '\n';
  }
  return kExitOk;
}

int RunRulesCheck(const CommonOptions& common) {
  Diagnostics diagnostics(stderr, common.verbose);
  auto matcher = BuildMatcher(common, &diagnostics, /*eager=*/true);
  if (!matcher.ok()) return FailWith(matcher.error().message);
  auto problems = CheckRules(**matcher);
  for (const auto& p : problems) {
    std::cerr << "sprawl: error: " << p.where << ": rule " << p.rule_id << ": "
              << p.problem << '\n';
  }
  const auto& rules = (*matcher)->rules();
  std::size_t examples = 0;
  std::size_t negatives = 0;
  std::size_t fallback = 0;
  std::size_t detectors = 0;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    examples += rules[i].examples.size();
    negatives += rules[i].negative_examples.size();
    if (rules[i].detector) {
      ++detectors;
      const SyntheticCases synthetic = MakeSyntheticCases(rules[i]);
      examples += synthetic.positives.size();
      negatives += synthetic.negatives.size();
    }
    if (!rules[i].identifier_only) ids.insert(rules[i].id);
    if ((*matcher)->engine(i) != RuleEngine::kHyperscan) ++fallback;
  }
  // Token types: distinct rule ids of secrets, compact detectors included
  // (identifier-only rules name no secret).
  std::cout << ids.size() << " token types (" << rules.size() << " rules, "
            << detectors << " from compact detectors), " << examples
            << " examples, " << negatives << " negative examples: "
            << (problems.empty() ? "all ok" : std::to_string(problems.size()) +
                                                  " problem(s)")
            << " (" << fallback << " rule(s) not fully in Hyperscan)\n";
  return problems.empty() ? kExitOk : kExitError;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{
      "sprawl: finds credentials in files, git history and CI pipelines and "
      "reconciles them against an inventory."};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("sprawl ") + SPRAWL_VERSION +
                           " (Hyperscan " + hs_version() + ")");

  CommonOptions common;
  DirArgs dir_args;
  CLI::App* dir = app.add_subcommand("dir", "Scan files on disk (default: .)");
  AddCommonFlags(dir, &common);
  dir->add_option("paths", dir_args.paths, "Directories or files to scan");
  dir->add_option("--max-file-size", dir_args.max_file_size,
                  "Skip (with a diagnostic) larger files: bytes or 10MiB, 1GiB "
                  "(default 50MiB)");
  dir->add_flag("--no-ignore", dir_args.no_ignore,
                "Do not honour .gitignore and .sprawlignore files");
  AddGateFlags(dir, &common);
  CLI::Option* home = dir->add_option(
      "--home", dir_args.home,
      "Scan only the developer credential stores under DIR (default $HOME): "
      "registry and CLI credential files, API clients' and MCP configs; "
      "read-only (docs/clients.md)");
  home->expected(0, 1);

  GitArgs git_args;
  CLI::App* git = app.add_subcommand(
      "git", "Scan git history: every blob reachable from any ref, once");
  AddCommonFlags(git, &common);
  AddGateFlags(git, &common);
  git->add_option("repo", git_args.repo, "Repository (default: .)");
  git->add_option("--range", git_args.range,
                  "Only blobs introduced by commits in A..B (CI gate)");
  git->add_flag("--staged", git_args.staged,
                "Only what is staged in the index (pre-commit)");
  git->add_option("--max-blob-size", git_args.max_blob_size,
                  "Skip (with a diagnostic) larger blobs: bytes or 10MiB, 1GiB "
                  "(default 50MiB)");

  StdinArgs stdin_args;
  CLI::App* in = app.add_subcommand("stdin", "Scan standard input");
  AddCommonFlags(in, &common);
  AddGateFlags(in, &common);
  in->add_option("--path", stdin_args.path,
                 "Name to report for the input (default: -)");

  CLI::App* inventory =
      app.add_subcommand("inventory", "Validate or draft a credential inventory");
  inventory->require_subcommand(1);
  std::string lint_file;
  CLI::App* lint = inventory->add_subcommand("lint", "Validate an inventory file");
  lint->add_option("file", lint_file, "Inventory file")->required();
  DirArgs init_args;
  bool init_git = false;
  CLI::App* init = inventory->add_subcommand(
      "init", "Draft (or extend) an inventory from a scan of PATH");
  AddCommonFlags(init, &common);
  AddGateFlags(init, &common);
  init->add_option("paths", init_args.paths, "Directory to scan (default: .)");
  init->add_flag("--git", init_git, "Scan the git history of PATH instead");

  HookArgs hook_args;
  CLI::App* hook_install = AddHookCommands(&app, &hook_args);

  CLI::App* rules = app.add_subcommand("rules", "List or check rules");
  rules->require_subcommand(1);
  bool patterns = false;
  CLI::App* list = rules->add_subcommand("list", "List every rule");
  AddRuleFlags(list, &common);
  list->add_flag("--patterns", patterns,
                 "Print only the patterns, one per line (for grep -E / rg -f)");
  CLI::App* check = rules->add_subcommand(
      "check", "Compile every rule in Hyperscan and RE2 and test its examples");
  AddRuleFlags(check, &common);

  auto sweep_commands = AddSweepCommands(&app, &common);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitError;
  }
  if (int rc; RunSweepCommands(*sweep_commands, common, &rc)) return rc;
  if (dir->parsed()) {
    dir_args.home_given = home->count() > 0;
    return RunDir(common, dir_args);
  }
  if (git->parsed()) return RunGit(common, git_args);
  if (in->parsed()) return RunStdin(common, stdin_args);
  if (lint->parsed()) return RunInventoryLint(lint_file);
  if (init->parsed()) {
    return RunInventoryInit(common, init_args, init_git);
  }
  if (list->parsed()) return RunRulesList(common, patterns);
  if (check->parsed()) return RunRulesCheck(common);
  if (hook_install->parsed()) return RunHookInstall(hook_args);
  return kExitError;
}

}  // namespace sprawl
