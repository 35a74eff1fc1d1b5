#include "scanner/datastore/datastore.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "scanner/datastore/schema.h"

namespace sprawl {
namespace {

using Json = nlohmann::json;

std::string NowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string JsonList(const std::vector<std::string>& v) {
  return Json(v).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::vector<std::string> ParseList(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

std::string PipelineJson(const Location& l) {
  if (!l.pipeline) return "";
  return Json{{"system", l.pipeline->system},
              {"key_path", l.pipeline->key_path},
              {"job", l.pipeline->job}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<PipelineContext> ParsePipeline(const std::string& text) {
  if (text.empty()) return std::nullopt;
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  PipelineContext p;
  p.system = j.value("system", "");
  p.key_path = j.value("key_path", "");
  p.job = j.value("job", "");
  return p;
}

constexpr std::string_view kRepoColumns =
    "repo, source, status, error, blobs_scanned, duration_ms, last_sweep, "
    "ref_tips";

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
  auto stmt = db_.Prepare("SELECT " + std::string(kRepoColumns) +
                          " FROM repositories WHERE repo = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, repo);
  std::optional<StoredRepository> out;
  if (stmt->Step()) out = ReadRepository(*stmt);
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

Result<std::unordered_set<std::string>> Datastore::ScannedBlobs(
    const std::string& repo) {
  auto stmt = db_.Prepare(
      "SELECT b.oid FROM scanned_blobs b JOIN repositories r "
      "ON r.id = b.repo_id WHERE r.repo = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, repo);
  std::unordered_set<std::string> out;
  while (stmt->Step()) out.insert(stmt->Text(0));
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

Status Datastore::CommitRepository(int64_t sweep, const StoredRepository& r,
                                   const std::vector<std::string>& new_blobs,
                                   const std::vector<StoredCredential>& found) {
  SqliteTransaction tx(&db_);
  if (!tx.begun().ok()) return tx.begun();
  auto upsert = db_.Prepare(
      "INSERT INTO repositories(" + std::string(kRepoColumns) +
      ") VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(repo) DO UPDATE SET "
      "source=excluded.source, status=excluded.status, error=excluded.error, "
      "blobs_scanned=excluded.blobs_scanned, "
      "duration_ms=excluded.duration_ms, last_sweep=excluded.last_sweep, "
      "ref_tips=excluded.ref_tips");
  if (!upsert.ok()) return upsert.error();
  upsert->Bind(1, r.repo)
      .Bind(2, r.source)
      .Bind(3, r.status)
      .Bind(4, r.error)
      .Bind(5, static_cast<int64_t>(r.blobs_scanned))
      .Bind(6, r.duration_ms)
      .Bind(7, sweep)
      .Bind(8, r.ref_tips);
  if (Status s = upsert->Run(); !s.ok()) return s;
  auto id_stmt = db_.Prepare("SELECT id FROM repositories WHERE repo = ?");
  if (!id_stmt.ok()) return id_stmt.error();
  id_stmt->Bind(1, r.repo);
  if (!id_stmt->Step()) return Error{"datastore: repository row vanished"};
  const int64_t repo_id = id_stmt->Int(0);

  auto blob = db_.Prepare(
      "INSERT OR IGNORE INTO scanned_blobs(repo_id, oid) VALUES (?, ?)");
  if (!blob.ok()) return blob.error();
  for (const auto& oid : new_blobs) {
    blob->Bind(1, repo_id).Bind(2, oid);
    if (Status s = blob->Run(); !s.ok()) return s;
  }

  if (r.status == "scanned" || r.status == "unchanged") {
    auto seen = db_.Prepare(
        "UPDATE credentials SET last_seen_sweep = max(last_seen_sweep, ?) "
        "WHERE fingerprint IN (SELECT fingerprint FROM locations "
        "WHERE repo_id = ?)");
    if (!seen.ok()) return seen.error();
    seen->Bind(1, sweep).Bind(2, repo_id);
    if (Status s = seen->Run(); !s.ok()) return s;
  }

  auto cred = db_.Prepare(
      "INSERT INTO credentials(fingerprint, rule, rule_name, provider, "
      "category, confidence, redacted, also_matched, first_seen_sweep, "
      "last_seen_sweep) VALUES (?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(fingerprint) DO UPDATE SET "
      "first_seen_sweep = min(first_seen_sweep, excluded.first_seen_sweep), "
      "last_seen_sweep = max(last_seen_sweep, excluded.last_seen_sweep)");
  if (!cred.ok()) return cred.error();
  auto loc = db_.Prepare(
      "INSERT OR IGNORE INTO locations(fingerprint, repo_id, source, path, "
      "line, col, commit_oid, author, author_email, date, summary, blob, "
      "in_head, refs, pipeline) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!loc.ok()) return loc.error();
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
          .Bind(15, PipelineJson(l));
      if (Status s = loc->Run(); !s.ok()) return s;
    }
  }
  return tx.Commit();
}

Result<std::vector<StoredRepository>> Datastore::Repositories() {
  auto stmt = db_.Prepare("SELECT " + std::string(kRepoColumns) +
                          " FROM repositories ORDER BY repo");
  if (!stmt.ok()) return stmt.error();
  std::vector<StoredRepository> out;
  while (stmt->Step()) out.push_back(ReadRepository(*stmt));
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

Result<std::vector<StoredCredential>> Datastore::Credentials(
    const std::unordered_set<std::string>* repos) {
  std::map<std::string, StoredCredential> by_fp;
  auto cs = db_.Prepare(
      "SELECT fingerprint, rule, rule_name, provider, category, confidence, "
      "redacted, also_matched, first_seen_sweep, last_seen_sweep "
      "FROM credentials");
  if (!cs.ok()) return cs.error();
  while (cs->Step()) {
    StoredCredential c;
    c.fingerprint = cs->Text(0);
    c.rule = cs->Text(1);
    c.rule_name = cs->Text(2);
    c.provider = cs->Text(3);
    c.category = cs->Text(4);
    c.confidence = cs->Text(5);
    c.redacted = cs->Text(6);
    c.also_matched = ParseList(cs->Text(7));
    c.first_seen_sweep = cs->Int(8);
    c.last_seen_sweep = cs->Int(9);
    by_fp.emplace(c.fingerprint, std::move(c));
  }
  if (!cs->status().ok()) return cs->status().error();
  auto ls = db_.Prepare(
      "SELECT l.fingerprint, r.repo, l.source, l.path, l.line, l.col, "
      "l.commit_oid, l.author, l.author_email, l.date, l.summary, l.blob, "
      "l.in_head, l.refs, l.pipeline FROM locations l "
      "JOIN repositories r ON r.id = l.repo_id");
  if (!ls.ok()) return ls.error();
  while (ls->Step()) {
    auto it = by_fp.find(ls->Text(0));
    if (it == by_fp.end()) continue;
    Location l;
    l.repo = ls->Text(1);
    if (repos != nullptr && repos->count(l.repo) == 0) continue;
    l.source = ls->Text(2);
    l.path = ls->Text(3);
    l.line = static_cast<uint64_t>(ls->Int(4));
    l.column = static_cast<uint64_t>(ls->Int(5));
    if (l.source == "git" || l.source == "index" || !ls->Text(11).empty()) {
      GitProvenance g;
      g.commit = ls->Text(6);
      g.author = ls->Text(7);
      g.author_email = ls->Text(8);
      g.date = ls->Text(9);
      g.summary = ls->Text(10);
      g.blob = ls->Text(11);
      g.in_head = ls->Int(12) != 0;
      g.refs = ParseList(ls->Text(13));
      l.git = std::move(g);
    }
    l.pipeline = ParsePipeline(ls->Text(14));
    it->second.locations.push_back(std::move(l));
  }
  if (!ls->status().ok()) return ls->status().error();
  std::vector<StoredCredential> out;
  for (auto& [fp, c] : by_fp) {
    if (c.locations.empty() && repos != nullptr) continue;
    std::sort(c.locations.begin(), c.locations.end(),
              [](const Location& a, const Location& b) {
                if (a.repo != b.repo) return a.repo < b.repo;
                if (LocationLess(a, b)) return true;
                if (LocationLess(b, a)) return false;
                const std::string ab = a.git ? a.git->blob : "";
                const std::string bb = b.git ? b.git->blob : "";
                return std::tie(a.source, ab) < std::tie(b.source, bb);
              });
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sprawl
