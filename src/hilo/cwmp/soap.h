#pragma once
// CWMP (TR-069) SOAP codec: XML <-> structs, pure functions, no I/O, no clock.
//
// The ACS parses what a CPE POSTs and writes its answers; the simulator does the reverse. Both
// directions use the same Envelope, so every RPC and response can be parsed and written.
//
//   Result<Envelope> in = ParseEnvelope(http_body);           // "" is the empty POST
//   if (!in) return WriteSoapFault(CwmpVersion::k1_0, "", 8003, in.error().message);
//   if (in->empty()) { /* the CPE has nothing more: send queued RPCs, or end with 204 */ }
//   else if (const auto* inform = std::get_if<Inform>(&*in->body)) {
//     Envelope out = ReplyTo(*in, InformResponse{.max_envelopes = 1});
//     std::string xml = WriteEnvelope(out);                   // same cwmp-1-N, same cwmp:ID
//   }
//
// Parsing is liberal, as real gateways require: any namespace prefix (or a default namespace),
// elements matched by local name, cwmp-1-0 .. cwmp-1-4, arrays whose soap-enc:arrayType count
// disagrees with the items sent, CDATA, surrounding whitespace, header order, an unknown RPC
// (returned as UnknownRpc so the caller can answer 8000/9000 instead of dropping the session).
// Writing is strict: SOAP 1.1, SOAP-ENV/SOAP-ENC/xsd/xsi/cwmp prefixes, arrayType counts that
// match, xsi:type on every value, the peer's cwmp version, escaped text.
//
// Date-times are kept as the text on the wire ("2026-11-28T14:55:00Z", or the TR-069 "unknown
// time" 0001-01-01T00:00:00Z) so that nothing is lost; convert with hilo::ParseIsoTime.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hilo/base/error.h"

namespace hilo::cwmp {

// The urn:dslforum-org:cwmp-1-N namespace a peer used. Replies use the same one.
enum class CwmpVersion { k1_0 = 0, k1_1 = 1, k1_2 = 2, k1_3 = 3, k1_4 = 4 };

// "urn:dslforum-org:cwmp-1-2".
std::string_view CwmpNamespace(CwmpVersion version);
// Inverse of CwmpNamespace; nullopt for any other URI.
std::optional<CwmpVersion> CwmpVersionFromNamespace(std::string_view uri);

// Inform event codes (TR-069 Table 7). An Inform carries a list of them.
inline constexpr std::string_view kEventBootstrap = "0 BOOTSTRAP";
inline constexpr std::string_view kEventBoot = "1 BOOT";
inline constexpr std::string_view kEventPeriodic = "2 PERIODIC";
inline constexpr std::string_view kEventScheduled = "3 SCHEDULED";
inline constexpr std::string_view kEventValueChange = "4 VALUE CHANGE";
inline constexpr std::string_view kEventKicked = "5 KICKED";
inline constexpr std::string_view kEventConnectionRequest = "6 CONNECTION REQUEST";
inline constexpr std::string_view kEventTransferComplete = "7 TRANSFER COMPLETE";
inline constexpr std::string_view kEventDiagnosticsComplete = "8 DIAGNOSTICS COMPLETE";
inline constexpr std::string_view kEventRequestDownload = "9 REQUEST DOWNLOAD";
inline constexpr std::string_view kEventAutonomousTransferComplete = "10 AUTONOMOUS TRANSFER COMPLETE";
inline constexpr std::string_view kEventDuStateChangeComplete = "11 DU STATE CHANGE COMPLETE";
inline constexpr std::string_view kEventAutonomousDuStateChangeComplete =
    "12 AUTONOMOUS DU STATE CHANGE COMPLETE";
inline constexpr std::string_view kEventWakeup = "13 WAKEUP";
inline constexpr std::string_view kEventHeartbeat = "14 HEARTBEAT";
inline constexpr std::string_view kEventMReboot = "M Reboot";
inline constexpr std::string_view kEventMScheduleInform = "M ScheduleInform";
inline constexpr std::string_view kEventMDownload = "M Download";
inline constexpr std::string_view kEventMScheduleDownload = "M ScheduleDownload";
inline constexpr std::string_view kEventMUpload = "M Upload";
inline constexpr std::string_view kEventMChangeDuState = "M ChangeDUState";

// Download FileType values (TR-069 A.3.2.8).
inline constexpr std::string_view kFileTypeFirmware = "1 Firmware Upgrade Image";
inline constexpr std::string_view kFileTypeWebContent = "2 Web Content";
inline constexpr std::string_view kFileTypeVendorConfig = "3 Vendor Configuration File";

// The TR-069 "unknown time" used in DownloadResponse/TransferComplete.
inline constexpr std::string_view kUnknownTime = "0001-01-01T00:00:00Z";

// ---- Structures shared by several RPCs ----------------------------------------------------

// ParameterValueStruct. type is "xsd:<local>" as announced by xsi:type (any prefix the peer used
// is normalised to xsd:), or empty when the peer sent none. The writer emits "xsd:string" for
// an empty type.
struct ParameterValue {
  std::string name;
  std::string value;
  std::string type;
  bool operator==(const ParameterValue&) const = default;
};

struct DeviceId {
  std::string manufacturer;
  std::string oui;
  std::string product_class;
  std::string serial_number;
  bool operator==(const DeviceId&) const = default;
};

struct EventStruct {
  std::string event_code;   // e.g. kEventBoot
  std::string command_key;  // from the Reboot/Download that caused it, else empty
  bool operator==(const EventStruct&) const = default;
};

// FaultStruct inside TransferComplete: fault_code 0 means success.
struct FaultStruct {
  unsigned fault_code = 0;
  std::string fault_string;
  bool operator==(const FaultStruct&) const = default;
};

struct ParameterInfo {  // ParameterInfoStruct
  std::string name;     // ends with "." for an object
  bool writable = false;
  bool operator==(const ParameterInfo&) const = default;
};

struct ParameterAttribute {  // ParameterAttributeStruct
  std::string name;
  int notification = 0;  // 0 off, 1 passive, 2 active
  std::vector<std::string> access_list;
  bool operator==(const ParameterAttribute&) const = default;
};

struct SetParameterAttribute {  // SetParameterAttributesStruct
  std::string name;             // may be a partial path ending in "."
  bool notification_change = false;
  int notification = 0;
  bool access_list_change = false;
  std::vector<std::string> access_list;
  bool operator==(const SetParameterAttribute&) const = default;
};

// ---- CPE -> ACS requests ------------------------------------------------------------------

struct Inform {
  DeviceId device_id;
  std::vector<EventStruct> events;
  unsigned max_envelopes = 1;
  std::string current_time;
  unsigned retry_count = 0;
  std::vector<ParameterValue> parameters;
  bool operator==(const Inform&) const = default;
};

struct TransferComplete {
  std::string command_key;
  FaultStruct fault;
  std::string start_time;
  std::string complete_time;
  bool operator==(const TransferComplete&) const = default;
};

struct AutonomousTransferComplete {
  std::string announce_url;
  std::string transfer_url;
  bool is_download = true;
  std::string file_type;
  unsigned file_size = 0;
  std::string target_file_name;
  FaultStruct fault;
  std::string start_time;
  std::string complete_time;
  bool operator==(const AutonomousTransferComplete&) const = default;
};

// Either side may ask the other for its methods.
struct GetRPCMethods {
  bool operator==(const GetRPCMethods&) const = default;
};

// ---- ACS -> CPE responses to the above ----------------------------------------------------

struct InformResponse {
  unsigned max_envelopes = 1;
  bool operator==(const InformResponse&) const = default;
};
struct TransferCompleteResponse {
  bool operator==(const TransferCompleteResponse&) const = default;
};
struct AutonomousTransferCompleteResponse {
  bool operator==(const AutonomousTransferCompleteResponse&) const = default;
};
struct GetRPCMethodsResponse {
  std::vector<std::string> methods;
  bool operator==(const GetRPCMethodsResponse&) const = default;
};

// ---- ACS -> CPE requests ------------------------------------------------------------------

struct GetParameterValues {
  std::vector<std::string> names;  // full names or partial paths ending in "."
  bool operator==(const GetParameterValues&) const = default;
};
struct SetParameterValues {
  std::vector<ParameterValue> parameters;
  std::string parameter_key;
  bool operator==(const SetParameterValues&) const = default;
};
struct GetParameterNames {
  std::string parameter_path;
  bool next_level = false;
  bool operator==(const GetParameterNames&) const = default;
};
struct GetParameterAttributes {
  std::vector<std::string> names;
  bool operator==(const GetParameterAttributes&) const = default;
};
struct SetParameterAttributes {
  std::vector<SetParameterAttribute> parameters;
  bool operator==(const SetParameterAttributes&) const = default;
};
struct AddObject {
  std::string object_name;  // "Device.NAT.PortMapping."
  std::string parameter_key;
  bool operator==(const AddObject&) const = default;
};
struct DeleteObject {
  std::string object_name;  // "Device.NAT.PortMapping.3."
  std::string parameter_key;
  bool operator==(const DeleteObject&) const = default;
};
struct Reboot {
  std::string command_key;
  bool operator==(const Reboot&) const = default;
};
struct FactoryReset {
  bool operator==(const FactoryReset&) const = default;
};
struct Download {
  std::string command_key;
  std::string file_type;  // kFileTypeFirmware, ...
  std::string url;
  std::string username;
  std::string password;
  unsigned file_size = 0;
  std::string target_file_name;
  unsigned delay_seconds = 0;
  std::string success_url;
  std::string failure_url;
  bool operator==(const Download&) const = default;
};

// ---- CPE -> ACS responses -----------------------------------------------------------------

struct GetParameterValuesResponse {
  std::vector<ParameterValue> parameters;
  bool operator==(const GetParameterValuesResponse&) const = default;
};
struct SetParameterValuesResponse {
  int status = 0;  // 0 applied, 1 applied but needs a reboot
  bool operator==(const SetParameterValuesResponse&) const = default;
};
struct GetParameterNamesResponse {
  std::vector<ParameterInfo> parameters;
  bool operator==(const GetParameterNamesResponse&) const = default;
};
struct GetParameterAttributesResponse {
  std::vector<ParameterAttribute> parameters;
  bool operator==(const GetParameterAttributesResponse&) const = default;
};
struct SetParameterAttributesResponse {
  bool operator==(const SetParameterAttributesResponse&) const = default;
};
struct AddObjectResponse {
  unsigned instance_number = 0;
  int status = 0;
  bool operator==(const AddObjectResponse&) const = default;
};
struct DeleteObjectResponse {
  int status = 0;
  bool operator==(const DeleteObjectResponse&) const = default;
};
struct RebootResponse {
  bool operator==(const RebootResponse&) const = default;
};
struct FactoryResetResponse {
  bool operator==(const FactoryResetResponse&) const = default;
};
struct DownloadResponse {
  int status = 0;  // 0 done (times valid), 1 not yet (a TransferComplete follows)
  std::string start_time{kUnknownTime};
  std::string complete_time{kUnknownTime};
  bool operator==(const DownloadResponse&) const = default;
};

// ---- Faults -------------------------------------------------------------------------------

struct SetParameterValuesFault {
  std::string parameter_name;
  unsigned fault_code = 0;
  std::string fault_string;
  bool operator==(const SetParameterValuesFault&) const = default;
};

// A SOAP Fault carrying a cwmp:Fault detail: 9000-9019 from a CPE, 8000-8005 from an ACS.
// soap_fault_code is "Client" or "Server" (any "prefix:" stripped when parsing); the writer
// derives it from fault_code when left empty.
struct Fault {
  std::string soap_fault_code;
  std::string soap_fault_string = "CWMP fault";
  unsigned fault_code = 0;
  std::string fault_string;
  std::vector<SetParameterValuesFault> set_parameter_values_faults;
  bool operator==(const Fault&) const = default;
};

// An element in the Body that is not one of the RPCs above; method is its local name. Parsed
// rather than refused so a peer can be told 8000/9000 "Method not supported".
struct UnknownRpc {
  std::string method;
  bool operator==(const UnknownRpc&) const = default;
};

using Body = std::variant<
    // CPE -> ACS requests
    Inform, TransferComplete, AutonomousTransferComplete, GetRPCMethods,
    // ACS -> CPE responses
    InformResponse, TransferCompleteResponse, AutonomousTransferCompleteResponse,
    GetRPCMethodsResponse,
    // ACS -> CPE requests
    GetParameterValues, SetParameterValues, GetParameterNames, GetParameterAttributes,
    SetParameterAttributes, AddObject, DeleteObject, Reboot, FactoryReset, Download,
    // CPE -> ACS responses
    GetParameterValuesResponse, SetParameterValuesResponse, GetParameterNamesResponse,
    GetParameterAttributesResponse, SetParameterAttributesResponse, AddObjectResponse,
    DeleteObjectResponse, RebootResponse, FactoryResetResponse, DownloadResponse,
    // either way
    Fault, UnknownRpc>;

// The RPC element name of a body, e.g. "GetParameterValuesResponse"; "Fault" for a fault.
std::string_view MethodName(const Body& body);

// Whether the body is a request (expects a response) rather than a response or a fault.
bool IsRequest(const Body& body);

// One SOAP envelope. A missing body is the empty HTTP POST / empty response that CWMP uses to
// say "nothing more from me".
struct Envelope {
  CwmpVersion version = CwmpVersion::k1_0;
  std::string id;                      // cwmp:ID header; empty when absent
  bool id_must_understand = true;      // as sent; written as mustUnderstand="1" when true
  std::optional<bool> hold_requests;   // cwmp:HoldRequests header, when present
  bool no_more_requests = false;       // cwmp:NoMoreRequests (deprecated, still sent by some)
  std::optional<Body> body;

  bool empty() const { return !body.has_value(); }
  bool operator==(const Envelope&) const = default;
};

// A reply to `request`: same cwmp version, same cwmp:ID.
Envelope ReplyTo(const Envelope& request, Body body);

struct ParseOptions {
  std::size_t max_bytes = 1 << 20;  // bodies above this are refused before parsing
};

// Parses one CWMP HTTP body. Empty or whitespace-only text, and an envelope whose Body element
// has no child, give an Envelope without body.
// Errors: kTooLarge (above options.max_bytes); kInvalidArgument (not XML, truncated, no
// Envelope or Body, a number or boolean that is not one, an Inform without DeviceId).
Result<Envelope> ParseEnvelope(std::string_view xml, const ParseOptions& options = {});

// Writes a SOAP 1.1 envelope; an envelope without body gives "" (the empty POST).
std::string WriteEnvelope(const Envelope& envelope);

// A complete envelope holding a SOAP Fault with cwmp:Fault detail. fault_string defaults to the
// standard text for the code (FaultCodeText) when empty. Typical ACS codes: 8000 method not
// supported, 8002 internal error, 8003 invalid arguments, 8005 retry request.
std::string WriteSoapFault(CwmpVersion version, std::string_view id, unsigned fault_code,
                           std::string_view fault_string = {});

// Standard text for a CWMP fault code ("Invalid arguments"); "" when unknown.
std::string_view FaultCodeText(unsigned fault_code);
// "Client" when the fault is the requester's doing (8003, 9003, 9005-9008), else "Server",
// per TR-069's fault tables.
std::string_view SoapFaultCodeFor(unsigned fault_code);
// The single place where a hilo Errc becomes an ACS fault code: 8003 for bad input, 8005 for
// retryable conditions (kUnavailable, kConflict), 8001 for refusals, 8002 otherwise.
unsigned AcsFaultCodeFor(Errc code);

}  // namespace hilo::cwmp
