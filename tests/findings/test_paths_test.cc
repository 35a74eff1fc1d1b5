// Test paths (issue 4): a credential seen only under test, fixture or example
// directories is reported at low confidence with the reason, in every report
// format; one location elsewhere keeps the rule's confidence; status and the
// gate never change.
#include "scanner/findings/test_paths.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scanner/inventory/reconcile.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using nlohmann::json;

ReportedCredential Credential(const char* confidence,
                              std::vector<std::string> paths) {
  ReportedCredential c;
  c.fingerprint = "sha256:" + std::string(64, 'a');
  c.rule = "acme.token";
  c.confidence = confidence;
  for (auto& p : paths) {
    Location l;
    l.source = "file";
    l.path = std::move(p);
    l.line = 1;
    l.column = 1;
    c.locations.push_back(std::move(l));
  }
  return c;
}

TEST_SUITE("test paths") {
  TEST_CASE(
      "test directories are recognised by whole path component, "
      "case-insensitively, never by the file name or a substring") {
    const struct {
      const char* path;
      const char* directory;
    } rows[] = {
        {"tests/certs/server.key", "tests"},
        {"src/Test/resources/app.pem", "Test"},
        {"doc/libxmlsec1-dev/examples/rsakey.pem", "examples"},
        {"third_party/urllib3/dummyserver/certs/cacert.key", "dummyserver"},
        {"gslib/tests/test_data/test.json", "tests"},
        {"pkg/test_data/key.json", "test_data"},
        {"go/testdata/key.pem", "testdata"},
        {"services/unit_tests/conf.yaml", "unit_tests"},
        {"web/e2e-tests/.env", "e2e-tests"},
        {"spec/fixtures/key.pem", "spec"},
        {"web\\__mocks__\\client.js", "__mocks__"},
        {"samples/basic/.env", "samples"},
        {"app/.env", ""},
        {"app/contest/key.pem", ""},
        {"releases/latest/key.pem", ""},
        {"src/attestation/key.pem", ""},
        {"testimonials/key.pem", ""},
        {"tests", ""},
        {"example.env", ""},
        {"config/test.pem", ""},
        {"test_/key.pem", ""},
        {"", ""},
    };
    for (const auto& row : rows) {
      INFO(row.path);
      CHECK(TestDirectoryOf(row.path) == row.directory);
    }
  }

  TEST_CASE(
      "only credentials whose every location is under a test directory are "
      "lowered, and status and the gate stay as reconciled") {
    Report report;
    report.credentials = {
        Credential("high", {"tests/a.pem", "fixtures/b.pem"}),
        Credential("high", {"tests/a.pem", "deploy/.env"}),
        Credential("medium", {"examples/.env"}),
        Credential("low", {"tests/a.env"}),
        Credential("high", {}),
    };
    ReconcileOptions options;
    options.fail_on = {"unregistered"};
    // The gate at every confidence (the default floor, medium, is
    // detectors_test's "min confidence" suite).
    options.min_confidence = Confidence::kLow;
    Reconcile(Inventory{}, options, &report);
    const struct {
      const char* confidence;
      const char* reason;
    } expected[] = {
        {"low",
         "lowered from high: every location is under a test, fixture or "
         "example directory (tests/)"},
        {"high", ""},
        {"low",
         "lowered from medium: every location is under a test, fixture or "
         "example directory (examples/)"},
        {"low", ""},
        {"high", ""},
    };
    REQUIRE(report.credentials.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) {
      CAPTURE(i);
      const ReportedCredential& c = report.credentials[i];
      CHECK(c.confidence == expected[i].confidence);
      CHECK(c.confidence_reason == expected[i].reason);
      CHECK(c.status == "unregistered");
      CHECK(c.fails);
    }
  }

  TEST_CASE(
      "a scan reports a key found only in test fixtures at low confidence "
      "with the reason in JSON, SARIF, text and Markdown") {
    testing::TempDir tree;
    testing::TempDir cache;
    const std::string fixture = testing::SyntheticPem("RSA", 8, 31);
    const std::string real = testing::SyntheticGithubToken("ghp_", 32);
    testing::WriteFile(tree.Sub("pkg/Tests/certs/server.key"), fixture);
    testing::WriteFile(tree.Sub("deploy/.env"), "GITHUB_TOKEN=" + real + "\n");
    auto run = [&](const char* format) {
      testing::CommandOptions options;
      options.env = {{"SPRAWL_CACHE_DIR", cache.path()}, {"NO_COLOR", "1"}};
      const auto r = testing::RunCommand(
          {SPRAWL_BINARY, "dir", tree.path(), "--format", format,
           "--min-confidence", "low"},
          options);
      INFO(r.err);
      // Both unregistered; with the floor at low the lowered one fails too.
      CHECK(r.exit_code == 1);
      return r.out;
    };
    const std::string reason =
        "lowered from high: every location is under a test, fixture or "
        "example directory (Tests/)";
    const json report = json::parse(run("json"));
    REQUIRE(report["credentials"].size() == 2);
    for (const auto& c : report["credentials"]) {
      INFO(c.dump());
      CHECK(c["status"] == "unregistered");
      if (c["rule"] == "pem.private-key") {
        CHECK(c["confidence"] == "low");
        CHECK(c["confidence_reason"] == reason);
      } else {
        CHECK(c["rule"] == "github.personal-access-token");
        CHECK(c["confidence"] == "high");
        CHECK_FALSE(c.contains("confidence_reason"));
      }
    }
    const json sarif = json::parse(run("sarif"));
    for (const auto& r : sarif["runs"][0]["results"]) {
      const bool fixture_key = r["ruleId"] == "pem.private-key";
      CHECK(r["properties"]["confidence"] == (fixture_key ? "low" : "high"));
      CHECK(r["properties"].contains("confidence_reason") == fixture_key);
    }
    CHECK(run("text").find("confidence: " + reason) != std::string::npos);
    CHECK(run("markdown").find("- Confidence: " + reason) != std::string::npos);
  }
}

}  // namespace
}  // namespace sprawl
