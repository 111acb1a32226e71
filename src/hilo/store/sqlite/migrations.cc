// Versioned schema migrations. Append new steps at the end; never edit a released one.

#include "hilo/store/sqlite/migrations.h"

namespace hilo::sqlite_internal {
namespace {

constexpr const char* kMigrations[] = {
    // 1: the case thread.
    R"sql(
CREATE TABLE customers(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  national_id TEXT UNIQUE,
  language TEXT NOT NULL,
  customer_since INTEGER NOT NULL);
CREATE VIRTUAL TABLE customer_names USING fts5(name, tokenize = "unicode61 remove_diacritics 2");
CREATE TABLE customer_contacts(
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  search TEXT NOT NULL,
  PRIMARY KEY(customer_id, kind, position)) WITHOUT ROWID;
CREATE INDEX customer_contacts_search ON customer_contacts(search);
CREATE TABLE sites(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  address TEXT NOT NULL,
  city TEXT NOT NULL);
CREATE INDEX sites_customer ON sites(customer_id);
CREATE TABLE services(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  site_id INTEGER REFERENCES sites(id),
  kind TEXT NOT NULL,
  plan TEXT NOT NULL,
  status TEXT NOT NULL);
CREATE INDEX services_customer ON services(customer_id);
CREATE TABLE devices(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customers(id),
  site_id INTEGER REFERENCES sites(id),
  kind TEXT NOT NULL,
  oui TEXT NOT NULL,
  product_class TEXT NOT NULL,
  serial TEXT NOT NULL,
  serial_fold TEXT NOT NULL,
  label TEXT NOT NULL,
  mac TEXT NOT NULL);
CREATE UNIQUE INDEX devices_identity ON devices(oui, product_class, serial) WHERE serial <> '';
CREATE INDEX devices_serial ON devices(serial_fold);
CREATE INDEX devices_customer ON devices(customer_id);
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  customer_id INTEGER REFERENCES customers(id),
  language TEXT NOT NULL,
  password_hash TEXT NOT NULL);
CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  service_id INTEGER REFERENCES services(id),
  category TEXT NOT NULL,
  subject TEXT NOT NULL,
  status TEXT NOT NULL,
  assignee_id INTEGER REFERENCES users(id),
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  resolved_at INTEGER NOT NULL,
  split_from INTEGER REFERENCES cases(id),
  contact_count INTEGER NOT NULL,
  reask_count INTEGER NOT NULL,
  reopen_count INTEGER NOT NULL,
  last_seq INTEGER NOT NULL);
CREATE INDEX cases_customer ON cases(customer_id, updated_at);
CREATE INDEX cases_status ON cases(status, updated_at);
CREATE INDEX cases_assignee ON cases(assignee_id, updated_at);
CREATE TABLE events(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor_id INTEGER NOT NULL,
  actor_name TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  internal INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE(case_id, seq));
-- The timeline is append-only: the database refuses edits and deletions.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE VIRTUAL TABLE event_words USING fts5(text, content = '', tokenize = "unicode61 remove_diacritics 2");
CREATE TABLE sessions(
  token_digest TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL) WITHOUT ROWID;
)sql",
    // 2: the ACS: gateways, their reported trees, history and task queue.
    R"sql(
CREATE TABLE cpes(
  id INTEGER PRIMARY KEY,
  oui TEXT NOT NULL,
  product_class TEXT NOT NULL,
  serial TEXT NOT NULL,
  device_id INTEGER REFERENCES devices(id),
  customer_id INTEGER REFERENCES customers(id),
  manufacturer TEXT NOT NULL,
  data_model TEXT NOT NULL,
  software_version TEXT NOT NULL,
  connection_request_url TEXT NOT NULL,
  cwmp_version TEXT NOT NULL,
  remote_address TEXT NOT NULL,
  last_events TEXT NOT NULL,
  periodic_interval_s INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_inform INTEGER NOT NULL,
  provisioned INTEGER NOT NULL,
  stats_paths INTEGER NOT NULL,
  UNIQUE(oui, product_class, serial));
CREATE INDEX cpes_customer ON cpes(customer_id);
CREATE INDEX cpes_unlinked ON cpes(device_id) WHERE device_id IS NULL;
-- The reported tree as one JSON document per gateway: {"name": [value, type, time], ...}.
-- One row write per session instead of hundreds.
CREATE TABLE cpe_params(
  cpe_id INTEGER PRIMARY KEY REFERENCES cpes(id),
  tree TEXT NOT NULL);
CREATE TABLE cpe_tasks(
  id INTEGER PRIMARY KEY,
  cpe_id INTEGER NOT NULL REFERENCES cpes(id),
  kind TEXT NOT NULL,
  args TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  done_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  fault_code INTEGER NOT NULL,
  fault_string TEXT NOT NULL,
  result TEXT NOT NULL,
  case_id INTEGER REFERENCES cases(id),
  requested_by INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX cpe_tasks_open ON cpe_tasks(cpe_id, status, id);
CREATE TABLE cpe_history(
  cpe_id INTEGER NOT NULL REFERENCES cpes(id),
  at INTEGER NOT NULL,
  snapshot TEXT NOT NULL,
  PRIMARY KEY(cpe_id, at)) WITHOUT ROWID;
CREATE TABLE cpe_history_hourly(
  cpe_id INTEGER NOT NULL REFERENCES cpes(id),
  hour INTEGER NOT NULL,
  aggregates TEXT NOT NULL,
  PRIMARY KEY(cpe_id, hour)) WITHOUT ROWID;
)sql",
    // 3: active-probe results: detected events, and per customer the detector's carry-over.
    R"sql(
CREATE TABLE probe_events(
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  cpe_id INTEGER REFERENCES cpes(id),
  kind TEXT NOT NULL,
  leg TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  severity TEXT NOT NULL,
  lost INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  peak_rtt_ms REAL NOT NULL,
  baseline_rtt_ms REAL NOT NULL);
CREATE INDEX probe_events_customer ON probe_events(customer_id, start_ms);
CREATE TABLE probe_state(
  customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
  cpe_id INTEGER REFERENCES cpes(id),
  coverage_start_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  tail TEXT NOT NULL);
)sql",
    // 4: gateways found by serial alone (a home probe knows only the serial on the label).
    R"sql(
CREATE INDEX cpes_serial ON cpes(serial);
)sql",
    // 5: known area outages, by city (a diagnosis input).
    R"sql(
CREATE TABLE area_outages(
  id INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  cities TEXT NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL);
CREATE INDEX area_outages_time ON area_outages(start_at);
)sql",
};

}  // namespace

int MigrationCount() { return static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0])); }

Status Migrate(Conn& conn) {
  HILO_TRY(conn.Exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)"));
  int current = 0;
  {
    auto st = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (st.Step()) current = static_cast<int>(st.Int(0));
  }
  if (current > MigrationCount())
    return Fail(Errc::kUnavailable, "the database schema (version " + std::to_string(current) +
                                        ") is newer than this hilo (" + std::to_string(MigrationCount()) + ")");
  for (int v = current; v < MigrationCount(); ++v) {
    HILO_TRY(conn.Exec("BEGIN IMMEDIATE"));
    Status s = conn.Exec(kMigrations[v]);
    if (s) {
      auto st = conn.Prepare("INSERT INTO schema_version(version) VALUES (?)");
      st.Bind(1, v + 1);
      st.Step();
      if (!st.ok()) s = std::unexpected(conn.LastError("record schema version"));
    }
    if (!s) {
      (void)conn.Exec("ROLLBACK");
      return s;
    }
    HILO_TRY(conn.Exec("COMMIT"));
  }
  return Ok();
}

}  // namespace hilo::sqlite_internal
