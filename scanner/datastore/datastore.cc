#include "scanner/datastore/datastore.h"

#include <ctime>
#include <filesystem>

#include "scanner/datastore/column_codec.h"
#include "scanner/datastore/schema.h"

namespace sprawl {
namespace {

std::string NowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

StoredRepository ReadRepository(const SqliteStmt& s) {
  StoredRepository r;
  r.repo = s.Text(0);
  r.source = s.Text(1);
  r.status = s.Text(2);
  r.error = s.Text(3);
  r.blobs_scanned = static_cast<uint64_t>(s.Int(4));
  r.duration_ms = s.Int(5);
  r.last_sweep = s.Int(6);
  r.ref_tips = s.Text(7);
  r.ref_signature = s.Text(8);
  if (!s.IsNull(9)) r.inventory = s.Text(9);
  r.inventory_error = s.Text(10);
  return r;
}

}  // namespace

Result<Datastore> Datastore::Open(const std::string& path, bool create) {
  if (create) {
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  auto db = SqliteDb::Open(path, create);
  if (!db.ok()) return db.error();
  Datastore store(std::move(db).value());
  // WAL lets `sprawl report` read while a sweep writes; NORMAL sync is
  // durable at each commit in WAL mode except on power loss.
  Status s = store.db_.Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
      "PRAGMA foreign_keys=ON;");
  if (!s.ok()) return Error{path + ": " + s.error().message};
  s = store.Migrate();
  if (!s.ok()) return Error{path + ": " + s.error().message};
  return store;
}

Result<Datastore> Datastore::OpenReadOnly(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error{path + ": no such datastore"};
  }
  // mode=ro first; on a read-only filesystem a WAL database cannot get its
  // shared-memory index, and immutable=1 reads it without one.
  Status last = Status::Ok();
  for (bool immutable : {false, true}) {
    auto db = SqliteDb::OpenReadOnly(path, immutable);
    if (!db.ok()) {
      last = db.error();
      continue;
    }
    Datastore store(std::move(db).value());
    auto version = store.db_.QueryInt("PRAGMA user_version");
    if (!version.ok()) {
      last = Error{path + ": " + version.error().message};
      continue;
    }
    const int v = static_cast<int>(version->value_or(0));
    const int current = static_cast<int>(DatastoreMigrations().size());
    auto tables = store.db_.QueryInt(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
        "('sweeps', 'repositories', 'credentials', 'locations')");
    if (!tables.ok()) {
      last = Error{path + ": " + tables.error().message};
      continue;
    }
    if (v == 0 || tables->value_or(0) != 4) {
      return Error{path + ": not a sprawl datastore (left untouched)"};
    }
    if (v != current) {
      return Error{path + ": datastore schema version " + std::to_string(v) +
                   (v < current ? " is older than this sprawl's (" +
                                      std::to_string(current) +
                                      "); run a sweep on it to upgrade it"
                                : " is newer than this sprawl supports (" +
                                      std::to_string(current) + ")")};
    }
    store.schema_version_ = v;
    return store;
  }
  return last.error();
}

Status Datastore::Migrate() {
  auto version = db_.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.error();
  int v = static_cast<int>(version->value_or(0));
  const auto& migrations = DatastoreMigrations();
  if (v > static_cast<int>(migrations.size())) {
    return Error{"datastore schema version " + std::to_string(v) +
                 " is newer than this sprawl supports (" +
                 std::to_string(migrations.size()) + ")"};
  }
  for (; v < static_cast<int>(migrations.size()); ++v) {
    SqliteTransaction tx(&db_);
    if (!tx.begun().ok()) return tx.begun();
    Status s = db_.Exec(migrations[v]);
    if (!s.ok()) return s;
    s = db_.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (!s.ok()) return s;
    s = tx.Commit();
    if (!s.ok()) return s;
  }
  schema_version_ = v;
  return Status::Ok();
}

Result<int64_t> Datastore::BeginSweep() {
  auto stmt = db_.Prepare("INSERT INTO sweeps(started) VALUES (?)");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, NowUtc());
  Status s = stmt->Run();
  if (!s.ok()) return s.error();
  return db_.LastInsertRowid();
}

Status Datastore::FinishSweep(int64_t sweep) {
  auto stmt = db_.Prepare("UPDATE sweeps SET finished = ? WHERE id = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, NowUtc()).Bind(2, sweep);
  return stmt->Run();
}

Result<std::vector<SweepRecord>> Datastore::Sweeps() {
  auto stmt =
      db_.Prepare("SELECT id, started, finished FROM sweeps ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  std::vector<SweepRecord> out;
  while (stmt->Step()) {
    out.push_back({stmt->Int(0), stmt->Text(1), stmt->Text(2)});
  }
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

Result<std::optional<StoredRepository>> Datastore::GetRepository(
    const std::string& repo) {
  auto stmt = db_.Prepare(std::string(kRepoSelect) + " WHERE r.repo = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, repo);
  std::optional<StoredRepository> out;
  if (stmt->Step()) out = ReadRepository(*stmt);
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

namespace {

// The first column of `sql` (one `?` bound to `repo`) as a set.
Result<std::unordered_set<std::string>> RepoStrings(SqliteDb* db,
                                                    std::string_view sql,
                                                    const std::string& repo) {
  auto stmt = db->Prepare(sql);
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, repo);
  std::unordered_set<std::string> out;
  while (stmt->Step()) out.insert(stmt->Text(0));
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

}  // namespace

Result<std::unordered_set<std::string>> Datastore::ScannedBlobs(
    const std::string& repo) {
  return RepoStrings(&db_,
                     "SELECT b.oid FROM scanned_blobs b JOIN repositories r "
                     "ON r.id = b.repo_id WHERE r.repo = ?",
                     repo);
}

Result<std::unordered_set<std::string>> Datastore::SecretBlobs(
    const std::string& repo) {
  return RepoStrings(&db_,
                     "SELECT DISTINCT l.blob FROM locations l JOIN "
                     "repositories r ON r.id = l.repo_id WHERE r.repo = ? "
                     "AND l.blob <> ''",
                     repo);
}

Result<std::vector<StoredRepository>> Datastore::Repositories() {
  auto stmt = db_.Prepare(std::string(kRepoSelect) + " ORDER BY r.repo");
  if (!stmt.ok()) return stmt.error();
  std::vector<StoredRepository> out;
  while (stmt->Step()) out.push_back(ReadRepository(*stmt));
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

}  // namespace sprawl
