#include "hilo/core/cpe.h"

#include <array>
#include <utility>

namespace hilo {
namespace {

constexpr std::array<std::pair<TaskKind, std::string_view>, 10> kTaskKinds{{
    {TaskKind::kGetParameterValues, "get_parameter_values"},
    {TaskKind::kSetParameterValues, "set_parameter_values"},
    {TaskKind::kGetParameterNames, "get_parameter_names"},
    {TaskKind::kGetParameterAttributes, "get_parameter_attributes"},
    {TaskKind::kSetParameterAttributes, "set_parameter_attributes"},
    {TaskKind::kAddObject, "add_object"},
    {TaskKind::kDeleteObject, "delete_object"},
    {TaskKind::kReboot, "reboot"},
    {TaskKind::kFactoryReset, "factory_reset"},
    {TaskKind::kDownload, "download"},
}};
constexpr std::array<std::pair<TaskStatus, std::string_view>, 5> kTaskStatuses{{
    {TaskStatus::kPending, "pending"}, {TaskStatus::kSent, "sent"}, {TaskStatus::kDone, "done"},
    {TaskStatus::kFault, "fault"}, {TaskStatus::kExpired, "expired"},
}};

Status RequireStrings(const Value& args, std::string_view field) {
  const Value& v = args.Get(field);
  if (!v.IsArray() || v.AsArray().empty())
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must be a non-empty list of names", std::string(field));
  for (const auto& item : v.AsArray())
    if (!item.IsString() || item.AsString().empty() || item.AsString().size() > 256)
      return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' must list parameter names", std::string(field));
  return Ok();
}

Status RequireText(const Value& args, std::string_view field) {
  const Value& v = args.Get(field);
  if (!v.IsString() || v.AsString().empty() || v.AsString().size() > 1024)
    return Fail(Errc::kInvalidArgument, "'" + std::string(field) + "' is required", std::string(field));
  return Ok();
}

}  // namespace

bool Cpe::Online(Time now) const {
  Time window = periodic_interval_s > 0 ? 2 * static_cast<Time>(periodic_interval_s) + 60 : 10 * kMinute;
  return last_inform != 0 && now - last_inform <= window;
}

std::string_view TaskKindName(TaskKind k) {
  for (const auto& [v, n] : kTaskKinds)
    if (v == k) return n;
  return "unknown";
}
std::optional<TaskKind> ParseTaskKind(std::string_view s) {
  for (const auto& [v, n] : kTaskKinds)
    if (n == s) return v;
  return std::nullopt;
}
std::string_view TaskStatusName(TaskStatus s) {
  for (const auto& [v, n] : kTaskStatuses)
    if (v == s) return n;
  return "unknown";
}
std::optional<TaskStatus> ParseTaskStatus(std::string_view s) {
  for (const auto& [v, n] : kTaskStatuses)
    if (n == s) return v;
  return std::nullopt;
}

Result<CpeTask> MakeTask(Id cpe_id, TaskKind kind, const Value& args_in, Time now, Time ttl) {
  Value args = args_in.IsNull() ? Value::MakeObject() : args_in;
  if (!args.IsObject()) return Fail(Errc::kInvalidArgument, "'args' must be an object", "args");
  switch (kind) {
    case TaskKind::kGetParameterValues:
    case TaskKind::kGetParameterAttributes:
      HILO_TRY(RequireStrings(args, "names"));
      break;
    case TaskKind::kSetParameterValues: {
      const Value& values = args.Get("values");
      if (!values.IsArray() || values.AsArray().empty())
        return Fail(Errc::kInvalidArgument, "'values' must list {name, value, type}", "values");
      for (const auto& v : values.AsArray()) {
        HILO_TRY(RequireText(v, "name"));
        if (!v.Get("value").IsString()) return Fail(Errc::kInvalidArgument, "each value is a string", "values");
        if (!v.Get("type").IsNull() && !v.Get("type").IsString())
          return Fail(Errc::kInvalidArgument, "'type' is an xsd type name such as xsd:unsignedInt", "values");
      }
      break;
    }
    case TaskKind::kGetParameterNames:
      HILO_TRY(RequireText(args, "path"));
      break;
    case TaskKind::kSetParameterAttributes: {
      const Value& attrs = args.Get("attributes");
      if (!attrs.IsArray() || attrs.AsArray().empty())
        return Fail(Errc::kInvalidArgument, "'attributes' must list {name, notification}", "attributes");
      for (const auto& a : attrs.AsArray()) {
        HILO_TRY(RequireText(a, "name"));
        auto n = a.Get("notification").AsInt();
        if (!a.Get("notification").IsInt() || n < 0 || n > 2)
          return Fail(Errc::kInvalidArgument, "notification is 0 (off), 1 (passive) or 2 (active)", "attributes");
      }
      break;
    }
    case TaskKind::kAddObject:
    case TaskKind::kDeleteObject:
      HILO_TRY(RequireText(args, "object"));
      if (!args.Get("object").AsString().ends_with("."))
        return Fail(Errc::kInvalidArgument, "an object path ends with '.'", "object");
      break;
    case TaskKind::kReboot:
    case TaskKind::kFactoryReset:
      break;
    case TaskKind::kDownload:
      HILO_TRY(RequireText(args, "url"));
      if (!args.Get("url").AsString().starts_with("http://") && !args.Get("url").AsString().starts_with("https://"))
        return Fail(Errc::kInvalidArgument, "the firmware URL is http(s)://", "url");
      break;
  }
  CpeTask t;
  t.cpe_id = cpe_id;
  t.kind = kind;
  t.args = std::move(args);
  t.created_at = now;
  t.expires_at = now + ttl;
  return t;
}

}  // namespace hilo
