#include "hilo/cwmp/sim_device.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace hilo::cwmp {
namespace {

// Parameter types, indexed by Param::type.
constexpr std::array<std::string_view, 6> kTypes = {"string",   "unsignedInt", "int",
                                                    "boolean",  "dateTime",    "unsignedLong"};
constexpr std::uint8_t kStr = 0, kUint = 1, kInt = 2, kBool = 3, kDate = 4, kUlong = 5;

// Param::flags.
constexpr std::uint8_t kWritable = 1;  // SetParameterValues may change it
constexpr std::uint8_t kDynamic = 2;   // fast-changing telemetry: active notification refused
constexpr std::uint8_t kSecret = 4;    // read back as "" over CWMP
constexpr std::uint8_t kObject = 8;    // an object node ("X.Y.")
constexpr std::uint8_t kTable = 16;    // a multi-instance table that accepts AddObject
constexpr std::uint8_t kInstance = 32; // an instance that accepts DeleteObject

constexpr Time kRebootLoopPeriod = 3 * kMinute;

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// A tiny deterministic generator for building the device from its seed.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() { return state_ = SplitMix(state_); }
  int Range(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
  }

 private:
  std::uint64_t state_;
};

std::string Mac(std::string_view oui_prefix, Rng& rng) {
  char buf[24];
  const auto v = rng.Next();
  std::snprintf(buf, sizeof buf, "%s:%02X:%02X:%02X", std::string(oui_prefix).c_str(),
                static_cast<unsigned>(v & 0xFF), static_cast<unsigned>((v >> 8) & 0xFF),
                static_cast<unsigned>((v >> 16) & 0xFF));
  return buf;
}

template <typename T>
std::string Str(T v) {
  return std::to_string(v);
}

std::string_view LeafName(std::string_view name) {
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

std::string_view ParentPath(std::string_view name) {  // "A.B.C" -> "A.B."
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : name.substr(0, dot + 1);
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "1" || s == "true") return true;
  if (s == "0" || s == "false") return false;
  return std::nullopt;
}

// "1-13" or "36,40,44" or "1-3,6" -> whether `channel` is in the list.
bool InChannelList(std::string_view list, unsigned channel) {
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string_view item =
        list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    const auto dash = item.find('-');
    unsigned lo = 0, hi = 0;
    if (dash == std::string_view::npos) {
      if (ParseNumber(item, lo) && lo == channel) return true;
    } else if (ParseNumber(item.substr(0, dash), lo) && ParseNumber(item.substr(dash + 1), hi) &&
               channel >= lo && channel <= hi) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

bool InList(std::string_view list, std::string_view value) {
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    if (list.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                           : comma - start) == value)
      return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

// "4.2.1" -> "4.3.0": the version a bad automatic upgrade installs.
std::string BumpVersion(const std::string& v) {
  const auto first = v.find('.');
  if (first == std::string::npos) return v + ".1";
  const auto second = v.find('.', first + 1);
  unsigned minor = 0;
  if (!ParseNumber(std::string_view(v).substr(first + 1, second == std::string::npos
                                                             ? std::string::npos
                                                             : second - first - 1),
                   minor))
    return v + ".1";
  return v.substr(0, first + 1) + Str(minor + 1) + ".0";
}

// The first "digits(.digits)+" in a file name: "fw-4.2.1.bin" -> "4.2.1".
std::optional<std::string> VersionInFileName(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9' || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')) continue;
    std::size_t j = i;
    int dots = 0;
    while (j < s.size()) {
      if (s[j] >= '0' && s[j] <= '9') {
        ++j;
      } else if (s[j] == '.' && j + 1 < s.size() && s[j + 1] >= '0' && s[j + 1] <= '9') {
        ++dots;
        ++j;
      } else {
        break;
      }
    }
    if (dots >= 1) return std::string(s.substr(i, j - i));
  }
  return std::nullopt;
}

Fault MakeFault(unsigned code) {
  Fault f;
  f.soap_fault_code = std::string(SoapFaultCodeFor(code));
  f.fault_code = code;
  f.fault_string = std::string(FaultCodeText(code));
  return f;
}

constexpr std::array<std::string_view, 3> kBands = {"2.4GHz", "5GHz", "6GHz"};

// Neighbouring networks a gateway sees; fixed per seed, plus the congestion crowd.
struct Neighbour {
  int radio;
  std::string ssid;
  std::string bssid;
  int channel;
  int signal;
};

std::vector<Neighbour> BaselineNeighbours(std::uint64_t seed, int radios) {
  Rng rng(seed ^ 0x5EEDBEEFULL);
  std::vector<Neighbour> out;
  constexpr int k24[] = {1, 6, 11};
  constexpr int k5[] = {36, 44, 52, 100, 149, 157};
  for (int i = 0; i < 5; ++i) {
    out.push_back({0, "VTR-" + Str(rng.Range(100000, 999999)), Mac("A0:64:8F", rng),
                   k24[rng.Range(0, 2)], rng.Range(-88, -70)});
  }
  for (int i = 0; i < 3; ++i) {
    out.push_back({1, "Movistar_" + Str(rng.Range(1000, 9999)), Mac("C8:B4:22", rng),
                   k5[rng.Range(0, 5)], rng.Range(-90, -75)});
  }
  if (radios > 2) out.push_back({2, "WOM-6E", Mac("F4:69:42", rng), 37, -86});
  return out;
}

}  // namespace

std::string_view SimFaultName(SimFault fault) {
  switch (fault) {
    case SimFault::kWifiCongestion24: return "congestion";
    case SimFault::kWeakClient: return "weak-client";
    case SimFault::kRebootLoop: return "reboot-loop";
    case SimFault::kFirmwareRegression: return "firmware-regression";
    case SimFault::kDocsisNoise: return "docsis-noise";
  }
  return "";
}

std::optional<SimFault> ParseSimFault(std::string_view name) {
  for (SimFault f : {SimFault::kWifiCongestion24, SimFault::kWeakClient, SimFault::kRebootLoop,
                     SimFault::kFirmwareRegression, SimFault::kDocsisNoise}) {
    if (SimFaultName(f) == name) return f;
  }
  return std::nullopt;
}

SimDevice::SimDevice(SimDeviceConfig config) : config_(std::move(config)) {
  config_.radios = std::clamp(config_.radios, 2, 3);
  if (config_.data_model == DataModel::kTr098) config_.docsis = false;
  boot_time_ = config_.boot_time;
  previous_version_ = config_.software_version;

  Rng rng(config_.seed);
  // The story's household: three laptops, two phones, a tablet; one laptop on 2.4 GHz.
  struct Kind {
    const char* name;
    const char* oui;
    int radio;
    int signal;
    bool laptop;
  };
  const Kind kinds[] = {
      {"laptop-ana", "3C:A9:F4", 1, -52, true},   {"laptop-pedro", "A4:83:E7", 1, -58, true},
      {"laptop-sofia", "F8:FF:C2", 0, -61, true}, {"phone-ana", "5C:3A:45", 1, -55, false},
      {"phone-pedro", "DC:A6:32", 0, -64, false}, {"tablet", "AC:BC:32", 2, -57, false},
  };
  int octet = 20 + rng.Range(0, 30);
  for (const Kind& k : kinds) {
    Client c;
    c.mac = Mac(k.oui, rng);
    c.host_name = k.name;
    c.ip = "192.168.1." + Str(octet++);
    c.radio = std::min(k.radio, config_.radios - 1);
    c.base_signal = k.signal + rng.Range(-3, 3);
    c.laptop = k.laptop;
    clients_.push_back(std::move(c));
  }
  Build();
  Refresh(config_.boot_time);
}

// ---- Building the tree --------------------------------------------------------------------

void SimDevice::AddObjectNode(const std::string& name, std::uint8_t flags) {
  auto [it, inserted] = params_.try_emplace(name);
  it->second.flags |= static_cast<std::uint8_t>(kObject | flags);
  if (!inserted) return;
  const std::string_view without_dot = std::string_view(name).substr(0, name.size() - 1);
  const std::string_view parent = ParentPath(without_dot);
  if (!parent.empty()) AddObjectNode(std::string(parent));
}

void SimDevice::Add(const std::string& name, std::string value, std::uint8_t type,
                    std::uint8_t flags) {
  Param& p = params_[name];
  p.value = std::move(value);
  p.type = type;
  p.flags = flags;
  AddObjectNode(std::string(ParentPath(name)));
}

void SimDevice::Put(const std::string& name, std::string value) {
  auto it = params_.find(name);
  if (it == params_.end()) return;  // a path that this model does not have
  it->second.value = std::move(value);
}

const std::string& SimDevice::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params_.find(name);
  return it == params_.end() ? kEmpty : it->second.value;
}

std::string_view SimDevice::root() const {
  return config_.data_model == DataModel::kTr181 ? "Device." : "InternetGatewayDevice.";
}

std::string SimDevice::RadioPath(int radio) const {
  return config_.data_model == DataModel::kTr181
             ? "Device.WiFi.Radio." + Str(radio + 1) + "."
             : "InternetGatewayDevice.LANDevice.1.WLANConfiguration." + Str(radio + 1) + ".";
}

std::string SimDevice::ClientPath(std::size_t client) const {
  const int radio = clients_[client].radio;
  int index = 0;
  for (std::size_t i = 0; i <= client; ++i) index += clients_[i].radio == radio;
  return (config_.data_model == DataModel::kTr181
              ? "Device.WiFi.AccessPoint." + Str(radio + 1) + "."
              : RadioPath(radio)) +
         "AssociatedDevice." + Str(index) + ".";
}

std::string SimDevice::PortMappingTable() const {
  return config_.data_model == DataModel::kTr181
             ? "Device.NAT.PortMapping."
             : "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1."
               "PortMapping.";
}

int SimDevice::RadioChannel(int radio) const {
  int ch = 0;
  ParseNumber(std::string_view(Get(RadioPath(radio) + "Channel")), ch);
  return ch;
}

void SimDevice::Build() {
  if (config_.data_model == DataModel::kTr181) {
    BuildTr181();
  } else {
    BuildTr098();
  }
  channel_changed_at_.assign(static_cast<std::size_t>(config_.radios), boot_time_);
}

void SimDevice::BuildTr181() {
  const SimDeviceConfig& c = config_;
  Rng rng(c.seed * 31 + 7);
  Add("Device.RootDataModelVersion", "2.15", kStr);
  const std::string di = "Device.DeviceInfo.";
  Add(di + "Manufacturer", c.manufacturer, kStr);
  Add(di + "ManufacturerOUI", c.oui, kStr);
  Add(di + "ModelName", c.model_name, kStr);
  Add(di + "Description", "Home gateway with Wi-Fi 6", kStr);
  Add(di + "ProductClass", c.product_class, kStr);
  Add(di + "SerialNumber", c.serial_number, kStr);
  Add(di + "HardwareVersion", "HW" + Str(rng.Range(1, 3)) + ".0", kStr);
  Add(di + "SoftwareVersion", c.software_version, kStr);
  Add(di + "ProvisioningCode", "", kStr, kWritable);
  Add(di + "UpTime", "0", kUint, kDynamic);
  Add(di + "MemoryStatus.Total", "524288", kUint);
  Add(di + "MemoryStatus.Free", "0", kUint, kDynamic);
  Add(di + "ProcessStatus.CPUUsage", "0", kUint, kDynamic);

  const std::string ms = "Device.ManagementServer.";
  Add(ms + "URL", c.acs_url, kStr, kWritable);
  Add(ms + "Username", c.acs_username, kStr, kWritable);
  Add(ms + "Password", c.acs_password, kStr, kWritable | kSecret);
  Add(ms + "PeriodicInformEnable", "1", kBool, kWritable);
  Add(ms + "PeriodicInformInterval", Str(c.periodic_inform_interval), kUint, kWritable);
  Add(ms + "PeriodicInformTime", std::string(kUnknownTime), kDate, kWritable);
  Add(ms + "ParameterKey", "", kStr);
  Add(ms + "ConnectionRequestURL", c.connection_request_url, kStr);
  Add(ms + "ConnectionRequestUsername", c.connection_request_username, kStr, kWritable);
  Add(ms + "ConnectionRequestPassword", c.connection_request_password, kStr, kWritable | kSecret);
  Add(ms + "CWMPRetryMinimumWaitInterval", "5", kUint, kWritable);
  Add(ms + "CWMPRetryIntervalMultiplier", "2000", kUint, kWritable);

  Add("Device.IP.Interface.1.Enable", "1", kBool, kWritable);
  Add("Device.IP.Interface.1.Status", "Up", kStr);
  Add("Device.IP.Interface.1.Name", "erouter0", kStr);
  Add("Device.IP.Interface.1.IPv4Address.1.IPAddress",
      "100.64." + Str(rng.Range(0, 255)) + "." + Str(rng.Range(2, 254)), kStr);
  Add("Device.IP.Interface.1.IPv4Address.1.SubnetMask", "255.255.192.0", kStr);
  Add("Device.IP.Interface.1.IPv4Address.1.AddressingType", "DHCP", kStr);
  Add("Device.IP.Interface.2.Enable", "1", kBool, kWritable);
  Add("Device.IP.Interface.2.Status", "Up", kStr);
  Add("Device.IP.Interface.2.Name", "brlan0", kStr);
  Add("Device.IP.Interface.2.IPv4Address.1.IPAddress", "192.168.1.1", kStr);
  Add("Device.IP.Interface.2.IPv4Address.1.SubnetMask", "255.255.255.0", kStr);
  Add("Device.Ethernet.Interface.1.Enable", "1", kBool, kWritable);
  Add("Device.Ethernet.Interface.1.Status", "Up", kStr);
  Add("Device.Ethernet.Interface.1.Name", "eth0", kStr);
  Add("Device.Ethernet.Interface.1.MACAddress", Mac("00:D0:9E", rng), kStr);

  const int n = c.radios;
  Add("Device.WiFi.RadioNumberOfEntries", Str(n), kUint);
  Add("Device.WiFi.SSIDNumberOfEntries", Str(n), kUint);
  Add("Device.WiFi.AccessPointNumberOfEntries", Str(n), kUint);
  const std::string ssid_base = "Hilo-" + c.serial_number.substr(c.serial_number.size() > 4
                                                                     ? c.serial_number.size() - 4
                                                                     : 0);
  for (int r = 0; r < n; ++r) {
    const std::string rp = RadioPath(r);
    const std::string idx = Str(r + 1);
    const bool b24 = r == 0, b6 = r == 2;
    Add(rp + "Enable", "1", kBool, kWritable);
    Add(rp + "Status", "Up", kStr);
    Add(rp + "Name", "wifi" + Str(r), kStr);
    Add(rp + "SupportedFrequencyBands", std::string(kBands[r]), kStr);
    Add(rp + "OperatingFrequencyBand", std::string(kBands[r]), kStr);
    Add(rp + "SupportedStandards", b24 ? "b,g,n,ax" : b6 ? "ax" : "a,n,ac,ax", kStr);
    Add(rp + "OperatingStandards", b24 ? "g,n,ax" : b6 ? "ax" : "a,n,ac,ax", kStr, kWritable);
    Add(rp + "PossibleChannels",
        b24  ? "1-13"
        : b6 ? "1,5,9,13,17,21,25,29,33,37,41,45,49,53,57,61,65,69,73,77,81,85,89,93"
             : "36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140,149,153,157,161,165",
        kStr);
    Add(rp + "ChannelsInUse", "", kStr, kDynamic);
    constexpr int k24[] = {1, 6, 11};
    constexpr int k5[] = {36, 44, 149, 157};
    const int channel = b24 ? k24[rng.Range(0, 2)] : b6 ? 37 : k5[rng.Range(0, 3)];
    Add(rp + "Channel", Str(channel), kUint, kWritable);
    Add(rp + "AutoChannelSupported", "1", kBool);
    // 2.4 GHz pinned by hand, as in many homes; the other bands pick their own.
    Add(rp + "AutoChannelEnable", b24 ? "0" : "1", kBool, kWritable);
    Add(rp + "AutoChannelRefreshPeriod", "0", kUint, kWritable);
    Add(rp + "ChannelLastChange", "0", kUint, kDynamic);
    Add(rp + "ChannelLastSelectionReason", b24 ? "Manual" : "Auto_Startup", kStr);
    Add(rp + "OperatingChannelBandwidth", b24 ? "20MHz" : b6 ? "160MHz" : "80MHz", kStr, kWritable);
    Add(rp + "CurrentOperatingChannelBandwidth", b24 ? "20MHz" : b6 ? "160MHz" : "80MHz", kStr);
    Add(rp + "TransmitPowerSupported", "-1,25,50,75,100", kStr);
    Add(rp + "TransmitPower", "100", kInt, kWritable);
    Add(rp + "RegulatoryDomain", "CL ", kStr);
    Add(rp + "IEEE80211hSupported", b24 ? "0" : "1", kBool);
    for (const char* s : {"BytesSent", "BytesReceived", "PacketsSent", "PacketsReceived"})
      Add(rp + "Stats." + s, "0", kUlong, kDynamic);
    for (const char* s : {"ErrorsSent", "ErrorsReceived", "DiscardPacketsSent",
                          "DiscardPacketsReceived"})
      Add(rp + "Stats." + s, "0", kUint, kDynamic);
    Add(rp + "Stats.Noise", "0", kInt, kDynamic);
    Add(rp + "Stats.TotalChannelChangeCount", "0", kUint);
    Add(rp + "Stats.ManualChannelChangeCount", "0", kUint);
    Add(rp + "Stats.AutoUserChannelChangeCount", "0", kUint);

    const std::string radio_mac = Mac("00:D0:9E", rng);
    const std::string sp = "Device.WiFi.SSID." + idx + ".";
    Add(sp + "Enable", "1", kBool, kWritable);
    Add(sp + "Status", "Up", kStr);
    Add(sp + "Name", "wl" + Str(r), kStr);
    Add(sp + "LowerLayers", "Device.WiFi.Radio." + idx, kStr);
    Add(sp + "BSSID", radio_mac, kStr);
    Add(sp + "MACAddress", radio_mac, kStr);
    Add(sp + "SSID", ssid_base + (b24 ? "" : b6 ? "-6G" : "-5G"), kStr, kWritable);
    for (const char* s : {"BytesSent", "BytesReceived", "PacketsSent", "PacketsReceived"})
      Add(sp + "Stats." + s, "0", kUlong, kDynamic);
    for (const char* s : {"ErrorsSent", "RetransCount", "FailedRetransCount", "RetryCount"})
      Add(sp + "Stats." + s, "0", kUint, kDynamic);

    const std::string ap = "Device.WiFi.AccessPoint." + idx + ".";
    Add(ap + "Enable", "1", kBool, kWritable);
    Add(ap + "Status", "Enabled", kStr);
    Add(ap + "SSIDReference", "Device.WiFi.SSID." + idx, kStr);
    Add(ap + "SSIDAdvertisementEnabled", "1", kBool, kWritable);
    Add(ap + "MaxAssociatedDevices", "32", kUint, kWritable);
    Add(ap + "AssociatedDeviceNumberOfEntries", "0", kUint);
    Add(ap + "Security.ModesSupported", "None,WPA2-Personal,WPA3-Personal,WPA2-WPA3-Personal",
        kStr);
    Add(ap + "Security.ModeEnabled", "WPA2-Personal", kStr, kWritable);
    Add(ap + "Security.KeyPassphrase", "hilo-" + Str(rng.Range(10000000, 99999999)), kStr,
        kWritable | kSecret);
    AddObjectNode(ap + "AssociatedDevice.");

    const std::string de = "Device.WiFi.DataElements.Network.Device.1.Radio." + idx + ".";
    Add(de + "ID", radio_mac, kStr);
    for (const char* s : {"Noise", "Utilization", "Transmit", "ReceiveSelf", "ReceiveOther"})
      Add(de + s, "0", kUint, kDynamic);
  }
  int count[3] = {0, 0, 0};
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const Client& cl = clients_[i];
    ++count[cl.radio];
    const std::string p = ClientPath(i);
    Add(p + "MACAddress", cl.mac, kStr);
    Add(p + "AuthenticationState", "1", kBool);
    Add(p + "OperatingStandard", cl.radio == 0 ? "n" : "ax", kStr);
    Add(p + "AssociationTime", FormatIsoTime(boot_time_ + 40 + static_cast<Time>(i) * 7), kDate);
    for (const char* s : {"LastDataDownlinkRate", "LastDataUplinkRate", "Retransmissions"})
      Add(p + s, "0", kUint, kDynamic);
    Add(p + "SignalStrength", "0", kInt, kDynamic);
    Add(p + "Noise", "0", kInt, kDynamic);
    Add(p + "Active", "1", kBool, kDynamic);
    for (const char* s : {"BytesSent", "BytesReceived", "PacketsSent", "PacketsReceived"})
      Add(p + "Stats." + s, "0", kUlong, kDynamic);
    for (const char* s : {"ErrorsSent", "RetransCount", "FailedRetransCount", "RetryCount"})
      Add(p + "Stats." + s, "0", kUint, kDynamic);
  }
  for (int r = 0; r < n; ++r) {
    Put("Device.WiFi.AccessPoint." + Str(r + 1) + ".AssociatedDeviceNumberOfEntries",
        Str(count[r]));
  }
  Add("Device.WiFi.NeighboringWiFiDiagnostic.DiagnosticsState", "Complete", kStr, kWritable);
  Add("Device.WiFi.NeighboringWiFiDiagnostic.ResultNumberOfEntries", "0", kUint, kDynamic);
  AddObjectNode("Device.WiFi.NeighboringWiFiDiagnostic.Result.");

  Add("Device.Hosts.HostNumberOfEntries", Str(clients_.size() + 1), kUint);
  for (std::size_t i = 0; i <= clients_.size(); ++i) {
    const std::string hp = "Device.Hosts.Host." + Str(i + 1) + ".";
    const bool wired = i == clients_.size();
    Add(hp + "PhysAddress", wired ? Mac("00:1E:B8", rng) : clients_[i].mac, kStr);
    Add(hp + "IPAddress", wired ? "192.168.1.10" : clients_[i].ip, kStr);
    Add(hp + "HostName", wired ? "smart-tv" : clients_[i].host_name, kStr);
    Add(hp + "AddressSource", "DHCP", kStr);
    Add(hp + "InterfaceType", wired ? "Ethernet" : "Wi-Fi", kStr);
    Add(hp + "Layer1Interface",
        wired ? "Device.Ethernet.Interface.1" : "Device.WiFi.SSID." + Str(clients_[i].radio + 1),
        kStr);
    Add(hp + "AssociatedDevice", wired ? "" : ClientPath(i).substr(0, ClientPath(i).size() - 1),
        kStr);
    Add(hp + "Active", "1", kBool, kDynamic);
    Add(hp + "LeaseTimeRemaining", "0", kInt, kDynamic);
  }

  Add("Device.NAT.PortMappingNumberOfEntries", "0", kUint);
  AddObjectNode(PortMappingTable(), kTable);

  if (c.docsis) {
    Add("Device.DOCSIS.Interface.1.Status", "Up", kStr);
    Add("Device.DOCSIS.Interface.1.ConnectivityStatus.Value", "Operational", kStr);
    Add("Device.DOCSIS.DownstreamChannelNumberOfEntries", "4", kUint);
    Add("Device.DOCSIS.UpstreamChannelNumberOfEntries", "2", kUint);
    for (int k = 1; k <= 4; ++k) {
      const std::string d = "Device.DOCSIS.DownstreamChannel." + Str(k) + ".";
      Add(d + "Frequency", Str(567000000 + (k - 1) * 6000000), kUint);
      Add(d + "Modulation", "QAM256", kStr);
      Add(d + "Power", "0", kInt, kDynamic);
      Add(d + "SignalQuality.SignalNoise", "0", kUint, kDynamic);
      Add(d + "SignalQuality.ExtUnerroreds", "0", kUlong, kDynamic);
      Add(d + "SignalQuality.ExtCorrecteds", "0", kUlong, kDynamic);
      Add(d + "SignalQuality.ExtUncorrectables", "0", kUlong, kDynamic);
      Add(d + "SignalQualityExt.RxMER", "0", kUint, kDynamic);
    }
    for (int k = 1; k <= 2; ++k) {
      const std::string u = "Device.DOCSIS.UpstreamChannel." + Str(k) + ".";
      Add(u + "Frequency", Str(29800000 + (k - 1) * 6400000), kUint);
      Add(u + "Status.TxPower", "0", kInt, kDynamic);
      Add(u + "Status.T3Timeouts", "0", kUint, kDynamic);
      Add(u + "Status.T4Timeouts", "0", kUint, kDynamic);
    }
  }
}

void SimDevice::BuildTr098() {
  const SimDeviceConfig& c = config_;
  Rng rng(c.seed * 31 + 7);
  const std::string ig = "InternetGatewayDevice.";
  Add(ig + "DeviceSummary",
      "InternetGatewayDevice:1.4[](Baseline:2, EthernetLAN:1, WiFiLAN:2, Time:1, IPPing:1)", kStr);
  const std::string di = ig + "DeviceInfo.";
  Add(di + "Manufacturer", c.manufacturer, kStr);
  Add(di + "ManufacturerOUI", c.oui, kStr);
  Add(di + "ModelName", c.model_name, kStr);
  Add(di + "Description", "Home gateway", kStr);
  Add(di + "ProductClass", c.product_class, kStr);
  Add(di + "SerialNumber", c.serial_number, kStr);
  Add(di + "HardwareVersion", "HW" + Str(rng.Range(1, 3)) + ".0", kStr);
  Add(di + "SoftwareVersion", c.software_version, kStr);
  Add(di + "SpecVersion", "1.0", kStr);
  Add(di + "ProvisioningCode", "", kStr, kWritable);
  Add(di + "UpTime", "0", kUint, kDynamic);

  const std::string ms = ig + "ManagementServer.";
  Add(ms + "URL", c.acs_url, kStr, kWritable);
  Add(ms + "Username", c.acs_username, kStr, kWritable);
  Add(ms + "Password", c.acs_password, kStr, kWritable | kSecret);
  Add(ms + "PeriodicInformEnable", "1", kBool, kWritable);
  Add(ms + "PeriodicInformInterval", Str(c.periodic_inform_interval), kUint, kWritable);
  Add(ms + "PeriodicInformTime", std::string(kUnknownTime), kDate, kWritable);
  Add(ms + "ParameterKey", "", kStr);
  Add(ms + "ConnectionRequestURL", c.connection_request_url, kStr);
  Add(ms + "ConnectionRequestUsername", c.connection_request_username, kStr, kWritable);
  Add(ms + "ConnectionRequestPassword", c.connection_request_password, kStr, kWritable | kSecret);

  const std::string wan = ig + "WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.";
  Add(wan + "Enable", "1", kBool, kWritable);
  Add(wan + "ConnectionStatus", "Connected", kStr);
  Add(wan + "ExternalIPAddress",
      "100.64." + Str(rng.Range(0, 255)) + "." + Str(rng.Range(2, 254)), kStr);
  Add(wan + "SubnetMask", "255.255.192.0", kStr);
  Add(wan + "PortMappingNumberOfEntries", "0", kUint);
  AddObjectNode(PortMappingTable(), kTable);

  const std::string lan = ig + "LANDevice.1.";
  Add(lan + "LANHostConfigManagement.IPInterface.1.IPInterfaceIPAddress", "192.168.1.1", kStr);
  Add(lan + "LANWLANConfigurationNumberOfEntries", Str(c.radios), kUint);
  const std::string ssid_base = "Hilo-" + c.serial_number.substr(c.serial_number.size() > 4
                                                                     ? c.serial_number.size() - 4
                                                                     : 0);
  for (int r = 0; r < c.radios; ++r) {
    const std::string w = RadioPath(r);
    const bool b24 = r == 0, b6 = r == 2;
    Add(w + "Enable", "1", kBool, kWritable);
    Add(w + "Status", "Up", kStr);
    Add(w + "Name", "wl" + Str(r), kStr);
    Add(w + "BSSID", Mac("00:D0:9E", rng), kStr);
    Add(w + "SSID", ssid_base + (b24 ? "" : b6 ? "-6G" : "-5G"), kStr, kWritable);
    Add(w + "BeaconType", "11i", kStr, kWritable);
    Add(w + "Standard", b24 ? "n" : "ac", kStr);
    Add(w + "OperatingFrequencyBand", std::string(kBands[r]), kStr);
    Add(w + "PossibleChannels",
        b24 ? "1-13" : b6 ? "1,5,9,13,17,21,25,29,33,37" : "36,40,44,48,52,56,60,64,149,153,157,161",
        kStr);
    Add(w + "ChannelsInUse", "", kStr, kDynamic);
    constexpr int k24[] = {1, 6, 11};
    constexpr int k5[] = {36, 44, 149, 157};
    Add(w + "Channel", Str(b24 ? k24[rng.Range(0, 2)] : b6 ? 37 : k5[rng.Range(0, 3)]), kUint,
        kWritable);
    Add(w + "AutoChannelEnable", b24 ? "0" : "1", kBool, kWritable);
    Add(w + "X_HILO_OperatingChannelBandwidth", b24 ? "20MHz" : "80MHz", kStr, kWritable);
    Add(w + "TransmitPowerSupported", "20,40,60,80,100", kStr);
    Add(w + "TransmitPower", "100", kUint, kWritable);
    Add(w + "RegulatoryDomain", "CL ", kStr);
    Add(w + "TotalAssociations", "0", kUint);
    for (const char* s : {"TotalBytesSent", "TotalBytesReceived", "TotalPacketsSent",
                          "TotalPacketsReceived", "Stats.ErrorsSent", "Stats.ErrorsReceived"})
      Add(w + s, "0", kUint, kDynamic);
    Add(w + "PreSharedKey.1.KeyPassphrase", "hilo-" + Str(rng.Range(10000000, 99999999)), kStr,
        kWritable | kSecret);
    Add(w + "X_HILO_Noise", "0", kInt, kDynamic);
    for (const char* s : {"X_HILO_Utilization", "X_HILO_ReceiveOther", "X_HILO_NeighborCount"})
      Add(w + s, "0", kUint, kDynamic);
    Add(w + "X_HILO_ChannelChangeCount", "0", kUint);
    AddObjectNode(w + "AssociatedDevice.");
  }
  int count[3] = {0, 0, 0};
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const Client& cl = clients_[i];
    ++count[cl.radio];
    const std::string p = ClientPath(i);
    Add(p + "AssociatedDeviceMACAddress", cl.mac, kStr);
    Add(p + "AssociatedDeviceIPAddress", cl.ip, kStr);
    Add(p + "AssociatedDeviceAuthenticationState", "1", kBool);
    Add(p + "LastDataTransmitRate", "0", kStr, kDynamic);  // string(4), Mbps
    Add(p + "X_HILO_SignalStrength", "0", kInt, kDynamic);
    for (const char* s : {"X_HILO_Retransmissions", "X_HILO_LastDataDownlinkRate",
                          "X_HILO_LastDataUplinkRate"})
      Add(p + s, "0", kUint, kDynamic);
  }
  for (int r = 0; r < c.radios; ++r) Put(RadioPath(r) + "TotalAssociations", Str(count[r]));

  Add(lan + "Hosts.HostNumberOfEntries", Str(clients_.size() + 1), kUint);
  for (std::size_t i = 0; i <= clients_.size(); ++i) {
    const std::string hp = lan + "Hosts.Host." + Str(i + 1) + ".";
    const bool wired = i == clients_.size();
    Add(hp + "MACAddress", wired ? Mac("00:1E:B8", rng) : clients_[i].mac, kStr);
    Add(hp + "IPAddress", wired ? "192.168.1.10" : clients_[i].ip, kStr);
    Add(hp + "HostName", wired ? "smart-tv" : clients_[i].host_name, kStr);
    Add(hp + "AddressSource", "DHCP", kStr);
    Add(hp + "InterfaceType", wired ? "Ethernet" : "802.11", kStr);
    Add(hp + "Layer2Interface",
        wired ? lan + "LANEthernetInterfaceConfig.1"
              : RadioPath(clients_[i].radio).substr(0, RadioPath(clients_[i].radio).size() - 1),
        kStr);
    Add(hp + "Active", "1", kBool, kDynamic);
    Add(hp + "LeaseTimeRemaining", "0", kInt, kDynamic);
  }
}

void SimDevice::AddPortMapping(unsigned instance) {
  const std::string p = PortMappingTable() + Str(instance) + ".";
  AddObjectNode(p, kInstance);
  const bool tr181 = config_.data_model == DataModel::kTr181;
  Add(p + (tr181 ? "Enable" : "PortMappingEnabled"), "0", kBool, kWritable);
  Add(p + "ExternalPort", "0", kUint, kWritable);
  Add(p + "InternalPort", "0", kUint, kWritable);
  Add(p + (tr181 ? "Protocol" : "PortMappingProtocol"), "TCP", kStr, kWritable);
  Add(p + "InternalClient", "", kStr, kWritable);
  Add(p + (tr181 ? "Description" : "PortMappingDescription"), "", kStr, kWritable);
}

// ---- Telemetry ----------------------------------------------------------------------------

double SimDevice::Jitter(std::string_view key, std::int64_t bucket) const {
  const std::uint64_t h =
      SplitMix(Fnv1a(key) ^ SplitMix(config_.seed) ^ (static_cast<std::uint64_t>(bucket) * 0x9E37ULL));
  return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
}

Time SimDevice::BootTime(Time now) const {
  Time boot = boot_time_;
  if (auto it = faults_.find(SimFault::kFirmwareRegression);
      it != faults_.end() && !it->second.applied && now >= it->second.start) {
    boot = std::max(boot, it->second.start);
  }
  if (auto it = faults_.find(SimFault::kRebootLoop); it != faults_.end() && now >= it->second.start) {
    const Time loop_boot =
        it->second.start + (now - it->second.start) / kRebootLoopPeriod * kRebootLoopPeriod;
    boot = std::max(boot, loop_boot);
  }
  return std::min(boot, now);
}

std::uint64_t SimDevice::BootSeq(Time now) const {
  std::uint64_t seq = boot_seq_;
  if (auto it = faults_.find(SimFault::kFirmwareRegression);
      it != faults_.end() && !it->second.applied && now >= it->second.start) {
    ++seq;
  }
  if (auto it = faults_.find(SimFault::kRebootLoop); it != faults_.end() && now >= it->second.start) {
    seq += static_cast<std::uint64_t>((now - it->second.start) / kRebootLoopPeriod + 1);
  }
  return seq;
}

bool SimDevice::CongestionActive(Time now) const {
  auto it = faults_.find(SimFault::kWifiCongestion24);
  return it != faults_.end() && now >= it->second.start && RadioChannel(0) == congested_channel_;
}

bool SimDevice::FirmwareBad(Time now) const {
  auto it = faults_.find(SimFault::kFirmwareRegression);
  if (it == faults_.end() || now < it->second.start) return false;
  if (!it->second.applied) return true;  // installs at the next refresh
  const std::string sw = std::string(root()) + "DeviceInfo.SoftwareVersion";
  return Get(sw) == bad_version_;
}

void SimDevice::Refresh(Time now) {
  // A session asks many times for the same instant; the telemetry only depends on `now` and on
  // state whose mutators reset refreshed_at_.
  if (refreshed_at_ == now) return;
  refreshed_at_ = now;
  if (auto it = faults_.find(SimFault::kFirmwareRegression);
      it != faults_.end() && !it->second.applied && now >= it->second.start) {
    // The automatic upgrade to the bad image happens (and reboots the gateway) at `start`.
    it->second.applied = true;
    Put(std::string(root()) + "DeviceInfo.SoftwareVersion", bad_version_);
    boot_time_ = std::max(boot_time_, it->second.start);
    ++boot_seq_;
  }
  const Time up_since = BootTime(now);
  const Time up = std::max<Time>(0, now - up_since);
  const std::string di = std::string(root()) + "DeviceInfo.";
  Put(di + "UpTime", Str(up));
  if (config_.data_model == DataModel::kTr181) {
    const std::int64_t bucket = now / kMinute;
    Put(di + "MemoryStatus.Free", Str(static_cast<int>(190000 + Jitter("mem", bucket) * 40000)));
    Put(di + "ProcessStatus.CPUUsage", Str(static_cast<int>(4 + Jitter("cpu", bucket) * 12)));
  }
  RefreshWifi(now, up_since);
  if (config_.docsis) RefreshDocsis(now, up_since);
}

void SimDevice::RefreshWifi(Time now, Time up_since) {
  const bool tr181 = config_.data_model == DataModel::kTr181;
  const std::int64_t bucket = now / kMinute;
  const Time up = std::max<Time>(0, now - up_since);
  const bool congested = CongestionActive(now);
  const bool firmware_bad = FirmwareBad(now);
  const auto weak = faults_.find(SimFault::kWeakClient);
  const bool weak_on = weak != faults_.end() && now >= weak->second.start;

  // Seconds of this uptime spent degraded, so that counters stay monotonic within a boot.
  auto degraded_since = [&](SimFault f) -> Time {
    auto it = faults_.find(f);
    if (it == faults_.end() || now < it->second.start) return 0;
    return std::max<Time>(0, now - std::max(up_since, it->second.start));
  };
  const Time congestion_secs = congested ? degraded_since(SimFault::kWifiCongestion24) : 0;
  const Time firmware_secs = firmware_bad ? degraded_since(SimFault::kFirmwareRegression) : 0;

  // Neighbours: the baseline, plus a crowd on the congested channel once congestion began.
  std::vector<Neighbour> neighbours = BaselineNeighbours(config_.seed, config_.radios);
  if (auto it = faults_.find(SimFault::kWifiCongestion24);
      it != faults_.end() && now >= it->second.start) {
    Rng rng(config_.seed ^ 0xC0FFEEULL);
    for (int i = 0; i < 14; ++i) {
      neighbours.push_back({0, "NET-" + Str(rng.Range(1000, 9999)), Mac("B0:4E:26", rng),
                            congested_channel_, rng.Range(-75, -55)});
    }
  }

  for (int r = 0; r < config_.radios; ++r) {
    const std::string rp = RadioPath(r);
    const std::string key = "radio" + Str(r);
    const double j = Jitter(key, bucket);
    const bool hot = r == 0 && congested;
    const int base_noise = r == 0 ? -92 : r == 1 ? -95 : -96;
    const int noise = hot ? -74 + static_cast<int>(j * 4) : base_noise + static_cast<int>(j * 4) - 2;
    const unsigned util = hot ? 225 + static_cast<unsigned>(j * 20)
                              : (r == 0 ? 70 : 30) + static_cast<unsigned>(j * 25);
    const unsigned other = hot ? 160 + static_cast<unsigned>(j * 30)
                               : (r == 0 ? 25 : 8) + static_cast<unsigned>(j * 15);
    const std::uint64_t rate = 120000 + (SplitMix(config_.seed + static_cast<unsigned>(r)) % 80000);
    const std::uint64_t bytes_sent = static_cast<std::uint64_t>(up) * rate;
    const std::uint64_t bytes_recv = bytes_sent / 3;
    const std::uint64_t pkts_sent = bytes_sent / 1200, pkts_recv = bytes_recv / 900;
    const std::uint64_t errors =
        pkts_sent / 5000 + static_cast<std::uint64_t>(congestion_secs * 40 + firmware_secs * 30);
    const int channel = RadioChannel(r);
    std::set<int> in_use{channel};
    unsigned on_channel = 0;
    for (const Neighbour& n : neighbours) {
      if (n.radio != r) continue;
      in_use.insert(n.channel);
      on_channel += n.channel == channel;
    }
    std::string in_use_text;
    for (int ch : in_use) in_use_text += (in_use_text.empty() ? "" : ",") + Str(ch);
    Put(rp + "ChannelsInUse", in_use_text);
    if (tr181) {
      Put(rp + "ChannelLastChange",
          Str(std::max<Time>(0, now - std::max(channel_changed_at_[static_cast<std::size_t>(r)], up_since))));
      Put(rp + "Stats.BytesSent", Str(bytes_sent));
      Put(rp + "Stats.BytesReceived", Str(bytes_recv));
      Put(rp + "Stats.PacketsSent", Str(pkts_sent));
      Put(rp + "Stats.PacketsReceived", Str(pkts_recv));
      Put(rp + "Stats.ErrorsSent", Str(errors % (1ULL << 32)));
      Put(rp + "Stats.ErrorsReceived", Str((errors / 2) % (1ULL << 32)));
      Put(rp + "Stats.Noise", Str(noise));
      const std::string idx = Str(r + 1);
      const std::string de = "Device.WiFi.DataElements.Network.Device.1.Radio." + idx + ".";
      Put(de + "Noise", Str(std::clamp((noise + 110) * 2, 0, 255)));  // ANPI code
      Put(de + "Utilization", Str(util));
      Put(de + "ReceiveOther", Str(other));
      Put(de + "Transmit", Str(util > other ? (util - other) * 2 / 3 : 0u));
      Put(de + "ReceiveSelf", Str(util > other ? (util - other) / 3 : 0u));
      const std::string sp = "Device.WiFi.SSID." + idx + ".Stats.";
      Put(sp + "BytesSent", Str(bytes_sent));
      Put(sp + "BytesReceived", Str(bytes_recv));
      Put(sp + "PacketsSent", Str(pkts_sent));
      Put(sp + "PacketsReceived", Str(pkts_recv));
      Put(sp + "ErrorsSent", Str(errors % (1ULL << 32)));
      const std::uint64_t retrans = pkts_sent * 4 / 100 +
                                    static_cast<std::uint64_t>(congestion_secs + firmware_secs) * 60;
      Put(sp + "RetransCount", Str(retrans % (1ULL << 32)));
      Put(sp + "FailedRetransCount", Str((retrans / 20) % (1ULL << 32)));
      Put(sp + "RetryCount", Str((retrans * 3 / 2) % (1ULL << 32)));
    } else {
      Put(rp + "TotalBytesSent", Str(bytes_sent % (1ULL << 32)));
      Put(rp + "TotalBytesReceived", Str(bytes_recv % (1ULL << 32)));
      Put(rp + "TotalPacketsSent", Str(pkts_sent % (1ULL << 32)));
      Put(rp + "TotalPacketsReceived", Str(pkts_recv % (1ULL << 32)));
      Put(rp + "Stats.ErrorsSent", Str(errors % (1ULL << 32)));
      Put(rp + "Stats.ErrorsReceived", Str((errors / 2) % (1ULL << 32)));
      Put(rp + "X_HILO_Noise", Str(noise));
      Put(rp + "X_HILO_Utilization", Str(util));
      Put(rp + "X_HILO_ReceiveOther", Str(other));
      Put(rp + "X_HILO_NeighborCount", Str(on_channel));
    }
  }

  if (tr181) {
    const std::string nd = "Device.WiFi.NeighboringWiFiDiagnostic.Result.";
    const std::string count_name = "Device.WiFi.NeighboringWiFiDiagnostic.ResultNumberOfEntries";
    // The table is rebuilt only when its rows change (congestion starting or ending); otherwise
    // only the signal readings move.
    const bool same_rows = Get(count_name) == Str(neighbours.size()) &&
                           params_.contains(nd + Str(neighbours.size()) + ".BSSID") &&
                           Get(nd + Str(neighbours.size()) + ".BSSID") == neighbours.back().bssid;
    if (!same_rows) {
      for (auto it = params_.lower_bound(nd); it != params_.end() && it->first.starts_with(nd);) {
        it = params_.erase(it);
      }
      AddObjectNode(nd);
    }
    for (std::size_t i = 0; i < neighbours.size(); ++i) {
      const Neighbour& n = neighbours[i];
      const std::string p = nd + Str(i + 1) + ".";
      const std::string signal =
          Str(n.signal + static_cast<int>(Jitter(n.bssid, bucket) * 4) - 2);
      if (same_rows) {
        Put(p + "SignalStrength", signal);
        continue;
      }
      Add(p + "Radio", "Device.WiFi.Radio." + Str(n.radio + 1), kStr, kDynamic);
      Add(p + "SSID", n.ssid, kStr, kDynamic);
      Add(p + "BSSID", n.bssid, kStr, kDynamic);
      Add(p + "Mode", "Infrastructure", kStr, kDynamic);
      Add(p + "Channel", Str(n.channel), kUint, kDynamic);
      Add(p + "SignalStrength", signal, kInt, kDynamic);
      Add(p + "OperatingFrequencyBand", std::string(kBands[static_cast<std::size_t>(n.radio)]),
          kStr, kDynamic);
      Add(p + "OperatingChannelBandwidth", n.radio == 0 ? "20MHz" : "80MHz", kStr, kDynamic);
    }
    Put("Device.WiFi.NeighboringWiFiDiagnostic.ResultNumberOfEntries", Str(neighbours.size()));
  }

  const std::string host_table = tr181 ? "Device.Hosts.Host." : "InternetGatewayDevice.LANDevice.1.Hosts.Host.";
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const Client& cl = clients_[i];
    const std::string p = ClientPath(i);
    const double j = Jitter(cl.mac, bucket);
    const double j2 = Jitter(cl.mac + "/2", bucket);
    const bool is_weak = weak_on && i == WeakClientIndex();
    const bool on_hot_radio = congested && cl.radio == 0;
    int signal = is_weak ? -82 + static_cast<int>(j * 3) - 1 : cl.base_signal + static_cast<int>(j * 6) - 3;
    const double max_kbps = cl.radio == 0 ? 144400 : cl.radio == 1 ? 866700 : 1201000;
    double factor = std::clamp((signal + 85) / 30.0, 0.05, 1.0) * (0.85 + 0.15 * j2);
    double retrans = 2 + j2 * 4;
    if (on_hot_radio) {
      factor *= 0.3;
      retrans = 28 + j2 * 12;
    }
    if (firmware_bad) {
      factor *= 0.25;
      retrans = std::max(retrans, 30 + j * 15);
    }
    if (is_weak) retrans = std::max(retrans, 18 + j2 * 10);
    const unsigned down = std::max(1000u, static_cast<unsigned>(max_kbps * factor));
    const unsigned upl = std::max(1000u, static_cast<unsigned>(max_kbps * factor * 0.6));
    // A weak client drops off now and then; phones sleep occasionally.
    const bool active = is_weak ? j2 > 0.25 : (cl.laptop || Jitter(cl.mac, now / kHour) > 0.1);
    const std::uint64_t client_rate = 20000 + SplitMix(Fnv1a(cl.mac)) % 40000;
    const std::uint64_t sent = static_cast<std::uint64_t>(up) * client_rate;
    const std::uint64_t pkts = sent / 1200;
    const Time bad_secs = (on_hot_radio ? congestion_secs : 0) + firmware_secs +
                          (is_weak ? degraded_since(SimFault::kWeakClient) : 0);
    const std::uint64_t retrans_count =
        pkts * 3 / 100 + static_cast<std::uint64_t>(bad_secs) * client_rate / 1200 * 3 / 10;
    if (tr181) {
      Put(p + "SignalStrength", Str(signal));
      Put(p + "Noise", Str(ClientNoise(cl.radio, on_hot_radio, j)));
      Put(p + "LastDataDownlinkRate", Str(down));
      Put(p + "LastDataUplinkRate", Str(upl));
      Put(p + "Retransmissions", Str(static_cast<unsigned>(std::min(retrans, 100.0))));
      Put(p + "Active", active ? "1" : "0");
      Put(p + "Stats.BytesSent", Str(sent));
      Put(p + "Stats.BytesReceived", Str(sent / 4));
      Put(p + "Stats.PacketsSent", Str(pkts));
      Put(p + "Stats.PacketsReceived", Str(sent / 4 / 900));
      Put(p + "Stats.ErrorsSent", Str((retrans_count / 30) % (1ULL << 32)));
      Put(p + "Stats.RetransCount", Str(retrans_count % (1ULL << 32)));
      Put(p + "Stats.FailedRetransCount", Str((retrans_count / 25) % (1ULL << 32)));
      Put(p + "Stats.RetryCount", Str((retrans_count * 3 / 2) % (1ULL << 32)));
    } else {
      Put(p + "LastDataTransmitRate", Str(down / 1000));
      Put(p + "X_HILO_SignalStrength", Str(signal));
      Put(p + "X_HILO_Retransmissions", Str(static_cast<unsigned>(std::min(retrans, 100.0))));
      Put(p + "X_HILO_LastDataDownlinkRate", Str(down));
      Put(p + "X_HILO_LastDataUplinkRate", Str(upl));
    }
    const std::string hp = host_table + Str(i + 1) + ".";
    Put(hp + "Active", active ? "1" : "0");
    Put(hp + "LeaseTimeRemaining", Str(static_cast<int>(kDay - (now + static_cast<Time>(i) * 977) % kDay)));
  }
  const std::string wired = host_table + Str(clients_.size() + 1) + ".";
  Put(wired + "LeaseTimeRemaining", Str(static_cast<int>(kDay - now % kDay)));
}

int SimDevice::ClientNoise(int radio, bool hot, double j) const {
  // Per-client noise floor as the AP hears it: the radio's floor, a little worse near clients.
  const int base = radio == 0 ? -91 : radio == 1 ? -94 : -95;
  return hot ? -73 + static_cast<int>(j * 4) : base + static_cast<int>(j * 4) - 2;
}

void SimDevice::RefreshDocsis(Time now, Time up_since) {
  const std::int64_t bucket = now / kMinute;
  const Time up = std::max<Time>(0, now - up_since);
  const auto it = faults_.find(SimFault::kDocsisNoise);
  const bool noisy = it != faults_.end() && now >= it->second.start;
  const Time noisy_secs = noisy ? std::max<Time>(0, now - std::max(up_since, it->second.start)) : 0;
  for (int k = 1; k <= 4; ++k) {
    const std::string d = "Device.DOCSIS.DownstreamChannel." + Str(k) + ".";
    const double j = Jitter("ds" + Str(k), bucket);
    Put(d + "Power", Str(20 + k * 5 + static_cast<int>(j * 10)));  // TenthdBmV: 2.5..6.5 dBmV
    const int snr = noisy ? 245 + static_cast<int>(j * 30) : 385 + static_cast<int>(j * 20);
    Put(d + "SignalQuality.SignalNoise", Str(snr));
    Put(d + "SignalQualityExt.RxMER", Str(snr - 5 + static_cast<int>(j * 10)));
    const std::uint64_t cw = static_cast<std::uint64_t>(up) * 52000;
    const std::uint64_t correcteds =
        static_cast<std::uint64_t>(up) * 2 + static_cast<std::uint64_t>(noisy_secs) * 400;
    const std::uint64_t uncorrectables =
        static_cast<std::uint64_t>(up) / 600 + static_cast<std::uint64_t>(noisy_secs) * (30 + k * 3);
    Put(d + "SignalQuality.ExtUnerroreds", Str(cw - std::min(cw, correcteds + uncorrectables)));
    Put(d + "SignalQuality.ExtCorrecteds", Str(correcteds));
    Put(d + "SignalQuality.ExtUncorrectables", Str(uncorrectables));
  }
  for (int k = 1; k <= 2; ++k) {
    const std::string u = "Device.DOCSIS.UpstreamChannel." + Str(k) + ".Status.";
    const double j = Jitter("us" + Str(k), bucket);
    Put(u + "TxPower", Str((noisy ? 510 : 440) + static_cast<int>(j * 20)));
    Put(u + "T3Timeouts", Str(static_cast<std::uint64_t>(noisy_secs / 240)));
    Put(u + "T4Timeouts", Str(static_cast<std::uint64_t>(noisy_secs / 3600)));
  }
}

// ---- Faults -------------------------------------------------------------------------------

std::size_t SimDevice::WeakClientIndex() const { return 2; }  // laptop-sofia, on 2.4 GHz

std::string SimDevice::WeakClientMac() const { return clients_[WeakClientIndex()].mac; }

void SimDevice::InjectFault(SimFault fault, Time start) {
  refreshed_at_.reset();
  faults_[fault] = FaultState{start, false};
  switch (fault) {
    case SimFault::kWifiCongestion24:
      congested_channel_ = RadioChannel(0);
      Put(RadioPath(0) + "AutoChannelEnable", "0");
      break;
    case SimFault::kFirmwareRegression:
      previous_version_ = Get(std::string(root()) + "DeviceInfo.SoftwareVersion");
      bad_version_ = BumpVersion(previous_version_);
      break;
    default:
      break;
  }
}

void SimDevice::ClearFault(SimFault fault) {
  refreshed_at_.reset();
  faults_.erase(fault);
}

bool SimDevice::FaultActive(SimFault fault, Time now) {
  Refresh(now);
  auto it = faults_.find(fault);
  if (it == faults_.end() || now < it->second.start) return false;
  switch (fault) {
    case SimFault::kWifiCongestion24: return CongestionActive(now);
    case SimFault::kFirmwareRegression: return FirmwareBad(now);
    case SimFault::kDocsisNoise: return config_.docsis;
    default: return true;
  }
}

void SimDevice::SelectAutoChannel(int radio, Time now, std::string_view reason) {
  const std::vector<Neighbour> neighbours = BaselineNeighbours(config_.seed, config_.radios);
  const bool avoid = faults_.contains(SimFault::kWifiCongestion24);
  std::vector<int> candidates = radio == 0   ? std::vector<int>{1, 6, 11}
                                : radio == 1 ? std::vector<int>{36, 44, 149, 157}
                                             : std::vector<int>{37, 53, 69};
  int best = RadioChannel(radio);
  int best_count = std::numeric_limits<int>::max();
  for (int ch : candidates) {
    if (radio == 0 && avoid && ch == congested_channel_) continue;
    int count = 0;
    for (const Neighbour& n : neighbours) count += n.radio == radio && n.channel == ch;
    if (count < best_count) {
      best = ch;
      best_count = count;
    }
  }
  SetChannel(radio, best, now, reason);
}

void SimDevice::SetChannel(int radio, int channel, Time now, std::string_view reason) {
  const std::string rp = RadioPath(radio);
  if (RadioChannel(radio) != channel) {
    channel_changed_at_[static_cast<std::size_t>(radio)] = now;
    auto bump = [&](const std::string& name) {
      unsigned v = 0;
      ParseNumber(std::string_view(Get(name)), v);
      Put(name, Str(v + 1));
    };
    if (config_.data_model == DataModel::kTr181) {
      bump(rp + "Stats.TotalChannelChangeCount");
      bump(rp + (reason == "Manual" ? "Stats.ManualChannelChangeCount"
                                    : "Stats.AutoUserChannelChangeCount"));
    } else {
      bump(rp + "X_HILO_ChannelChangeCount");
    }
  }
  Put(rp + "Channel", Str(channel));
  Put(rp + "ChannelLastSelectionReason", std::string(reason));
}

// ---- RPCs ---------------------------------------------------------------------------------

DeviceId SimDevice::device_id() const {
  return {config_.manufacturer, config_.oui, config_.product_class, config_.serial_number};
}

std::string SimDevice::NextId() { return config_.serial_number + "-" + Str(++next_id_); }

void SimDevice::QueueEvent(std::string_view code, std::string command_key) {
  for (const EventStruct& e : pending_) {
    if (e.event_code == code && e.command_key == command_key) return;
  }
  pending_.push_back({std::string(code), std::move(command_key)});
}

std::vector<std::string> SimDevice::PendingEvents(Time now) {
  Refresh(now);
  std::vector<std::string> out;
  if (!config_.bootstrapped) out.emplace_back(kEventBootstrap);
  if (BootSeq(now) > reported_boot_seq_) out.emplace_back(kEventBoot);
  for (const EventStruct& e : pending_) {
    if (std::find(out.begin(), out.end(), e.event_code) == out.end()) out.push_back(e.event_code);
  }
  for (const auto& [name, value] : reported_) {
    auto it = params_.find(name);
    if (it != params_.end() && it->second.notification == 2 && it->second.value != value) {
      out.emplace_back(kEventValueChange);
      break;
    }
  }
  return out;
}

Inform SimDevice::BuildInform(std::vector<std::string> event_codes, Time now) {
  Refresh(now);
  Inform inform;
  inform.device_id = device_id();
  inform.max_envelopes = 1;
  inform.current_time = FormatIsoTime(now);
  inform.retry_count = 0;

  std::vector<std::string> changed;
  for (const auto& [name, value] : reported_) {
    auto it = params_.find(name);
    if (it != params_.end() && it->second.notification > 0 && it->second.value != value)
      changed.push_back(name);
  }
  if (!changed.empty() &&
      std::find(event_codes.begin(), event_codes.end(), kEventValueChange) == event_codes.end()) {
    event_codes.emplace_back(kEventValueChange);
  }
  for (const std::string& code : event_codes) {
    bool keyed = false;
    for (const EventStruct& e : pending_) {
      if (e.event_code == code && !e.command_key.empty()) {
        inform.events.push_back(e);
        keyed = true;
      }
    }
    if (!keyed) inform.events.push_back({code, ""});
  }

  const std::string r(root());
  std::vector<std::string> names;
  if (config_.data_model == DataModel::kTr181) {
    names = {r + "RootDataModelVersion", r + "DeviceInfo.HardwareVersion",
             r + "DeviceInfo.SoftwareVersion", r + "DeviceInfo.ProvisioningCode",
             r + "ManagementServer.ParameterKey", r + "ManagementServer.ConnectionRequestURL",
             "Device.IP.Interface.1.IPv4Address.1.IPAddress"};
  } else {
    names = {r + "DeviceSummary", r + "DeviceInfo.SpecVersion", r + "DeviceInfo.HardwareVersion",
             r + "DeviceInfo.SoftwareVersion", r + "DeviceInfo.ProvisioningCode",
             r + "ManagementServer.ConnectionRequestURL", r + "ManagementServer.ParameterKey",
             r + "WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress"};
  }
  for (const std::string& c : changed) {
    if (std::find(names.begin(), names.end(), c) == names.end()) names.push_back(c);
  }
  for (const std::string& n : names) {
    auto it = params_.find(n);
    if (it == params_.end()) continue;
    inform.parameters.push_back({n, (it->second.flags & kSecret) ? "" : it->second.value,
                                 "xsd:" + std::string(kTypes[it->second.type])});
  }
  return inform;
}

void SimDevice::AcknowledgeInform(const Inform& inform, Time now) {
  auto sent = [&](std::string_view code) {
    return std::any_of(inform.events.begin(), inform.events.end(),
                       [&](const EventStruct& e) { return e.event_code == code; });
  };
  if (sent(kEventBootstrap)) config_.bootstrapped = true;
  if (sent(kEventBoot) || sent(kEventBootstrap)) reported_boot_seq_ = BootSeq(now);
  std::erase_if(pending_, [&](const EventStruct& e) {
    return sent(e.event_code) && e.event_code != kEventTransferComplete &&
           e.event_code != kEventMDownload;
  });
  for (const ParameterValue& p : inform.parameters) {
    if (auto it = reported_.find(p.name); it != reported_.end()) it->second = p.value;
  }
}

std::optional<std::vector<std::string>> SimDevice::Matching(const std::string& name,
                                                            bool leaves_only) const {
  std::vector<std::string> out;
  if (name.empty() || name.back() == '.') {
    if (!name.empty()) {
      auto it = params_.find(name);
      if (it == params_.end() || !(it->second.flags & kObject)) return std::nullopt;
    }
    for (auto it = params_.lower_bound(name); it != params_.end() && it->first.starts_with(name);
         ++it) {
      if (!leaves_only || !(it->second.flags & kObject)) out.push_back(it->first);
    }
    return out;
  }
  auto it = params_.find(name);
  if (it == params_.end() || (it->second.flags & kObject)) return std::nullopt;
  out.push_back(name);
  return out;
}

std::optional<unsigned> SimDevice::ValidateSet(const ParameterValue& p) const {
  auto it = params_.find(p.name);
  if (it == params_.end() || (it->second.flags & kObject)) return 9005;
  const Param& param = it->second;
  if (!(param.flags & kWritable)) return 9008;
  const std::string_view want = kTypes[param.type];
  if (!p.type.empty()) {
    const auto colon = p.type.rfind(':');
    const std::string_view given =
        colon == std::string::npos ? std::string_view(p.type) : std::string_view(p.type).substr(colon + 1);
    // xsd:string is accepted for any parameter (many ACSs send every value as a string); the
    // value must still parse as the parameter's real type. Any other mismatch is 9006.
    if (given != want && given != "string") return 9006;
  }
  const std::string& v = p.value;
  std::int64_t number = 0;
  switch (param.type) {
    case kUint: {
      std::uint32_t u = 0;
      if (!ParseNumber(std::string_view(v), u)) return 9007;
      number = u;
      break;
    }
    case kInt: {
      std::int32_t i = 0;
      if (!ParseNumber(std::string_view(v), i)) return 9007;
      number = i;
      break;
    }
    case kUlong: {
      std::uint64_t u = 0;
      if (!ParseNumber(std::string_view(v), u)) return 9007;
      break;
    }
    case kBool:
      if (!ParseBool(v)) return 9007;
      break;
    case kDate:
      if (v != kUnknownTime && !ParseIsoTime(v)) return 9007;
      break;
    default:
      break;
  }
  const std::string_view leaf = LeafName(p.name);
  const std::string parent(ParentPath(p.name));
  if (leaf == "Channel" && !InChannelList(Get(parent + "PossibleChannels"), static_cast<unsigned>(number)))
    return 9007;
  if (leaf == "TransmitPower" && !InList(Get(parent + "TransmitPowerSupported"), v)) return 9007;
  if ((leaf == "OperatingChannelBandwidth" || leaf == "X_HILO_OperatingChannelBandwidth") &&
      !InList("20MHz,40MHz,80MHz,160MHz,Auto", v))
    return 9007;
  if (leaf == "SSID" && (v.empty() || v.size() > 32)) return 9007;
  if (leaf == "KeyPassphrase" && (v.size() < 8 || v.size() > 63)) return 9007;
  if (leaf == "PeriodicInformInterval" && number < 1) return 9007;
  if ((leaf == "ExternalPort" || leaf == "InternalPort") && number > 65535) return 9007;
  if ((leaf == "Protocol" || leaf == "PortMappingProtocol") && v != "TCP" && v != "UDP") return 9007;
  if (leaf == "ModeEnabled" && !InList(Get(parent + "ModesSupported"), v)) return 9007;
  if (leaf == "OperatingStandards" && v.empty()) return 9007;
  if (leaf == "URL" && !v.starts_with("http://") && !v.starts_with("https://")) return 9007;
  return std::nullopt;
}

Body SimDevice::DoGetParameterValues(const GetParameterValues& m, Time) {
  GetParameterValuesResponse out;
  for (const std::string& name : m.names) {
    auto names = Matching(name, /*leaves_only=*/true);
    if (!names) return MakeFault(9005);
    for (const std::string& n : *names) {
      const Param& p = params_.at(n);
      out.parameters.push_back(
          {n, (p.flags & kSecret) ? "" : p.value, "xsd:" + std::string(kTypes[p.type])});
    }
  }
  return out;
}

Body SimDevice::DoSetParameterValues(const SetParameterValues& m, Time now) {
  Fault fault = MakeFault(9003);
  std::set<std::string_view> seen;
  for (const ParameterValue& p : m.parameters) {
    if (!seen.insert(p.name).second) return MakeFault(9003);  // the same name twice
    if (auto code = ValidateSet(p)) {
      fault.set_parameter_values_faults.push_back(
          {p.name, *code, std::string(FaultCodeText(*code))});
    }
  }
  if (!fault.set_parameter_values_faults.empty()) return fault;

  std::optional<int> auto_radio, manual_radio;
  for (const ParameterValue& p : m.parameters) {
    Param& param = params_.at(p.name);
    std::string value = p.value;
    if (param.type == kBool) value = *ParseBool(value) ? "1" : "0";
    const std::string_view leaf = LeafName(p.name);
    for (int r = 0; r < config_.radios; ++r) {
      if (!p.name.starts_with(RadioPath(r))) continue;
      if (leaf == "AutoChannelEnable" && value == "1") auto_radio = r;
      if (leaf == "Channel") manual_radio = r;
    }
    if (leaf == "Channel" && manual_radio) {
      int ch = 0;
      ParseNumber(std::string_view(value), ch);
      SetChannel(*manual_radio, ch, now, "Manual");
      // A channel chosen by hand turns automatic selection off, as most CPEs do.
      Put(RadioPath(*manual_radio) + "AutoChannelEnable", "0");
    } else {
      param.value = value;
    }
    // Changes made by the ACS itself are not notified back to it.
    if (auto it = reported_.find(p.name); it != reported_.end()) it->second = value;
  }
  if (auto_radio) {
    Put(RadioPath(*auto_radio) + "AutoChannelEnable", "1");
    SelectAutoChannel(*auto_radio, now, "Auto_User");
  }
  for (int r = 0; r < config_.radios; ++r) {
    const std::string ch = RadioPath(r) + "Channel";
    if (auto it = reported_.find(ch); it != reported_.end()) it->second = Get(ch);
  }
  Put(std::string(root()) + "ManagementServer.ParameterKey", m.parameter_key);
  return SetParameterValuesResponse{0};
}

Body SimDevice::DoGetParameterNames(const GetParameterNames& m) const {
  std::string path = m.parameter_path;
  GetParameterNamesResponse out;
  auto writable = [](const Param& p) {
    return (p.flags & kObject) ? (p.flags & (kTable | kInstance)) != 0 : (p.flags & kWritable) != 0;
  };
  if (path.empty()) {
    if (m.next_level) {
      out.parameters.push_back({std::string(root()), false});
      return out;
    }
    path = std::string(root());
  }
  auto it = params_.find(path);
  if (it == params_.end()) return MakeFault(9005);
  if (!(it->second.flags & kObject)) {
    if (m.next_level) return MakeFault(9003);
    out.parameters.push_back({path, writable(it->second)});
    return out;
  }
  if (!m.next_level) out.parameters.push_back({path, writable(it->second)});
  for (auto c = std::next(it); c != params_.end() && c->first.starts_with(path); ++c) {
    if (m.next_level) {
      const std::string_view rest = std::string_view(c->first).substr(path.size());
      const auto dot = rest.find('.');
      const bool direct = dot == std::string_view::npos || dot == rest.size() - 1;
      if (!direct) continue;
    }
    out.parameters.push_back({c->first, writable(c->second)});
  }
  return out;
}

Body SimDevice::DoGetParameterAttributes(const GetParameterAttributes& m) const {
  GetParameterAttributesResponse out;
  for (const std::string& name : m.names) {
    auto names = Matching(name, true);
    if (!names) return MakeFault(9005);
    for (const std::string& n : *names) {
      auto acl = access_lists_.find(n);
      out.parameters.push_back({n, params_.at(n).notification,
                                acl == access_lists_.end() ? std::vector<std::string>{}
                                                           : acl->second});
    }
  }
  return out;
}

Body SimDevice::DoSetParameterAttributes(const SetParameterAttributes& m, Time) {
  for (const SetParameterAttribute& a : m.parameters) {
    auto names = Matching(a.name, true);
    if (!names) return MakeFault(9005);
    if (a.notification_change) {
      if (a.notification < 0 || a.notification > 2) return MakeFault(9003);
      if (a.notification == 2) {
        for (const std::string& n : *names) {
          if (params_.at(n).flags & kDynamic) return MakeFault(9009);
        }
      }
    }
    if (a.access_list_change) {
      for (const std::string& who : a.access_list) {
        if (who != "Subscriber") return MakeFault(9003);
      }
    }
  }
  for (const SetParameterAttribute& a : m.parameters) {
    const std::vector<std::string> names = *Matching(a.name, true);  // validated above
    for (const std::string& n : names) {
      Param& p = params_.at(n);
      if (a.notification_change) {
        p.notification = static_cast<std::uint8_t>(a.notification);
        if (a.notification == 0) {
          reported_.erase(n);
        } else {
          reported_[n] = p.value;
        }
      }
      if (a.access_list_change) {
        if (a.access_list.empty()) {
          access_lists_.erase(n);
        } else {
          access_lists_[n] = a.access_list;
        }
      }
    }
  }
  return SetParameterAttributesResponse{};
}

Body SimDevice::DoAddObject(const AddObject& m) {
  auto it = params_.find(m.object_name);
  if (it == params_.end() || !(it->second.flags & kTable)) return MakeFault(9005);
  const unsigned instance = next_port_mapping_++;
  AddPortMapping(instance);
  const std::string count = config_.data_model == DataModel::kTr181
                                ? "Device.NAT.PortMappingNumberOfEntries"
                                : "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1."
                                  "WANIPConnection.1.PortMappingNumberOfEntries";
  unsigned n = 0;
  ParseNumber(std::string_view(Get(count)), n);
  Put(count, Str(n + 1));
  Put(std::string(root()) + "ManagementServer.ParameterKey", m.parameter_key);
  return AddObjectResponse{instance, 0};
}

Body SimDevice::DoDeleteObject(const DeleteObject& m) {
  auto it = params_.find(m.object_name);
  if (it == params_.end() || !(it->second.flags & kInstance)) return MakeFault(9005);
  const std::string prefix = m.object_name;
  for (auto p = params_.lower_bound(prefix); p != params_.end() && p->first.starts_with(prefix);) {
    reported_.erase(p->first);
    access_lists_.erase(p->first);
    p = params_.erase(p);
  }
  const std::string count = config_.data_model == DataModel::kTr181
                                ? "Device.NAT.PortMappingNumberOfEntries"
                                : "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1."
                                  "WANIPConnection.1.PortMappingNumberOfEntries";
  unsigned n = 0;
  ParseNumber(std::string_view(Get(count)), n);
  Put(count, Str(n > 0 ? n - 1 : 0));
  Put(std::string(root()) + "ManagementServer.ParameterKey", m.parameter_key);
  return DeleteObjectResponse{0};
}

Body SimDevice::DoReboot(const Reboot& m, Time now) {
  QueueEvent(kEventMReboot, m.command_key);
  boot_time_ = now;
  ++boot_seq_;
  return RebootResponse{};
}

Body SimDevice::DoFactoryReset(Time now) {
  // The installed image survives a factory reset; the configuration (and a corrupt one that
  // made the gateway loop) does not.
  const std::string sw_name = std::string(root()) + "DeviceInfo.SoftwareVersion";
  const std::string installed = Get(sw_name);
  boot_seq_ = BootSeq(now);
  faults_.erase(SimFault::kRebootLoop);
  if (auto it = faults_.find(SimFault::kFirmwareRegression); it != faults_.end() && now >= it->second.start)
    it->second.applied = true;
  params_.clear();
  access_lists_.clear();
  reported_.clear();
  pending_.clear();
  transfer_complete_.reset();
  next_port_mapping_ = 1;
  boot_time_ = now;
  ++boot_seq_;
  Build();
  Put(sw_name, installed);
  config_.bootstrapped = false;
  refreshed_at_.reset();
  Refresh(now);
  return FactoryResetResponse{};
}

Body SimDevice::DoDownload(const Download& m, Time now) {
  if (m.url.empty()) return MakeFault(9003);
  if (!m.url.starts_with("http://") && !m.url.starts_with("https://") &&
      !m.url.starts_with("ftp://"))
    return MakeFault(9013);
  if (m.file_type == kFileTypeFirmware) {
    std::string_view file = m.target_file_name;
    if (file.empty()) {
      file = m.url;
      file = file.substr(0, file.find('?'));
      file = file.substr(file.rfind('/') + 1);
    }
    if (auto version = VersionInFileName(file)) {
      const std::string sw_name = std::string(root()) + "DeviceInfo.SoftwareVersion";
      // Refresh first so that a pending bad upgrade is installed before this one replaces it.
      Refresh(now);
      Put(sw_name, *version);
    }
    boot_time_ = now;
    ++boot_seq_;
  }
  QueueEvent(kEventMDownload, m.command_key);
  QueueEvent(kEventTransferComplete);
  transfer_complete_ = TransferComplete{m.command_key, {}, FormatIsoTime(now), FormatIsoTime(now)};
  return DownloadResponse{1, std::string(kUnknownTime), std::string(kUnknownTime)};
}

Envelope SimDevice::Handle(const Envelope& request, Time now) {
  Refresh(now);
  if (!request.body) return ReplyTo(request, MakeFault(9003));
  const Body& b = *request.body;
  Body out = MakeFault(9000);
  if (const auto* m = std::get_if<GetParameterValues>(&b)) {
    out = DoGetParameterValues(*m, now);
  } else if (const auto* m = std::get_if<SetParameterValues>(&b)) {
    out = DoSetParameterValues(*m, now);
  } else if (const auto* m = std::get_if<GetParameterNames>(&b)) {
    out = DoGetParameterNames(*m);
  } else if (const auto* m = std::get_if<GetParameterAttributes>(&b)) {
    out = DoGetParameterAttributes(*m);
  } else if (const auto* m = std::get_if<SetParameterAttributes>(&b)) {
    out = DoSetParameterAttributes(*m, now);
  } else if (const auto* m = std::get_if<AddObject>(&b)) {
    out = DoAddObject(*m);
  } else if (const auto* m = std::get_if<DeleteObject>(&b)) {
    out = DoDeleteObject(*m);
  } else if (const auto* m = std::get_if<Reboot>(&b)) {
    out = DoReboot(*m, now);
  } else if (std::holds_alternative<FactoryReset>(b)) {
    out = DoFactoryReset(now);
  } else if (const auto* m = std::get_if<Download>(&b)) {
    out = DoDownload(*m, now);
  } else if (std::holds_alternative<GetRPCMethods>(b)) {
    out = GetRPCMethodsResponse{{"GetRPCMethods", "SetParameterValues", "GetParameterValues",
                                 "GetParameterNames", "SetParameterAttributes",
                                 "GetParameterAttributes", "AddObject", "DeleteObject", "Reboot",
                                 "Download", "FactoryReset"}};
  }
  const bool read_only = std::holds_alternative<GetParameterValues>(b) ||
                         std::holds_alternative<GetParameterNames>(b) ||
                         std::holds_alternative<GetParameterAttributes>(b) ||
                         std::holds_alternative<GetRPCMethods>(b);
  if (!read_only) refreshed_at_.reset();
  return ReplyTo(request, std::move(out));
}

// ---- Sessions -----------------------------------------------------------------------------

Envelope SimDevice::BeginSession(std::vector<std::string> extra_events, Time now) {
  std::vector<std::string> events = PendingEvents(now);
  for (std::string& e : extra_events) {
    if (std::find(events.begin(), events.end(), e) == events.end()) events.push_back(std::move(e));
  }
  session_inform_ = BuildInform(std::move(events), now);
  session_ = SessionState::kAwaitInformResponse;
  Envelope env;
  env.version = config_.cwmp_version;
  env.id = NextId();
  env.body = session_inform_;
  return env;
}

std::optional<Envelope> SimDevice::Continue(const Envelope& acs, Time now) {
  Envelope empty;
  empty.version = config_.cwmp_version;
  switch (session_) {
    case SessionState::kIdle:
      return std::nullopt;
    case SessionState::kAwaitInformResponse:
      if (!acs.body || !std::holds_alternative<InformResponse>(*acs.body)) break;
      empty.version = acs.version;
      AcknowledgeInform(session_inform_, now);
      if (transfer_complete_ && !acs.hold_requests.value_or(false)) {
        session_ = SessionState::kAwaitTransferCompleteResponse;
        Envelope tc;
        tc.version = acs.version;
        tc.id = NextId();
        tc.body = *transfer_complete_;
        return tc;
      }
      session_ = SessionState::kAwaitRequests;
      return empty;
    case SessionState::kAwaitTransferCompleteResponse:
      if (!acs.body || !std::holds_alternative<TransferCompleteResponse>(*acs.body)) break;
      transfer_complete_.reset();
      std::erase_if(pending_, [](const EventStruct& e) {
        return e.event_code == kEventTransferComplete || e.event_code == kEventMDownload;
      });
      session_ = SessionState::kAwaitRequests;
      empty.version = acs.version;
      return empty;
    case SessionState::kAwaitRequests:
      if (acs.body && IsRequest(*acs.body)) return Handle(acs, now);
      break;  // an empty reply ends the session; anything else is not for a CPE to answer
  }
  session_ = SessionState::kIdle;
  return std::nullopt;
}

// ---- Accessors ----------------------------------------------------------------------------

std::optional<std::string> SimDevice::GetValue(std::string_view name, Time now) {
  Refresh(now);
  auto it = params_.find(name);
  if (it == params_.end() || (it->second.flags & kObject)) return std::nullopt;
  return it->second.value;
}

std::string SimDevice::AcsUrl() const { return Get(std::string(root()) + "ManagementServer.URL"); }

unsigned SimDevice::PeriodicInformInterval() const {
  unsigned v = 0;
  ParseNumber(std::string_view(Get(std::string(root()) + "ManagementServer.PeriodicInformInterval")), v);
  return v;
}

std::string SimDevice::ConnectionRequestUsername() const {
  return Get(std::string(root()) + "ManagementServer.ConnectionRequestUsername");
}

std::string SimDevice::ConnectionRequestPassword() const {
  return Get(std::string(root()) + "ManagementServer.ConnectionRequestPassword");
}

}  // namespace hilo::cwmp
