#pragma once
// SqliteStore: the embedded default implementation of hilo::Store.
//
//   auto store = SqliteStore::Open("hilo.db", {});   // creates or migrates the schema
//   if (!store) ...;                                  // kUnavailable: cannot open / migrate
//   (*store)->WriteSync([&](StoreTx& tx) -> Status { ... });
//
// WAL journal, foreign keys on, versioned migrations, prepared statements cached per
// connection. Reads run on a small pool of read connections, each inside a read transaction
// (one consistent snapshot per Read call). Writes go to one writer thread that commits queued
// units of work together ("group commit") with synchronous=FULL: when Write's completion runs,
// the unit is on disk. Thread-safe.

#include <memory>
#include <string>

#include "hilo/core/store.h"

namespace hilo {

struct SqliteOptions {
  int read_connections = 4;
  int max_batch = 256;       // units of work per commit at most
  bool durable = true;       // synchronous=FULL; false (NORMAL) only for bulk loads and benchmarks setup
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const SqliteOptions& options);
  ~SqliteStore() override;

  Status Read(const std::function<Status(StoreReader&)>& fn) override;
  void Write(std::function<Status(StoreTx&)> job, std::function<void(Status)> done) override;

  int SchemaVersion() const;
  // Bulk loading (demo, import, benchmark): runs fn in one transaction on the writer connection
  // synchronously. Not for use while serving.
  Status Bulk(const std::function<Status(StoreTx&)>& fn);

  class Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The current schema version that Open migrates to.
int LatestSchemaVersion();

}  // namespace hilo
