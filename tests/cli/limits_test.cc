// Resource limits as flags and config keys: --scan-timeout stops matching one
// file with a diagnostic and keeps what was found before; --max-yaml-size
// leaves larger pipeline files unparsed, with a diagnostic; malformed values
// are usage errors naming the flag or the config field.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::TempDir;

CommandResult Sprawl(const TempDir& cache, std::vector<std::string> args) {
  args.insert(args.begin(), SPRAWL_BINARY);
  testing::CommandOptions o;
  o.env.emplace("SPRAWL_CACHE_DIR", cache.path());
  o.env.emplace("NO_COLOR", "1");
  return testing::RunCommand(args, o);
}

std::vector<std::string> Secrets(const json& report) {
  std::vector<std::string> out;
  for (const auto& c : report.at("credentials")) {
    out.push_back(c.at("locations").at(0).at("path").get<std::string>() + ":" +
                  std::to_string(c.at("locations").at(0).at("line").get<int>()));
  }
  return out;
}

TEST_SUITE("limits") {
  TEST_CASE("--scan-timeout stops matching a file and says so; 0 is no limit") {
    TempDir dir, cache;
    // 40 MiB: five streamed segments. A token at the start and at the end.
    std::string content = "TOKEN=" + testing::SyntheticGithubToken("ghp_", 1) +
                          "\n";
    const std::string filler(4095, 'x');
    while (content.size() < (40u << 20)) content += filler + "\n";
    content += "LAST=" + testing::SyntheticGithubToken("ghp_", 2) + "\n";
    testing::WriteFile(dir.Sub("tree/big.txt"), content);

    const CommandResult limited =
        Sprawl(cache, {"dir", dir.Sub("tree"), "--format", "json",
                       "--scan-timeout", "0.000001", "--fail-on", "none"});
    CAPTURE(limited.err);
    // Content not fully matched makes the scan incomplete: exit 3.
    REQUIRE(limited.exit_code == 3);
    CHECK(limited.err.find("big.txt") != std::string::npos);
    CHECK(limited.err.find("scan time limit") != std::string::npos);
    const json a = json::parse(limited.out);
    CHECK(a["summary"]["skipped"]["timed_out"] == 1);
    CHECK(a["summary"]["incomplete"] == true);
    // Stopped long before the end: the last token is never reached (the
    // first may or may not be, depending on the clock).
    for (const std::string& where : Secrets(a)) CHECK(where == "big.txt:1");

    const CommandResult unlimited =
        Sprawl(cache, {"dir", dir.Sub("tree"), "--format", "json",
                       "--scan-timeout", "0", "--fail-on", "none"});
    REQUIRE(unlimited.exit_code == 0);
    CHECK(unlimited.err.find("scan time limit") == std::string::npos);
    const json b = json::parse(unlimited.out);
    CHECK(b["summary"]["skipped"]["timed_out"] == 0);
    CHECK(b["credentials"].size() == 2);
  }

  TEST_CASE("--max-yaml-size leaves a larger workflow unparsed, with a note") {
    TempDir dir, cache;
    std::string workflow =
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: deploy\n        env:\n"
        "          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n";
    for (int i = 0; i < 60; ++i) {
      workflow += "      - run: echo step " + std::to_string(i) + "\n";
    }
    testing::WriteFile(dir.Sub("tree/.github/workflows/ci.yml"), workflow);
    const CommandResult parsed = Sprawl(
        cache, {"dir", dir.Sub("tree"), "--format", "json", "--fail-on", "none"});
    REQUIRE(parsed.exit_code == 0);
    CHECK(json::parse(parsed.out)["references"].size() == 1);

    const CommandResult limited =
        Sprawl(cache, {"dir", dir.Sub("tree"), "--format", "json",
                       "--max-yaml-size", "1KiB", "--fail-on", "none"});
    CAPTURE(limited.err);
    // Still matched as text: a YAML size skip is not an incomplete scan.
    REQUIRE(limited.exit_code == 0);
    CHECK(limited.err.find("pipeline file not parsed") != std::string::npos);
    CHECK(json::parse(limited.out)["references"].empty());
  }

  TEST_CASE("bad limit values are usage errors naming the flag or field") {
    TempDir dir, cache;
    testing::WriteFile(dir.Sub("tree/a.txt"), "nothing\n");
    for (const auto& bad : std::vector<std::pair<std::string, std::string>>{
             {"--scan-timeout", "soon"},
             {"--scan-timeout", "-1"},
             {"--max-yaml-size", "big"}}) {
      const std::string& flag = bad.first;
      const std::string& value = bad.second;
      CAPTURE(flag);
      const CommandResult r =
          Sprawl(cache, {"dir", dir.Sub("tree"), flag, value});
      CHECK(r.exit_code == 2);
      CHECK(r.err.find(flag) != std::string::npos);
    }
    testing::WriteFile(dir.Sub("tree/.sprawl/config.yaml"),
                       "version: 1\nlimits:\n  scan_timeout: later\n");
    const CommandResult r = Sprawl(cache, {"dir", dir.Sub("tree")});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("config.yaml:3") != std::string::npos);
    CHECK(r.err.find("limits.scan_timeout") != std::string::npos);
  }
}

}  // namespace
}  // namespace sprawl
