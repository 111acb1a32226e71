#include "hilo/store/sqlite/sqlite_conn.h"

#include <mutex>

namespace hilo::sqlite_internal {

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& path, bool durable) {
  // Memory statistics take a global mutex on every allocation, which serialises the reader
  // threads; hilo does not use them. Must run before SQLite initialises.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Fail(Errc::kUnavailable, "cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<Conn> conn(new Conn(db));
  sqlite3_busy_timeout(db, 5000);
  HILO_TRY(conn->Exec("PRAGMA journal_mode=WAL"));
  HILO_TRY(conn->Exec("PRAGMA foreign_keys=ON"));
  HILO_TRY(conn->Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"));
  HILO_TRY(conn->Exec("PRAGMA cache_size=-32000"));  // 32 MB page cache per connection
  HILO_TRY(conn->Exec("PRAGMA temp_store=MEMORY"));
  return conn;
}

Conn::~Conn() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Stmt Conn::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    // A statement that does not prepare is a bug in this file: fail loudly.
    throw std::logic_error(std::string("SQL does not prepare: ") + sqlite3_errmsg(db_) + " in: " + sql);
  }
  cache_.emplace(sql, stmt);
  return Stmt(stmt);
}

Status Conn::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Fail(Errc::kInternal, "database: " + msg);
  }
  return Ok();
}

Error Conn::LastError(std::string_view what) const {
  int code = sqlite3_extended_errcode(db_);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) return Error{Errc::kAlreadyExists, msg, {}};
  if (code == SQLITE_CONSTRAINT_FOREIGNKEY) return Error{Errc::kInvalidArgument, msg, {}};
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Error{Errc::kUnavailable, msg, {}};
  return Error{Errc::kInternal, msg, {}};
}

}  // namespace hilo::sqlite_internal
