#include "scanner/datastore/sqlite.h"

namespace sprawl {

Result<SqliteDb> SqliteDb::Open(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db;
  db.db_.reset(raw);  // closed even when opening failed
  if (rc != SQLITE_OK) {
    return Error{path + ": cannot open datastore: " +
                 (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  }
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Status SqliteDb::Exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message) !=
      SQLITE_OK) {
    std::string m = message ? message : LastError();
    sqlite3_free(message);
    return Error{"datastore: " + m};
  }
  return Status::Ok();
}

Result<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()),
                         &stmt, nullptr) != SQLITE_OK) {
    return Error{"datastore: " + LastError() + " in: " + std::string(sql)};
  }
  return SqliteStmt(db_.get(), stmt);
}

Result<std::optional<int64_t>> SqliteDb::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.error();
  std::optional<int64_t> value;
  if (stmt->Step() && !stmt->IsNull(0)) value = stmt->Int(0);
  if (!stmt->status().ok()) return stmt->status().error();
  return value;
}

Result<SqliteDb> SqliteDb::OpenReadOnly(const std::string& path,
                                        bool immutable) {
  // A URI, so that mode=ro / immutable=1 apply; the path is percent-encoded
  // where a URI would read it otherwise.
  std::string uri = "file:";
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7F) {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    } else {
      uri += static_cast<char>(c);
    }
  }
  uri += immutable ? "?immutable=1" : "?mode=ro";
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      uri.c_str(), &raw,
      SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db;
  db.db_.reset(raw);
  if (rc != SQLITE_OK) {
    return Error{path + ": cannot open datastore: " +
                 (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  }
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

std::string SqliteDb::LastError() const { return sqlite3_errmsg(db_.get()); }

int64_t SqliteDb::LastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int64_t SqliteDb::Changes() const { return sqlite3_changes(db_.get()); }

SqliteStmt& SqliteStmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

SqliteStmt& SqliteStmt::BindNull(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

bool SqliteStmt::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE && status_.ok()) {
    status_ = Error{std::string("datastore: ") + sqlite3_errmsg(db_)};
  }
  return false;
}

Status SqliteStmt::Run() {
  Step();
  Status s = status_;
  Reset();
  return s;
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  status_ = Status::Ok();
}

int64_t SqliteStmt::Int(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

std::string SqliteStmt::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  const int n = sqlite3_column_bytes(stmt_.get(), column);
  return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

bool SqliteStmt::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

SqliteTransaction::SqliteTransaction(SqliteDb* db) : db_(db) {
  begun_ = db_->Exec("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
  if (begun_.ok() && !done_) (void)db_->Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  if (!begun_.ok()) return begun_;
  Status s = db_->Exec("COMMIT");
  if (s.ok()) done_ = true;
  return s;
}

}  // namespace sprawl
