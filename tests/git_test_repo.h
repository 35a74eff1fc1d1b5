// A git repository built by a test through the git CLI, and helpers to
// scan one and compare findings exactly. Shared by the git tests.
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "scanner/scan/git_scan.h"
#include "tests/test_util.h"

namespace sprawl::testing {

inline const Matcher& TestMatcher() {
  static const std::unique_ptr<Matcher> m = [] {
    auto r = BuildMatcherFromYaml(
        "provider: test\nrules:\n" +
        RuleYaml("test.gh-token", R"(\b(ghp_[A-Za-z0-9]{36})\b)"));
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return std::move(r).value();
  }();
  return *m;
}

inline std::string Key(uint64_t seed) {
  return SyntheticGithubToken("ghp_", seed);
}

// A repository built by the test through the git CLI, with fixed identities
// and a commit clock that advances one hour per commit.
class TestRepo {
 public:
  explicit TestRepo(bool init = true) {
    if (init) Git({"init", "-q", "-b", "main", "."});
  }
  const std::string& path() const { return dir_.path(); }
  std::string Sub(const std::string& rel) const { return dir_.Sub(rel); }

  std::string Git(const std::vector<std::string>& args,
                  const std::string& cwd = "", const std::string& input = "") {
    std::vector<std::string> argv{"/usr/bin/git", "-c",
                                  "advice.detachedHead=false", "-c",
                                  "init.defaultBranch=main"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandOptions o;
    o.cwd = cwd.empty() ? path() : cwd;
    o.stdin_data = input;
    o.env = {{"GIT_CONFIG_GLOBAL", "/dev/null"},
             {"GIT_CONFIG_NOSYSTEM", "1"},
             {"GIT_AUTHOR_NAME", author_},
             {"GIT_AUTHOR_EMAIL", email_},
             {"GIT_COMMITTER_NAME", "Committer"},
             {"GIT_COMMITTER_EMAIL", "committer@corp.test"},
             {"GIT_AUTHOR_DATE", Date()},
             {"GIT_COMMITTER_DATE", Date()}};
    CommandResult r = RunCommand(argv, o);
    REQUIRE_MESSAGE(r.exit_code == 0, "git failed: " << r.err);
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  void Write(const std::string& rel, const std::string& content) {
    WriteFile(Sub(rel), content);
  }
  // Stages everything and commits; returns the new commit's sha.
  std::string Commit(const std::string& message,
                     const std::string& author = "Alice Example") {
    author_ = author;
    email_ = author.substr(0, author.find(' ')) + "@corp.test";
    Git({"add", "-A"});
    Git({"commit", "-q", "--allow-empty", "-m", message});
    ++clock_;
    return Git({"rev-parse", "HEAD"});
  }
  // The author date the next commit gets.
  std::string Date() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "2026-01-02T%02d:04:05+01:00", 3 + clock_);
    return buf;
  }

 private:
  TempDir dir_;
  std::string author_ = "Alice Example";
  std::string email_ = "alice@corp.test";
  int clock_ = 0;
};

inline GitScanResult Scan(const std::string& path, GitScanOptions options = {},
                   Diagnostics* diagnostics = nullptr) {
  options.repo_path = path;
  if (options.threads == 0) options.threads = 2;
  Diagnostics quiet(nullptr);
  auto r = ScanGitHistory(options, TestMatcher(),
                          diagnostics != nullptr ? diagnostics : &quiet);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(r).value();
}

// One line per finding with every field, for exact comparisons.
inline std::string Describe(const Finding& f) {
  std::string s = f.location.source + " " + f.location.path + ":" +
                  std::to_string(f.location.line) + ":" +
                  std::to_string(f.location.column) + " " + f.secret;
  if (f.location.git) {
    const GitProvenance& g = *f.location.git;
    s += " commit=" + g.commit + " author=" + g.author + " <" + g.author_email +
         "> date=" + g.date + " summary=" + g.summary + " blob=" + g.blob +
         " in_head=" + (g.in_head ? "1" : "0") + " refs=";
    for (const std::string& r : g.refs) s += r + ",";
  }
  return s;
}

inline std::vector<std::string> DescribeAll(const GitScanResult& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) out.push_back(Describe(f));
  return out;
}

inline std::vector<const Finding*> WithSecret(const GitScanResult& r,
                                       const std::string& secret) {
  std::vector<const Finding*> out;
  for (const Finding& f : r.findings) {
    if (f.secret == secret) out.push_back(&f);
  }
  return out;
}

}  // namespace sprawl::testing
