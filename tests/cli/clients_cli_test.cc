// Developer-client files through the built binary: a service credential
// registered in the inventory and found in a Postman environment is
// `misplaced` (a dev-client one is not); the client context reaches JSON,
// CSV, SARIF and markdown; `dir --home` scans only the known stores.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "scanner/findings/credential.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::TempDir;
using testing::WriteFile;
using Json = nlohmann::json;

testing::CommandResult Sprawl(std::vector<std::string> args) {
  args.insert(args.begin(), SPRAWL_BINARY);
  return testing::RunCommand(args);
}

std::string Plain(uint64_t n) {
  return testing::SyntheticToken("", testing::kAlnum, 30, 8800 + n);
}

std::string Environment() {
  return R"({"name":"prod","values":[
 {"key":"payments_key","value":")" +
         Plain(1) + R"(","type":"secret"},
 {"key":"laptop_token","value":")" +
         Plain(2) + R"(","type":"secret"}],
 "_postman_variable_scope":"environment"}
)";
}

std::string Inventory() {
  const Fingerprinter fp;
  return "version: 1\nconsumers:\n"
         "  - id: payments-api\n    type: application\n"
         "    owner: pay@example.com\n"
         "  - id: laptops\n    type: dev-client\n"
         "    owner: platform@example.com\n"
         "credentials:\n"
         "  - id: payments-key\n    provider: postman\n    fingerprints: [" +
         fp(Plain(1)) +
         "]\n    consumer: payments-api\n"
         "  - id: laptop-token\n    provider: postman\n    fingerprints: [" +
         fp(Plain(2)) + "]\n    consumer: laptops\n";
}

const Json* ByFingerprint(const Json& report, const std::string& fp) {
  for (const Json& c : report["credentials"]) {
    if (c["fingerprint"] == fp) return &c;
  }
  return nullptr;
}

TEST_SUITE("clients cli") {
  TEST_CASE(
      "a service credential in a Postman environment is misplaced; a "
      "dev-client one is registered") {
    TempDir dir;
    WriteFile(dir.Sub("env/prod.postman_environment.json"), Environment());
    WriteFile(dir.Sub("inventory.yaml"), Inventory());
    const auto lint = Sprawl({"inventory", "lint", dir.Sub("inventory.yaml")});
    CHECK_MESSAGE(lint.exit_code == 0, lint.err);
    const auto r = Sprawl({"dir", dir.path(), "--format", "json", "--inventory",
                           dir.Sub("inventory.yaml"), "--now", "2026-06-01"});
    CHECK(r.exit_code == 1);
    const Json report = Json::parse(r.out);
    const Fingerprinter fp;
    const Json* service = ByFingerprint(report, fp(Plain(1)));
    const Json* laptop = ByFingerprint(report, fp(Plain(2)));
    REQUIRE(service != nullptr);
    REQUIRE(laptop != nullptr);
    CHECK((*service)["status"] == "misplaced");
    CHECK((*service)["reason"] ==
          "in a developer tool's config: postman "
          "env/prod.postman_environment.json");
    CHECK((*service)["confidence"] == "high");
    CHECK((*service)["rule"] == "client.postman-secret");
    CHECK((*service)["locations"][0]["client"]["client"] == "postman");
    CHECK((*service)["locations"][0]["client"]["key_path"] ==
          "values[0].payments_key");
    CHECK((*laptop)["status"] == "registered");
    CHECK(r.out.find(Plain(1)) == std::string::npos);
  }

  TEST_CASE("the client context reaches CSV, SARIF and markdown") {
    TempDir dir;
    WriteFile(dir.Sub(".cursor/mcp.json"),
              R"({"mcpServers":{"remote":{"url":"https://mcp.corp.test/sse",)"
              R"("headers":{"Authorization":"Bearer )" +
                  Plain(3) + R"("}}}})");
    const auto csv = Sprawl({"dir", dir.path(), "--format", "csv"});
    CHECK(csv.out.find(",client,endpoint,server,key_path\r\n") !=
          std::string::npos);
    CHECK(csv.out.find(",mcp,mcp.corp.test,remote,") != std::string::npos);
    const auto sarif = Sprawl({"dir", dir.path(), "--format", "sarif"});
    const Json s = Json::parse(sarif.out);
    const Json& props = s["runs"][0]["results"][0]["properties"];
    CHECK(props["client"] == "mcp");
    CHECK(props["client_server"] == "remote");
    CHECK(props["client_endpoint"] == "mcp.corp.test");
    const auto md = Sprawl({"dir", dir.path(), "--format", "markdown"});
    CHECK(md.out.find("## Developer-client credentials") != std::string::npos);
    CHECK(md.out.find("PR.DS-01") != std::string::npos);
    CHECK(md.out.find(Plain(3)) == std::string::npos);
  }

  TEST_CASE("the sweep datastore keeps the client context") {
    TempDir root;
    const std::string repo = root.Sub("repos/app");
    WriteFile(repo + "/.npmrc",
              "//npm.corp.test/:_authToken=" + Plain(7) + "\n");
    testing::RunGit(repo, {"init", "-q"});
    testing::RunGit(repo, {"add", "-A"});
    testing::RunGit(repo, {"commit", "-q", "-m", "npmrc"});
    const std::string db = root.Sub("sweep.db");
    const auto sweep = Sprawl({"sweep", "--root", root.Sub("repos"),
                               "--datastore", db, "--format", "json"});
    CHECK_MESSAGE(sweep.exit_code == 1, sweep.err);
    const auto report =
        Sprawl({"report", "--datastore", db, "--format", "json"});
    const Json j = Json::parse(report.out);
    REQUIRE(j["credentials"].size() == 1);
    const Json& loc = j["credentials"][0]["locations"][0];
    CHECK(loc["client"]["client"] == "npm");
    CHECK(loc["client"]["endpoint"] == "npm.corp.test");
    CHECK(loc["client"]["key_path"] == "//npm.corp.test/:_authToken");
  }

  TEST_CASE("dir --home scans only the known credential stores") {
    TempDir home;
    WriteFile(home.Sub(".npmrc"),
              "//npm.corp.test/:_authToken=" + Plain(4) + "\n");
    WriteFile(
        home.Sub(".config/gcloud/legacy_credentials/a@b.test/adc.json"),
        R"({"type":"authorized_user","refresh_token":")" + Plain(5) + R"("})");
    // Not a store: never read by --home.
    WriteFile(home.Sub("projects/app/.npmrc"),
              "//x.test/:_authToken=" + Plain(6) + "\n");
    const auto r = Sprawl(
        {"dir", "--home", home.path(), "--format", "json", "--show-secrets"});
    CHECK_MESSAGE(r.exit_code == 1, r.err);
    const Json report = Json::parse(r.out);
    std::set<std::string> paths;
    for (const Json& c : report["credentials"]) {
      for (const Json& l : c["locations"]) paths.insert(l["path"]);
    }
    CHECK(paths ==
          std::set<std::string>{
              ".npmrc", ".config/gcloud/legacy_credentials/a@b.test/adc.json"});
    const auto missing = Sprawl({"dir", "--home", home.Sub("nope")});
    CHECK(missing.exit_code == 2);
    const auto both = Sprawl({"dir", "--home", home.path(), home.path()});
    CHECK(both.exit_code == 2);
  }
}

}  // namespace
}  // namespace sprawl
