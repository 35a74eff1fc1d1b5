// Datastore::CommitRepository: one repository's scan in one transaction
// (see datastore.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scanner/datastore/column_codec.h"
#include "scanner/datastore/datastore.h"

namespace sprawl {
namespace {

// A location already stored (same credential, place, blob and commit) only
// has what a later scan can change refreshed: whether HEAD and which ref
// tips still hold it.
constexpr std::string_view kLocationUpsert =
    " ON CONFLICT DO UPDATE SET in_head = excluded.in_head, "
    "refs = excluded.refs";

// A row written without its inventory (nullopt, bound as NULL) keeps the
// stored one.
constexpr std::string_view kKeepInventory =
    "inventory = coalesce(?9, inventory), inventory_error = CASE WHEN ?9 IS "
    "NULL THEN inventory_error ELSE ?10 END";

// Upserts repository rows: prepared once, then run for each repository of
// a batch (preparing per row was most of the cost of recording unchanged
// repositories).
Result<SqliteStmt> PrepareUpsert(SqliteDb* db) {
  return db->Prepare(
      "INSERT INTO repositories(" + std::string(kRepoColumns) +
      ", inventory, inventory_error) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,"
      "coalesce(?10,'')) ON CONFLICT(repo) DO UPDATE SET "
      "source=excluded.source, status=excluded.status, error=excluded.error, "
      "blobs_scanned=excluded.blobs_scanned, "
      "duration_ms=excluded.duration_ms, last_sweep=excluded.last_sweep, "
      "ref_tips=excluded.ref_tips, " +
      std::string(kKeepInventory));
}

// Binds the row's columns (?1 repo ... ?8 ref_tips, as kRepoColumns; ?9
// inventory, ?10 inventory_error) to
// `stmt`, an upsert or an update, and runs it.
Status WriteRepositoryRow(SqliteStmt* stmt, int64_t sweep,
                          const StoredRepository& r) {
  stmt->Bind(1, r.repo)
      .Bind(2, r.source)
      .Bind(3, r.status)
      .Bind(4, r.error)
      .Bind(5, static_cast<int64_t>(r.blobs_scanned))
      .Bind(6, r.duration_ms)
      .Bind(7, sweep)
      .Bind(8, r.ref_tips)
      .Bind(10, r.inventory_error);
  if (r.inventory) {
    stmt->Bind(9, *r.inventory);
  } else {
    stmt->BindNull(9);
  }
  return stmt->Run();
}

// Rewrites the row of a repository already stored; no row changed when it
// is not. Cheaper than the upsert, for the common unchanged repository.
Result<SqliteStmt> PrepareUpdate(SqliteDb* db) {
  return db->Prepare(
      "UPDATE repositories SET source = ?2, status = ?3, error = ?4, "
      "blobs_scanned = ?5, duration_ms = ?6, last_sweep = ?7, ref_tips = ?8, " +
      std::string(kKeepInventory) + " WHERE repo = ?1");
}

// Stores or drops (for "") a repository's ref signature, by repository key;
// each statement is prepared on first use (most batches need neither).
class SignatureWriter {
 public:
  explicit SignatureWriter(SqliteDb* db) : db_(db) {}

  // Nothing when the row keeps its stored signature.
  Status Write(const StoredRepository& r) {
    if (!r.ref_signature) return Status::Ok();
    const bool drop = r.ref_signature->empty();
    std::optional<SqliteStmt>& stmt = drop ? drop_ : put_;
    if (!stmt) {
      auto prepared = db_->Prepare(
          drop ? "DELETE FROM ref_signatures WHERE repo_id = "
                 "(SELECT id FROM repositories WHERE repo = ?1)"
               : "INSERT OR REPLACE INTO ref_signatures(repo_id, signature) "
                 "SELECT id, ?2 FROM repositories WHERE repo = ?1");
      if (!prepared.ok()) return prepared.error();
      stmt.emplace(std::move(prepared).value());
    }
    stmt->Bind(1, r.repo);
    if (!drop) stmt->Bind(2, *r.ref_signature);
    return stmt->Run();
  }

 private:
  SqliteDb* db_;
  std::optional<SqliteStmt> put_, drop_;
};

// Upserts the repository row; its id.
Result<int64_t> UpsertRepository(SqliteDb* db, int64_t sweep,
                                 const StoredRepository& r) {
  auto upsert = PrepareUpsert(db);
  if (!upsert.ok()) return upsert.error();
  if (Status s = WriteRepositoryRow(&*upsert, sweep, r); !s.ok()) {
    return s.error();
  }
  auto id = db->Prepare("SELECT id FROM repositories WHERE repo = ?");
  if (!id.ok()) return id.error();
  id->Bind(1, r.repo);
  if (!id->Step()) return Error{"datastore: repository row vanished"};
  return id->Int(0);
}

Status InsertBlobs(SqliteDb* db, int64_t repo_id,
                   const std::vector<std::string>& oids) {
  auto blob = db->Prepare(
      "INSERT OR IGNORE INTO scanned_blobs(repo_id, oid) VALUES (?, ?)");
  if (!blob.ok()) return blob.error();
  for (const auto& oid : oids) {
    blob->Bind(1, repo_id).Bind(2, oid);
    if (Status s = blob->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status MarkSeen(SqliteDb* db, int64_t sweep, int64_t repo_id) {
  auto seen = db->Prepare(
      "UPDATE credentials SET last_seen_sweep = max(last_seen_sweep, ?) "
      "WHERE fingerprint IN (SELECT fingerprint FROM locations "
      "WHERE repo_id = ?)");
  if (!seen.ok()) return seen.error();
  seen->Bind(1, sweep).Bind(2, repo_id);
  return seen->Run();
}

// Marks seen in `sweep` every credential located in a repository recorded
// as unchanged in `sweep`: one statement for a whole batch, which looks only
// at credentials not yet marked (each stops at its first such location).
Status MarkUnchangedSeen(SqliteDb* db, int64_t sweep) {
  auto seen = db->Prepare(
      "UPDATE credentials SET last_seen_sweep = ?1 "
      "WHERE last_seen_sweep < ?1 AND EXISTS (SELECT 1 FROM locations l "
      "JOIN repositories r ON r.id = l.repo_id "
      "WHERE l.fingerprint = credentials.fingerprint "
      "AND r.last_sweep = ?1 AND r.status = 'unchanged')");
  if (!seen.ok()) return seen.error();
  seen->Bind(1, sweep);
  return seen->Run();
}

Status InsertLocations(SqliteDb* db, int64_t repo_id,
                       const StoredCredential& c) {
  auto loc = db->Prepare(
      "INSERT INTO locations(fingerprint, repo_id, source, path, line, col, "
      "commit_oid, author, author_email, date, summary, blob, in_head, refs, "
      "pipeline, client) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" +
      std::string(kLocationUpsert));
  if (!loc.ok()) return loc.error();
  for (const Location& l : c.locations) {
    const GitProvenance g = l.git.value_or(GitProvenance{});
    loc->Bind(1, c.fingerprint)
        .Bind(2, repo_id)
        .Bind(3, l.source)
        .Bind(4, l.path)
        .Bind(5, static_cast<int64_t>(l.line))
        .Bind(6, static_cast<int64_t>(l.column))
        .Bind(7, g.commit)
        .Bind(8, g.author)
        .Bind(9, g.author_email)
        .Bind(10, g.date)
        .Bind(11, g.summary)
        .Bind(12, g.blob)
        .Bind(13, static_cast<int64_t>(g.in_head ? 1 : 0))
        .Bind(14, JsonList(g.refs))
        .Bind(15, PipelineJson(l))
        .Bind(16, ClientJson(l));
    if (Status s = loc->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status InsertCredentials(SqliteDb* db, int64_t sweep, int64_t repo_id,
                         const std::vector<StoredCredential>& found) {
  auto cred = db->Prepare(
      "INSERT INTO credentials(fingerprint, rule, rule_name, provider, "
      "category, confidence, redacted, also_matched, first_seen_sweep, "
      "last_seen_sweep) VALUES (?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(fingerprint) DO UPDATE SET "
      "first_seen_sweep = min(first_seen_sweep, excluded.first_seen_sweep), "
      "last_seen_sweep = max(last_seen_sweep, excluded.last_seen_sweep)");
  if (!cred.ok()) return cred.error();
  for (const StoredCredential& c : found) {
    cred->Bind(1, c.fingerprint)
        .Bind(2, c.rule)
        .Bind(3, c.rule_name)
        .Bind(4, c.provider)
        .Bind(5, c.category)
        .Bind(6, c.confidence)
        .Bind(7, c.redacted)
        .Bind(8, JsonList(c.also_matched))
        .Bind(9, sweep)
        .Bind(10, sweep);
    if (Status s = cred->Run(); !s.ok()) return s;
    if (Status s = InsertLocations(db, repo_id, c); !s.ok()) return s;
  }
  return Status::Ok();
}

// Copies the repository's stored locations in each sighted blob to the
// sighting's path and provenance. CASE evaluates its branches in order, so
// json_extract never sees an empty (non-JSON) pipeline column.
Status CopyKnownLocations(SqliteDb* db, int64_t repo_id,
                          const std::vector<KnownBlobSighting>& known) {
  auto copy = db->Prepare(
      "INSERT INTO locations(fingerprint, repo_id, source, path, line, col, "
      "commit_oid, author, author_email, date, summary, blob, in_head, refs, "
      "pipeline, client) "
      "SELECT DISTINCT fingerprint, repo_id, source, ?1, line, col, ?2, ?3, "
      "?4, ?5, ?6, blob, ?7, ?8, CASE WHEN pipeline = '' THEN '' "
      "WHEN json_extract(pipeline, '$.system') = ?9 THEN pipeline ELSE '' END, "
      "CASE WHEN client = '' THEN '' "
      "WHEN json_extract(client, '$.client') = ?12 THEN client ELSE '' END "
      "FROM locations WHERE repo_id = ?10 AND blob = ?11" +
      std::string(kLocationUpsert));
  if (!copy.ok()) return copy.error();
  for (const KnownBlobSighting& k : known) {
    copy->Bind(1, k.path)
        .Bind(2, k.git.commit)
        .Bind(3, k.git.author)
        .Bind(4, k.git.author_email)
        .Bind(5, k.git.date)
        .Bind(6, k.git.summary)
        .Bind(7, static_cast<int64_t>(k.git.in_head ? 1 : 0))
        .Bind(8, JsonList(k.git.refs))
        .Bind(9, k.system)
        .Bind(10, repo_id)
        .Bind(11, k.git.blob)
        .Bind(12, k.client);
    if (Status s = copy->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status InsertPipelineOutputs(SqliteDb* db, int64_t repo_id,
                             const RepositoryScan& scan) {
  auto ref = db->Prepare(
      "INSERT OR IGNORE INTO pipeline_references(repo_id, system, path, "
      "key_path, name, line) VALUES (?,?,?,?,?,?)");
  if (!ref.ok()) return ref.error();
  for (const PipelineReference& r : scan.references) {
    ref->Bind(1, repo_id)
        .Bind(2, r.system)
        .Bind(3, r.path)
        .Bind(4, r.key_path)
        .Bind(5, r.name)
        .Bind(6, static_cast<int64_t>(r.line));
    if (Status s = ref->Run(); !s.ok()) return s;
  }
  auto finding = db->Prepare(
      "INSERT OR IGNORE INTO pipeline_findings(repo_id, kind, path, "
      "key_path, line, message) VALUES (?,?,?,?,?,?)");
  if (!finding.ok()) return finding.error();
  for (const PipelineFindingEntry& f : scan.pipeline_findings) {
    finding->Bind(1, repo_id)
        .Bind(2, f.kind)
        .Bind(3, f.path)
        .Bind(4, f.key_path)
        .Bind(5, static_cast<int64_t>(f.line))
        .Bind(6, f.message);
    if (Status s = finding->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status Datastore::CommitRepository(int64_t sweep, const StoredRepository& r,
                                   const RepositoryScan& scan) {
  SqliteTransaction tx(&db_);
  if (!tx.begun().ok()) return tx.begun();
  auto repo_id = UpsertRepository(&db_, sweep, r);
  if (!repo_id.ok()) return repo_id.error();
  if (Status s = InsertBlobs(&db_, *repo_id, scan.new_blobs); !s.ok()) {
    return s;
  }
  SignatureWriter signature(&db_);
  if (Status s = signature.Write(r); !s.ok()) return s;
  if (r.status == "scanned" || r.status == "unchanged") {
    if (Status s = MarkSeen(&db_, sweep, *repo_id); !s.ok()) return s;
  }
  if (Status s = InsertCredentials(&db_, sweep, *repo_id, scan.found);
      !s.ok()) {
    return s;
  }
  if (Status s = CopyKnownLocations(&db_, *repo_id, scan.known); !s.ok()) {
    return s;
  }
  if (Status s = InsertPipelineOutputs(&db_, *repo_id, scan); !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status Datastore::CommitUnchanged(
    int64_t sweep, const std::vector<StoredRepository>& repositories) {
  SqliteTransaction tx(&db_);
  if (!tx.begun().ok()) return tx.begun();
  auto update = PrepareUpdate(&db_);
  if (!update.ok()) return update.error();
  auto upsert = PrepareUpsert(&db_);
  if (!upsert.ok()) return upsert.error();
  SignatureWriter signature(&db_);
  for (const StoredRepository& r : repositories) {
    if (Status s = WriteRepositoryRow(&*update, sweep, r); !s.ok()) return s;
    if (db_.Changes() == 0) {
      if (Status s = WriteRepositoryRow(&*upsert, sweep, r); !s.ok()) return s;
    }
    if (Status s = signature.Write(r); !s.ok()) return s;
  }
  if (Status s = MarkUnchangedSeen(&db_, sweep); !s.ok()) return s;
  return tx.Commit();
}

}  // namespace sprawl
