#include "hilo/telemetry/normalize.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace hilo::telemetry {
namespace {

using std::string_view;

// ---------------------------------------------------------------------------------------------
// Value parsing: forgiving, never throws.

string_view TrimSpaces(string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> ToInt(string_view s) {
  s = TrimSpaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    // Some CPEs send integers as "12.0".
    double d = 0;
    auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec2 != std::errc() || p2 != s.data() + s.size() || s.empty()) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return v;
}

std::optional<std::uint64_t> ToUInt(string_view s) {
  s = TrimSpaces(s);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> ToDouble(string_view s) {
  s = TrimSpaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> ToTenths(string_view s) {
  auto v = ToDouble(s);
  if (!v) return std::nullopt;
  return *v / 10.0;
}

bool EqualsNoCase(string_view a, string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool EndsWithNoCase(string_view s, string_view suffix) {
  return s.size() >= suffix.size() && EqualsNoCase(s.substr(s.size() - suffix.size()), suffix);
}

std::optional<bool> ToBool(string_view s) {
  s = TrimSpaces(s);
  if (s == "1" || EqualsNoCase(s, "true")) return true;
  if (s == "0" || EqualsNoCase(s, "false")) return false;
  return std::nullopt;
}

// TR-069 uses 0001-01-01T00:00:00Z for "unknown time".
std::optional<Time> ToTime(string_view s) {
  auto t = ParseIsoTime(TrimSpaces(s));
  if (!t || *t <= 0) return std::nullopt;
  return t;
}

// "1,6,11" or "36-48,149" → channel numbers; ranges are expanded (bounded to 1..255).
std::vector<int> ToChannelList(string_view s) {
  std::vector<int> out;
  while (!s.empty()) {
    std::size_t comma = s.find(',');
    string_view item = TrimSpaces(s.substr(0, comma));
    s = comma == string_view::npos ? string_view{} : s.substr(comma + 1);
    std::size_t dash = item.find('-');
    if (dash == string_view::npos) {
      if (auto c = ToInt(item); c && *c >= 1 && *c <= 255) out.push_back(static_cast<int>(*c));
    } else {
      auto a = ToInt(item.substr(0, dash));
      auto b = ToInt(item.substr(dash + 1));
      if (a && b && *a >= 1 && *b <= 255 && *a <= *b) {
        for (auto c = *a; c <= *b; ++c) out.push_back(static_cast<int>(c));
      }
    }
  }
  return out;
}

// The instance number after `object` in a path reference such as "Device.WiFi.Radio.2." → 2.
int RefIndex(string_view ref, string_view object) {
  std::size_t pos = ref.rfind(object);
  if (pos == string_view::npos) return 0;
  string_view rest = ref.substr(pos + object.size());
  if (!rest.empty() && rest.front() == '.') rest.remove_prefix(1);
  std::size_t dot = rest.find('.');
  auto v = ToInt(rest.substr(0, dot));
  return v && *v > 0 && *v < 100000 ? static_cast<int>(*v) : 0;
}

// TR-098 LastDataTransmitRate is declared string(4) yet described in kbps; gateways report
// either Mbps ("300") or kbps ("54000"). Four digits or fewer and ≤ 2400 is taken as Mbps.
std::optional<std::int64_t> Tr098RateKbps(string_view s) {
  auto v = ToDouble(s);
  if (!v || *v <= 0) return std::nullopt;
  if (TrimSpaces(s).size() <= 4 && *v <= 2400) return static_cast<std::int64_t>(*v * 1000);
  return static_cast<std::int64_t>(*v);
}

// ---------------------------------------------------------------------------------------------
// Path splitting. Parameter paths have a bounded depth; deeper ones are ignored.

struct Path {
  std::array<string_view, 12> seg;
  int n = 0;
  string_view operator[](int i) const { return i < n ? seg[static_cast<std::size_t>(i)] : string_view{}; }
  int Index(int i) const {  // instance number at i, 0 if not one
    auto v = ToInt((*this)[i]);
    return v && *v > 0 && *v < 100000 ? static_cast<int>(*v) : 0;
  }
};

bool SplitPath(string_view key, Path& p) {
  p.n = 0;
  while (!key.empty() && key.back() == '.') key.remove_suffix(1);
  while (!key.empty()) {
    if (p.n == static_cast<int>(p.seg.size())) return false;
    std::size_t dot = key.find('.');
    p.seg[static_cast<std::size_t>(p.n++)] = key.substr(0, dot);
    key = dot == string_view::npos ? string_view{} : key.substr(dot + 1);
  }
  return p.n > 0;
}

bool IsVendor(string_view name) { return name.starts_with("X_"); }

// ---------------------------------------------------------------------------------------------
// Accumulators while walking the tree.

struct Sensor {
  std::optional<double> value, max, alarm;
};

struct SsidRow {
  std::string ssid;
  int radio_index = 0;
  std::optional<bool> enabled;
  std::optional<std::uint64_t> retrans, failed_retrans, retry;
};

struct ApRow {
  int ssid_index = 0;
  std::optional<bool> enabled;
  std::map<int, Client> clients;
};

// TR-098 WLANConfiguration: a radio and an SSID in one object.
struct WlanRow {
  Radio radio;
  std::string ssid;
  std::string standard;
  std::string band_text;
  std::map<int, Client> clients;
};

struct Builder {
  DeviceSnapshot s;
  std::map<int, Radio> radios;
  std::map<int, SsidRow> ssids;
  std::map<int, ApRow> aps;
  std::map<int, Host> hosts;
  std::map<int, Neighbor> neighbors;
  std::map<int, DocsisDownstream> ds;
  std::map<int, DocsisUpstream> us;
  std::map<int, Sensor> sensors;
  std::map<int, std::optional<double>> de_utilization, de_receive_other;  // Data Elements, by radio
  std::map<int, WlanRow> wlans;  // TR-098, key = LANDevice * 1000 + WLANConfiguration
  int last_reboot_index = 0;
  std::map<int, std::array<std::optional<std::uint64_t>, 3>> ds_plain_counters;
};

void DeviceInfoField(Builder& b, const Path& p, int at, string_view v) {
  // p[at] is the first segment after "DeviceInfo".
  string_view f = p[at];
  DeviceSnapshot& s = b.s;
  if (p.n == at + 1) {
    if (f == "ManufacturerOUI") s.oui = std::string(TrimSpaces(v));
    else if (f == "ProductClass") s.product_class = std::string(TrimSpaces(v));
    else if (f == "SerialNumber") s.serial = std::string(TrimSpaces(v));
    else if (f == "Manufacturer") s.manufacturer = std::string(TrimSpaces(v));
    else if (f == "ModelName") s.model = std::string(TrimSpaces(v));
    else if (f == "SoftwareVersion") s.software_version = std::string(TrimSpaces(v));
    else if (f == "HardwareVersion") s.hardware_version = std::string(TrimSpaces(v));
    else if (f == "UpTime") s.uptime_s = ToInt(v);
    return;
  }
  if (f == "MemoryStatus" && p.n == at + 2) {
    if (p[at + 1] == "Total") s.memory_total_kib = ToInt(v);
    else if (p[at + 1] == "Free") s.memory_free_kib = ToInt(v);
  } else if (f == "ProcessStatus" && p.n == at + 2 && p[at + 1] == "CPUUsage") {
    s.cpu_pct = ToDouble(v);
  } else if (f == "TemperatureStatus" && p[at + 1] == "TemperatureSensor" && p.n == at + 4) {
    int i = p.Index(at + 2);
    if (!i) return;
    Sensor& sensor = b.sensors[i];
    string_view field = p[at + 3];
    auto d = ToDouble(v);
    if (d && *d <= -274) d.reset();  // -274 °C = "no reading"
    if (field == "Value") sensor.value = d;
    else if (field == "MaxValue") sensor.max = d;
    else if (field == "HighAlarmValue") sensor.alarm = d;
  } else if (f == "Reboots") {
    if (p.n == at + 2) {
      string_view field = p[at + 1];
      if (field == "BootCount") s.reboots.boot_count = ToUInt(v);
      else if (field == "WatchdogBootCount") s.reboots.watchdog_boot_count = ToUInt(v);
      else if (field == "CurrentVersionBootCount") s.reboots.current_version_boot_count = ToUInt(v);
    } else if (p[at + 1] == "Reboot" && p.n == at + 4) {
      int i = p.Index(at + 2);
      if (!i || i < b.last_reboot_index) return;
      if (i > b.last_reboot_index) {
        b.last_reboot_index = i;
        s.reboots.last_reason.clear();
        s.reboots.last_time.reset();
        s.reboots.last_firmware_updated.reset();
      }
      string_view field = p[at + 3];
      if (field == "Reason") s.reboots.last_reason = std::string(TrimSpaces(v));
      else if (field == "TimeStamp") s.reboots.last_time = ToTime(v);
      else if (field == "FirmwareUpdated") s.reboots.last_firmware_updated = ToBool(v);
    }
  }
}

void RadioStatsField(Radio& r, string_view f, string_view v) {
  RadioStats& st = r.stats;
  if (f == "Noise") {
    auto d = ToDouble(v);
    if (d && *d < 0) r.noise_dbm = d;  // 0 or positive is not a plausible dBm noise floor
  } else if (f == "PacketsSent") st.packets_sent = ToUInt(v);
  else if (f == "PacketsReceived") st.packets_received = ToUInt(v);
  else if (f == "ErrorsSent") st.errors_sent = ToUInt(v);
  else if (f == "ErrorsReceived") st.errors_received = ToUInt(v);
  else if (f == "TotalChannelChangeCount") st.total_channel_changes = ToUInt(v);
  else if (f == "ManualChannelChangeCount") st.manual_channel_changes = ToUInt(v);
  else if (f == "AutoDynamicChannelChangeCount") st.auto_dynamic_channel_changes = ToUInt(v);
  else if (f == "AutoDFSChannelChangeCount") st.auto_dfs_channel_changes = ToUInt(v);
  else if (IsVendor(f) && EndsWithNoCase(f, "Utilization")) r.utilization_pct = ToDouble(v);
}

void RadioField(Radio& r, string_view f, string_view v) {
  if (f == "OperatingFrequencyBand") r.band = ParseBand(v);
  else if (f == "Enable") r.enabled = ToBool(v);
  else if (f == "Channel") {
    auto c = ToInt(v);
    if (c && *c >= 1 && *c <= 255) r.channel = static_cast<int>(*c);
  } else if (f == "AutoChannelEnable") r.auto_channel = ToBool(v);
  else if (f == "CurrentOperatingChannelBandwidth") r.bandwidth = std::string(TrimSpaces(v));
  else if (f == "OperatingChannelBandwidth") {
    // The writable one may say "Auto"; the current one (v2.11) wins when present.
    if (r.bandwidth.empty() || r.bandwidth == "Auto") r.bandwidth = std::string(TrimSpaces(v));
  } else if (f == "TransmitPower") {
    auto t = ToInt(v);
    if (t && *t >= -1 && *t <= 100) r.transmit_power_pct = static_cast<int>(*t);
  } else if (f == "ChannelsInUse") r.channels_in_use = ToChannelList(v);
  else if (f == "ChannelLastChange") r.channel_last_change_s = ToInt(v);
  else if (f == "ChannelLastSelectionReason") r.channel_last_selection_reason = std::string(TrimSpaces(v));
  else if (IsVendor(f) && EndsWithNoCase(f, "Utilization")) r.utilization_pct = ToDouble(v);
}

// Fields shared by TR-181 AssociatedDevice and TR-098 vendor extensions.
void ClientField(Client& c, string_view f, string_view v) {
  if (f == "MACAddress" || f == "AssociatedDeviceMACAddress") {
    c.mac = NormalizeMac(v);
    c.mac_key = MacKey(c.mac);
  } else if (f == "SignalStrength" || (IsVendor(f) && (EndsWithNoCase(f, "SignalStrength") || EndsWithNoCase(f, "RSSI")))) {
    auto d = ToDouble(v);
    if (d && *d < 0 && *d >= -200) c.signal_dbm = d;  // 0 dBm = unknown
  } else if (f == "Noise" || (IsVendor(f) && EndsWithNoCase(f, "Noise"))) {
    auto d = ToDouble(v);
    if (d && *d < 0) c.noise_dbm = d;
  } else if (f == "SNR" || (IsVendor(f) && EndsWithNoCase(f, "SNR"))) {
    c.snr_db = ToDouble(v);
  } else if (f == "LastDataDownlinkRate") {
    c.downlink_kbps = ToInt(v);
  } else if (f == "LastDataUplinkRate") {
    c.uplink_kbps = ToInt(v);
  } else if (f == "Retransmissions" || (IsVendor(f) && EndsWithNoCase(f, "Retransmissions"))) {
    auto d = ToDouble(v);
    if (d && *d >= 0 && *d <= 100) c.retransmissions_pct = d;
  } else if (f == "Active") {
    c.active = ToBool(v);
  } else if (f == "AssociationTime") {
    c.association_time = ToTime(v);
  } else if (f == "OperatingStandard") {
    c.operating_standard = std::string(TrimSpaces(v));
  }
}

void HostField(Host& h, string_view f, string_view v) {
  if (f == "PhysAddress" || f == "MACAddress") h.mac = NormalizeMac(v);
  else if (f == "IPAddress") h.ip = std::string(TrimSpaces(v));
  else if (f == "HostName") h.hostname = std::string(TrimSpaces(v));
  else if (f == "InterfaceType") h.interface_type = std::string(TrimSpaces(v));
  else if (f == "Active") h.active = ToBool(v);
}

// Device.WiFi.*  (p[0] = "Device", p[1] = "WiFi")
void WifiField(Builder& b, const Path& p, string_view v) {
  string_view obj = p[2];
  if (obj == "Radio") {
    int i = p.Index(3);
    if (!i) return;
    Radio& r = b.radios[i];
    r.index = i;
    if (p.n == 5) RadioField(r, p[4], v);
    else if (p.n == 6 && p[4] == "Stats") RadioStatsField(r, p[5], v);
  } else if (obj == "SSID") {
    int i = p.Index(3);
    if (!i) return;
    SsidRow& row = b.ssids[i];
    if (p.n == 5) {
      if (p[4] == "SSID") row.ssid = std::string(v);
      else if (p[4] == "LowerLayers") row.radio_index = RefIndex(v, "Radio");
      else if (p[4] == "Enable") row.enabled = ToBool(v);
    } else if (p.n == 6 && p[4] == "Stats") {
      if (p[5] == "RetransCount") row.retrans = ToUInt(v);
      else if (p[5] == "FailedRetransCount") row.failed_retrans = ToUInt(v);
      else if (p[5] == "RetryCount") row.retry = ToUInt(v);
    }
  } else if (obj == "AccessPoint") {
    int i = p.Index(3);
    if (!i) return;
    ApRow& ap = b.aps[i];
    if (p.n == 5) {
      if (p[4] == "SSIDReference") ap.ssid_index = RefIndex(v, "SSID");
      else if (p[4] == "Enable") ap.enabled = ToBool(v);
    } else if (p.n == 7 && p[4] == "AssociatedDevice") {
      int j = p.Index(5);
      if (j) ClientField(ap.clients[j], p[6], v);
    }
  } else if (obj == "NeighboringWiFiDiagnostic" && p[3] == "Result" && p.n == 6) {
    int i = p.Index(4);
    if (!i) return;
    Neighbor& n = b.neighbors[i];
    string_view f = p[5];
    if (f == "BSSID") n.bssid = NormalizeMac(v);
    else if (f == "SSID") n.ssid = std::string(v);
    else if (f == "Channel") {
      auto c = ToInt(v);
      if (c && *c >= 1 && *c <= 255) n.channel = static_cast<int>(*c);
    } else if (f == "SignalStrength") {
      auto d = ToDouble(v);
      if (d && *d < 0) n.signal_dbm = d;
    } else if (f == "OperatingFrequencyBand") n.band = ParseBand(v);
    else if (f == "OperatingChannelBandwidth") n.bandwidth = std::string(TrimSpaces(v));
  } else if (obj == "DataElements" && p[3] == "Network" && p[4] == "Device" && p[6] == "Radio" && p.n == 9) {
    // Only the first Data Elements device is this gateway; its radios are assumed to be listed in
    // the same order as Device.WiFi.Radio (true on the CPEs we know; the ID is a MAC, not a path).
    if (p.Index(5) != 1) return;
    int r = p.Index(7);
    if (!r) return;
    auto raw = ToDouble(v);
    if (!raw || *raw < 0 || *raw > 255) return;
    double pct = *raw * 100.0 / 255.0;
    if (p[8] == "Utilization") b.de_utilization[r] = pct;
    else if (p[8] == "ReceiveOther") b.de_receive_other[r] = pct;
  }
}

// Device.DOCSIS.*
void DocsisField(Builder& b, const Path& p, string_view v) {
  string_view obj = p[2];
  int i = p.Index(3);
  if (!i) return;
  if (obj == "DownstreamChannel") {
    DocsisDownstream& d = b.ds[i];
    d.index = i;
    if (p.n == 5) {
      string_view f = p[4];
      if (f == "Frequency") d.frequency_hz = ToDouble(v);
      else if (f == "Modulation") d.modulation = std::string(TrimSpaces(v));
      else if (f == "Power") d.power_dbmv = ToTenths(v);
    } else if (p.n == 6 && p[4] == "SignalQuality") {
      string_view f = p[5];
      auto& plain = b.ds_plain_counters[i];
      if (f == "SignalNoise") d.snr_db = ToTenths(v);
      else if (f == "ExtUnerroreds") d.unerrored = ToUInt(v);
      else if (f == "ExtCorrecteds") d.corrected = ToUInt(v);
      else if (f == "ExtUncorrectables") d.uncorrectable = ToUInt(v);
      else if (f == "Unerroreds") plain[0] = ToUInt(v);
      else if (f == "Correcteds") plain[1] = ToUInt(v);
      else if (f == "Uncorrectables") plain[2] = ToUInt(v);
    } else if (p.n == 6 && p[4] == "SignalQualityExt" && p[5] == "RxMER") {
      d.mer_db = ToTenths(v);
    }
  } else if (obj == "UpstreamChannel") {
    DocsisUpstream& u = b.us[i];
    u.index = i;
    string_view f = p.n == 5 ? p[4] : (p.n == 6 && p[4] == "Status") ? p[5] : string_view{};
    if (f == "TxPower") u.tx_power_dbmv = ToTenths(v);
    else if (f == "T3Timeouts") u.t3_timeouts = ToUInt(v);
    else if (f == "T4Timeouts") u.t4_timeouts = ToUInt(v);
  }
}

void Tr181Field(Builder& b, const Path& p, string_view v) {
  string_view top = p[1];
  if (top == "DeviceInfo") DeviceInfoField(b, p, 2, v);
  else if (top == "WiFi") WifiField(b, p, v);
  else if (top == "Hosts" && p[2] == "Host" && p.n == 5) {
    int i = p.Index(3);
    if (i) HostField(b.hosts[i], p[4], v);
  } else if (top == "DOCSIS") DocsisField(b, p, v);
}

// InternetGatewayDevice.LANDevice.{l}.WLANConfiguration.{w}.*
void WlanField(Builder& b, const Path& p, string_view v) {
  int l = p.Index(2), w = p.Index(4);
  if (!l || !w || l >= 1000 || w >= 1000) return;
  WlanRow& row = b.wlans[l * 1000 + w];
  string_view f = p[5];
  if (p.n == 6) {
    if (f == "SSID") row.ssid = std::string(v);
    else if (f == "Standard") row.standard = std::string(TrimSpaces(v));
    else if (f == "OperatingFrequencyBand" || (IsVendor(f) && EndsWithNoCase(f, "OperatingFrequencyBand")))
      row.band_text = std::string(TrimSpaces(v));
    else if (f == "TotalPacketsSent") row.radio.stats.packets_sent = ToUInt(v);
    else if (f == "TotalPacketsReceived") row.radio.stats.packets_received = ToUInt(v);
    else if (f == "RadioEnabled" || f == "Enable") {
      auto e = ToBool(v);
      if (e && (!row.radio.enabled || !*e)) row.radio.enabled = e;  // disabled if either says so
    } else if (IsVendor(f) && EndsWithNoCase(f, "Noise")) {
      auto d = ToDouble(v);
      if (d && *d < 0) row.radio.noise_dbm = d;
    } else RadioField(row.radio, f, v);
  } else if (p.n == 7 && f == "Stats") {
    if (p[6] == "ErrorsSent") row.radio.stats.errors_sent = ToUInt(v);
    else if (p[6] == "ErrorsReceived") row.radio.stats.errors_received = ToUInt(v);
  } else if (p.n == 8 && f == "AssociatedDevice") {
    int k = p.Index(6);
    if (!k) return;
    Client& c = row.clients[k];
    string_view cf = p[7];
    if (cf == "LastDataTransmitRate") c.downlink_kbps = Tr098RateKbps(v);
    else if (cf == "AssociatedDeviceAuthenticationState") {
      if (!c.active) c.active = ToBool(v);
    } else ClientField(c, cf, v);
  }
}

void Tr098Field(Builder& b, const Path& p, string_view v) {
  string_view top = p[1];
  if (top == "DeviceInfo") DeviceInfoField(b, p, 2, v);
  else if (top == "LANDevice") {
    if (p[3] == "WLANConfiguration") WlanField(b, p, v);
    else if (p[3] == "Hosts" && p[4] == "Host" && p.n == 7) {
      int l = p.Index(2), h = p.Index(5);
      if (l && h && l < 1000) HostField(b.hosts[l * 100000 + h], p[6], v);
    }
  }
}

void FinishTr181(Builder& b) {
  DeviceSnapshot& s = b.s;
  for (auto& [i, r] : b.radios) {
    if (r.band == Band::kUnknown && r.channel) r.band = BandFromChannel(*r.channel);
    if (auto it = b.de_utilization.find(i); it != b.de_utilization.end() && !r.utilization_pct)
      r.utilization_pct = it->second;
    if (auto it = b.de_receive_other.find(i); it != b.de_receive_other.end()) r.receive_other_pct = it->second;
    s.radios.push_back(r);
  }
  for (auto& [i, ap] : b.aps) {
    AccessPoint a;
    a.index = i;
    a.enabled = ap.enabled;
    // Without SSIDReference, AccessPoint.i conventionally serves SSID.i.
    int ssid_index = ap.ssid_index ? ap.ssid_index : i;
    if (auto it = b.ssids.find(ssid_index); it != b.ssids.end()) {
      const SsidRow& row = it->second;
      a.ssid = row.ssid;
      a.radio_index = row.radio_index;
      a.retrans_count = row.retrans;
      a.failed_retrans_count = row.failed_retrans;
      a.retry_count = row.retry;
      if (!a.radio_index && b.radios.contains(ssid_index)) a.radio_index = ssid_index;
    } else if (b.radios.contains(i)) {
      a.radio_index = i;
    }
    const Radio* radio = s.FindRadio(a.radio_index);
    for (auto& [j, c] : ap.clients) {
      if (c.mac.empty()) continue;
      c.ap_index = i;
      c.radio_index = a.radio_index;
      if (radio) c.band = radio->band;
      s.clients.push_back(std::move(c));
    }
    s.access_points.push_back(std::move(a));
  }
  for (auto& [i, n] : b.neighbors) {
    if (n.band == Band::kUnknown && n.channel) n.band = BandFromChannel(*n.channel);
    s.neighbors.push_back(std::move(n));
  }
  for (auto& [i, d] : b.ds) {
    // Prefer the 64-bit Ext counters; fall back to the 32-bit ones.
    if (auto it = b.ds_plain_counters.find(i); it != b.ds_plain_counters.end()) {
      if (!d.unerrored) d.unerrored = it->second[0];
      if (!d.corrected) d.corrected = it->second[1];
      if (!d.uncorrectable) d.uncorrectable = it->second[2];
    }
    s.docsis_downstream.push_back(std::move(d));
  }
  for (auto& [i, u] : b.us) s.docsis_upstream.push_back(std::move(u));
}

Band Tr098Band(const WlanRow& row) {
  if (!row.band_text.empty()) {
    Band b = ParseBand(row.band_text);
    if (b != Band::kUnknown) return b;
  }
  if (row.radio.channel) {
    Band b = BandFromChannel(*row.radio.channel);
    if (b != Band::kUnknown) return b;
  }
  // 802.11a / ac only exist on 5 GHz; b / g only on 2.4 GHz.
  if (row.standard == "a" || row.standard == "ac" || row.standard == "a,n,ac") return Band::k5GHz;
  if (row.standard == "b" || row.standard == "g" || row.standard == "g-only" || row.standard == "b,g") return Band::k2_4GHz;
  return Band::kUnknown;
}

void FinishTr098(Builder& b) {
  DeviceSnapshot& s = b.s;
  // Several WLANConfiguration objects (main, guest) usually share one physical radio per band:
  // one Radio per band, its settings from the first enabled configuration of that band.
  int next_radio = 1;
  int next_ap = 1;
  for (auto& [key, row] : b.wlans) {
    Band band = Tr098Band(row);
    Radio* radio = nullptr;
    for (Radio& r : s.radios) {
      if (band != Band::kUnknown && r.band == band) radio = &r;
    }
    if (!radio) {
      Radio r = row.radio;
      r.index = next_radio++;
      r.band = band;
      s.radios.push_back(std::move(r));
      radio = &s.radios.back();
    } else if (radio->enabled && !*radio->enabled && row.radio.enabled.value_or(false)) {
      int index = radio->index;
      *radio = row.radio;
      radio->index = index;
      radio->band = band;
    }
    AccessPoint a;
    a.index = next_ap++;
    a.ssid = row.ssid;
    a.radio_index = radio->index;
    a.enabled = row.radio.enabled;
    for (auto& [k, c] : row.clients) {
      if (c.mac.empty()) continue;
      c.ap_index = a.index;
      c.radio_index = radio->index;
      c.band = band;
      s.clients.push_back(std::move(c));
    }
    s.access_points.push_back(std::move(a));
  }
}

}  // namespace

DeviceSnapshot Normalize(const ParameterMap& params, Time now) {
  Builder b;
  b.s.taken_at = now;
  Path p;
  bool tr181 = false, tr098 = false;
  for (const auto& [key, param] : params) {
    if (!SplitPath(key, p)) continue;
    if (p[0] == "Device") {
      tr181 = true;
      Tr181Field(b, p, param.value);
    } else if (p[0] == "InternetGatewayDevice") {
      tr098 = true;
      Tr098Field(b, p, param.value);
    }
  }
  // A CPE speaks one root; if a broken one mixes both, TR-181 wins for Wi-Fi objects.
  if (tr181) {
    b.s.data_model = DataModel::kTr181;
    FinishTr181(b);
  }
  if (tr098 && !tr181) {
    b.s.data_model = DataModel::kTr098;
    FinishTr098(b);
  }
  for (auto& [i, h] : b.hosts) {
    if (!h.mac.empty()) b.s.hosts.push_back(std::move(h));
  }
  // The hottest sensor is the one that matters for overheating.
  for (const auto& [i, sensor] : b.sensors) {
    if (!sensor.value) continue;
    if (!b.s.temperature_c || *sensor.value > *b.s.temperature_c) {
      b.s.temperature_c = sensor.value;
      b.s.temperature_max_c = sensor.max;
      b.s.temperature_high_alarm_c = sensor.alarm;
    }
  }
  return std::move(b.s);
}

}  // namespace hilo::telemetry
