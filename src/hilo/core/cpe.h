#pragma once
// Gateways as the ACS knows them (CPE = customer premises equipment), their parameter trees,
// their telemetry history and their task queue. Pure values and rules; cwmp/ speaks the
// protocol, store/ persists, http/ exposes.
//
// Identity is OUI-ProductClass-SerialNumber. A CPE whose serial was imported as a customer's
// device is linked on its first inform; others are listed for an operator to link.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/base/value.h"
#include "hilo/core/model.h"

namespace hilo {

struct Cpe {
  Id id = 0;
  std::string oui;
  std::string product_class;
  std::string serial;
  Id device_id = 0;    // the customer's device this gateway is; 0 = not linked yet
  Id customer_id = 0;  // copied from the device when linked
  std::string manufacturer;
  std::string data_model;  // "tr181" or "tr098"
  std::string software_version;
  std::string connection_request_url;
  std::string cwmp_version;  // "1-0" .. "1-4"
  std::string remote_address;
  std::string last_events;  // event codes of the last inform, comma-separated
  int periodic_interval_s = 0;
  Time first_seen = 0;
  Time last_inform = 0;
  Time previous_inform = 0;  // not stored: the inform before last_inform, within one session
  bool provisioned = false;
  // How many of the ACS's statistics paths this gateway answers (it faults on subtrees it
  // lacks, e.g. Device.DOCSIS. on a fibre gateway); 0 = not learnt yet, try them all.
  int stats_paths = 0;

  std::string Key() const { return oui + "-" + product_class + "-" + serial; }
  // Online while informs keep coming: within two periodic intervals (or 10 minutes).
  bool Online(Time now) const;
};

// One reported parameter: latest value, its xsd type, when it was reported.
struct CpeParam {
  std::string name;
  std::string value;
  std::string type;
  Time updated = 0;
};

enum class TaskKind {
  kGetParameterValues,    // args: {names: [...]}
  kSetParameterValues,    // args: {values: [{name, value, type}]}
  kGetParameterNames,     // args: {path, next_level}
  kGetParameterAttributes,// args: {names: [...]}
  kSetParameterAttributes,// args: {attributes: [{name, notification}]}
  kAddObject,             // args: {object}
  kDeleteObject,          // args: {object}
  kReboot,                // args: {}
  kFactoryReset,          // args: {}
  kDownload,              // args: {url, file_type, target_file_name, file_size, username, password}
};
std::string_view TaskKindName(TaskKind kind);
std::optional<TaskKind> ParseTaskKind(std::string_view name);

enum class TaskStatus { kPending, kSent, kDone, kFault, kExpired };
std::string_view TaskStatusName(TaskStatus status);
std::optional<TaskStatus> ParseTaskStatus(std::string_view name);

struct CpeTask {
  Id id = 0;
  Id cpe_id = 0;
  TaskKind kind = TaskKind::kGetParameterValues;
  Value args;
  TaskStatus status = TaskStatus::kPending;
  Time created_at = 0;
  Time sent_at = 0;
  Time done_at = 0;
  Time expires_at = 0;
  int fault_code = 0;
  std::string fault_string;
  Value result;
  Id case_id = 0;        // the case the act belongs to, if any
  Id requested_by = 0;   // user id; 0 = hilo itself (provisioning)
  std::string reason;    // e.g. the finding code it answers
};

// Builds a task from API input, validating args for the kind. Errors: kInvalidArgument naming
// the field. expires_at = now + ttl.
Result<CpeTask> MakeTask(Id cpe_id, TaskKind kind, const Value& args, Time now, Time ttl);

// A point of the gateway's history: the normalised snapshot (telemetry::ToValue) at a time.
struct CpeHistoryPoint {
  Time at = 0;
  Value snapshot;
};

}  // namespace hilo
