#pragma once
// Private: a SQLite connection with a prepared-statement cache, and a statement cursor.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hilo/base/error.h"

namespace hilo::sqlite_internal {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& Bind(int i, int v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  // Named apart from Bind so integer arguments never become ambiguous.
  Stmt& BindReal(int i, double v) { sqlite3_bind_double(s_, i, v); return *this; }
  Stmt& BindIdOrNull(int i, std::int64_t v) {
    if (v == 0) sqlite3_bind_null(s_, i);
    else sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& BindTextOrNull(int i, std::string_view v) {
    if (v.empty()) sqlite3_bind_null(s_, i);
    else Bind(i, v);
    return *this;
  }

  // SQLITE_ROW -> true, SQLITE_DONE -> false; errors set rc().
  bool Step() {
    rc_ = sqlite3_step(s_);
    return rc_ == SQLITE_ROW;
  }
  int rc() const { return rc_; }
  bool ok() const { return rc_ == SQLITE_ROW || rc_ == SQLITE_DONE; }

  std::int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Real(int col) const { return sqlite3_column_double(s_, col); }
  std::string Text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }

 private:
  sqlite3_stmt* s_;
  int rc_ = SQLITE_OK;
};

class Conn {
 public:
  static Result<std::unique_ptr<Conn>> Open(const std::string& path, bool durable);
  ~Conn();
  sqlite3* db() const { return db_; }
  // Prepared once per connection and reused.
  Stmt Prepare(const char* sql);
  Status Exec(const char* sql);
  Error LastError(std::string_view what) const;

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace hilo::sqlite_internal
