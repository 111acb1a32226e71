#include "hilo/telemetry/snapshot.h"

#include <cstdint>
#include <type_traits>

namespace hilo::telemetry {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = LowerAscii(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Collects exactly 12 hex digits, allowing ':', '-', '.' separators anywhere.
bool MacDigits(std::string_view text, int digits[12]) {
  int n = 0;
  for (char c : text) {
    if (c == ':' || c == '-' || c == '.' || c == ' ') continue;
    int d = HexDigit(c);
    if (d < 0 || n == 12) return false;
    digits[n++] = d;
  }
  return n == 12;
}

// --- ToValue helpers: omit what is absent so stored snapshots stay small. ---
template <typename T>
void SetOpt(Value& v, const char* key, const std::optional<T>& field) {
  if (!field) return;
  if constexpr (std::is_same_v<T, std::uint64_t>) {
    v.Set(key, static_cast<std::int64_t>(*field));
  } else {
    v.Set(key, *field);
  }
}
void SetOptTime(Value& v, const char* key, const std::optional<Time>& field) {
  if (field) v.Set(key, FormatIsoTime(*field));
}
void SetStr(Value& v, const char* key, const std::string& s) {
  if (!s.empty()) v.Set(key, s);
}

// --- FromValue helpers: a missing or mistyped field leaves the optional empty. ---
void GetOpt(const Value& v, const char* key, std::optional<double>& out) {
  const Value& f = v.Get(key);
  if (f.IsNumber()) out = f.AsDouble();
}
void GetOpt(const Value& v, const char* key, std::optional<int>& out) {
  const Value& f = v.Get(key);
  if (f.IsNumber()) out = static_cast<int>(f.AsInt());
}
void GetOpt(const Value& v, const char* key, std::optional<std::int64_t>& out) {
  const Value& f = v.Get(key);
  if (f.IsNumber()) out = f.AsInt();
}
void GetOpt(const Value& v, const char* key, std::optional<std::uint64_t>& out) {
  const Value& f = v.Get(key);
  if (f.IsNumber() && f.AsDouble() >= 0) out = static_cast<std::uint64_t>(f.AsInt());
}
void GetOpt(const Value& v, const char* key, std::optional<bool>& out) {
  const Value& f = v.Get(key);
  if (f.IsBool()) out = f.AsBool();
}
void GetOptTime(const Value& v, const char* key, std::optional<Time>& out) { out = TimeFromValue(v.Get(key)); }
void GetStr(const Value& v, const char* key, std::string& out) {
  const Value& f = v.Get(key);
  if (f.IsString()) out = f.AsString();
}
int GetInt(const Value& v, const char* key) { return static_cast<int>(v.Get(key).AsInt()); }

Value ChannelsToValue(const std::vector<int>& channels) {
  Value a = Value::MakeArray();
  for (int c : channels) a.Push(c);
  return a;
}

}  // namespace

std::string_view BandName(Band band) {
  switch (band) {
    case Band::k2_4GHz: return "2.4GHz";
    case Band::k5GHz: return "5GHz";
    case Band::k6GHz: return "6GHz";
    case Band::kUnknown: break;
  }
  return "";
}

Band ParseBand(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != ' ') s.push_back(LowerAscii(c));
  }
  if (s.starts_with("2.4")) return Band::k2_4GHz;
  if (s.starts_with("5")) return Band::k5GHz;
  if (s.starts_with("6")) return Band::k6GHz;
  return Band::kUnknown;
}

Band BandFromChannel(int channel) {
  if (channel >= 1 && channel <= 14) return Band::k2_4GHz;
  if (channel >= 32 && channel <= 177) return Band::k5GHz;
  return Band::kUnknown;
}

std::string NormalizeMac(std::string_view text) {
  int d[12];
  if (!MacDigits(text, d)) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(17);
  for (int i = 0; i < 12; ++i) {
    if (i > 0 && i % 2 == 0) out.push_back(':');
    out.push_back(kHex[d[i]]);
  }
  return out;
}

std::uint64_t MacKey(std::string_view mac) {
  int d[12];
  if (!MacDigits(mac, d)) return 0;
  std::uint64_t key = 0;
  for (int i = 0; i < 12; ++i) key = (key << 4) | static_cast<std::uint64_t>(d[i]);
  return key;
}

bool Host::IsWired() const {
  std::string t;
  for (char c : interface_type) t.push_back(LowerAscii(c));
  return t == "ethernet" || t == "moca" || t == "homeplug" || t == "g.hn" || t == "hpna" || t == "upa";
}

const Radio* DeviceSnapshot::FindRadio(int index) const {
  for (const Radio& r : radios) {
    if (r.index == index) return &r;
  }
  return nullptr;
}

const Radio* DeviceSnapshot::FindRadioByBand(Band band) const {
  for (const Radio& r : radios) {
    if (r.band == band) return &r;
  }
  return nullptr;
}

const Client* DeviceSnapshot::FindClient(std::uint64_t mac_key) const {
  for (const Client& c : clients) {
    if (c.mac_key == mac_key) return &c;
  }
  return nullptr;
}

std::string_view DataModelName(DataModel model) {
  switch (model) {
    case DataModel::kTr181: return "tr181";
    case DataModel::kTr098: return "tr098";
    case DataModel::kUnknown: break;
  }
  return "";
}

std::optional<Time> TimeFromValue(const Value& value) {
  if (value.IsNumber()) return value.AsInt();
  if (value.IsString()) return ParseIsoTime(value.AsString());
  return std::nullopt;
}

Value ToValue(const DeviceSnapshot& s) {
  Value v = Value::MakeObject();
  SetStr(v, "oui", s.oui);
  SetStr(v, "product_class", s.product_class);
  SetStr(v, "serial", s.serial);
  SetStr(v, "manufacturer", s.manufacturer);
  SetStr(v, "model", s.model);
  SetStr(v, "software_version", s.software_version);
  SetStr(v, "hardware_version", s.hardware_version);
  if (s.data_model != DataModel::kUnknown) v.Set("data_model", DataModelName(s.data_model));
  v.Set("taken_at", FormatIsoTime(s.taken_at));
  SetOpt(v, "uptime_s", s.uptime_s);

  if (!s.radios.empty()) {
    Value& radios = v.Set("radios", Value::MakeArray());
    for (const Radio& r : s.radios) {
      Value o = Value::MakeObject();
      o.Set("index", r.index);
      if (r.band != Band::kUnknown) o.Set("band", BandName(r.band));
      SetOpt(o, "enabled", r.enabled);
      SetOpt(o, "channel", r.channel);
      SetStr(o, "bandwidth", r.bandwidth);
      SetOpt(o, "auto_channel", r.auto_channel);
      SetOpt(o, "transmit_power_pct", r.transmit_power_pct);
      SetOpt(o, "noise_dbm", r.noise_dbm);
      SetOpt(o, "utilization_pct", r.utilization_pct);
      SetOpt(o, "receive_other_pct", r.receive_other_pct);
      if (!r.channels_in_use.empty()) o.Set("channels_in_use", ChannelsToValue(r.channels_in_use));
      SetStr(o, "channel_last_selection_reason", r.channel_last_selection_reason);
      SetOpt(o, "channel_last_change_s", r.channel_last_change_s);
      Value st = Value::MakeObject();
      SetOpt(st, "packets_sent", r.stats.packets_sent);
      SetOpt(st, "packets_received", r.stats.packets_received);
      SetOpt(st, "errors_sent", r.stats.errors_sent);
      SetOpt(st, "errors_received", r.stats.errors_received);
      SetOpt(st, "total_channel_changes", r.stats.total_channel_changes);
      SetOpt(st, "manual_channel_changes", r.stats.manual_channel_changes);
      SetOpt(st, "auto_dynamic_channel_changes", r.stats.auto_dynamic_channel_changes);
      SetOpt(st, "auto_dfs_channel_changes", r.stats.auto_dfs_channel_changes);
      if (!st.AsObject().empty()) o.Set("stats", std::move(st));
      radios.Push(std::move(o));
    }
  }
  if (!s.access_points.empty()) {
    Value& aps = v.Set("access_points", Value::MakeArray());
    for (const AccessPoint& a : s.access_points) {
      Value o = Value::MakeObject();
      o.Set("index", a.index);
      SetStr(o, "ssid", a.ssid);
      if (a.radio_index) o.Set("radio_index", a.radio_index);
      SetOpt(o, "enabled", a.enabled);
      SetOpt(o, "retrans_count", a.retrans_count);
      SetOpt(o, "failed_retrans_count", a.failed_retrans_count);
      SetOpt(o, "retry_count", a.retry_count);
      aps.Push(std::move(o));
    }
  }
  if (!s.clients.empty()) {
    Value& clients = v.Set("clients", Value::MakeArray());
    for (const Client& c : s.clients) {
      Value o = Value::MakeObject();
      o.Set("mac", c.mac);
      if (c.ap_index) o.Set("ap_index", c.ap_index);
      if (c.radio_index) o.Set("radio_index", c.radio_index);
      if (c.band != Band::kUnknown) o.Set("band", BandName(c.band));
      SetStr(o, "operating_standard", c.operating_standard);
      SetOpt(o, "signal_dbm", c.signal_dbm);
      SetOpt(o, "noise_dbm", c.noise_dbm);
      SetOpt(o, "snr_db", c.snr_db);
      SetOpt(o, "downlink_kbps", c.downlink_kbps);
      SetOpt(o, "uplink_kbps", c.uplink_kbps);
      SetOpt(o, "retransmissions_pct", c.retransmissions_pct);
      SetOpt(o, "active", c.active);
      SetOptTime(o, "association_time", c.association_time);
      clients.Push(std::move(o));
    }
  }
  if (!s.hosts.empty()) {
    Value& hosts = v.Set("hosts", Value::MakeArray());
    for (const Host& h : s.hosts) {
      Value o = Value::MakeObject();
      o.Set("mac", h.mac);
      SetStr(o, "ip", h.ip);
      SetStr(o, "hostname", h.hostname);
      SetStr(o, "interface_type", h.interface_type);
      SetOpt(o, "active", h.active);
      hosts.Push(std::move(o));
    }
  }
  if (!s.neighbors.empty()) {
    Value& ns = v.Set("neighbors", Value::MakeArray());
    for (const Neighbor& n : s.neighbors) {
      Value o = Value::MakeObject();
      SetStr(o, "bssid", n.bssid);
      SetStr(o, "ssid", n.ssid);
      SetOpt(o, "channel", n.channel);
      if (n.band != Band::kUnknown) o.Set("band", BandName(n.band));
      SetStr(o, "bandwidth", n.bandwidth);
      SetOpt(o, "signal_dbm", n.signal_dbm);
      ns.Push(std::move(o));
    }
  }
  if (!s.docsis_downstream.empty()) {
    Value& ds = v.Set("docsis_downstream", Value::MakeArray());
    for (const DocsisDownstream& d : s.docsis_downstream) {
      Value o = Value::MakeObject();
      o.Set("index", d.index);
      SetOpt(o, "frequency_hz", d.frequency_hz);
      SetStr(o, "modulation", d.modulation);
      SetOpt(o, "power_dbmv", d.power_dbmv);
      SetOpt(o, "snr_db", d.snr_db);
      SetOpt(o, "mer_db", d.mer_db);
      SetOpt(o, "unerrored", d.unerrored);
      SetOpt(o, "corrected", d.corrected);
      SetOpt(o, "uncorrectable", d.uncorrectable);
      ds.Push(std::move(o));
    }
  }
  if (!s.docsis_upstream.empty()) {
    Value& us = v.Set("docsis_upstream", Value::MakeArray());
    for (const DocsisUpstream& u : s.docsis_upstream) {
      Value o = Value::MakeObject();
      o.Set("index", u.index);
      SetOpt(o, "tx_power_dbmv", u.tx_power_dbmv);
      SetOpt(o, "t3_timeouts", u.t3_timeouts);
      SetOpt(o, "t4_timeouts", u.t4_timeouts);
      us.Push(std::move(o));
    }
  }
  SetOpt(v, "temperature_c", s.temperature_c);
  SetOpt(v, "temperature_max_c", s.temperature_max_c);
  SetOpt(v, "temperature_high_alarm_c", s.temperature_high_alarm_c);
  SetOpt(v, "cpu_pct", s.cpu_pct);
  SetOpt(v, "memory_total_kib", s.memory_total_kib);
  SetOpt(v, "memory_free_kib", s.memory_free_kib);
  Value rb = Value::MakeObject();
  SetOpt(rb, "boot_count", s.reboots.boot_count);
  SetOpt(rb, "watchdog_boot_count", s.reboots.watchdog_boot_count);
  SetOpt(rb, "current_version_boot_count", s.reboots.current_version_boot_count);
  SetStr(rb, "last_reason", s.reboots.last_reason);
  SetOptTime(rb, "last_time", s.reboots.last_time);
  SetOpt(rb, "last_firmware_updated", s.reboots.last_firmware_updated);
  if (!rb.AsObject().empty()) v.Set("reboots", std::move(rb));
  return v;
}

DeviceSnapshot SnapshotFromValue(const Value& v) {
  DeviceSnapshot s;
  GetStr(v, "oui", s.oui);
  GetStr(v, "product_class", s.product_class);
  GetStr(v, "serial", s.serial);
  GetStr(v, "manufacturer", s.manufacturer);
  GetStr(v, "model", s.model);
  GetStr(v, "software_version", s.software_version);
  GetStr(v, "hardware_version", s.hardware_version);
  const std::string& dm = v.Get("data_model").AsString();
  s.data_model = dm == "tr181" ? DataModel::kTr181 : dm == "tr098" ? DataModel::kTr098 : DataModel::kUnknown;
  s.taken_at = TimeFromValue(v.Get("taken_at")).value_or(0);
  GetOpt(v, "uptime_s", s.uptime_s);

  for (const Value& o : v.Get("radios").AsArray()) {
    Radio& r = s.radios.emplace_back();
    r.index = GetInt(o, "index");
    r.band = ParseBand(o.Get("band").AsString());
    GetOpt(o, "enabled", r.enabled);
    GetOpt(o, "channel", r.channel);
    GetStr(o, "bandwidth", r.bandwidth);
    GetOpt(o, "auto_channel", r.auto_channel);
    GetOpt(o, "transmit_power_pct", r.transmit_power_pct);
    GetOpt(o, "noise_dbm", r.noise_dbm);
    GetOpt(o, "utilization_pct", r.utilization_pct);
    GetOpt(o, "receive_other_pct", r.receive_other_pct);
    for (const Value& c : o.Get("channels_in_use").AsArray()) {
      if (c.IsNumber()) r.channels_in_use.push_back(static_cast<int>(c.AsInt()));
    }
    GetStr(o, "channel_last_selection_reason", r.channel_last_selection_reason);
    GetOpt(o, "channel_last_change_s", r.channel_last_change_s);
    const Value& st = o.Get("stats");
    GetOpt(st, "packets_sent", r.stats.packets_sent);
    GetOpt(st, "packets_received", r.stats.packets_received);
    GetOpt(st, "errors_sent", r.stats.errors_sent);
    GetOpt(st, "errors_received", r.stats.errors_received);
    GetOpt(st, "total_channel_changes", r.stats.total_channel_changes);
    GetOpt(st, "manual_channel_changes", r.stats.manual_channel_changes);
    GetOpt(st, "auto_dynamic_channel_changes", r.stats.auto_dynamic_channel_changes);
    GetOpt(st, "auto_dfs_channel_changes", r.stats.auto_dfs_channel_changes);
    if (r.band == Band::kUnknown && r.channel) r.band = BandFromChannel(*r.channel);
  }
  for (const Value& o : v.Get("access_points").AsArray()) {
    AccessPoint& a = s.access_points.emplace_back();
    a.index = GetInt(o, "index");
    GetStr(o, "ssid", a.ssid);
    a.radio_index = GetInt(o, "radio_index");
    GetOpt(o, "enabled", a.enabled);
    GetOpt(o, "retrans_count", a.retrans_count);
    GetOpt(o, "failed_retrans_count", a.failed_retrans_count);
    GetOpt(o, "retry_count", a.retry_count);
  }
  for (const Value& o : v.Get("clients").AsArray()) {
    Client c;
    c.mac = NormalizeMac(o.Get("mac").AsString());
    if (c.mac.empty()) continue;  // a client without a usable MAC cannot be joined with anything
    c.mac_key = MacKey(c.mac);
    c.ap_index = GetInt(o, "ap_index");
    c.radio_index = GetInt(o, "radio_index");
    c.band = ParseBand(o.Get("band").AsString());
    GetStr(o, "operating_standard", c.operating_standard);
    GetOpt(o, "signal_dbm", c.signal_dbm);
    if (c.signal_dbm && *c.signal_dbm == 0) c.signal_dbm.reset();
    GetOpt(o, "noise_dbm", c.noise_dbm);
    GetOpt(o, "snr_db", c.snr_db);
    GetOpt(o, "downlink_kbps", c.downlink_kbps);
    GetOpt(o, "uplink_kbps", c.uplink_kbps);
    GetOpt(o, "retransmissions_pct", c.retransmissions_pct);
    GetOpt(o, "active", c.active);
    GetOptTime(o, "association_time", c.association_time);
    if (c.band == Band::kUnknown && c.radio_index) {
      if (const Radio* r = s.FindRadio(c.radio_index)) c.band = r->band;
    }
    if (c.radio_index == 0 && c.band != Band::kUnknown) {
      if (const Radio* r = s.FindRadioByBand(c.band)) c.radio_index = r->index;
    }
    s.clients.push_back(std::move(c));
  }
  for (const Value& o : v.Get("hosts").AsArray()) {
    Host& h = s.hosts.emplace_back();
    h.mac = NormalizeMac(o.Get("mac").AsString());
    GetStr(o, "ip", h.ip);
    GetStr(o, "hostname", h.hostname);
    GetStr(o, "interface_type", h.interface_type);
    GetOpt(o, "active", h.active);
  }
  for (const Value& o : v.Get("neighbors").AsArray()) {
    Neighbor& n = s.neighbors.emplace_back();
    n.bssid = NormalizeMac(o.Get("bssid").AsString());
    GetStr(o, "ssid", n.ssid);
    GetOpt(o, "channel", n.channel);
    n.band = ParseBand(o.Get("band").AsString());
    if (n.band == Band::kUnknown && n.channel) n.band = BandFromChannel(*n.channel);
    GetStr(o, "bandwidth", n.bandwidth);
    GetOpt(o, "signal_dbm", n.signal_dbm);
  }
  for (const Value& o : v.Get("docsis_downstream").AsArray()) {
    DocsisDownstream& d = s.docsis_downstream.emplace_back();
    d.index = GetInt(o, "index");
    GetOpt(o, "frequency_hz", d.frequency_hz);
    GetStr(o, "modulation", d.modulation);
    GetOpt(o, "power_dbmv", d.power_dbmv);
    GetOpt(o, "snr_db", d.snr_db);
    GetOpt(o, "mer_db", d.mer_db);
    GetOpt(o, "unerrored", d.unerrored);
    GetOpt(o, "corrected", d.corrected);
    GetOpt(o, "uncorrectable", d.uncorrectable);
  }
  for (const Value& o : v.Get("docsis_upstream").AsArray()) {
    DocsisUpstream& u = s.docsis_upstream.emplace_back();
    u.index = GetInt(o, "index");
    GetOpt(o, "tx_power_dbmv", u.tx_power_dbmv);
    GetOpt(o, "t3_timeouts", u.t3_timeouts);
    GetOpt(o, "t4_timeouts", u.t4_timeouts);
  }
  GetOpt(v, "temperature_c", s.temperature_c);
  GetOpt(v, "temperature_max_c", s.temperature_max_c);
  GetOpt(v, "temperature_high_alarm_c", s.temperature_high_alarm_c);
  GetOpt(v, "cpu_pct", s.cpu_pct);
  GetOpt(v, "memory_total_kib", s.memory_total_kib);
  GetOpt(v, "memory_free_kib", s.memory_free_kib);
  const Value& rb = v.Get("reboots");
  GetOpt(rb, "boot_count", s.reboots.boot_count);
  GetOpt(rb, "watchdog_boot_count", s.reboots.watchdog_boot_count);
  GetOpt(rb, "current_version_boot_count", s.reboots.current_version_boot_count);
  GetStr(rb, "last_reason", s.reboots.last_reason);
  GetOptTime(rb, "last_time", s.reboots.last_time);
  GetOpt(rb, "last_firmware_updated", s.reboots.last_firmware_updated);
  return s;
}

}  // namespace hilo::telemetry
