// Thin RAII layer over the SQLite C API: SqliteDb owns a sqlite3*,
// SqliteStmt a prepared sqlite3_stmt*, SqliteTransaction a BEGIN IMMEDIATE
// that rolls back unless committed. Errors are values (Status/Result) that
// carry SQLite's message. Internal to scanner/datastore/. A connection and
// its statements are not thread-safe: one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/base/result.h"

namespace sprawl {

struct SqliteDbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteStmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteStmt;

// One open database connection. Move-only.
class SqliteDb {
 public:
  // Opens (creating when `create`) the database file at `path`.
  static Result<SqliteDb> Open(const std::string& path, bool create);
  // Opens `path` read-only: nothing is written to it, not even a WAL or
  // shared-memory file. `immutable` also assumes no one else writes it (a
  // read-only filesystem, where SQLite cannot create the WAL index).
  static Result<SqliteDb> OpenReadOnly(const std::string& path,
                                       bool immutable = false);

  sqlite3* get() const { return db_.get(); }
  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<SqliteStmt> Prepare(std::string_view sql);
  // The value of the first column of the first row (NULL/no row = nullopt).
  Result<std::optional<int64_t>> QueryInt(std::string_view sql);
  std::string LastError() const;
  int64_t LastInsertRowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;

 private:
  std::unique_ptr<sqlite3, SqliteDbDeleter> db_;
};

// A prepared statement. Bind with 1-based indices, then Step() until it
// returns false; Reset() to reuse. Move-only.
class SqliteStmt {
 public:
  SqliteStmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  SqliteStmt& Bind(int index, int64_t value);
  SqliteStmt& Bind(int index, std::string_view value);
  SqliteStmt& BindNull(int index);
  // true: a row is available; false: done. Errors land in status().
  bool Step();
  // Steps a statement that returns no rows; resets it for reuse.
  Status Run();
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;
  // The first error met by Step/Run (ok when none).
  const Status& status() const { return status_; }

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, SqliteStmtDeleter> stmt_;
  Status status_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit()
// succeeded. Check begun() before use.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb* db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  const Status& begun() const { return begun_; }
  Status Commit();

 private:
  SqliteDb* db_;
  Status begun_;
  bool done_ = false;
};

}  // namespace sprawl
