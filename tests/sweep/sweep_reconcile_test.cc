// ReconcileSweep in process (issue 16, item 10): which inventory decides
// each credential of a sweep report when repositories carry their own
// .sprawl/inventory.yaml. End to end: tests/cli/sweep_repo_inventory_test.cc.
#include "scanner/sweep/sweep_reconcile.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scanner/inventory/dates.h"

namespace sprawl {
namespace {

std::string Fp(char c) { return "sha256:" + std::string(64, c); }

std::string Entry(const std::string& id, char fp, const std::string& status,
                  const std::string& ci_secret = "") {
  std::string y = "  - id: " + id +
                  "\n    provider: github\n"
                  "    fingerprints: [" +
                  Fp(fp) +
                  "]\n    owner: team@corp.test\n    status: " + status + "\n";
  if (!ci_secret.empty()) y += "    ci_secrets: [" + ci_secret + "]\n";
  return y;
}

Inventory Load(const std::string& entries, const std::string& origin) {
  auto inv = ParseInventory("version: 1\ncredentials:\n" + entries, origin);
  REQUIRE_MESSAGE(inv.ok(), inv.error().message);
  return std::move(inv).value();
}

StoredRepository Row(const std::string& repo, const std::string& entries,
                     const std::string& error = "") {
  StoredRepository r;
  r.repo = repo;
  r.inventory = entries.empty() ? "" : "version: 1\ncredentials:\n" + entries;
  r.inventory_error = error;
  return r;
}

ReportedCredential Cred(char fp, const std::vector<std::string>& repos) {
  ReportedCredential c;
  c.fingerprint = Fp(fp);
  c.confidence = "high";
  for (const auto& r : repos) {
    Location l;
    l.source = "git";
    l.path = "app/.env";
    l.repo = r;
    c.locations.push_back(l);
  }
  return c;
}

ReconcileOptions Options() {
  ReconcileOptions o;
  o.today = *ParseDate("2026-06-01");
  o.fail_on = {"revoked", "expired", "unowned", "misplaced", "unregistered"};
  return o;
}

struct Case {
  const char* name;
  std::string org;                     // org inventory entries ("" none)
  std::vector<StoredRepository> rows;  // own inventories
  std::vector<std::string> repos;      // where credential '1' is found
  std::string status;                  // its verdict
  std::string reason_has;
  int warnings;
};

TEST_SUITE("sweep reconcile") {
  TEST_CASE("issue 16: which inventory decides a swept credential") {
    const std::vector<Case> cases = {
        {"no own inventory: the org's alone",
         "",
         {Row("a", "")},
         {"a"},
         "unregistered",
         "no inventory",
         0},
        {"own entry, found only there",
         "",
         {Row("a", Entry("a-key", '1', "active"))},
         {"a"},
         "registered",
         "a:.sprawl/inventory.yaml",
         0},
        {"own entry of another repository",
         "",
         {Row("b", Entry("b-key", '1', "active"))},
         {"a"},
         "unregistered",
         "",
         0},
        {"found in a and b, listed by a only",
         "",
         {Row("a", Entry("a-key", '1', "active")), Row("b", "")},
         {"a", "b"},
         "unregistered",
         "listed only by a:",
         0},
        {"listed by both: the most severe stands",
         "",
         {Row("a", Entry("a-key", '1', "active")),
          Row("b", Entry("b-key", '1', "revoked"))},
         {"a", "b"},
         "revoked",
         "b:.sprawl/inventory.yaml",
         0},
        {"org wins the same fingerprint",
         Entry("org-key", '1', "revoked"),
         {Row("a", Entry("a-key", '1', "active"))},
         {"a"},
         "revoked",
         "revoked in the inventory",
         1},
        {"org wins the same id; the repository entry is dropped",
         Entry("shared-id", '2', "active"),
         {Row("a", Entry("shared-id", '1', "active"))},
         {"a"},
         "unregistered",
         "not in the inventory",
         1},
        {"an own inventory that could not be used: a warning",
         "",
         {Row("a", "", "a:.sprawl/inventory.yaml:3:5: bad")},
         {"a"},
         "unregistered",
         "",
         1},
    };
    for (const Case& k : cases) {
      CAPTURE(k.name);
      Inventory org = k.org.empty() ? Inventory{} : Load(k.org, "org.yaml");
      Report report;
      report.credentials.push_back(Cred('1', k.repos));
      Diagnostics diagnostics(nullptr);
      ReconcileSweep(org, k.rows, Options(), &report, &diagnostics);
      const ReportedCredential& c = report.credentials.front();
      CHECK(c.status == k.status);
      CHECK(c.reason.find(k.reason_has) != std::string::npos);
      CHECK(diagnostics.warnings() == k.warnings);
      CAPTURE(diagnostics.Text());
      if (k.warnings > 0 && !k.org.empty()) {
        CHECK(diagnostics.Text().find("org.yaml") != std::string::npos);
        CHECK(diagnostics.Text().find("a:.sprawl/inventory.yaml") !=
              std::string::npos);
      }
    }
  }

  TEST_CASE("issue 16: no rows reconciles exactly as the org inventory") {
    Inventory org = Load(Entry("org-key", '1', "active"), "org.yaml");
    Report with, without;
    for (Report* r : {&with, &without}) {
      r->credentials = {Cred('1', {"a"}), Cred('2', {"a", "b"})};
    }
    Diagnostics diagnostics(nullptr);
    ReconcileSweep(org, {}, Options(), &with, &diagnostics);
    Reconcile(org, Options(), &without);
    REQUIRE(with.credentials.size() == without.credentials.size());
    for (std::size_t i = 0; i < with.credentials.size(); ++i) {
      CHECK(with.credentials[i].status == without.credentials[i].status);
      CHECK(with.credentials[i].reason == without.credentials[i].reason);
      CHECK(with.credentials[i].fails == without.credentials[i].fails);
    }
    CHECK(diagnostics.warnings() == 0);
  }

  TEST_CASE("issue 16: an own ci_secrets entry registers its own references") {
    Report report;
    for (const char* repo : {"a", "b"}) {
      PipelineReference r;
      r.name = "DEPLOY_TOKEN";
      r.repo = repo;
      report.references.push_back(r);
    }
    Diagnostics diagnostics(nullptr);
    ReconcileSweep(Inventory{},
                   {Row("a", Entry("a-key", '1', "active", "DEPLOY_TOKEN"))},
                   Options(), &report, &diagnostics);
    CHECK(report.references[0].status == "registered");
    CHECK(report.references[1].status == "unregistered");
  }
}

}  // namespace
}  // namespace sprawl
