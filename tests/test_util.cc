#include "tests/test_util.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "scanner/base/text.h"
#include "scanner/match/checksum.h"
#include "scanner/ruleset/rule_loader.h"

namespace sprawl::testing {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "test_util: %s\n", what.c_str());
  std::abort();
}

// Substrings the placeholder filter treats as dummies; a synthetic token
// must not contain them by accident.
bool HasDummyMarker(std::string_view body) {
  static constexpr std::array<std::string_view, 12> kMarkers = {
      "example",  "your",   "xxxx",     "dummy",    "placeholder", "changeme",
      "redacted", "insert", "abcdefgh", "12345678", "notreal",     "replace"};
  const std::string lower = AsciiLower(body);
  for (std::string_view m : kMarkers) {
    if (lower.find(m) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string SyntheticToken(std::string_view prefix, std::string_view alphabet,
                           std::size_t length, uint64_t seed) {
  if (alphabet.size() < 2) Die("SyntheticToken needs 2+ characters");
  // mt19937_64's output sequence is fixed by the standard; the modulo keeps
  // the mapping to characters independent of the library's distributions.
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + length);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::string body;
    body.reserve(length);
    while (body.size() < length) {
      const char c = alphabet[rng() % alphabet.size()];
      const std::size_t n = body.size();
      if (n >= 3 && body[n - 1] == c && body[n - 2] == c && body[n - 3] == c) {
        continue;
      }
      body.push_back(c);
    }
    if (!HasDummyMarker(body)) return std::string(prefix) + body;
  }
  Die("SyntheticToken could not avoid placeholder markers");
}

std::string SyntheticGithubToken(std::string_view prefix, uint64_t seed) {
  const std::string body = SyntheticToken("", kAlnum, 30, seed);
  return std::string(prefix) + body + GithubChecksum(body);
}

std::string SyntheticPem(std::string_view kind, std::size_t body_lines,
                         uint64_t seed) {
  const std::string body = SyntheticToken("", kBase64, 64 * body_lines, seed);
  std::string out = "-----BEGIN " + std::string(kind) + " PRIVATE KEY-----\n";
  for (std::size_t i = 0; i < body_lines; ++i) {
    out += body.substr(64 * i, 64);
    out += '\n';
  }
  out += "-----END " + std::string(kind) + " PRIVATE KEY-----";
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/sprawl-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  // Tests chmod files and directories to 000; give the owner access back so
  // the tree can be removed.
  for (auto it = fs::recursive_directory_iterator(
           path_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec)) continue;
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add,
                    ec);
  }
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::string TempDir::Sub(std::string_view rel) const {
  return path_ + "/" + std::string(rel);
}

void WriteFile(const std::string& path, std::string_view content) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) Die("cannot write " + path);
}

void RewriteKeepingMtime(const std::string& path, const std::string& text) {
  struct stat before;
  REQUIRE(::stat(path.c_str(), &before) == 0);
  WriteFile(path, text);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const CommandOptions& options) {
  if (argv.empty()) Die("RunCommand needs argv[0]");
  TempDir io;
  const std::string in_path = io.Sub("stdin");
  const std::string out_path = io.Sub("stdout");
  const std::string err_path = io.Sub("stderr");
  WriteFile(in_path, options.stdin_data);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  std::fflush(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec, plus setenv/chdir,
    // which are fine in a single-threaded-after-fork child in practice.
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out =
        ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err =
        ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    for (const auto& [k, v] : options.env) ::setenv(k.c_str(), v.c_str(), 1);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(127);
    // A pending alarm survives exec: a hung child dies with SIGALRM.
    ::alarm(options.timeout_seconds);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (options.while_running) options.while_running(pid);
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) Die("wait4 failed");
  }
  CommandResult r;
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  r.max_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.exit_code = 128 + WTERMSIG(status);
  }
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

const Matcher& BuiltinMatcher() {
  static const std::unique_ptr<Matcher> matcher = [] {
    auto rules = LoadBuiltinRules();
    REQUIRE_MESSAGE(rules.ok(), rules.error().message);
    Diagnostics quiet(nullptr);
    auto m = Matcher::Build(std::move(rules).value(), MatcherOptions{}, &quiet);
    REQUIRE_MESSAGE(m.ok(), m.error().message);
    return std::move(m).value();
  }();
  return *matcher;
}

Result<std::unique_ptr<Matcher>> BuildMatcherFromYaml(
    std::string_view yaml, Diagnostics* diagnostics) {
  auto rules = ParseRulePack(yaml, "test.yaml");
  if (!rules.ok()) return rules.error();
  Diagnostics quiet(nullptr);
  return Matcher::Build(std::move(rules).value(), MatcherOptions{},
                        diagnostics != nullptr ? diagnostics : &quiet);
}

std::string RuleYaml(std::string_view id, std::string_view pattern,
                     std::string_view extra_fields) {
  const std::string_view provider = id.substr(0, id.find('.'));
  std::string quoted;
  for (char c : pattern) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  std::ostringstream y;
  y << "  - id: " << id << "\n"
    << "    name: test rule " << id << "\n"
    << "    provider: " << provider << "\n"
    << "    category: generic\n"
    << "    pattern: '" << quoted << "'\n"
    << extra_fields
    << "    examples: ['first synthetic sample', 'second synthetic sample']\n"
    << "    negative_examples: ['nothing here']\n"
    << "    references: ['https://example.invalid/docs']\n";
  return y.str();
}

uint64_t LineAt(std::string_view s, std::size_t offset) {
  return CountNewlines(s.data(), offset) + 1;
}

uint64_t ColumnAt(std::string_view s, std::size_t offset) {
  const std::size_t nl = s.substr(0, offset).rfind('\n');
  return nl == std::string_view::npos ? offset + 1 : offset - nl;
}

std::string RunGit(const std::string& cwd, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{"/usr/bin/git", "-c",
                                "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions o;
  o.cwd = cwd;
  o.env = {{"GIT_CONFIG_GLOBAL", "/dev/null"},
           {"GIT_CONFIG_NOSYSTEM", "1"},
           {"GIT_AUTHOR_NAME", "Alice Example"},
           {"GIT_AUTHOR_EMAIL", "alice@corp.test"},
           {"GIT_COMMITTER_NAME", "Alice Example"},
           {"GIT_COMMITTER_EMAIL", "alice@corp.test"}};
  for (const auto& [k, v] : env) o.env[k] = v;
  CommandResult r = RunCommand(argv, o);
  REQUIRE_MESSAGE(r.exit_code == 0, "git " << args[0] << " failed: " << r.err);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

static std::vector<std::string>& SkippedList() {
  static std::vector<std::string> list;
  return list;
}

void Skip(const std::string& reason) {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string_view(ci) == "true") {
    FAIL("CI=true and a check cannot run: " << reason);
    return;
  }
  MESSAGE("SKIPPED: " << reason);
  SkippedList().push_back(reason);
}

const std::vector<std::string>& Skipped() { return SkippedList(); }

}  // namespace sprawl::testing
