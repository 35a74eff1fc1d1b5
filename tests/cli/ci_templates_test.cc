// The shipped CI integrations, run for real: the GitLab template's job
// script and the GitHub Action's scan step are taken from their YAML and run
// with bash against repositories built by the test (issue 16 item 8): the
// user's top-level variables are not overridden by the job, the range is
// scanned once for every report format, the build is cached, and a push
// that creates a branch scans what the branch adds over the default branch.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::CommandResult;
using testing::TempDir;

std::string Key(uint64_t seed) {
  return testing::SyntheticGithubToken("ghp_", seed);
}

// A `sprawl` on PATH that logs each invocation's arguments, then runs the
// built binary.
std::string WriteWrapper(const TempDir& dir) {
  const std::string bin = dir.Sub("bin/sprawl");
  testing::WriteFile(bin, "#!/bin/sh\necho \"$*\" >> \"" + dir.Sub("calls") +
                              "\"\nexec '" SPRAWL_BINARY "' \"$@\"\n");
  REQUIRE(::chmod(bin.c_str(), 0755) == 0);
  return bin;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

CommandResult Bash(const std::string& script, const std::string& cwd,
                   std::map<std::string, std::string> env) {
  testing::CommandOptions o;
  o.cwd = cwd;
  o.env = std::move(env);
  o.env.emplace("GIT_CONFIG_NOSYSTEM", "1");
  return testing::RunCommand({"/bin/bash", "-c", script}, o);
}

TEST_SUITE("ci templates") {
  TEST_CASE(
      "issue 16: the GitLab template leaves the user's variables alone, "
      "caches its build and scans the merge request once for every report") {
    const YAML::Node doc = YAML::LoadFile(std::string(SPRAWL_SOURCE_DIR) +
                                          "/ci/gitlab/sprawl.gitlab-ci.yml");
    const YAML::Node job = doc["sprawl"];
    REQUIRE(job.IsMap());
    for (const char* v : {"SPRAWL_SOURCE_URL", "SPRAWL_REF",
                          "SPRAWL_INVENTORY_FILE", "SPRAWL_FAIL_ON"}) {
      CAPTURE(v);
      CHECK_FALSE(job["variables"][v].IsDefined());
    }
    CHECK(job["cache"]["paths"][0].as<std::string>() == ".sprawl-cache/");
    const std::string script = job["script"][0].as<std::string>();

    TempDir dir, home, cache;
    WriteWrapper(dir);
    const std::string repo = dir.Sub("project");
    testing::RunGit(dir.path(), {"init", "-q", "-b", "main", "project"});
    testing::WriteFile(repo + "/old.env", "T=" + Key(1) + "\n");
    testing::RunGit(repo, {"add", "-A"});
    testing::RunGit(repo, {"commit", "-q", "-m", "old"});
    const std::string base = testing::RunGit(repo, {"rev-parse", "HEAD"});
    testing::WriteFile(repo + "/new.env", "T=" + Key(2) + "\n");
    testing::RunGit(repo, {"add", "-A"});
    testing::RunGit(repo, {"commit", "-q", "-m", "new"});
    const std::string head = testing::RunGit(repo, {"rev-parse", "HEAD"});
    CommandResult r = Bash(
        script, repo,
        {{"PATH", dir.Sub("bin") + ":/usr/bin:/bin"},
         {"HOME", home.path()},
         {"SPRAWL_CACHE_DIR", cache.path()},
         {"CI_PROJECT_DIR", repo},
         {"CI_MERGE_REQUEST_DIFF_BASE_SHA", base.substr(0, base.find('\n'))},
         {"CI_COMMIT_SHA", head.substr(0, head.find('\n'))},
         {"SPRAWL_FAIL_ON", "unregistered"}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const auto calls = Lines(testing::ReadFile(dir.Sub("calls")));
    REQUIRE(calls.size() == 1);  // one scan
    CHECK(calls[0].find("--fail-on unregistered") != std::string::npos);
    const std::string sarif = testing::ReadFile(repo + "/sprawl.sarif");
    const std::string junit = testing::ReadFile(repo + "/sprawl-junit.xml");
    CHECK(sarif.find("new.env") != std::string::npos);
    CHECK(sarif.find("old.env") == std::string::npos);  // before the range
    CHECK(junit.find("<testsuite") != std::string::npos);
    CHECK(r.out.find("new.env:1:3") != std::string::npos);  // the text report
  }

  TEST_CASE(
      "issue 16: the Action caches its build, and a push creating a branch "
      "scans from the merge base with the default branch, not all history") {
    const YAML::Node doc =
        YAML::LoadFile(std::string(SPRAWL_SOURCE_DIR) + "/action.yml");
    std::string scan;
    bool cached = false;
    for (const YAML::Node& step : doc["runs"]["steps"]) {
      if (step["uses"] &&
          step["uses"].as<std::string>().rfind("actions/cache@", 0) == 0) {
        cached = true;
      }
      if (step["id"] && step["id"].as<std::string>() == "scan") {
        scan = step["run"].as<std::string>();
      }
    }
    CHECK(cached);
    REQUIRE_FALSE(scan.empty());

    TempDir dir, home, cache;
    const std::string wrapper = WriteWrapper(dir);
    const std::string origin = dir.Sub("origin");
    testing::RunGit(dir.path(), {"init", "-q", "-b", "main", "origin"});
    testing::WriteFile(origin + "/old.env", "T=" + Key(3) + "\n");
    testing::RunGit(origin, {"add", "-A"});
    testing::RunGit(origin, {"commit", "-q", "-m", "old"});
    testing::RunGit(dir.path(), {"clone", "-q", "origin", "work"});
    const std::string work = dir.Sub("work");
    testing::RunGit(work, {"checkout", "-q", "-b", "feature"});
    testing::WriteFile(work + "/new.env", "T=" + Key(4) + "\n");
    testing::RunGit(work, {"add", "-A"});
    testing::RunGit(work, {"commit", "-q", "-m", "new"});
    std::string head = testing::RunGit(work, {"rev-parse", "HEAD"});
    head = head.substr(0, head.find('\n'));
    std::string base = testing::RunGit(work, {"rev-parse", "origin/main"});
    base = base.substr(0, base.find('\n'));
    testing::WriteFile(dir.Sub("github_output"), "");
    CommandResult r = Bash(
        scan, work,
        {{"PATH", "/usr/bin:/bin"},
         {"HOME", home.path()},
         {"SPRAWL_CACHE_DIR", cache.path()},
         {"SPRAWL", wrapper},
         {"INPUT_RANGE", ""},
         {"INPUT_INVENTORY", ""},
         {"INPUT_FAIL_ON", ""},
         {"SARIF_FILE", dir.Sub("out.sarif")},
         {"PR_BASE", ""},
         {"PUSH_BEFORE", std::string(40, '0')},
         {"HEAD_SHA", head},
         {"DEFAULT_BRANCH", "main"},
         {"GITHUB_OUTPUT", dir.Sub("github_output")}});
    INFO(r.out << r.err);
    const auto calls = Lines(testing::ReadFile(dir.Sub("calls")));
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].find("--range " + base + ".." + head) != std::string::npos);
    CHECK(testing::ReadFile(dir.Sub("github_output")).find("exit-code=1") !=
          std::string::npos);
    const std::string sarif = testing::ReadFile(dir.Sub("out.sarif"));
    CHECK(sarif.find("new.env") != std::string::npos);
    CHECK(sarif.find("old.env") == std::string::npos);
  }
}

}  // namespace
}  // namespace sprawl
