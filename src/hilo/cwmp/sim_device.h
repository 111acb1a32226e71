#pragma once
// SimDevice: a simulated TR-069 home gateway (CPE) -- its data model, its answers to every ACS
// RPC, and the faults the story needs. Pure: no sockets, no clock; time is passed in, and all
// telemetry is a deterministic function of (seed, configuration, injected faults, now), so tests
// and demos are reproducible. `hilo sim` wraps one SimDevice per gateway in an HTTP transport.
//
//   SimDeviceConfig config;
//   config.serial_number = "HL0000001";
//   config.data_model = DataModel::kTr181;
//   config.seed = 7;
//   SimDevice dev(config);
//   dev.InjectFault(SimFault::kWifiCongestion24, now - kDay);
//
//   // One CWMP session, driven by the transport:
//   Envelope out = dev.BeginSession({std::string(kEventPeriodic)}, now);  // the Inform
//   while (true) {
//     std::string reply = Post(WriteEnvelope(out));            // "" when out.empty()
//     auto in = ParseEnvelope(reply);                          // 204/empty -> empty envelope
//     auto next = dev.Continue(*in, now);                      // nullopt: session is over
//     if (!next) break;
//     out = *next;
//   }
//
// Data model (TR-181 `Device.` or TR-098 `InternetGatewayDevice.`), about 300-450 parameters:
//  * DeviceInfo (Manufacturer, ManufacturerOUI, ModelName, ProductClass, SerialNumber,
//    HardwareVersion, SoftwareVersion, UpTime, ...), ManagementServer (URL, Username, Password,
//    PeriodicInformEnable/Interval, ParameterKey, ConnectionRequestURL/Username/Password).
//  * Wi-Fi: 2 radios (2.4 and 5 GHz) or 3 (adds 6 GHz), one SSID and access point per radio.
//    TR-181: Device.WiFi.Radio.{i}. (Channel, AutoChannelEnable, PossibleChannels,
//    ChannelsInUse, OperatingChannelBandwidth, TransmitPower, Stats.Noise and counters),
//    Device.WiFi.SSID.{i}., Device.WiFi.AccessPoint.{i}.AssociatedDevice.{j}. (MACAddress,
//    SignalStrength, LastDataDownlinkRate/UplinkRate in kbps, Retransmissions (% of last 100),
//    Active, Stats.*), Device.WiFi.NeighboringWiFiDiagnostic.Result.{i}., and radio load as
//    Device.WiFi.DataElements.Network.Device.1.Radio.{i}.Utilization / ReceiveOther (0..255).
//    TR-098: InternetGatewayDevice.LANDevice.1.WLANConfiguration.{i}. with its standard fields
//    plus vendor extensions for what TR-098 lacks: X_HILO_Noise (dBm), X_HILO_Utilization and
//    X_HILO_ReceiveOther (0..255), X_HILO_NeighborCount, and per AssociatedDevice.{j}.:
//    X_HILO_SignalStrength (dBm), X_HILO_Retransmissions (%), X_HILO_LastDataUplinkRate (kbps).
//  * Hosts (the Wi-Fi clients plus one wired TV), a WAN IP, a writable port-mapping table
//    (Device.NAT.PortMapping. / ...WANIPConnection.1.PortMapping.) for AddObject/DeleteObject.
//  * Optional DOCSIS (TR-181 only): Device.DOCSIS.DownstreamChannel.{1..4}. (Power,
//    SignalQuality.SignalNoise, SignalQuality.ExtUncorrectables, SignalQualityExt.RxMER; tenths)
//    and Device.DOCSIS.UpstreamChannel.{1..2}.Status. (TxPower, T3Timeouts, T4Timeouts).
//
// RPC semantics (Handle): GetParameterValues with partial paths; SetParameterValues validated
// atomically (9005 unknown name, 9008 not writable, 9006 wrong xsi:type -- xsd:string is taken
// for any type --, 9007 bad value, all reported as 9003 with SetParameterValuesFault entries); SetParameterAttributes refuses
// active notification (2) on counters and other fast-changing values with 9009, as TR-181's
// "canDeny" allows; Reboot / FactoryReset / Download take effect at once (uptime restarts at
// `now`; DelaySeconds is ignored) and queue "M Reboot"/"1 BOOT", "0 BOOTSTRAP"/"1 BOOT", and
// "M Download"/"7 TRANSFER COMPLETE"/"1 BOOT" plus a TransferComplete for the next session.
// A firmware Download installs the version found in TargetFileName or the URL's file name
// ("fw-4.2.1.bin" -> "4.2.1"); without one the version is unchanged.
//
// Not thread-safe: one owner (the transport's strand) calls it.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/cwmp/soap.h"

namespace hilo::cwmp {

enum class DataModel { kTr181, kTr098 };

// Faults a simulated gateway can suffer; each starts at a given time.
enum class SimFault {
  // 2.4 GHz radio stuck (auto-channel off) on a channel full of neighbours: noise up,
  // utilisation high, clients on that radio retransmit and slow down. Moving the radio to
  // another channel, or enabling AutoChannelEnable (which picks another), clears it.
  kWifiCongestion24,
  // One client (WeakClientMac()) far from the gateway: about -82 dBm, low rates, retransmissions,
  // dropping in and out. Not fixable remotely.
  kWeakClient,
  // The gateway restarts every 3 minutes (UpTime keeps resetting, "1 BOOT" each session).
  // A FactoryReset clears it (the story's corrupt configuration).
  kRebootLoop,
  // At the start time the gateway upgrades itself to a bad firmware (SoftwareVersion changes,
  // one reboot); from then on every Wi-Fi client degrades together. A Download of any other
  // version (typically the previous one, PreviousSoftwareVersion()) clears it.
  kFirmwareRegression,
  // Cable plant noise: downstream SNR/RxMER low, uncorrectable codewords rising, T3 timeouts.
  // Not fixable remotely. Only visible when the device has DOCSIS parameters.
  kDocsisNoise,
};

// "congestion", "weak-client", "reboot-loop", "firmware-regression", "docsis-noise".
std::string_view SimFaultName(SimFault fault);
std::optional<SimFault> ParseSimFault(std::string_view name);

struct SimDeviceConfig {
  std::string manufacturer = "Hilo Networks";
  std::string oui = "00D09E";
  std::string product_class = "HG-2400";
  std::string model_name = "HomeGate 2400";
  std::string serial_number = "HL00000001";
  DataModel data_model = DataModel::kTr181;
  std::uint64_t seed = 1;
  int radios = 2;        // 2 (2.4 + 5 GHz) or 3 (adds 6 GHz)
  bool docsis = false;   // DOCSIS channels (TR-181 only)
  std::string software_version = "4.2.1";
  std::string acs_url = "http://127.0.0.1:7547/";
  std::string acs_username;  // what the CPE sends to the ACS
  std::string acs_password;
  std::string connection_request_url = "http://127.0.0.1:7548/";
  std::string connection_request_username = "cr";
  std::string connection_request_password = "cr-secret";
  unsigned periodic_inform_interval = 300;
  CwmpVersion cwmp_version = CwmpVersion::k1_0;
  Time boot_time = 0;        // the device was last powered on at this time
  bool bootstrapped = false; // false: the first session carries "0 BOOTSTRAP"
};

class SimDevice {
 public:
  explicit SimDevice(SimDeviceConfig config);

  const SimDeviceConfig& config() const { return config_; }
  DeviceId device_id() const;
  std::string_view root() const;  // "Device." or "InternetGatewayDevice."

  // ---- The RPC level ----------------------------------------------------------------------

  // An Inform for `now` carrying event_codes (plus "4 VALUE CHANGE" when a parameter with
  // notification on has changed; command keys filled in for "M Reboot"/"M Download"), the
  // parameters a real CPE always sends for its data model, and the changed notified ones.
  // Does not clear anything: see AcknowledgeInform.
  Inform BuildInform(std::vector<std::string> event_codes, Time now);
  // The ACS accepted `inform`: its events are delivered (except "7 TRANSFER COMPLETE" and
  // "M Download", which wait for TransferCompleteResponse) and its values count as reported.
  void AcknowledgeInform(const Inform& inform, Time now);

  // Answers one ACS->CPE request (same cwmp:ID and version). Non-requests and unknown methods
  // get CWMP fault 9000.
  Envelope Handle(const Envelope& acs_request, Time now);

  // Events that call for a session now, in the order they will be sent: "0 BOOTSTRAP",
  // "1 BOOT" (also after a reboot-loop restart), "M Reboot", "M Download",
  // "7 TRANSFER COMPLETE", "4 VALUE CHANGE" (only for active notification).
  std::vector<std::string> PendingEvents(Time now);
  // The TransferComplete the next session must deliver, if any.
  std::optional<TransferComplete> PendingTransferComplete() const { return transfer_complete_; }

  // ---- The session level ------------------------------------------------------------------

  // Starts a session: PendingEvents(now) plus extra_events (e.g. kEventPeriodic,
  // kEventConnectionRequest), deduplicated. Returns the Inform envelope to POST.
  Envelope BeginSession(std::vector<std::string> extra_events, Time now);
  // Feeds the ACS's reply to the previous POST (an empty envelope for an empty HTTP body).
  // Returns what to POST next -- an empty envelope is the empty POST -- or nullopt when the
  // session is over (normally, or because the ACS faulted the Inform: events stay pending).
  std::optional<Envelope> Continue(const Envelope& acs_message, Time now);
  bool InSession() const { return session_ != SessionState::kIdle; }

  // ---- Faults -----------------------------------------------------------------------------

  void InjectFault(SimFault fault, Time start);
  void ClearFault(SimFault fault);
  // Whether the fault's effects are visible at `now` (started, not fixed).
  bool FaultActive(SimFault fault, Time now);
  std::string WeakClientMac() const;
  std::string PreviousSoftwareVersion() const { return previous_version_; }

  // ---- Inspection (for the transport and tests) -------------------------------------------

  // The current value of a parameter (passwords included), after updating telemetry to now.
  std::optional<std::string> GetValue(std::string_view name, Time now);
  // When the device last started, as of now (reboots, downloads, reboot loop).
  Time BootTime(Time now) const;
  std::size_t ParameterCount() const { return params_.size(); }
  // Values the transport needs, read from the tree (the ACS may have changed them).
  std::string AcsUrl() const;
  unsigned PeriodicInformInterval() const;
  std::string ConnectionRequestUsername() const;
  std::string ConnectionRequestPassword() const;

 private:
  struct Param {
    std::string value;
    std::uint8_t type = 0;   // index into kTypes in the .cc
    std::uint8_t flags = 0;  // kWritable | kDynamic | kSecret | kObject
    std::uint8_t notification = 0;
  };
  struct Client {
    std::string mac;
    std::string host_name;
    std::string ip;
    int radio = 0;          // 0-based radio / SSID / access point index
    int base_signal = -55;  // dBm
    bool laptop = true;
  };
  struct FaultState {
    Time start = 0;
    bool applied = false;  // firmware regression: the bad image was installed
  };
  enum class SessionState { kIdle, kAwaitInformResponse, kAwaitTransferCompleteResponse, kAwaitRequests };

  void Build();
  void BuildTr181();
  void BuildTr098();
  void Add(const std::string& name, std::string value, std::uint8_t type, std::uint8_t flags = 0);
  void AddObjectNode(const std::string& name, std::uint8_t flags = 0);
  void Put(const std::string& name, std::string value);
  const std::string& Get(const std::string& name) const;
  void Refresh(Time now);
  void RefreshWifi(Time now, Time up_since);
  void RefreshDocsis(Time now, Time up_since);
  void AddPortMapping(unsigned instance);
  void SelectAutoChannel(int radio, Time now, std::string_view reason);
  void SetChannel(int radio, int channel, Time now, std::string_view reason);
  int ClientNoise(int radio, bool congested, double jitter) const;
  std::size_t WeakClientIndex() const;
  // Boots so far, counting reboot-loop restarts up to now; "1 BOOT" is due when it grows.
  std::uint64_t BootSeq(Time now) const;

  std::string RadioPath(int radio) const;   // "Device.WiFi.Radio.1." / "...WLANConfiguration.1."
  std::string ClientPath(std::size_t client) const;
  std::string PortMappingTable() const;
  int RadioChannel(int radio) const;
  bool CongestionActive(Time now) const;
  bool FirmwareBad(Time now) const;
  double Jitter(std::string_view key, std::int64_t bucket) const;  // in [0, 1)

  // Names under a partial path ("X.", or "" for all) or the one full name; nullopt if invalid.
  std::optional<std::vector<std::string>> Matching(const std::string& name, bool leaves_only) const;
  std::optional<unsigned> ValidateSet(const ParameterValue& p) const;  // fault code, if bad
  Body DoGetParameterValues(const GetParameterValues& m, Time now);
  Body DoSetParameterValues(const SetParameterValues& m, Time now);
  Body DoGetParameterNames(const GetParameterNames& m) const;
  Body DoGetParameterAttributes(const GetParameterAttributes& m) const;
  Body DoSetParameterAttributes(const SetParameterAttributes& m, Time now);
  Body DoAddObject(const AddObject& m);
  Body DoDeleteObject(const DeleteObject& m);
  Body DoReboot(const Reboot& m, Time now);
  Body DoFactoryReset(Time now);
  Body DoDownload(const Download& m, Time now);
  void QueueEvent(std::string_view code, std::string command_key = {});
  std::string NextId();

  SimDeviceConfig config_;
  std::map<std::string, Param, std::less<>> params_;
  std::map<std::string, std::vector<std::string>, std::less<>> access_lists_;
  std::vector<Client> clients_;
  std::map<SimFault, FaultState> faults_;
  int congested_channel_ = 0;
  std::string previous_version_;
  std::string bad_version_;
  Time boot_time_ = 0;
  std::uint64_t boot_seq_ = 1;           // the power-on boot
  std::uint64_t reported_boot_seq_ = 0;  // boots already announced with "1 BOOT"
  std::vector<Time> channel_changed_at_;  // per radio
  std::vector<EventStruct> pending_;                 // queued by RPCs, in order
  std::optional<TransferComplete> transfer_complete_;
  std::map<std::string, std::string, std::less<>> reported_;  // notified params: last sent value
  SessionState session_ = SessionState::kIdle;
  Inform session_inform_;
  std::uint64_t next_id_ = 0;
  std::optional<Time> refreshed_at_;  // telemetry is up to date for this instant
  unsigned next_port_mapping_ = 1;
};

}  // namespace hilo::cwmp
