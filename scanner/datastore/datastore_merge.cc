// Datastore::MergeFrom: combines shard datastores (see datastore.h).
#include <string>
#include <vector>

#include "scanner/datastore/datastore.h"

namespace sprawl {
namespace {

// Quotes a string as an SQL literal.
std::string SqlQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace

Status Datastore::MergeFrom(const std::string& other_path) {
  {
    // Checked on its own, read-only, so a missing, foreign or old file
    // fails, untouched, before it is attached.
    auto other = Datastore::OpenReadOnly(other_path);
    if (!other.ok()) return other.error();
  }
  Status s = db_.Exec("ATTACH DATABASE " + SqlQuote(other_path) + " AS src");
  if (!s.ok()) return s;
  struct Detach {
    SqliteDb* db;
    ~Detach() { (void)db->Exec("DETACH DATABASE src"); }
  } detach{&db_};
  // Temp table changes happen outside the main transaction's lock needs.
  s = db_.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS sweep_map(src INTEGER PRIMARY KEY, "
      "dst INTEGER NOT NULL); DELETE FROM sweep_map;");
  if (!s.ok()) return s;
  SqliteTransaction tx(&db_);
  if (!tx.begun().ok()) return tx.begun();

  auto mine = Sweeps();
  if (!mine.ok()) return mine.error();
  auto theirs = db_.Prepare(
      "SELECT id, started, coalesce(finished, '') FROM src.sweeps ORDER BY id");
  if (!theirs.ok()) return theirs.error();
  auto map = db_.Prepare("INSERT INTO sweep_map(src, dst) VALUES (?, ?)");
  if (!map.ok()) return map.error();
  auto widen = db_.Prepare(
      "UPDATE sweeps SET started = min(started, ?), finished = CASE WHEN "
      "finished IS NULL OR ? = '' THEN NULL ELSE max(finished, ?) END "
      "WHERE id = ?");
  if (!widen.ok()) return widen.error();
  auto add = db_.Prepare("INSERT INTO sweeps(started, finished) VALUES (?, ?)");
  if (!add.ok()) return add.error();
  std::size_t ordinal = 0;
  while (theirs->Step()) {
    const int64_t src_id = theirs->Int(0);
    const std::string started = theirs->Text(1);
    const std::string finished = theirs->Text(2);
    int64_t dst_id;
    if (ordinal < mine->size()) {
      dst_id = (*mine)[ordinal].id;
      widen->Bind(1, started)
          .Bind(2, finished)
          .Bind(3, finished)
          .Bind(4, dst_id);
      if (Status w = widen->Run(); !w.ok()) return w;
    } else {
      add->Bind(1, started);
      if (finished.empty())
        add->BindNull(2);
      else
        add->Bind(2, finished);
      if (Status a = add->Run(); !a.ok()) return a;
      dst_id = db_.LastInsertRowid();
    }
    map->Bind(1, src_id).Bind(2, dst_id);
    if (Status m = map->Run(); !m.ok()) return m;
    ++ordinal;
  }
  if (!theirs->status().ok()) return theirs->status();

  s = db_.Exec(R"sql(
INSERT INTO repositories(repo, source, status, error, blobs_scanned,
                         duration_ms, last_sweep, ref_tips, inventory,
                         inventory_error)
SELECT r.repo, r.source, r.status, r.error, r.blobs_scanned, r.duration_ms,
       coalesce((SELECT dst FROM sweep_map WHERE src = r.last_sweep), 0),
       r.ref_tips, r.inventory, r.inventory_error
FROM src.repositories r WHERE true
ON CONFLICT(repo) DO UPDATE SET
  source = excluded.source, status = excluded.status, error = excluded.error,
  blobs_scanned = excluded.blobs_scanned, duration_ms = excluded.duration_ms,
  last_sweep = excluded.last_sweep, ref_tips = excluded.ref_tips,
  inventory = excluded.inventory, inventory_error = excluded.inventory_error
WHERE excluded.last_sweep >= repositories.last_sweep;

-- A signature vouches for the tips of the row it was taken with: a merged
-- repository keeps the incoming one only where its row now says the same.
DELETE FROM ref_signatures WHERE repo_id IN (
  SELECT d.id FROM repositories d JOIN src.repositories sr ON sr.repo = d.repo);
INSERT INTO ref_signatures(repo_id, signature)
SELECT d.id, s.signature FROM src.ref_signatures s
JOIN src.repositories sr ON sr.id = s.repo_id
JOIN repositories d ON d.repo = sr.repo
WHERE d.ref_tips = sr.ref_tips AND d.status = sr.status;

INSERT OR IGNORE INTO scanned_blobs(repo_id, oid)
SELECT d.id, b.oid FROM src.scanned_blobs b
JOIN src.repositories sr ON sr.id = b.repo_id
JOIN repositories d ON d.repo = sr.repo;

INSERT INTO credentials(fingerprint, rule, rule_name, provider, category,
                        confidence, redacted, also_matched, first_seen_sweep,
                        last_seen_sweep)
SELECT c.fingerprint, c.rule, c.rule_name, c.provider, c.category,
       c.confidence, c.redacted, c.also_matched,
       coalesce((SELECT dst FROM sweep_map WHERE src = c.first_seen_sweep), 0),
       coalesce((SELECT dst FROM sweep_map WHERE src = c.last_seen_sweep), 0)
FROM src.credentials c WHERE true
ON CONFLICT(fingerprint) DO UPDATE SET
  first_seen_sweep = min(first_seen_sweep, excluded.first_seen_sweep),
  last_seen_sweep = max(last_seen_sweep, excluded.last_seen_sweep);

INSERT OR IGNORE INTO locations(fingerprint, repo_id, source, path, line, col,
    commit_oid, author, author_email, date, summary, blob, in_head, refs,
    pipeline, client)
SELECT l.fingerprint, d.id, l.source, l.path, l.line, l.col, l.commit_oid,
       l.author, l.author_email, l.date, l.summary, l.blob, l.in_head, l.refs,
       l.pipeline, l.client
FROM src.locations l
JOIN src.repositories sr ON sr.id = l.repo_id
JOIN repositories d ON d.repo = sr.repo;

INSERT OR IGNORE INTO pipeline_references(repo_id, system, path, key_path,
                                          name, line)
SELECT d.id, p.system, p.path, p.key_path, p.name, p.line
FROM src.pipeline_references p
JOIN src.repositories sr ON sr.id = p.repo_id
JOIN repositories d ON d.repo = sr.repo;

INSERT OR IGNORE INTO pipeline_findings(repo_id, kind, path, key_path, line,
                                        message)
SELECT d.id, p.kind, p.path, p.key_path, p.line, p.message
FROM src.pipeline_findings p
JOIN src.repositories sr ON sr.id = p.repo_id
JOIN repositories d ON d.repo = sr.repo;
)sql");
  if (!s.ok()) return s;
  return tx.Commit();
}

}  // namespace sprawl
