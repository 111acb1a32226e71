#include "hilo/http/mapping.h"

#include "hilo/core/rut.h"

namespace hilo::http {
namespace {

Value Strings(const std::vector<std::string>& items) {
  Value v = Value::MakeArray();
  for (const auto& s : items) v.Push(s);
  return v;
}

Value TimeOrNull(Time t) { return t == 0 ? Value() : Value(FormatIsoTime(t)); }

}  // namespace

Value ToValue(const Customer& c) {
  Value v = Value::MakeObject();
  v.Set("id", c.id);
  v.Set("name", c.name);
  v.Set("national_id", c.national_id);
  v.Set("phones", Strings(c.phones));
  v.Set("emails", Strings(c.emails));
  v.Set("language", LanguageCode(c.language));
  v.Set("customer_since", TimeOrNull(c.customer_since));
  return v;
}

Value ToValue(const Service& s) {
  Value v = Value::MakeObject();
  v.Set("id", s.id);
  v.Set("customer_id", s.customer_id);
  v.Set("site_id", s.site_id == 0 ? Value() : Value(s.site_id));
  v.Set("kind", ServiceKindName(s.kind));
  v.Set("plan", s.plan);
  v.Set("status", ServiceStatusName(s.status));
  return v;
}

Value ToValue(const Site& s) {
  Value v = Value::MakeObject();
  v.Set("id", s.id);
  v.Set("customer_id", s.customer_id);
  v.Set("address", s.address);
  v.Set("city", s.city);
  return v;
}

Value ToValue(const Device& d) {
  Value v = Value::MakeObject();
  v.Set("id", d.id);
  v.Set("customer_id", d.customer_id == 0 ? Value() : Value(d.customer_id));
  v.Set("site_id", d.site_id == 0 ? Value() : Value(d.site_id));
  v.Set("kind", DeviceKindName(d.kind));
  v.Set("oui", d.oui);
  v.Set("product_class", d.product_class);
  v.Set("serial", d.serial);
  v.Set("label", d.label);
  v.Set("mac", d.mac);
  return v;
}

Value ToValue(const User& u) {
  Value v = Value::MakeObject();
  v.Set("id", u.id);
  v.Set("username", u.username);
  v.Set("display_name", u.display_name);
  v.Set("role", RoleName(u.role));
  v.Set("customer_id", u.customer_id == 0 ? Value() : Value(u.customer_id));
  v.Set("language", LanguageCode(u.language));
  return v;
}

Value ToValue(const Case& c) {
  Value v = Value::MakeObject();
  v.Set("id", c.id);
  v.Set("customer_id", c.customer_id);
  v.Set("service_id", c.service_id == 0 ? Value() : Value(c.service_id));
  v.Set("category", c.category);
  v.Set("subject", c.subject);
  v.Set("status", CaseStatusName(c.status));
  v.Set("assignee_id", c.assignee_id == 0 ? Value() : Value(c.assignee_id));
  v.Set("opened_at", TimeOrNull(c.opened_at));
  v.Set("updated_at", TimeOrNull(c.updated_at));
  v.Set("resolved_at", TimeOrNull(c.resolved_at));
  v.Set("split_from", c.split_from == 0 ? Value() : Value(c.split_from));
  v.Set("contact_count", c.contact_count);
  v.Set("reask_count", c.reask_count);
  v.Set("reopen_count", c.reopen_count);
  return v;
}

Value ToValue(const Event& e) {
  Value v = Value::MakeObject();
  v.Set("id", e.id);
  v.Set("seq", e.seq);
  v.Set("kind", EventKindName(e.kind));
  v.Set("at", FormatIsoTime(e.at));
  Value actor = Value::MakeObject();
  actor.Set("id", e.actor_id == 0 ? Value() : Value(e.actor_id));
  actor.Set("name", e.actor_name);
  actor.Set("role", RoleName(e.actor_role));
  v.Set("actor", std::move(actor));
  v.Set("internal", e.internal);
  v.Set("body", e.body);
  return v;
}

Value ToValue(const Cpe& c) {
  Value v = Value::MakeObject();
  v.Set("id", c.id);
  v.Set("key", c.Key());
  v.Set("oui", c.oui);
  v.Set("product_class", c.product_class);
  v.Set("serial", c.serial);
  v.Set("device_id", c.device_id == 0 ? Value() : Value(c.device_id));
  v.Set("customer_id", c.customer_id == 0 ? Value() : Value(c.customer_id));
  v.Set("manufacturer", c.manufacturer);
  v.Set("data_model", c.data_model);
  v.Set("software_version", c.software_version);
  v.Set("cwmp_version", c.cwmp_version);
  v.Set("last_events", c.last_events);
  v.Set("periodic_interval_s", c.periodic_interval_s);
  v.Set("first_seen", TimeOrNull(c.first_seen));
  v.Set("last_inform", TimeOrNull(c.last_inform));
  return v;
}

Value ToValue(const AreaOutage& o) {
  Value v = Value::MakeObject();
  v.Set("id", o.id);
  v.Set("description", o.description);
  v.Set("cities", Strings(o.cities));
  v.Set("start", TimeOrNull(o.start));
  v.Set("end", TimeOrNull(o.end));
  return v;
}

Value ToValue(const CpeTask& t) {
  Value v = Value::MakeObject();
  v.Set("id", t.id);
  v.Set("gateway_id", t.cpe_id);
  v.Set("kind", TaskKindName(t.kind));
  v.Set("args", t.args);
  v.Set("status", TaskStatusName(t.status));
  v.Set("created_at", TimeOrNull(t.created_at));
  v.Set("sent_at", TimeOrNull(t.sent_at));
  v.Set("done_at", TimeOrNull(t.done_at));
  v.Set("expires_at", TimeOrNull(t.expires_at));
  if (t.fault_code) {
    v.Set("fault_code", t.fault_code);
    v.Set("fault_string", t.fault_string);
  }
  v.Set("result", t.result);
  v.Set("case_id", t.case_id == 0 ? Value() : Value(t.case_id));
  v.Set("reason", t.reason);
  return v;
}

Result<std::string> RequiredString(const Value& body, std::string_view field, std::size_t max_len) {
  const Value& v = body.Get(field);
  if (!v.IsString() || v.AsString().empty())
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' is required and must be a string", std::string(field));
  if (v.AsString().size() > max_len)
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' is too long", std::string(field));
  return v.AsString();
}

Result<std::string> OptionalString(const Value& body, std::string_view field, std::size_t max_len) {
  const Value& v = body.Get(field);
  if (v.IsNull()) return std::string();
  if (!v.IsString()) return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be a string", std::string(field));
  if (v.AsString().size() > max_len)
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' is too long", std::string(field));
  return v.AsString();
}

Result<Id> RequiredId(const Value& body, std::string_view field) {
  const Value& v = body.Get(field);
  if (!v.IsInt() || v.AsInt() <= 0)
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be a positive integer id", std::string(field));
  return v.AsInt();
}

Result<Id> OptionalId(const Value& body, std::string_view field) {
  if (body.Get(field).IsNull()) return Id{0};
  return RequiredId(body, field);
}

Result<Time> OptionalTime(const Value& body, std::string_view field) {
  const Value& v = body.Get(field);
  if (v.IsNull()) return Time{0};
  if (v.IsInt()) return v.AsInt();
  if (v.IsString()) {
    if (auto t = ParseIsoTime(v.AsString())) return *t;
  }
  return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be an ISO-8601 time", std::string(field));
}

Result<std::vector<std::string>> OptionalStrings(const Value& body, std::string_view field) {
  std::vector<std::string> out;
  const Value& v = body.Get(field);
  if (v.IsNull()) return out;
  if (!v.IsArray()) return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be a list of strings", std::string(field));
  for (const auto& item : v.AsArray()) {
    if (!item.IsString()) return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be a list of strings", std::string(field));
    out.push_back(item.AsString());
  }
  return out;
}

Result<Customer> CustomerFromBody(const Value& body) {
  if (!body.IsObject()) return Fail(Errc::kInvalidArgument, "the body must be a JSON object");
  Customer c;
  auto name = RequiredString(body, "name", 200);
  if (!name) return std::unexpected(name.error());
  c.name = *name;
  auto national = OptionalString(body, "national_id", 32);
  if (!national) return std::unexpected(national.error());
  if (!national->empty()) {
    auto rut = NormalizeRut(*national);
    if (!rut) return std::unexpected(rut.error());
    c.national_id = *rut;
  }
  auto phones = OptionalStrings(body, "phones");
  if (!phones) return std::unexpected(phones.error());
  c.phones = *phones;
  auto emails = OptionalStrings(body, "emails");
  if (!emails) return std::unexpected(emails.error());
  for (const auto& e : *emails)
    if (e.find('@') == std::string::npos) return Fail(Errc::kInvalidArgument, "'" + e + "' is not an email address", "emails");
  c.emails = *emails;
  auto lang = OptionalString(body, "language", 8);
  if (!lang) return std::unexpected(lang.error());
  if (!lang->empty()) {
    auto l = ParseLanguage(*lang);
    if (!l) return Fail(Errc::kInvalidArgument, "language is es or en", "language");
    c.language = *l;
  }
  auto since = OptionalTime(body, "customer_since");
  if (!since) return std::unexpected(since.error());
  c.customer_since = *since;
  return c;
}

Result<SymptomFacts> SymptomsFromBody(const Value& body) {
  if (!body.IsObject()) return Fail(Errc::kInvalidArgument, "'symptoms' must be an object", "symptoms");
  SymptomFacts f;
  auto what = RequiredString(body, "what", 2000);
  if (!what) return std::unexpected(what.error());
  f.what = *what;
  auto since = OptionalTime(body, "since");
  if (!since) return std::unexpected(since.error());
  f.since = *since;
  auto devices = OptionalStrings(body, "devices");
  if (!devices) return std::unexpected(devices.error());
  f.devices = *devices;
  auto pattern = OptionalString(body, "pattern", 100);
  if (!pattern) return std::unexpected(pattern.error());
  f.pattern = *pattern;
  auto details = OptionalString(body, "details");
  if (!details) return std::unexpected(details.error());
  f.details = *details;
  return f;
}

}  // namespace hilo::http
