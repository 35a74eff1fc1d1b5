// Pipeline awareness over git sources: a workflow committed to history, or
// staged, gets the same pipeline context, literal secrets and references as
// the same file on disk.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::RunCommand;
using testing::SyntheticToken;
using testing::TempDir;

void Git(const TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/git", "-c", "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::CommandOptions o;
  o.cwd = dir.path();
  o.env = {{"GIT_CONFIG_GLOBAL", "/dev/null"},
           {"GIT_CONFIG_NOSYSTEM", "1"},
           {"GIT_AUTHOR_NAME", "Alice"},
           {"GIT_AUTHOR_EMAIL", "alice@corp.test"},
           {"GIT_COMMITTER_NAME", "Alice"},
           {"GIT_COMMITTER_EMAIL", "alice@corp.test"},
           {"GIT_AUTHOR_DATE", "2026-01-02T03:04:05+00:00"},
           {"GIT_COMMITTER_DATE", "2026-01-02T03:04:05+00:00"}};
  auto r = RunCommand(argv, o);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

nlohmann::json Scan(const TempDir& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{SPRAWL_BINARY, "git", dir.Sub("repo"),
                                "--format", "json", "--fail-on", "none"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  testing::CommandOptions o;
  o.env = {{"SPRAWL_CACHE_DIR", dir.Sub("cache")}};
  auto r = RunCommand(argv, o);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return nlohmann::json::parse(r.out);
}

TEST_SUITE("git pipelines") {
  TEST_CASE("a workflow in history and in the index carries pipeline context") {
    TempDir dir;
    const std::string groq = SyntheticToken("gsk_", testing::kAlnum, 52, 71);
    const std::string workflow =
        "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"
        "      GROQ_API_KEY: " + groq + "\n    steps:\n      - run: make\n";
    testing::WriteFile(dir.Sub("repo/.github/workflows/ci.yml"), workflow);
    Git(dir, {"-C", dir.Sub("repo"), "init", "-q"});
    Git(dir, {"-C", dir.Sub("repo"), "add", "-A"});

    struct Row {
      std::vector<std::string> flags;
      const char* source;
    };
    for (const Row& row : {Row{{"--staged"}, "index"}, Row{{}, "git"}}) {
      if (std::string(row.source) == "git") {
        Git(dir, {"-C", dir.Sub("repo"), "commit", "-q", "-m", "ci"});
      }
      CAPTURE(row.source);
      nlohmann::json j = Scan(dir, row.flags);
      bool found = false;
      for (const auto& c : j["credentials"]) {
        if (c["rule"] != "groq.api-key") continue;
        found = true;
        const auto& l = c["locations"][0];
        CHECK(l["source"] == row.source);
        CHECK(l["path"] == ".github/workflows/ci.yml");
        CHECK(l["line"] == 8);
        CHECK(l["pipeline"]["system"] == "github-actions");
        CHECK(l["pipeline"]["key_path"] == "jobs.build.env.GROQ_API_KEY");
      }
      CHECK(found);
      REQUIRE(j["references"].size() == 1);
      CHECK(j["references"][0]["name"] == "OPENAI_API_KEY");
      CHECK(j["references"][0]["key_path"] == "jobs.build.env.OPENAI_API_KEY");
    }
  }
}

}  // namespace
}  // namespace sprawl
