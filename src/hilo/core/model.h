#pragma once
// The domain model: customers, their services, sites and devices, the people who use hilo, and
// cases with their append-only timeline.
//
// Plain values with no behaviour beyond validation helpers; rules live in case_rules.h,
// story.h and authz.h. Ids are assigned by the store; times are hilo::Time (UTC seconds).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/base/value.h"

namespace hilo {

using Id = std::int64_t;

enum class Language { kEs, kEn };  // es-CL and en; customer-facing text follows the customer
std::string_view LanguageCode(Language lang);             // "es" / "en"
std::optional<Language> ParseLanguage(std::string_view);  // accepts es, es-CL, en, en-US, ...

enum class Role { kCustomer, kAgent, kSupervisor, kManager, kTechnician, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Customer {
  Id id = 0;
  std::string name;
  std::string national_id;  // normalised RUT "12345678-5" when a RUT; may be empty
  std::vector<std::string> phones;
  std::vector<std::string> emails;
  Language language = Language::kEs;
  Time customer_since = 0;
};

enum class ServiceKind { kInternet, kTv, kPhone };
std::string_view ServiceKindName(ServiceKind kind);
std::optional<ServiceKind> ParseServiceKind(std::string_view name);

enum class ServiceStatus { kActive, kSuspended, kCancelled };
std::string_view ServiceStatusName(ServiceStatus status);
std::optional<ServiceStatus> ParseServiceStatus(std::string_view name);

struct Site {
  Id id = 0;
  Id customer_id = 0;
  std::string address;
  std::string city;
};

struct Service {
  Id id = 0;
  Id customer_id = 0;
  Id site_id = 0;  // 0 when not tied to a site
  ServiceKind kind = ServiceKind::kInternet;
  std::string plan;
  ServiceStatus status = ServiceStatus::kActive;
};

enum class DeviceKind { kGateway, kModem, kSetTopBox, kClient };
std::string_view DeviceKindName(DeviceKind kind);
std::optional<DeviceKind> ParseDeviceKind(std::string_view name);

struct Device {
  Id id = 0;
  Id customer_id = 0;
  Id site_id = 0;
  DeviceKind kind = DeviceKind::kGateway;
  std::string oui;
  std::string product_class;
  std::string serial;
  std::string label;  // "Laptop (Ana)", "Gateway living room"
  std::string mac;    // for client devices
};

struct User {
  Id id = 0;
  std::string username;
  std::string display_name;
  Role role = Role::kAgent;
  Id customer_id = 0;  // set for Role::kCustomer: the customer this login belongs to
  Language language = Language::kEs;
};

enum class CaseStatus { kOpen, kPendingCustomer, kResolved, kClosed };
std::string_view CaseStatusName(CaseStatus status);
std::optional<CaseStatus> ParseCaseStatus(std::string_view name);
bool IsOpen(CaseStatus status);  // open or pending customer

// Cached state of a case. The truth is its timeline; these fields are derived from the events
// as they are appended, so lists and the 360 view do not replay timelines.
struct Case {
  Id id = 0;
  Id customer_id = 0;
  Id service_id = 0;  // 0 when the case is not about one service
  std::string category;  // "connectivity", "billing", "tv", ...
  std::string subject;
  CaseStatus status = CaseStatus::kOpen;
  Id assignee_id = 0;
  Time opened_at = 0;
  Time updated_at = 0;
  Time resolved_at = 0;  // 0 unless resolved or closed
  Id split_from = 0;     // the case this one was split from, if any
  int contact_count = 0;
  int reask_count = 0;
  int reopen_count = 0;
  int last_seq = 0;
};

// Event kinds. Later issues add more (diagnosis, remote_action, verification, appointment,
// escalation, survey); the body is a Value, so a new kind needs no schema change.
enum class EventKind {
  kContact,        // the customer reached us: {channel, text?}
  kMessage,        // a message to or from the customer: {text, from: customer|staff}
  kNote,           // internal note, never shown to the customer: {text}
  kSymptomReport,  // structured symptoms: {what, since, devices[], pattern, details}
  kStatusChange,   // {from, to, reason}
  kAssignment,     // {from_user, to_user}
  kReask,          // staff asked the customer again for facts the case had: {fields[], known[]}
  kPromise,        // a commitment with a due date: {text, due}
  kSplit,          // this case was split: {new_case | from_case, reason}
  kAction,         // something tried: {what, result}
  kDiagnosis,
  kRemoteAction,
  kVerification,
};
std::string_view EventKindName(EventKind kind);
std::optional<EventKind> ParseEventKind(std::string_view name);

enum class Channel { kPhone, kChat, kEmail, kPortal, kField };
std::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(std::string_view name);

struct Event {
  Id id = 0;
  Id case_id = 0;
  int seq = 0;  // 1, 2, 3 ... within the case
  EventKind kind = EventKind::kMessage;
  Time at = 0;
  Id actor_id = 0;          // 0 = the system
  std::string actor_name;   // kept with the event: names change, the record does not
  Role actor_role = Role::kAgent;
  bool internal = false;    // customer-visible is the default
  Value body;               // kind-specific fields (see EventKind)
};

// A known outage of the network in an area (today: communes / cities; later: topology nodes).
struct AreaOutage {
  Id id = 0;
  std::string description;
  std::vector<std::string> cities;  // sites in these cities are covered (accents and case ignored)
  Time start = 0;
  Time end = 0;  // 0 = ongoing
};

// Symptom facts a case knows; pre-filled for whoever talks to the customer next.
struct SymptomFacts {
  std::string what;
  Time since = 0;
  std::vector<std::string> devices;
  std::string pattern;  // intermittent, constant, slow, ...
  std::string details;
};

// Returns the facts from a symptom_report body (unknown fields are ignored).
SymptomFacts SymptomFactsFromBody(const Value& body);
Value SymptomFactsToBody(const SymptomFacts& facts);
// The names of the facts that are set: "what", "since", "devices", "pattern".
std::vector<std::string> KnownFactNames(const SymptomFacts& facts);

}  // namespace hilo
