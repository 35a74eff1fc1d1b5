// Golden outputs: one fixture tree, built at test time from fixed-seed
// synthetic keys (so every run sees the same bytes), scanned once per format
// against a fixed inventory and --now; each output must equal its file under
// fixtures/golden/. Regenerate after an intended change with
//   SPRAWL_UPDATE_GOLDEN=1 build/tests/sprawl_tests -ts=golden
// and review the diff. Also: JSON Lines and CSV round-trip to the JSON report.
#include <doctest/doctest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "scanner/base/hash.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::RunCommand;
using testing::SyntheticToken;
using testing::TempDir;
using testing::WriteFile;

std::string Fp(const std::string& s) { return "sha256:" + Sha256Hex(s); }

// The fixture tree: a registered key, a revoked one, an unregistered one
// in two files, a pipeline literal and reference, a test-fixture key.
void BuildTree(const TempDir& dir) {
  const std::string openai =
      SyntheticToken("sk-proj-", testing::kAlnum, 74, 901) + "T3BlbkFJ" +
      SyntheticToken("", testing::kAlnum, 74, 902);
  const std::string github = testing::SyntheticGithubToken("ghp_", 903);
  const std::string stripe = SyntheticToken("sk_live_", testing::kAlnum, 99, 904);
  WriteFile(dir.Sub("tree/app/settings.py"),
            "OPENAI_API_KEY = \"" + openai + "\"\nSTRIPE = '" + stripe + "'\n");
  WriteFile(dir.Sub("tree/deploy/.env"), "GITHUB_TOKEN=" + github + "\n");
  // Only under a test directory: reported at low confidence, with the reason.
  WriteFile(dir.Sub("tree/tests/fixtures/server.key"),
            testing::SyntheticPem("EC", 4, 905) + "\n");
  WriteFile(dir.Sub("tree/.github/workflows/ci.yml"),
            "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"
            "      STRIPE_KEY: " + stripe + "\n    steps:\n      - run: make\n");
  WriteFile(dir.Sub("inventory.yaml"),
            "version: 1\nconsumers:\n  - id: web\n    type: application\n"
            "    owner: web@example.com\ncredentials:\n"
            "  - id: web-openai\n    provider: openai\n    fingerprints: [\"" +
                Fp(openai) + "\"]\n    consumer: web\n    ci_secrets: [OPENAI_API_KEY]\n"
            "  - id: old-github\n    provider: github\n    fingerprints: [\"" +
                Fp(github) + "\"]\n    owner: ops@example.com\n    status: revoked\n");
}

std::string Run(const TempDir& dir, const std::string& format) {
  auto r = RunCommand({SPRAWL_BINARY, "dir", dir.Sub("tree"), "--format", format,
                       "--inventory", dir.Sub("inventory.yaml"), "--now",
                       "2026-11-22", "--threads", "2"},
                      {.env = {{"SPRAWL_CACHE_DIR", dir.Sub("cache")},
                               {"NO_COLOR", "1"}}});
  REQUIRE_MESSAGE(r.exit_code == 1, format << ": " << r.err);
  return r.out;
}

TEST_SUITE("golden") {
  TEST_CASE("every format matches its golden file for the same fixture scan") {
    TempDir dir;
    BuildTree(dir);
    const bool update = std::getenv("SPRAWL_UPDATE_GOLDEN") != nullptr;
    for (const char* format :
         {"text", "json", "jsonl", "sarif", "csv", "markdown", "junit", "github"}) {
      CAPTURE(format);
      const std::string out = Run(dir, format);
      const std::string path =
          std::string(SPRAWL_SOURCE_DIR) + "/fixtures/golden/report." + format;
      if (update) WriteFile(path, out);  // then compared like any run
      const std::string expected = testing::ReadFile(path);
      CHECK_MESSAGE(out == expected,
                    "output differs from " << path
                                           << " (SPRAWL_UPDATE_GOLDEN=1 to "
                                              "regenerate after review)");
    }
  }

  TEST_CASE("JSON Lines and CSV carry the same locations as the JSON report") {
    TempDir dir;
    BuildTree(dir);
    const auto json = nlohmann::json::parse(Run(dir, "json"));
    std::multiset<std::string> expected;
    for (const auto& c : json["credentials"]) {
      for (const auto& l : c["locations"]) {
        expected.insert(c["fingerprint"].get<std::string>() + "|" +
                        c["status"].get<std::string>() + "|" +
                        l["path"].get<std::string>() + "|" +
                        std::to_string(l["line"].get<int>()) + "|" +
                        std::to_string(l["column"].get<int>()));
      }
    }
    REQUIRE(expected.size() >= 4);
    std::multiset<std::string> from_jsonl;
    std::istringstream lines(Run(dir, "jsonl"));
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line);
      const auto& l = j["location"];
      from_jsonl.insert(j["fingerprint"].get<std::string>() + "|" +
                        j["status"].get<std::string>() + "|" +
                        l["path"].get<std::string>() + "|" +
                        std::to_string(l["line"].get<int>()) + "|" +
                        std::to_string(l["column"].get<int>()));
    }
    CHECK(from_jsonl == expected);
    // CSV: header, then fingerprint,rule,provider,category,status,owner,
    // inventory_id,redacted,source,path,line,column,commit (no field here
    // holds a comma or quote, so a plain split is exact).
    std::multiset<std::string> from_csv;
    std::istringstream rows(Run(dir, "csv"));
    std::string row;
    std::getline(rows, row);
    while (std::getline(rows, row)) {
      if (!row.empty() && row.back() == '\r') row.pop_back();
      std::vector<std::string> f;
      std::stringstream ss(row);
      for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
      if (row.back() == ',') f.emplace_back();
      REQUIRE(f.size() == 17);
      from_csv.insert(f[0] + "|" + f[4] + "|" + f[9] + "|" + f[10] + "|" + f[11]);
    }
    CHECK(from_csv == expected);
  }
}

}  // namespace
}  // namespace sprawl
