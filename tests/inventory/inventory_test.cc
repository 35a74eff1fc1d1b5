// Inventory loading, reconciliation by DESIGN.md precedence, and the
// scan -> init -> fill owners -> scan round trip through the built binary.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "scanner/base/hash.h"
#include "scanner/inventory/dates.h"
#include "scanner/inventory/inventory.h"
#include "scanner/inventory/reconcile.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;
using testing::TempDir;
using testing::WriteFile;

std::string Fp(const std::string& secret) { return "sha256:" + Sha256Hex(secret); }

std::string FpOf(char c) { return "sha256:" + std::string(64, c); }

// A report with one credential per fingerprint, each at `path`.
Report ReportWith(const std::vector<std::pair<std::string, std::string>>& items) {
  Report r;
  for (const auto& [fp, path] : items) {
    ReportedCredential c;
    c.fingerprint = fp;
    c.rule = "test.rule";
    Location l;
    l.source = "file";
    l.path = path;
    l.line = 1;
    l.column = 1;
    c.locations.push_back(l);
    r.credentials.push_back(c);
  }
  return r;
}

const char* kInventory = R"(version: 1
consumers:
  - id: owned-app
    type: application
    owner: team@example.com
    review_every: 30d
    last_reviewed: 2026-11-01
  - id: orphan-app
    type: automation
  - id: stale-app
    type: partner
    owner: partner@example.com
    review_every: 30d
    last_reviewed: 2026-01-01
credentials:
  - id: c-registered
    provider: p
    fingerprints: [sha256:1111111111111111111111111111111111111111111111111111111111111111]
    consumer: owned-app
    ci_secrets: [KNOWN_TOKEN]
  - id: c-revoked
    provider: p
    fingerprints: [sha256:2222222222222222222222222222222222222222222222222222222222222222]
    owner: a@example.com
    status: revoked
    expires: 2020-01-01
  - id: c-expired
    provider: p
    fingerprints: [sha256:3333333333333333333333333333333333333333333333333333333333333333]
    owner: a@example.com
    expires: 2026-03-01
  - id: c-unowned
    provider: p
    fingerprints: [sha256:4444444444444444444444444444444444444444444444444444444444444444]
    consumer: orphan-app
  - id: c-misplaced
    provider: p
    fingerprints: [sha256:5555555555555555555555555555555555555555555555555555555555555555]
    owner: a@example.com
    allowed_paths: ["tests/**"]
  - id: c-rotation
    provider: p
    fingerprints: [sha256:6666666666666666666666666666666666666666666666666666666666666666]
    owner: a@example.com
    created: 2026-01-01
    rotate_every: 90d
  - id: c-review
    provider: p
    fingerprints: [sha256:7777777777777777777777777777777777777777777777777777777777777777]
    consumer: stale-app
  - id: c-placed
    provider: p
    fingerprints: [sha256:8888888888888888888888888888888888888888888888888888888888888888]
    owner: a@example.com
    allowed_paths: ["tests/**"]
  - id: c-never-found
    provider: p
    fingerprints: [sha256:9999999999999999999999999999999999999999999999999999999999999999]
    owner: a@example.com
allow:
  - fingerprint: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    reason: documented example
    owner: sec@example.com
    expires: 2027-01-01
  - fingerprint: sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    reason: old exception
    owner: sec@example.com
    expires: 2026-01-01
)";

TEST_SUITE("inventory") {
  TEST_CASE("each credential gets exactly the status DESIGN.md's precedence gives") {
    auto inv = ParseInventory(kInventory, "inv.yaml");
    if (!inv.ok()) FAIL(inv.error().message);
    struct Row {
      char fp;
      const char* path;
      const char* status;
      const char* reason_part;
      bool fails;
    };
    const Row rows[] = {
        {'1', "app/a.py", "registered", "registered as c-registered", false},
        {'2', "app/a.py", "revoked", "revoked", true},
        {'3', "app/a.py", "expired", "expired 2026-03-01", true},
        {'4', "app/a.py", "unowned", "orphan-app", true},
        {'5', "deploy/.env", "misplaced", "outside allowed_paths tests/**", true},
        {'6', "app/a.py", "rotation-overdue", "rotation was due 2026-04-01", false},
        {'7', "app/a.py", "review-overdue", "stale-app review was due", false},
        {'8', "tests/fixtures/k.txt", "registered", "c-placed", false},
        {'a', "app/a.py", "allowed", "documented example", false},
        {'b', "app/a.py", "unregistered", "allow entry expired 2026-01-01", true},
        {'c', "app/a.py", "unregistered", "not in the inventory", true},
    };
    std::vector<std::pair<std::string, std::string>> items;
    for (const Row& r : rows) items.emplace_back(FpOf(r.fp), r.path);
    Report report = ReportWith(items);
    PipelineReference known;
    known.name = "KNOWN_TOKEN";
    PipelineReference unknown;
    unknown.name = "STRAY_TOKEN";
    report.references = {known, unknown};
    ReconcileOptions o;
    o.today = *ParseDate("2026-11-22");
    o.full_scan = true;
    o.fail_on = {"revoked", "expired", "unowned", "misplaced", "unregistered"};
    Reconcile(*inv, o, &report);
    for (std::size_t i = 0; i < std::size(rows); ++i) {
      const auto& c = report.credentials[i];
      CAPTURE(rows[i].fp);
      CHECK(c.status == rows[i].status);
      CHECK(c.reason.find(rows[i].reason_part) != std::string::npos);
      CHECK(c.fails == rows[i].fails);
    }
    // Owner resolution: directly, through the consumer, or none.
    CHECK(report.credentials[0].owner == std::optional<std::string>("team@example.com"));
    CHECK(report.credentials[1].owner == std::optional<std::string>("a@example.com"));
    CHECK_FALSE(report.credentials[3].owner.has_value());
    CHECK(report.credentials[0].inventory_id == std::optional<std::string>("c-registered"));
    REQUIRE(report.unseen.has_value());
    CHECK(*report.unseen == std::vector<std::string>{"c-never-found"});
    CHECK(report.references[0].status == "registered");
    CHECK(report.references[1].status == "unregistered");
  }

  TEST_CASE("--now decides expiry: in date the day before, expired the day after") {
    auto inv = ParseInventory(kInventory, "inv.yaml");
    REQUIRE(inv.ok());
    struct Row {
      const char* today;
      const char* status;
    };
    for (const Row& r : {Row{"2026-02-28", "registered"}, Row{"2026-03-01", "registered"},
                         Row{"2026-03-02", "expired"}}) {
      Report report = ReportWith({{FpOf('3'), "a"}});
      ReconcileOptions o;
      o.today = *ParseDate(r.today);
      Reconcile(*inv, o, &report);
      CAPTURE(r.today);
      CHECK(report.credentials[0].status == r.status);
    }
  }

  TEST_CASE("malformed inventories are rejected naming file, line and field") {
    const std::string ok_fp = FpOf('1');
    struct Row {
      std::string yaml;
      std::string expect;  // substring of the error
    };
    const Row rows[] = {
        {"version: 2\n", "inv.yaml:1:10: field 'version': unsupported version"},
        {"credentials: []\n", "field 'version': missing"},
        {"version: 1\nextra: 1\n", "inv.yaml:2:1: field 'extra': unknown field"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [" +
             ok_fp + "]\n    colour: red\n",
         "inv.yaml:6:5: field 'credentials[0].colour': unknown field"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [sha256:12]\n",
         "inv.yaml:5:20: field 'credentials[0].fingerprints': '[9 chars]' is not"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [" +
             ok_fp + "]\n    expires: 2026-02-30\n",
         "inv.yaml:6:14: field 'credentials[0].expires': '2026-02-30' is not a date"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [" +
             ok_fp + "]\n    rotate_every: 3 months\n",
         "field 'credentials[0].rotate_every': '3 months' is not a duration"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [" +
             ok_fp + "]\n    consumer: ghost\n",
         "inv.yaml:6:15: field 'credentials[0].consumer': unknown consumer 'ghost'"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [" +
             ok_fp + "]\n  - id: a\n    provider: p\n    fingerprints: [" + FpOf('2') +
             "]\n",
         "inv.yaml:6:9: field 'credentials[1].id': duplicate credential id 'a'"},
        {"version: 1\nconsumers:\n  - id: c\n    type: robot\n",
         "inv.yaml:4:11: field 'consumers[0].type': 'robot' is not one of"},
        {"version: 1\nallow:\n  - fingerprint: " + ok_fp + "\n    reason: r\n    owner: o\n",
         "field 'allow[0].expires': missing"},
        {"version: 1\ncredentials:\n  - id: a\n    provider: p\n    fingerprints: [" +
             ok_fp + "]\n    status: paused\n",
         "field 'credentials[0].status': 'paused' is not one of active, revoked, retired"},
        {"version: 1\n\tcredentials: []\n", "inv.yaml:2:"},
    };
    for (const Row& r : rows) {
      CAPTURE(r.yaml);
      auto inv = ParseInventory(r.yaml, "inv.yaml");
      REQUIRE_FALSE(inv.ok());
      CHECK_MESSAGE(inv.error().message.find(r.expect) != std::string::npos,
                    inv.error().message);
    }
  }

  TEST_CASE("hmac fingerprints without SPRAWL_FINGERPRINT_KEY are a clear error") {
    const std::string yaml = "version: 1\ncredentials:\n  - id: a\n    provider: p\n"
                             "    fingerprints: [hmac-sha256:" + std::string(64, 'c') + "]\n";
    auto inv = ParseInventory(yaml, "inv.yaml");
    REQUIRE(inv.ok());
    Status unkeyed = CheckFingerprintKind(*inv, false);
    REQUIRE_FALSE(unkeyed.ok());
    CHECK(unkeyed.error().message.find("inv.yaml:3") != std::string::npos);
    CHECK(unkeyed.error().message.find("SPRAWL_FINGERPRINT_KEY") != std::string::npos);
    CHECK(CheckFingerprintKind(*inv, true).ok());
  }

  TEST_CASE("durations and dates follow DESIGN.md units") {
    CHECK(ParseDuration("10d") == 10);
    CHECK(ParseDuration("2w") == 14);
    CHECK(ParseDuration("3m") == 90);
    CHECK(ParseDuration("1y") == 365);
    CHECK_FALSE(ParseDuration("10").has_value());
    CHECK_FALSE(ParseDuration("0d").has_value());
    CHECK_FALSE(ParseDuration("5h").has_value());
    CHECK(ParseDate("2024-02-29").has_value());
    CHECK_FALSE(ParseDate("2023-02-29").has_value());
    CHECK(FormatDate(*ParseDate("2026-11-22")) == "2026-11-22");
  }

  TEST_CASE("CODEOWNERS suggests the last matching owner") {
    const std::string co = "# comment\n*.py @py\n/deploy/ @ops\ndeploy/prod.env @prod\n";
    CHECK(CodeOwnerFor(co, "app/x.py") == "@py");
    CHECK(CodeOwnerFor(co, "deploy/.env") == "@ops");
    CHECK(CodeOwnerFor(co, "deploy/prod.env") == "@prod");
    CHECK(CodeOwnerFor(co, "README.md").empty());
  }

  TEST_CASE("init round trip: scan, draft, fill owners, scan passes; rerun keeps bytes") {
    TempDir dir;
    const std::string k1 = SyntheticGithubToken("ghp_", 11);
    const std::string k2 = SyntheticToken("glpat-", testing::kAlnum, 20, 12);
    WriteFile(dir.Sub("tree/app.py"), "TOKEN = '" + k1 + "'\n");
    WriteFile(dir.Sub("tree/ci.env"), "GITLAB=" + k2 + "\n");
    const std::map<std::string, std::string> env = {
        {"SPRAWL_CACHE_DIR", dir.Sub("cache")}};
    const std::string inv = dir.Sub("inventory.yaml");
    auto scan = [&] {
      return RunCommand({SPRAWL_BINARY, "dir", dir.Sub("tree"), "--inventory", inv,
                         "--format", "json"},
                        {.env = env});
    };
    CommandResult init = RunCommand(
        {SPRAWL_BINARY, "inventory", "init", dir.Sub("tree"), "--output", inv},
        {.env = env});
    REQUIRE_MESSAGE(init.exit_code == 0, init.err);
    std::string text = testing::ReadFile(inv);
    CHECK(text.find(k1) == std::string::npos);  // never a raw secret
    CHECK(text.find(Fp(k1)) != std::string::npos);
    CHECK(text.find(Fp(k2)) != std::string::npos);
    // Drafted entries have empty owners: the gate fails as unowned.
    CommandResult before = scan();
    CHECK(before.exit_code == 1);
    auto j = nlohmann::json::parse(before.out);
    for (const auto& c : j["credentials"]) CHECK(c["status"] == "unowned");
    // A person fills the owners in.
    std::string filled = text;
    for (std::size_t p; (p = filled.find("owner: \"\"")) != std::string::npos;) {
      filled.replace(p, 9, "owner: dev@example.com");
    }
    WriteFile(inv, filled);
    CommandResult after = scan();
    CHECK_MESSAGE(after.exit_code == 0, after.out);
    // A new credential: init adds only it and keeps every existing byte.
    const std::string k3 = SyntheticToken("hf_", testing::kLetters, 34, 13);
    WriteFile(dir.Sub("tree/ml.py"), "HF='" + k3 + "'\n");
    CommandResult again = RunCommand(
        {SPRAWL_BINARY, "inventory", "init", dir.Sub("tree"), "--output", inv},
        {.env = env});
    REQUIRE_MESSAGE(again.exit_code == 0, again.err);
    const std::string extended = testing::ReadFile(inv);
    CHECK(extended.rfind(filled, 0) == 0);  // old file is a prefix, byte for byte
    CHECK(extended.find(Fp(k3)) != std::string::npos);
    CHECK(RunCommand({SPRAWL_BINARY, "inventory", "lint", inv}, {.env = env}).exit_code == 0);
  }
}

}  // namespace
}  // namespace sprawl
