#include "hilo/core/model.h"

#include <array>
#include <utility>

namespace hilo {
namespace {

template <typename E, std::size_t N>
std::optional<E> FindByName(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view name) {
  for (const auto& [value, text] : table)
    if (text == name) return value;
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, text] : table)
    if (v == value) return text;
  return "unknown";
}

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoles{{
    {Role::kCustomer, "customer"}, {Role::kAgent, "agent"}, {Role::kSupervisor, "supervisor"},
    {Role::kManager, "manager"}, {Role::kTechnician, "technician"}, {Role::kAdmin, "admin"},
}};
constexpr std::array<std::pair<ServiceKind, std::string_view>, 3> kServiceKinds{{
    {ServiceKind::kInternet, "internet"}, {ServiceKind::kTv, "tv"}, {ServiceKind::kPhone, "phone"},
}};
constexpr std::array<std::pair<ServiceStatus, std::string_view>, 3> kServiceStatuses{{
    {ServiceStatus::kActive, "active"}, {ServiceStatus::kSuspended, "suspended"},
    {ServiceStatus::kCancelled, "cancelled"},
}};
constexpr std::array<std::pair<DeviceKind, std::string_view>, 4> kDeviceKinds{{
    {DeviceKind::kGateway, "gateway"}, {DeviceKind::kModem, "modem"}, {DeviceKind::kSetTopBox, "set_top_box"},
    {DeviceKind::kClient, "client"},
}};
constexpr std::array<std::pair<CaseStatus, std::string_view>, 4> kCaseStatuses{{
    {CaseStatus::kOpen, "open"}, {CaseStatus::kPendingCustomer, "pending_customer"},
    {CaseStatus::kResolved, "resolved"}, {CaseStatus::kClosed, "closed"},
}};
constexpr std::array<std::pair<EventKind, std::string_view>, 13> kEventKinds{{
    {EventKind::kContact, "contact"}, {EventKind::kMessage, "message"}, {EventKind::kNote, "note"},
    {EventKind::kSymptomReport, "symptom_report"}, {EventKind::kStatusChange, "status_change"},
    {EventKind::kAssignment, "assignment"}, {EventKind::kReask, "reask"}, {EventKind::kPromise, "promise"},
    {EventKind::kSplit, "split"}, {EventKind::kAction, "action"}, {EventKind::kDiagnosis, "diagnosis"},
    {EventKind::kRemoteAction, "remote_action"}, {EventKind::kVerification, "verification"},
}};
constexpr std::array<std::pair<Channel, std::string_view>, 5> kChannels{{
    {Channel::kPhone, "phone"}, {Channel::kChat, "chat"}, {Channel::kEmail, "email"}, {Channel::kPortal, "portal"},
    {Channel::kField, "field"},
}};

}  // namespace

std::string_view LanguageCode(Language lang) { return lang == Language::kEn ? "en" : "es"; }
std::optional<Language> ParseLanguage(std::string_view s) {
  if (s.starts_with("es")) return Language::kEs;
  if (s.starts_with("en")) return Language::kEn;
  return std::nullopt;
}

std::string_view RoleName(Role r) { return NameOf(kRoles, r); }
std::optional<Role> ParseRole(std::string_view s) { return FindByName(kRoles, s); }
std::string_view ServiceKindName(ServiceKind k) { return NameOf(kServiceKinds, k); }
std::optional<ServiceKind> ParseServiceKind(std::string_view s) { return FindByName(kServiceKinds, s); }
std::string_view ServiceStatusName(ServiceStatus s) { return NameOf(kServiceStatuses, s); }
std::optional<ServiceStatus> ParseServiceStatus(std::string_view s) { return FindByName(kServiceStatuses, s); }
std::string_view DeviceKindName(DeviceKind k) { return NameOf(kDeviceKinds, k); }
std::optional<DeviceKind> ParseDeviceKind(std::string_view s) { return FindByName(kDeviceKinds, s); }
std::string_view CaseStatusName(CaseStatus s) { return NameOf(kCaseStatuses, s); }
std::optional<CaseStatus> ParseCaseStatus(std::string_view s) { return FindByName(kCaseStatuses, s); }
bool IsOpen(CaseStatus s) { return s == CaseStatus::kOpen || s == CaseStatus::kPendingCustomer; }
std::string_view EventKindName(EventKind k) { return NameOf(kEventKinds, k); }
std::optional<EventKind> ParseEventKind(std::string_view s) { return FindByName(kEventKinds, s); }
std::string_view ChannelName(Channel c) { return NameOf(kChannels, c); }
std::optional<Channel> ParseChannel(std::string_view s) { return FindByName(kChannels, s); }

SymptomFacts SymptomFactsFromBody(const Value& body) {
  SymptomFacts f;
  f.what = body.Get("what").AsString();
  f.since = body.Get("since").AsInt();
  for (const auto& d : body.Get("devices").AsArray())
    if (d.IsString()) f.devices.push_back(d.AsString());
  f.pattern = body.Get("pattern").AsString();
  f.details = body.Get("details").AsString();
  return f;
}

Value SymptomFactsToBody(const SymptomFacts& f) {
  Value v = Value::MakeObject();
  if (!f.what.empty()) v.Set("what", f.what);
  if (f.since != 0) v.Set("since", f.since);
  if (!f.devices.empty()) {
    Value devices = Value::MakeArray();
    for (const auto& d : f.devices) devices.Push(d);
    v.Set("devices", std::move(devices));
  }
  if (!f.pattern.empty()) v.Set("pattern", f.pattern);
  if (!f.details.empty()) v.Set("details", f.details);
  return v;
}

std::vector<std::string> KnownFactNames(const SymptomFacts& f) {
  std::vector<std::string> names;
  if (!f.what.empty()) names.push_back("what");
  if (f.since != 0) names.push_back("since");
  if (!f.devices.empty()) names.push_back("devices");
  if (!f.pattern.empty()) names.push_back("pattern");
  return names;
}

}  // namespace hilo
