// The sweep datastore on its own (the sweeps that fill it are in
// sweep_test.cc): schema migrations from every released version (ref
// signatures arrive empty and travel with merges), refusal of
// a newer schema, pipeline references and findings per repository, and
// copying a known blob's locations to a path it moved to, and recording a
// batch of unchanged repositories.
#include "scanner/datastore/datastore.h"

#include <doctest/doctest.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "scanner/datastore/schema.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::TempDir;

// A credential of rule test.rule with one git location at `path` in blob
// `blob`.
StoredCredential OneCredential(const std::string& path,
                               const std::string& blob) {
  StoredCredential cred;
  cred.fingerprint = "sha256:00";
  cred.rule = "test.rule";
  cred.redacted = "(16 chars)";
  Location l;
  l.source = "git";
  l.path = path;
  l.line = 1;
  l.column = 2;
  l.git = GitProvenance{};
  l.git->blob = blob;
  cred.locations = {l};
  return cred;
}

TEST_SUITE("sweep datastore") {
  TEST_CASE("the datastore migrates on open and refuses a newer schema") {
    TempDir dir;
    const std::string path = dir.Sub("s.db");
    {
      auto store = Datastore::Open(path, true);
      REQUIRE(store.ok());
      CHECK(store->schema_version() == kDatastoreSchemaVersion);
      auto sweep = store->BeginSweep();
      REQUIRE(sweep.ok());
      StoredRepository repo{"r", "/r", "scanned", "", 1, 5, 0, "{}"};
      StoredCredential cred = OneCredential("p", "abc");
      RepositoryScan scan;
      scan.new_blobs = {"abc"};
      scan.found = {cred};
      REQUIRE(store->CommitRepository(*sweep, repo, scan).ok());
    }
    {
      auto store = Datastore::Open(path, false);
      REQUIRE(store.ok());
      auto blobs = store->ScannedBlobs("r");
      REQUIRE(blobs.ok());
      CHECK(blobs->count("abc") == 1);
      auto creds = store->Credentials();
      REQUIRE(creds.ok());
      REQUIRE(creds->size() == 1);
      CHECK((*creds)[0].locations.at(0).repo == "r");
      auto db = SqliteDb::Open(path, false);
      REQUIRE(db.ok());
      REQUIRE(db->Exec("PRAGMA user_version = 99").ok());
    }
    CHECK_FALSE(Datastore::Open(path, false).ok());
  }

  TEST_CASE(
      "a version-1 datastore migrates to the current one and keeps its data") {
    TempDir dir;
    const std::string path = dir.Sub("v1.db");
    {
      auto db = SqliteDb::Open(path, true);
      REQUIRE(db.ok());
      REQUIRE(db->Exec(DatastoreMigrations().at(0)).ok());
      REQUIRE(db->Exec(R"sql(
PRAGMA user_version = 1;
INSERT INTO sweeps(started, finished)
  VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z');
INSERT INTO repositories(repo, status, ref_tips) VALUES ('r', 'scanned', '{}');
INSERT INTO scanned_blobs(repo_id, oid) VALUES (1, 'abc');
INSERT INTO credentials(fingerprint, rule, redacted, first_seen_sweep,
                        last_seen_sweep)
  VALUES ('sha256:00', 'test.rule', '(16 chars)', 1, 1);
INSERT INTO locations(fingerprint, repo_id, source, path, line, col, blob)
  VALUES ('sha256:00', 1, 'git', 'p', 1, 2, 'abc');
)sql")
                  .ok());
    }
    {
      auto store = Datastore::Open(path, false);
      REQUIRE(store.ok());
      CHECK(store->schema_version() == kDatastoreSchemaVersion);
      auto creds = store->Credentials();
      REQUIRE(creds.ok());
      REQUIRE(creds->size() == 1);
      CHECK((*creds)[0].locations.at(0).path == "p");
      auto secret = store->SecretBlobs("r");
      REQUIRE(secret.ok());
      CHECK(*secret == std::unordered_set<std::string>{"abc"});
      auto none = store->References();
      REQUIRE(none.ok());
      CHECK(none->empty());
      StoredRepository repo{"r", "/r", "scanned", "", 0, 1, 0, "{}"};
      RepositoryScan scan;
      scan.references = {
          {"github-actions", "ci.yml", "jobs.a.env.K", "K", "", 3, ""}};
      scan.pipeline_findings = {
          {"static-cloud-key-in-login-action", "ci.yml", "jobs.a", 4, "m", ""}};
      REQUIRE(store->CommitRepository(2, repo, scan).ok());
      REQUIRE(store->CommitRepository(2, repo, scan).ok());  // idempotent
    }
    auto store = Datastore::Open(path, false);
    REQUIRE(store.ok());
    auto refs = store->References();
    REQUIRE(refs.ok());
    REQUIRE(refs->size() == 1);
    CHECK((*refs)[0].repo == "r");
    CHECK((*refs)[0].name == "K");
    CHECK((*refs)[0].line == 3);
    CHECK((*refs)[0].status.empty());
    auto findings = store->PipelineFindings();
    REQUIRE(findings.ok());
    REQUIRE(findings->size() == 1);
    CHECK((*findings)[0].repo == "r");
    CHECK((*findings)[0].line == 4);
    const std::unordered_set<std::string> other{"elsewhere"};
    CHECK(store->References(&other)->empty());
    CHECK(store->PipelineFindings(&other)->empty());
  }

  TEST_CASE(
      "a version-2 datastore gains ref signatures that merge with their tips") {
    TempDir dir;
    const std::string path = dir.Sub("v2.db");
    {
      auto db = SqliteDb::Open(path, true);
      REQUIRE(db.ok());
      REQUIRE(db->Exec(DatastoreMigrations().at(0)).ok());
      REQUIRE(db->Exec(DatastoreMigrations().at(1)).ok());
      REQUIRE(db->Exec(R"sql(
PRAGMA user_version = 2;
INSERT INTO sweeps(started, finished)
  VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z');
INSERT INTO repositories(repo, status, last_sweep, ref_tips)
  VALUES ('r', 'scanned', 1, '{"HEAD":"a"}');
)sql")
                  .ok());
    }
    {
      auto store = Datastore::Open(path, false);
      REQUIRE(store.ok());
      CHECK(store->schema_version() == kDatastoreSchemaVersion);
      auto row = store->GetRepository("r");
      REQUIRE(row.ok());
      REQUIRE(row->has_value());
      CHECK((*row)->ref_tips == "{\"HEAD\":\"a\"}");
      CHECK((*row)->ref_signature == "");  // the next sweep reads refs
      StoredRepository signed_row = **row;
      signed_row.ref_signature = "refsig1 1\nm HEAD\n";
      REQUIRE(store->CommitRepository(1, signed_row, {}).ok());
      CHECK((*store->GetRepository("r"))->ref_signature ==
            signed_row.ref_signature);
    }
    // A merge carries a repository's signature along with its tips.
    auto merged = Datastore::Open(dir.Sub("merged.db"), true);
    REQUIRE(merged.ok());
    REQUIRE(merged->MergeFrom(path).ok());
    auto row = merged->GetRepository("r");
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    CHECK((*row)->ref_tips == "{\"HEAD\":\"a\"}");
    CHECK((*row)->ref_signature == "refsig1 1\nm HEAD\n");
    // Never onto a row with other tips: here the merged row is newer.
    auto later = Datastore::Open(dir.Sub("later.db"), true);
    REQUIRE(later.ok());
    for (int i = 0; i < 3; ++i) REQUIRE(later->BeginSweep().ok());
    StoredRepository newer{"r", "/r", "scanned",          "",     0,
                           1,   0,    "{\"HEAD\":\"b\"}", "sig-b"};
    REQUIRE(later->CommitRepository(3, newer, {}).ok());
    REQUIRE(later->MergeFrom(path).ok());
    row = later->GetRepository("r");
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    CHECK((*row)->ref_tips == "{\"HEAD\":\"b\"}");
    CHECK((*row)->ref_signature != "refsig1 1\nm HEAD\n");
  }

  TEST_CASE("copied locations keep pipeline context only in the same system") {
    struct Case {
      const char* system;  // of the path the blob moved to
      bool keeps_context;
    };
    for (const Case& c : {Case{"github-actions", true}, Case{"", false},
                          Case{"gitlab-ci", false}}) {
      CAPTURE(c.system);
      TempDir dir;
      auto store = Datastore::Open(dir.Sub("s.db"), true);
      REQUIRE(store.ok());
      auto sweep = store->BeginSweep();
      REQUIRE(sweep.ok());
      StoredRepository repo{"r", "/r", "scanned", "", 1, 5, 0, "{}"};
      StoredCredential cred = OneCredential(".github/workflows/a.yml", "b1");
      Location& l = cred.locations[0];
      l.line = 7;
      l.column = 9;
      l.git->commit = "c1";
      l.pipeline = PipelineContext{"github-actions", "jobs.x.env.K", ""};
      RepositoryScan first;
      first.new_blobs = {"b1"};
      first.found = {cred};
      REQUIRE(store->CommitRepository(*sweep, repo, first).ok());
      auto known = store->SecretBlobs("r");
      REQUIRE(known.ok());
      CHECK(*known == std::unordered_set<std::string>{"b1"});

      GitProvenance moved;
      moved.commit = "c2";
      moved.blob = "b1";
      moved.in_head = true;
      RepositoryScan second;
      second.known = {{"elsewhere.yml", moved, c.system}};
      REQUIRE(store->CommitRepository(*sweep, repo, second).ok());
      auto creds = store->Credentials();
      REQUIRE(creds.ok());
      REQUIRE(creds->size() == 1);
      const auto& locs = (*creds)[0].locations;
      REQUIRE(locs.size() == 2);
      const Location& copy = locs[1];
      CHECK(copy.path == "elsewhere.yml");
      CHECK(copy.line == 7);
      CHECK(copy.column == 9);
      REQUIRE(copy.git.has_value());
      CHECK(copy.git->commit == "c2");
      CHECK(copy.git->in_head);
      CHECK(copy.pipeline.has_value() == c.keeps_context);
    }
  }

  TEST_CASE("unchanged rows are rewritten in one batch and mark theirs seen") {
    TempDir dir;
    auto store = Datastore::Open(dir.Sub("s.db"), true);
    REQUIRE(store.ok());
    auto first = store->BeginSweep();
    REQUIRE(first.ok());
    StoredRepository with_secret{"a", "/a", "scanned", "",
                                 1,   5,    0,         "{\"x\":1}"};
    RepositoryScan scan;
    scan.new_blobs = {"b1"};
    scan.found = {OneCredential("app/.env", "b1")};
    REQUIRE(store->CommitRepository(*first, with_secret, scan).ok());
    StoredRepository other{"b", "/b", "scanned", "", 1, 5, 0, "{}"};
    REQUIRE(store->CommitRepository(*first, other, {}).ok());
    auto second = store->BeginSweep();
    REQUIRE(second.ok());
    // Two stored rows (updated in place) and one never stored (inserted).
    std::vector<StoredRepository> rows = {
        {"a", "/moved/a", "unchanged", "", 0, 1, 0, "{\"x\":1}", "sig-a"},
        {"b", "/b", "unchanged", "", 0, 2, 0, "{}", ""},
        {"c", "/c", "unchanged", "", 0, 3, 0, "{}", "sig-c"}};
    REQUIRE(store->CommitUnchanged(*second, rows).ok());
    auto stored = store->Repositories();
    REQUIRE(stored.ok());
    REQUIRE(stored->size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CAPTURE(rows[i].repo);
      const StoredRepository& r = (*stored)[i];
      CHECK(r.repo == rows[i].repo);
      CHECK(r.source == rows[i].source);
      CHECK(r.status == "unchanged");
      CHECK(r.blobs_scanned == 0);
      CHECK(r.duration_ms == rows[i].duration_ms);
      CHECK(r.last_sweep == *second);
      CHECK(r.ref_tips == rows[i].ref_tips);
      CHECK(r.ref_signature == rows[i].ref_signature);
    }
    // A row without a signature keeps the stored one; "" drops it.
    rows[0].ref_signature.reset();
    rows[2].ref_signature = "";
    REQUIRE(store->CommitUnchanged(*second, rows).ok());
    CHECK((*store->GetRepository("a"))->ref_signature == "sig-a");
    CHECK((*store->GetRepository("c"))->ref_signature == "");
    auto creds = store->Credentials();
    REQUIRE(creds.ok());
    REQUIRE(creds->size() == 1);
    CHECK((*creds)[0].first_seen_sweep == *first);
    CHECK((*creds)[0].last_seen_sweep == *second);
    // The blobs a scan recorded stay: the next scan still skips them.
    auto blobs = store->ScannedBlobs("a");
    REQUIRE(blobs.ok());
    CHECK(*blobs == std::unordered_set<std::string>{"b1"});
  }
}

}  // namespace
}  // namespace sprawl
