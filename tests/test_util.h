// Helpers shared by the test suites: deterministic synthetic secrets (never
// real credentials), a self-deleting temporary directory, file writing,
// running the built binary with captured output, and building a Matcher from
// an inline rule pack. Test-only; not thread-safe unless stated.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/match/matcher.h"

namespace sprawl::testing {

// Whether this test binary runs under ASan or TSan. Sanitizers reserve
// terabytes of shadow address space, so an address-space limit (prlimit
// --as, ulimit -v) cannot be applied to a sanitized child.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// Character sets for SyntheticToken.
inline constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
inline constexpr std::string_view kUpperDigits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
inline constexpr std::string_view kLetters =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
inline constexpr std::string_view kDigits = "0123456789";
inline constexpr std::string_view kHexLower = "0123456789abcdef";
inline constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// `prefix` followed by `length` characters drawn from `alphabet` with a
// fixed-seed generator: the same arguments give the same token everywhere.
// The body never holds a run of 4 identical characters nor a substring the
// placeholder filter treats as a dummy (example, your, xxxx, dummy, ...).
std::string SyntheticToken(std::string_view prefix, std::string_view alphabet,
                           std::size_t length, uint64_t seed);

// A token in GitHub's checksummed format (ghp_ gho_ ghu_ ghs_ ghr_, and
// npm_): `prefix` + 30 synthetic base-62 characters + their valid 6-character
// base-62 CRC-32, so the high-confidence rule reports it. Deterministic.
std::string SyntheticGithubToken(std::string_view prefix, uint64_t seed);

// A synthetic PEM private key block ("-----BEGIN <kind> PRIVATE KEY-----").
std::string SyntheticPem(std::string_view kind, std::size_t body_lines,
                         uint64_t seed);

// A fresh directory under $TMPDIR (or /tmp), removed recursively (after
// restoring permissions) when the object dies. Move-only.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + rel.
  std::string Sub(std::string_view rel) const;

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parent directories. Aborts the test
// run (CHECK-style) when it cannot: a broken fixture is not a result.
void WriteFile(const std::string& path, std::string_view content);
// Rewrites `path` in place (same inode) and gives it back its old mtime:
// only its ctime tells.
void RewriteKeepingMtime(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
  double seconds = 0;   // wall time from fork to exit
  long max_rss_kb = 0;  // wait4's peak RSS of the child (see RunMeasured)
};

struct CommandOptions {
  std::string stdin_data;                  // fed to the child's stdin
  std::map<std::string, std::string> env;  // added to the environment
  std::string cwd;                         // "" = inherit
  unsigned timeout_seconds = 120;          // SIGALRM after this long
  // Runs in the parent after the fork with the child's pid (to signal it).
  std::function<void(pid_t)> while_running;
};

// Runs argv[0] (a path, no PATH lookup) with argv, capturing stdout and
// stderr separately (through temporary files, so no pipe can deadlock).
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const CommandOptions& options = {});

// Runs /usr/bin/git in `cwd` with fixed identities, no user or system
// configuration and `env` added; fails the test when git fails. Its stdout
// without trailing newlines.
std::string RunGit(const std::string& cwd, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {});

// Parses `yaml` as one rule pack (origin "test.yaml") and builds a matcher
// from it; diagnostics go to `diagnostics` when given. Errors are returned.
Result<std::unique_ptr<Matcher>> BuildMatcherFromYaml(
    std::string_view yaml, Diagnostics* diagnostics = nullptr);

// The matcher over every built-in rule, compiled once per test process.
const Matcher& BuiltinMatcher();

// One rule in pack syntax, for BuildMatcherFromYaml; `pattern` is written as
// a single-quoted YAML scalar. Examples are filled in so the pack loads.
std::string RuleYaml(std::string_view id, std::string_view pattern,
                     std::string_view extra_fields = "");

// Number of '\n' in s[0, offset) plus one; and the 1-based byte column.
uint64_t LineAt(std::string_view s, std::size_t offset);
uint64_t ColumnAt(std::string_view s, std::size_t offset);

// Skips the rest of a check because something it needs is missing (a tool
// such as node): prints "SKIPPED: <reason>" and records it, so the run ends
// with a list of what did not run and, when $SPRAWL_SKIP_EXIT_CODE is set
// (ctest sets it; tests/CMakeLists.txt), exits with that code so ctest shows
// the suite as skipped rather than passed. Under CI=true a skip is a test
// failure: CI must have every tool. The caller returns after calling it.
void Skip(const std::string& reason);

// Every reason given to Skip in this process, in order.
const std::vector<std::string>& Skipped();

}  // namespace sprawl::testing
