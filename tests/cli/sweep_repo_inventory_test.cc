// Issue 16 (item 10): an org sweep reads each repository's own
// .sprawl/inventory.yaml from its default branch tip and reconciles that
// repository's credentials against the org inventory merged with it. Runs
// the built `sprawl` on generated repositories (synthetic keys only): a
// repository's own entry registers its own credential and nothing in
// another repository; a work tree's uncommitted inventory is not read; a
// malformed one is a warning and the sweep goes on; --no-repo-inventory
// restores the org-only reconciliation; the org inventory wins a conflict;
// where several repositories list a credential the most severe verdict
// stands. The reconciliation on its own: tests/sweep/sweep_reconcile_test.cc.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/sweep_workspace.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::SyntheticGithubToken;
using testing::TempDir;

std::string Key(uint64_t seed) { return SyntheticGithubToken("ghp_", seed); }

using testing::CommitFiles;

std::string Git(const std::string& cwd, const std::vector<std::string>& args) {
  return testing::SweepGit(cwd, args);
}

class Workspace : public testing::SweepWorkspace {
 public:
  // `sprawl sweep --root root --format json` plus `extra`.
  CommandResult Sweep(std::vector<std::string> extra = {}) const {
    return Run(SweepArgs(extra));
  }
};

json Parse(const CommandResult& r) {
  INFO("stderr: " << r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  json j = json::parse(r.out, nullptr, false);
  REQUIRE(j.is_object());
  return j;
}

// The credential found at `repo`:`path`.
const json& At(const json& j, const std::string& repo,
               const std::string& path) {
  for (const auto& c : j.at("credentials")) {
    for (const auto& l : c.at("locations")) {
      if (l.at("repo") == repo && l.at("path") == path) return c;
    }
  }
  FAIL("no credential at " << repo << ":" << path);
  static const json kNone;
  return kNone;
}

std::string Fp(const json& j, const std::string& repo,
               const std::string& path) {
  return At(j, repo, path).at("fingerprint").get<std::string>();
}

std::string Status(const json& j, const std::string& repo,
                   const std::string& path) {
  return At(j, repo, path).at("status").get<std::string>();
}

std::string Reason(const json& j, const std::string& repo,
                   const std::string& path) {
  return At(j, repo, path).at("reason").get<std::string>();
}

// An inventory of one credential entry per (id, fingerprint, status).
std::string InventoryOf(
    const std::vector<std::tuple<std::string, std::string, std::string>>&
        entries) {
  std::string y = "version: 1\ncredentials:\n";
  for (const auto& [id, fp, status] : entries) {
    y += "  - id: " + id + "\n    provider: github\n    fingerprints: [" + fp +
         "]\n    owner: team@corp.test\n    status: " + status + "\n";
  }
  return y;
}

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// a: only-a.env holds Key(1), shared.env Key(3); b: only-b.env holds
// Key(2), shared.env Key(3). First sweep: the fingerprints.
struct TwoRepos {
  Workspace w;
  std::string fp1, fp2, fp3;
  TwoRepos() {
    CommitFiles(w.root() + "/a", {{"only-a.env", "T=" + Key(1) + "\n"},
                                  {"shared.env", "T=" + Key(3) + "\n"}});
    CommitFiles(w.root() + "/b", {{"only-b.env", "T=" + Key(2) + "\n"},
                                  {"shared.env", "T=" + Key(3) + "\n"}});
    json j = Parse(w.Sweep());
    fp1 = Fp(j, "a", "only-a.env");
    fp2 = Fp(j, "b", "only-b.env");
    fp3 = Fp(j, "a", "shared.env");
    CHECK(Status(j, "a", "only-a.env") == "unregistered");
  }
};

TEST_SUITE("sweep repo inventory") {
  TEST_CASE(
      "issue 16: a repository's own inventory registers its own credentials, "
      "nothing in another repository, and only as committed at HEAD") {
    TwoRepos t;
    // a registers Key(1) and the shared Key(3); b writes an inventory
    // registering Key(2) but never commits it.
    CommitFiles(t.w.root() + "/a",
                {{".sprawl/inventory.yaml",
                  InventoryOf({{"a-key", t.fp1, "active"},
                               {"a-shared", t.fp3, "active"}})}});
    testing::WriteFile(t.w.root() + "/b/.sprawl/inventory.yaml",
                       InventoryOf({{"b-key", t.fp2, "active"}}));
    CommandResult r = t.w.Sweep();
    json j = Parse(r);
    CHECK(Status(j, "a", "only-a.env") == "registered");
    CHECK(Has(Reason(j, "a", "only-a.env"), "a-key"));
    CHECK(Has(Reason(j, "a", "only-a.env"), "a:.sprawl/inventory.yaml"));
    // Not committed: not read.
    CHECK(Status(j, "b", "only-b.env") == "unregistered");
    // Also in b, which does not list it: a's entry does not relax b.
    CHECK(Status(j, "b", "shared.env") == "unregistered");
    CHECK(Has(Reason(j, "b", "shared.env"), "listed only by a:"));
    CHECK(r.exit_code == 1);

    // A rerun with nothing changed keeps the recorded own inventory.
    json again = Parse(t.w.Sweep());
    for (const auto& repo : again.at("repositories")) {
      CHECK(repo.at("status") == "unchanged");
    }
    CHECK(Status(again, "a", "only-a.env") == "registered");
    // So does `report`, from the datastore alone.
    CommandResult rep = t.w.Run({"report", "--datastore", t.w.db(), "--format",
                                 "json", "--now", "2026-06-01"});
    CHECK(Status(Parse(rep), "a", "only-a.env") == "registered");

    // --no-repo-inventory: the org inventory (none) alone, as before.
    json off = Parse(t.w.Sweep({"--no-repo-inventory"}));
    CHECK(Status(off, "a", "only-a.env") == "unregistered");
    CHECK(Status(off, "a", "shared.env") == "unregistered");
    CommandResult rep_off =
        t.w.Run({"report", "--datastore", t.w.db(), "--format", "json", "--now",
                 "2026-06-01", "--no-repo-inventory"});
    CHECK(Status(Parse(rep_off), "a", "only-a.env") == "unregistered");

    // b now commits an inventory listing the shared key as revoked: both
    // repositories list it, and the most severe verdict stands.
    CommitFiles(t.w.root() + "/b",
                {{".sprawl/inventory.yaml",
                  InventoryOf({{"b-key", t.fp2, "active"},
                               {"b-shared", t.fp3, "revoked"}})}});
    json both = Parse(t.w.Sweep());
    CHECK(Status(both, "b", "only-b.env") == "registered");
    CHECK(Status(both, "a", "shared.env") == "revoked");
    CHECK(Has(Reason(both, "a", "shared.env"), "b:.sprawl/inventory.yaml"));
  }

  TEST_CASE(
      "issue 16: a malformed or oversized own inventory is a warning; the "
      "repository and the sweep go on under the org inventory") {
    TwoRepos t;
    // A raw secret pasted where a fingerprint belongs: refused, and kept
    // out of the output and the datastore.
    const std::string pasted = Key(99);
    CommitFiles(t.w.root() + "/a",
                {{".sprawl/inventory.yaml",
                  "version: 1\ncredentials:\n  - id: oops\n    provider: "
                  "github\n    fingerprints: [" +
                      pasted + "]\n    owner: x@corp.test\n"}});
    CommitFiles(t.w.root() + "/b",
                {{".sprawl/inventory.yaml", "version: 1\ncredentials: [\n"}});
    CommandResult r = t.w.Sweep();
    json j = Parse(r);
    for (const auto& repo : j.at("repositories")) {
      CHECK(repo.at("status") == "scanned");
    }
    CHECK(Status(j, "a", "only-a.env") == "unregistered");
    CHECK(Status(j, "b", "only-b.env") == "unregistered");
    CHECK(Has(r.err,
              "warning: a: own inventory .sprawl/inventory.yaml not used"));
    CHECK(Has(r.err,
              "warning: b: own inventory .sprawl/inventory.yaml not used"));
    CHECK_FALSE(Has(r.err, pasted));
    CHECK_FALSE(Has(r.out, pasted));
    CHECK_FALSE(Has(testing::ReadFile(t.w.db()), pasted));
    if (std::filesystem::exists(t.w.db() + "-wal")) {
      CHECK_FALSE(Has(testing::ReadFile(t.w.db() + "-wal"), pasted));
    }
    // A file over the size limit of repository-supplied files: not read.
    CommitFiles(t.w.root() + "/a",
                {{".sprawl/inventory.yaml",
                  InventoryOf({{"a-key", t.fp1, "active"}}) + "# " +
                      std::string(16u << 20, 'x') + "\n"}});
    CommandResult big = t.w.Sweep();
    json jb = Parse(big);
    CHECK(Status(jb, "a", "only-a.env") == "unregistered");
    CHECK(Has(big.err, "over the limit"));
  }

  TEST_CASE(
      "issue 16: the org inventory wins over a repository's own entry for "
      "the same fingerprint or id, with one warning naming both") {
    TwoRepos t;
    const std::string org = t.w.Sub("org.yaml");
    testing::WriteFile(org, InventoryOf({{"org-key", t.fp1, "revoked"}}));
    CommitFiles(t.w.root() + "/a",
                {{".sprawl/inventory.yaml",
                  InventoryOf({{"a-key", t.fp1, "active"},
                               {"org-key", t.fp3, "active"}})}});
    CommandResult r = t.w.Sweep({"--inventory", org});
    json j = Parse(r);
    CHECK(Status(j, "a", "only-a.env") == "revoked");
    CHECK(Has(Reason(j, "a", "only-a.env"), "revoked in the inventory"));
    // The id collision drops a's entry for the shared key too.
    CHECK(Status(j, "a", "shared.env") == "unregistered");
    CHECK(Has(r.err, t.fp1 + " is listed by the org inventory"));
    CHECK(Has(r.err, "a:.sprawl/inventory.yaml"));
    CHECK(Has(r.err, "credential id 'org-key' is in the org inventory"));
    CHECK(r.exit_code == 1);
  }
}

}  // namespace
}  // namespace sprawl
