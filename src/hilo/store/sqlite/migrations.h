#pragma once
#include "hilo/store/sqlite/sqlite_conn.h"

namespace hilo::sqlite_internal {
int MigrationCount();
// Brings the schema to the latest version, one transaction per step.
Status Migrate(Conn& conn);
}  // namespace hilo::sqlite_internal
