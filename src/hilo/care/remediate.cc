// Remote remediation: engine action codes -> ACS tasks on the case's gateway.

#include <algorithm>
#include <cctype>
#include <charconv>

#include "hilo/care/care.h"
#include "hilo/care/internal.h"

namespace hilo::care {
namespace {

using telemetry::Band;

constexpr const char* kTr181Radio = "Device.WiFi.Radio.";
constexpr const char* kTr098Lan = "InternetGatewayDevice.LANDevice.";

// A radio as the gateway's own tree names it (the instance numbers a SetParameterValues needs;
// the normalised snapshot renumbers TR-098 radios).
struct TreeRadio {
  std::string prefix;  // "Device.WiFi.Radio.1." / "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1."
  Band band = Band::kUnknown;
  std::string possible_channels;
  std::optional<int> channel;
  std::string standard;
  bool has_auto_channel = false;
};

std::optional<int> ToInt(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<TreeRadio> RadiosFromTree(const std::vector<CpeParam>& params) {
  std::vector<TreeRadio> radios;
  auto radio = [&](const std::string& prefix) -> TreeRadio& {
    for (auto& r : radios)
      if (r.prefix == prefix) return r;
    radios.push_back(TreeRadio{prefix});
    return radios.back();
  };
  for (const auto& p : params) {
    std::string_view name = p.name;
    std::string prefix;
    std::string_view leaf;
    if (name.starts_with(kTr181Radio)) {
      std::string_view rest = name.substr(std::string_view(kTr181Radio).size());
      auto dot = rest.find('.');
      if (dot == std::string_view::npos || !ToInt(rest.substr(0, dot))) continue;
      prefix = std::string(name.substr(0, std::string_view(kTr181Radio).size() + dot + 1));
      leaf = rest.substr(dot + 1);
    } else if (name.starts_with(kTr098Lan)) {
      // InternetGatewayDevice.LANDevice.{l}.WLANConfiguration.{w}.<leaf>
      auto w = name.find(".WLANConfiguration.");
      if (w == std::string_view::npos) continue;
      std::string_view rest = name.substr(w + std::string_view(".WLANConfiguration.").size());
      auto dot = rest.find('.');
      if (dot == std::string_view::npos || !ToInt(rest.substr(0, dot))) continue;
      prefix = std::string(name.substr(0, static_cast<std::size_t>(rest.data() - name.data()) + dot + 1));
      leaf = rest.substr(dot + 1);
    } else {
      continue;
    }
    if (leaf.find('.') != std::string_view::npos) continue;  // deeper objects (Stats, AssociatedDevice)
    if (leaf == "OperatingFrequencyBand") radio(prefix).band = telemetry::ParseBand(p.value);
    else if (leaf == "PossibleChannels") radio(prefix).possible_channels = p.value;
    else if (leaf == "Channel") radio(prefix).channel = ToInt(p.value);
    else if (leaf == "Standard") radio(prefix).standard = p.value;
    else if (leaf == "AutoChannelEnable") radio(prefix).has_auto_channel = true;
  }
  for (auto& r : radios) {
    if (r.band != Band::kUnknown) continue;
    if (r.channel && *r.channel > 0) r.band = telemetry::BandFromChannel(*r.channel);
    else if (r.standard == "b" || r.standard == "g" || r.standard == "b,g") r.band = Band::k2_4GHz;
    else if (r.standard == "a" || r.standard == "ac") r.band = Band::k5GHz;
  }
  // Instance order: a guest WLANConfiguration shares the radio of the main one, listed first.
  std::stable_sort(radios.begin(), radios.end(), [](const TreeRadio& a, const TreeRadio& b) {
    return a.prefix.size() != b.prefix.size() ? a.prefix.size() < b.prefix.size() : a.prefix < b.prefix;
  });
  return radios;
}

// "1-13", "1,6,11", "36-48,149-165"; an empty list allows anything.
bool InChannelList(std::string_view list, int channel) {
  if (list.empty()) return true;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (auto dash = item.find('-'); dash != std::string_view::npos) {
      auto lo = ToInt(item.substr(0, dash)), hi = ToInt(item.substr(dash + 1));
      if (lo && hi && channel >= *lo && channel <= *hi) return true;
    } else if (auto v = ToInt(item); v && *v == channel) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Params arrive from JSON (numbers) or from the engine's actions (strings): accept both.
std::string ParamText(const Value& params, std::string_view key) {
  const Value& v = params.Get(key);
  if (v.IsString()) return v.AsString();
  if (v.IsInt()) return std::to_string(v.AsInt());
  if (v.IsDouble()) return std::to_string(static_cast<std::int64_t>(v.AsDouble()));
  return {};
}

bool ParamTrue(const Value& params, std::string_view key) {
  const Value& v = params.Get(key);
  return v.IsBool() ? v.AsBool() : (v.IsString() && (v.AsString() == "true" || v.AsString() == "yes"));
}

Result<const TreeRadio*> RadioForBand(const std::vector<TreeRadio>& radios, const Value& params) {
  std::string band_text = ParamText(params, "band");
  Band band = band_text.empty() ? Band::k2_4GHz : telemetry::ParseBand(band_text);
  if (band == Band::kUnknown) return Fail(Errc::kInvalidArgument, "band is 2.4GHz, 5GHz or 6GHz", "band");
  if (radios.empty())
    return Fail(Errc::kFailedPrecondition, "the gateway has not reported its Wi-Fi radios yet", "gateway");
  for (const auto& r : radios)
    if (r.band == band) return &r;
  return Fail(Errc::kFailedPrecondition, "the gateway has no " + std::string(telemetry::BandName(band)) + " radio", "band");
}

Value SpvValue(std::string name, std::string value, std::string type) {
  Value v = Value::MakeObject();
  v.Set("name", std::move(name));
  v.Set("value", std::move(value));
  v.Set("type", std::move(type));
  return v;
}

Value SpvArgs(std::vector<Value> values) {
  Value args = Value::MakeObject();
  Value& list = args.Set("values", Value::MakeArray());
  for (auto& v : values) list.Push(std::move(v));
  return args;
}

bool SafeVersion(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

// The start of the next quiet hour (or now, inside one), in UTC.
Time NextQuietHour(Time now, const CareOptions& o) {
  const Time local = now + o.utc_offset_s;
  const Time day = local - ((local % kDay) + kDay) % kDay;
  Time start = day + o.quiet_hour * kHour;
  if (local >= start && local < start + kHour) return now;
  if (local >= start + kHour) start += kDay;
  return start - o.utc_offset_s;
}

// What the action will do: the task (or none, when scheduled) and its wording.
struct Plan {
  TaskKind kind = TaskKind::kReboot;
  Value args = Value::MakeObject();
  std::string what;
  bool schedule = false;
  Time not_before = 0;
  Value params = Value::MakeObject();  // normalised params kept on the event
};

Result<Plan> PlanAction(StoreTx& tx, const Cpe& gw, std::string_view action, const Value& params, Time now,
                        const CareOptions& o) {
  Plan plan;
  const bool tr098 = gw.data_model == "tr098";
  if (action == "set_channel" || action == "enable_auto_channel") {
    auto tree = tx.CpeParams(gw.id);
    if (!tree) return std::unexpected(tree.error());
    auto radios = RadiosFromTree(*tree);
    auto radio = RadioForBand(radios, params);
    if (!radio) return std::unexpected(radio.error());
    const TreeRadio& r = **radio;
    const std::string band(telemetry::BandName(r.band));
    plan.kind = TaskKind::kSetParameterValues;
    plan.params.Set("band", band);
    if (action == "set_channel") {
      auto channel = ToInt(ParamText(params, "channel"));
      if (!channel || *channel <= 0) return Fail(Errc::kInvalidArgument, "channel is a channel number", "channel");
      if (telemetry::BandFromChannel(*channel) != r.band || !InChannelList(r.possible_channels, *channel))
        return Fail(Errc::kInvalidArgument,
                    "channel " + std::to_string(*channel) + " is not allowed on this " + band + " radio" +
                        (r.possible_channels.empty() ? std::string() : " (" + r.possible_channels + ")"),
                    "channel");
      // Auto channel off first: a gateway would move the radio away again otherwise.
      plan.args = SpvArgs({SpvValue(r.prefix + "AutoChannelEnable", "false", "xsd:boolean"),
                           SpvValue(r.prefix + "Channel", std::to_string(*channel), "xsd:unsignedInt")});
      plan.params.Set("channel", *channel);
      plan.params.Set("from_channel", r.channel ? Value(*r.channel) : Value());
      plan.what = "Set the " + band + " Wi-Fi channel to " + std::to_string(*channel) +
                  (r.channel ? " (was " + std::to_string(*r.channel) + ")" : std::string()) + ", automatic channel off";
    } else {
      if (!r.has_auto_channel)
        return Fail(Errc::kFailedPrecondition, "this gateway has no automatic channel selection on " + band, "band");
      plan.args = SpvArgs({SpvValue(r.prefix + "AutoChannelEnable", "true", "xsd:boolean")});
      plan.what = "Turn on automatic channel selection on the " + band + " Wi-Fi";
    }
    return plan;
  }
  if (action == "reboot") {
    std::string when = ParamText(params, "when");
    if (when.empty()) when = "now";
    if (when != "now" && when != "quiet_hour" && when != "now_with_consent")
      return Fail(Errc::kInvalidArgument, "when is now, now_with_consent or quiet_hour", "when");
    const bool consent = ParamTrue(params, "consent");
    if (when != "now" && !consent)
      return Fail(Errc::kFailedPrecondition,
                  "a " + std::string(when == "quiet_hour" ? "quiet-hour" : "consented") +
                      " reboot needs the customer's consent (consent: true)",
                  "consent");
    plan.kind = TaskKind::kReboot;
    plan.params.Set("when", when);
    plan.params.Set("consent", consent);
    if (when == "quiet_hour") {
      plan.not_before = NextQuietHour(now, o);
      plan.schedule = plan.not_before > now;
      plan.params.Set("not_before", FormatIsoTime(plan.not_before));
      plan.what = "Reboot the gateway in the quiet hour (" + FormatIsoTime(plan.not_before) + "), customer consented";
    } else {
      plan.what = std::string("Reboot the gateway now") + (consent ? ", customer consented" : "");
    }
    return plan;
  }
  if (action == "firmware_rollback" || action == "firmware_update") {
    std::string version = ParamText(params, "version");
    if (version.empty()) version = ParamText(params, "to");  // the engine's firmware_rollback{to, from}
    if (!SafeVersion(version))
      return Fail(Errc::kInvalidArgument, "version is a firmware version such as 4.1.9", "version");
    if (version == gw.software_version)
      return Fail(Errc::kFailedPrecondition, "the gateway already runs " + version, "version");
    const std::string file = "fw-" + version + ".bin";
    std::string url = ParamText(params, "url");
    if (url.empty()) url = o.firmware_url_base + file;
    plan.kind = TaskKind::kDownload;
    plan.args.Set("url", url);
    plan.args.Set("file_type", "1 Firmware Upgrade Image");
    plan.args.Set("target_file_name", file);
    plan.params.Set("version", version);
    plan.params.Set("from_version", gw.software_version);
    plan.params.Set("url", url);
    plan.what = std::string(action == "firmware_rollback" ? "Roll the gateway's firmware back" : "Update the gateway's firmware") +
                " from " + (gw.software_version.empty() ? std::string("?") : gw.software_version) + " to " + version;
    return plan;
  }
  if (action == "steer_client_5ghz") {
    std::string mac = telemetry::NormalizeMac(ParamText(params, "mac"));
    if (mac.empty()) return Fail(Errc::kInvalidArgument, "mac is the client's MAC address", "mac");
    auto tree = tx.CpeParams(gw.id);
    if (!tree) return std::unexpected(tree.error());
    auto radios = RadiosFromTree(*tree);
    bool has5 = std::any_of(radios.begin(), radios.end(), [](const TreeRadio& r) { return r.band == Band::k5GHz; });
    // TR-069 has no standard per-client steering; a vendor band-steering switch is the only
    // remote lever that does not cut the 2.4 GHz network for everyone.
    std::string steering;
    for (const auto& p : *tree) {
      std::string lower(p.name);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower.find("bandsteering") != std::string::npos && lower.ends_with(".enable")) {
        steering = p.name;
        break;
      }
    }
    if (!has5 || steering.empty())
      return Fail(Errc::kFailedPrecondition,
                  "not possible remotely on this gateway: " +
                      std::string(!has5 ? "it has no 5 GHz radio" : "it offers no band-steering setting") +
                      "; guide the customer to join the 5 GHz network on " + mac,
                  "action");
    plan.kind = TaskKind::kSetParameterValues;
    plan.args = SpvArgs({SpvValue(steering, "true", "xsd:boolean")});
    plan.params.Set("mac", mac);
    plan.params.Set("parameter", steering);
    plan.what = "Turn on band steering so " + mac + " moves to 5 GHz";
    return plan;
  }
  if (action == "raise_inform_rate") {
    std::string text = ParamText(params, "interval_s");
    auto interval = text.empty() ? std::optional<int>(60) : ToInt(text);
    if (!interval || *interval < 30 || *interval > 86400)
      return Fail(Errc::kInvalidArgument, "interval_s is 30..86400 seconds", "interval_s");
    plan.kind = TaskKind::kSetParameterValues;
    const std::string root = tr098 ? "InternetGatewayDevice." : "Device.";
    plan.args = SpvArgs({SpvValue(root + "ManagementServer.PeriodicInformInterval", std::to_string(*interval),
                                  "xsd:unsignedInt")});
    plan.params.Set("interval_s", *interval);
    plan.what = "Have the gateway report every " + std::to_string(*interval) + " s";
    return plan;
  }
  if (action == "dispatch_technician")
    return Fail(Errc::kInvalidArgument, "a technician visit is not a remote action: book the visit", "action");
  return Fail(Errc::kInvalidArgument, "'" + std::string(action) + "' is not a remote action", "action");
}

}  // namespace

Result<RemediationOutcome> Remediate(StoreTx& tx, const Actor& actor, Id case_id, std::string_view action_code,
                                     const Value& params_in, std::string_view finding_code, Time now,
                                     const CareOptions& options) {
  const Value params = params_in.IsNull() ? Value::MakeObject() : params_in;
  if (!params.IsObject()) return Fail(Errc::kInvalidArgument, "params must be an object", "params");
  if (finding_code.empty())
    return Fail(Errc::kInvalidArgument, "say which finding the action answers", "finding_code");
  auto c = tx.GetCase(case_id);
  if (!c) return std::unexpected(c.error());
  if (!IsOpen(c->status)) return Fail(Errc::kFailedPrecondition, "the case is not open", "case_id");
  auto gw = CaseGateway(tx, *c);
  if (!gw) return std::unexpected(gw.error());
  if (!*gw) return Fail(Errc::kFailedPrecondition, "no gateway is linked to this customer", "gateway");
  const Cpe& cpe = **gw;
  auto plan = PlanAction(tx, cpe, action_code, params, now, options);
  if (!plan) return std::unexpected(plan.error());

  RemediationOutcome out;
  Value body = Value::MakeObject();
  body.Set("what", plan->what);
  body.Set("action", action_code);
  body.Set("why", finding_code);
  body.Set("params", plan->params);
  body.Set("gateway_id", cpe.id);
  if (plan->schedule) {
    // The ACS sends queued tasks at the next session; a task that must wait is kept on the
    // timeline and queued by OnSnapshot at the first inform after not_before.
    auto events = tx.EventsOf(case_id);
    if (!events) return std::unexpected(events.error());
    for (const auto& e : *events) {
      if (e.kind == EventKind::kRemoteAction && e.body.Get("status").AsString() == "scheduled" &&
          e.body.Get("action").AsString() == action_code) {
        bool queued = std::any_of(events->begin(), events->end(), [&](const Event& q) {
          return q.kind == EventKind::kRemoteAction && q.body.Get("scheduled_seq").AsInt() == e.seq;
        });
        if (!queued) return Fail(Errc::kAlreadyExists, "a " + std::string(action_code) + " is already scheduled", "action");
      }
    }
    body.Set("task_id", 0);
    body.Set("status", "scheduled");
    body.Set("not_before", plan->not_before);
    body.Set("requested_by", actor.id);
    body.Set("result", "scheduled for " + FormatIsoTime(plan->not_before));
    out.scheduled = true;
    out.not_before = plan->not_before;
  } else {
    auto task = MakeTask(cpe.id, plan->kind, plan->args, now, options.task_ttl);
    if (!task) return std::unexpected(task.error());
    task->case_id = case_id;
    task->requested_by = actor.id;
    task->reason = std::string(finding_code);
    auto open = tx.TasksOf(cpe.id, true, 100);
    if (!open) return std::unexpected(open.error());
    for (const auto& t : *open)
      if (t.case_id == case_id && t.kind == task->kind && t.args == task->args)
        return Fail(Errc::kAlreadyExists, "the same action is already queued (task " + std::to_string(t.id) + ")", "action");
    auto id = tx.InsertTask(*task);
    if (!id) return std::unexpected(id.error());
    task->id = *id;
    body.Set("task_id", *id);
    body.Set("status", "queued");
    body.Set("result", "queued for the gateway's next session");
    out.task = std::move(*task);
  }
  auto e = AppendToCase(tx, *c, EventKind::kRemoteAction, actor, false, std::move(body), now);
  if (!e) return std::unexpected(e.error());
  out.event = std::move(*e);
  return out;
}

}  // namespace hilo::care
