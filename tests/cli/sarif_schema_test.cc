// SARIF from the built binary (a directory scan and a git scan over hostile
// file names) and from the hand-built Report, validated against the official
// SARIF 2.1.0 schema (fixtures/sarif/, a copy of the OASIS file) with ajv, a
// real JSON-schema validator (scripts/validate-sarif.js). Needs node and npm;
// without them the cases are skipped (testing::Skip: ctest shows the suite as
// skipped; under CI=true it fails). ajv is installed on
// first use by scripts/install-ajv into <build>/ajv.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "reporters/reporter.h"
#include "tests/report_fixture.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;

const std::string kSource = SPRAWL_SOURCE_DIR;

bool HaveNode() {
  return RunCommand({"/bin/sh", "-c", "command -v node && command -v npm"})
             .exit_code == 0;
}

// ajv's prefix: $SPRAWL_AJV_PREFIX, else <build dir>/ajv, installed on demand.
std::string AjvModules() {
  const char* env = std::getenv("SPRAWL_AJV_PREFIX");
  const std::string prefix =
      env ? env : (fs::path(SPRAWL_BINARY).parent_path() / "ajv").string();
  auto r = RunCommand({kSource + "/scripts/install-ajv", prefix},
                      {.timeout_seconds = 600});
  REQUIRE_MESSAGE(r.exit_code == 0, "scripts/install-ajv failed: " << r.err);
  return prefix + "/node_modules";
}

void ExpectValid(const std::vector<std::string>& files) {
  std::vector<std::string> argv{
      "/bin/sh",
      "-c",
      "exec node \"$0\" \"$@\"",
      kSource + "/scripts/validate-sarif.js",
      AjvModules(),
      kSource + "/fixtures/sarif/sarif-schema-2.1.0.json"};
  argv.insert(argv.end(), files.begin(), files.end());
  auto r = RunCommand(argv);
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
}

// Hostile but legal file names, each holding a synthetic GitHub token.
void WriteTree(const testing::TempDir& dir) {
  const char* names[] = {"plain.env",
                         "with space/a b.env",
                         "per%cent#hash.env",
                         "=formula,comma.env",
                         "unicod\xc3\xa9/k\xc3\xbc.env",
                         "bad\xff"
                         "byte.env"};
  uint64_t seed = 11;
  for (const char* n : names) {
    testing::WriteFile(
        dir.Sub(n),
        "token = \"" +
            testing::SyntheticGithubToken("ghp_", seed++) +
            "\"\n");
  }
}

TEST_SUITE("sarif schema") {
  TEST_CASE("sarif from a scan and from a hand-built report is schema-valid") {
    if (!HaveNode()) {
      testing::Skip(
          "node/npm not installed: SARIF schema validation skipped "
          "(scripts/install-deps --test installs them)");
      return;
    }
    testing::TempDir dir;
    testing::TempDir out;
    WriteTree(dir);
    const std::string dir_sarif = out.Sub("dir.sarif");
    auto scan = RunCommand({SPRAWL_BINARY, "dir", dir.path(), "--format",
                            "sarif", "--output", dir_sarif, "--no-cache"});
    CHECK_MESSAGE(scan.exit_code == 1, scan.err);  // unregistered keys fail

    // git history: same tree committed, then deleted.
    const std::string git =
        "cd \"$0\" && export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 "
        "GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@corp.test GIT_COMMITTER_NAME=T "
        "GIT_COMMITTER_EMAIL=t@corp.test && git init -q -b main . && "
        "git add -A && git commit -qm one && git rm -rqf . && "
        "git commit -qm two";
    auto g = RunCommand({"/bin/sh", "-c", git, dir.path()});
    REQUIRE_MESSAGE(g.exit_code == 0, g.err);
    const std::string git_sarif = out.Sub("git.sarif");
    scan = RunCommand({SPRAWL_BINARY, "git", dir.path(), "--format", "sarif",
                       "--output", git_sarif, "--no-cache"});
    CHECK_MESSAGE(scan.exit_code == 1, scan.err);
    CHECK(testing::ReadFile(git_sarif).find("\"commit\"") != std::string::npos);

    const std::string fixture_sarif = out.Sub("fixture.sarif");
    const std::string empty_sarif = out.Sub("empty.sarif");
    for (const auto& [path, report] :
         {std::pair{fixture_sarif, testing::SampleReport()},
          std::pair{empty_sarif, Report{}}}) {
      std::ostringstream s;
      RenderSarif(report, s);
      testing::WriteFile(path, s.str());
    }
    ExpectValid({dir_sarif, git_sarif, fixture_sarif, empty_sarif});
  }

  TEST_CASE("the validator rejects an invalid SARIF file") {
    if (!HaveNode()) {
      testing::Skip("node/npm not installed: SARIF validator check skipped");
      return;
    }
    testing::TempDir out;
    testing::WriteFile(
        out.Sub("bad.sarif"),
        R"({"version":"2.1.0","runs":[{"tool":{"driver":{}}}]})");
    auto r = RunCommand({"/bin/sh", "-c", "exec node \"$0\" \"$@\"",
                         kSource + "/scripts/validate-sarif.js", AjvModules(),
                         kSource + "/fixtures/sarif/sarif-schema-2.1.0.json",
                         out.Sub("bad.sarif")});
    CHECK(r.exit_code == 1);
  }
}

}  // namespace
}  // namespace sprawl
