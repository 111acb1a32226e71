#include "hilo/cwmp/soap.h"

#include <array>
#include <charconv>
#include <cstring>
#include <type_traits>
#include <utility>

#include <pugixml.hpp>

namespace hilo::cwmp {
namespace {

constexpr std::array<std::string_view, 5> kNamespaces = {
    "urn:dslforum-org:cwmp-1-0", "urn:dslforum-org:cwmp-1-1", "urn:dslforum-org:cwmp-1-2",
    "urn:dslforum-org:cwmp-1-3", "urn:dslforum-org:cwmp-1-4"};

// Method names in the order of the Body alternatives (UnknownRpc carries its own).
constexpr std::array<std::string_view, std::variant_size_v<Body>> kMethodNames = {
    "Inform",
    "TransferComplete",
    "AutonomousTransferComplete",
    "GetRPCMethods",
    "InformResponse",
    "TransferCompleteResponse",
    "AutonomousTransferCompleteResponse",
    "GetRPCMethodsResponse",
    "GetParameterValues",
    "SetParameterValues",
    "GetParameterNames",
    "GetParameterAttributes",
    "SetParameterAttributes",
    "AddObject",
    "DeleteObject",
    "Reboot",
    "FactoryReset",
    "Download",
    "GetParameterValuesResponse",
    "SetParameterValuesResponse",
    "GetParameterNamesResponse",
    "GetParameterAttributesResponse",
    "SetParameterAttributesResponse",
    "AddObjectResponse",
    "DeleteObjectResponse",
    "RebootResponse",
    "FactoryResetResponse",
    "DownloadResponse",
    "Fault",
    "",
};

std::string_view TrimWs(std::string_view s) {
  const char* ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string_view LocalName(std::string_view qname) {
  const auto colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

bool IsLocal(const pugi::xml_node& node, std::string_view local) {
  return node.type() == pugi::node_element && LocalName(node.name()) == local;
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (IsLocal(c, local)) return c;
  }
  return {};
}

pugi::xml_attribute AttributeByLocal(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    if (name.starts_with("xmlns")) continue;
    if (LocalName(name) == local) return a;
  }
  return {};
}

// All character data of an element, including CDATA sections and text split around comments.
std::string Text(const pugi::xml_node& node) {
  std::string out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

// The namespace URI bound to the prefix of node's name, searching node and its ancestors.
std::string_view NamespaceUri(const pugi::xml_node& node) {
  std::string_view qname = node.name();
  const auto colon = qname.find(':');
  std::string attr = colon == std::string_view::npos
                         ? std::string("xmlns")
                         : "xmlns:" + std::string(qname.substr(0, colon));
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

std::optional<CwmpVersion> VersionOf(const pugi::xml_node& node) {
  if (!node) return std::nullopt;
  return CwmpVersionFromNamespace(NamespaceUri(node));
}

std::string NormaliseType(std::string_view type) {
  type = TrimWs(type);
  if (type.empty()) return {};
  return "xsd:" + std::string(LocalName(type));
}

// Reads fields from a parsed element, remembering the first malformed one, so that each RPC
// parser reads straight through and checks once at the end.
class Reader {
 public:
  std::string Str(const pugi::xml_node& parent, std::string_view local) {
    return std::string(TrimWs(Text(Child(parent, local))));
  }
  // Parameter values keep their whitespace: an SSID may end in a space.
  std::string Raw(const pugi::xml_node& parent, std::string_view local) {
    return Text(Child(parent, local));
  }
  unsigned Uint(const pugi::xml_node& parent, std::string_view local, unsigned fallback = 0) {
    const std::string text = Str(parent, local);
    if (text.empty()) return fallback;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      Bad(local, "is not an unsigned integer: " + Clip(text));
      return fallback;
    }
    return value;
  }
  int Int(const pugi::xml_node& parent, std::string_view local, int fallback = 0) {
    const std::string text = Str(parent, local);
    if (text.empty()) return fallback;
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      Bad(local, "is not an integer: " + Clip(text));
      return fallback;
    }
    return value;
  }
  bool Bool(const pugi::xml_node& parent, std::string_view local, bool fallback = false) {
    return BoolText(Str(parent, local), local, fallback);
  }
  bool BoolText(std::string_view text, std::string_view field, bool fallback) {
    if (text.empty()) return fallback;
    if (text == "1" || text == "true" || text == "TRUE" || text == "True") return true;
    if (text == "0" || text == "false" || text == "FALSE" || text == "False") return false;
    Bad(field, "is not a boolean: " + Clip(text));
    return fallback;
  }
  void Bad(std::string_view field, std::string message) {
    if (!error_) error_ = Error{Errc::kInvalidArgument, std::string(field) + " " + message,
                                std::string(field)};
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  static std::string Clip(std::string_view s) {
    return "\"" + std::string(s.substr(0, 40)) + (s.size() > 40 ? "...\"" : "\"");
  }
  std::optional<Error> error_;
};

template <typename Fn>
void ForEachElement(const pugi::xml_node& list, Fn&& fn) {
  for (pugi::xml_node c = list.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) fn(c);
  }
}

std::vector<std::string> StringList(const pugi::xml_node& list) {
  std::vector<std::string> out;
  ForEachElement(list, [&](const pugi::xml_node& c) { out.emplace_back(TrimWs(Text(c))); });
  return out;
}

std::vector<ParameterValue> ParameterList(Reader& r, const pugi::xml_node& list) {
  std::vector<ParameterValue> out;
  ForEachElement(list, [&](const pugi::xml_node& item) {
    ParameterValue p;
    p.name = r.Str(item, "Name");
    const pugi::xml_node value = Child(item, "Value");
    p.value = Text(value);
    p.type = NormaliseType(AttributeByLocal(value, "type").value());
    out.push_back(std::move(p));
  });
  return out;
}

FaultStruct ReadFaultStruct(Reader& r, const pugi::xml_node& node) {
  return FaultStruct{r.Uint(node, "FaultCode"), r.Str(node, "FaultString")};
}

// ---- One parser per RPC -------------------------------------------------------------------

Body ParseInform(Reader& r, const pugi::xml_node& n) {
  Inform m;
  const pugi::xml_node id = Child(n, "DeviceId");
  if (!id) r.Bad("DeviceId", "is missing from the Inform");
  m.device_id = {r.Str(id, "Manufacturer"), r.Str(id, "OUI"), r.Str(id, "ProductClass"),
                 r.Str(id, "SerialNumber")};
  ForEachElement(Child(n, "Event"), [&](const pugi::xml_node& e) {
    m.events.push_back({r.Str(e, "EventCode"), r.Str(e, "CommandKey")});
  });
  m.max_envelopes = r.Uint(n, "MaxEnvelopes", 1);
  m.current_time = r.Str(n, "CurrentTime");
  m.retry_count = r.Uint(n, "RetryCount");
  m.parameters = ParameterList(r, Child(n, "ParameterList"));
  return m;
}

Body ParseTransferComplete(Reader& r, const pugi::xml_node& n) {
  return TransferComplete{r.Str(n, "CommandKey"), ReadFaultStruct(r, Child(n, "FaultStruct")),
                          r.Str(n, "StartTime"), r.Str(n, "CompleteTime")};
}

Body ParseAutonomousTransferComplete(Reader& r, const pugi::xml_node& n) {
  AutonomousTransferComplete m;
  m.announce_url = r.Str(n, "AnnounceURL");
  m.transfer_url = r.Str(n, "TransferURL");
  m.is_download = r.Bool(n, "IsDownload", true);
  m.file_type = r.Str(n, "FileType");
  m.file_size = r.Uint(n, "FileSize");
  m.target_file_name = r.Str(n, "TargetFileName");
  m.fault = ReadFaultStruct(r, Child(n, "FaultStruct"));
  m.start_time = r.Str(n, "StartTime");
  m.complete_time = r.Str(n, "CompleteTime");
  return m;
}

Body ParseGetRPCMethods(Reader&, const pugi::xml_node&) { return GetRPCMethods{}; }
Body ParseInformResponse(Reader& r, const pugi::xml_node& n) {
  return InformResponse{r.Uint(n, "MaxEnvelopes", 1)};
}
Body ParseTransferCompleteResponse(Reader&, const pugi::xml_node&) {
  return TransferCompleteResponse{};
}
Body ParseAutonomousTransferCompleteResponse(Reader&, const pugi::xml_node&) {
  return AutonomousTransferCompleteResponse{};
}
Body ParseGetRPCMethodsResponse(Reader&, const pugi::xml_node& n) {
  return GetRPCMethodsResponse{StringList(Child(n, "MethodList"))};
}
Body ParseGetParameterValues(Reader&, const pugi::xml_node& n) {
  return GetParameterValues{StringList(Child(n, "ParameterNames"))};
}
Body ParseSetParameterValues(Reader& r, const pugi::xml_node& n) {
  return SetParameterValues{ParameterList(r, Child(n, "ParameterList")),
                            r.Str(n, "ParameterKey")};
}
Body ParseGetParameterNames(Reader& r, const pugi::xml_node& n) {
  return GetParameterNames{r.Str(n, "ParameterPath"), r.Bool(n, "NextLevel")};
}
Body ParseGetParameterAttributes(Reader&, const pugi::xml_node& n) {
  return GetParameterAttributes{StringList(Child(n, "ParameterNames"))};
}
Body ParseSetParameterAttributes(Reader& r, const pugi::xml_node& n) {
  SetParameterAttributes m;
  ForEachElement(Child(n, "ParameterList"), [&](const pugi::xml_node& item) {
    SetParameterAttribute a;
    a.name = r.Str(item, "Name");
    a.notification_change = r.Bool(item, "NotificationChange");
    a.notification = r.Int(item, "Notification");
    a.access_list_change = r.Bool(item, "AccessListChange");
    a.access_list = StringList(Child(item, "AccessList"));
    m.parameters.push_back(std::move(a));
  });
  return m;
}
Body ParseAddObject(Reader& r, const pugi::xml_node& n) {
  return AddObject{r.Str(n, "ObjectName"), r.Str(n, "ParameterKey")};
}
Body ParseDeleteObject(Reader& r, const pugi::xml_node& n) {
  return DeleteObject{r.Str(n, "ObjectName"), r.Str(n, "ParameterKey")};
}
Body ParseReboot(Reader& r, const pugi::xml_node& n) { return Reboot{r.Str(n, "CommandKey")}; }
Body ParseFactoryReset(Reader&, const pugi::xml_node&) { return FactoryReset{}; }
Body ParseDownload(Reader& r, const pugi::xml_node& n) {
  Download m;
  m.command_key = r.Str(n, "CommandKey");
  m.file_type = r.Str(n, "FileType");
  m.url = r.Str(n, "URL");
  m.username = r.Str(n, "Username");
  m.password = r.Raw(n, "Password");
  m.file_size = r.Uint(n, "FileSize");
  m.target_file_name = r.Str(n, "TargetFileName");
  m.delay_seconds = r.Uint(n, "DelaySeconds");
  m.success_url = r.Str(n, "SuccessURL");
  m.failure_url = r.Str(n, "FailureURL");
  return m;
}
Body ParseGetParameterValuesResponse(Reader& r, const pugi::xml_node& n) {
  return GetParameterValuesResponse{ParameterList(r, Child(n, "ParameterList"))};
}
Body ParseSetParameterValuesResponse(Reader& r, const pugi::xml_node& n) {
  return SetParameterValuesResponse{r.Int(n, "Status")};
}
Body ParseGetParameterNamesResponse(Reader& r, const pugi::xml_node& n) {
  GetParameterNamesResponse m;
  ForEachElement(Child(n, "ParameterList"), [&](const pugi::xml_node& item) {
    m.parameters.push_back({r.Str(item, "Name"), r.Bool(item, "Writable")});
  });
  return m;
}
Body ParseGetParameterAttributesResponse(Reader& r, const pugi::xml_node& n) {
  GetParameterAttributesResponse m;
  ForEachElement(Child(n, "ParameterList"), [&](const pugi::xml_node& item) {
    m.parameters.push_back({r.Str(item, "Name"), r.Int(item, "Notification"),
                            StringList(Child(item, "AccessList"))});
  });
  return m;
}
Body ParseSetParameterAttributesResponse(Reader&, const pugi::xml_node&) {
  return SetParameterAttributesResponse{};
}
Body ParseAddObjectResponse(Reader& r, const pugi::xml_node& n) {
  return AddObjectResponse{r.Uint(n, "InstanceNumber"), r.Int(n, "Status")};
}
Body ParseDeleteObjectResponse(Reader& r, const pugi::xml_node& n) {
  return DeleteObjectResponse{r.Int(n, "Status")};
}
Body ParseRebootResponse(Reader&, const pugi::xml_node&) { return RebootResponse{}; }
Body ParseFactoryResetResponse(Reader&, const pugi::xml_node&) { return FactoryResetResponse{}; }
Body ParseDownloadResponse(Reader& r, const pugi::xml_node& n) {
  DownloadResponse m;
  m.status = r.Int(n, "Status");
  m.start_time = r.Str(n, "StartTime");
  m.complete_time = r.Str(n, "CompleteTime");
  return m;
}
Body ParseFault(Reader& r, const pugi::xml_node& n) {
  Fault m;
  m.soap_fault_code = std::string(LocalName(r.Str(n, "faultcode")));
  m.soap_fault_string = r.Str(n, "faultstring");
  const pugi::xml_node detail = Child(Child(n, "detail"), "Fault");
  m.fault_code = r.Uint(detail, "FaultCode");
  m.fault_string = r.Str(detail, "FaultString");
  ForEachElement(detail, [&](const pugi::xml_node& c) {
    if (!IsLocal(c, "SetParameterValuesFault")) return;
    m.set_parameter_values_faults.push_back(
        {r.Str(c, "ParameterName"), r.Uint(c, "FaultCode"), r.Str(c, "FaultString")});
  });
  return m;
}

using ParseFn = Body (*)(Reader&, const pugi::xml_node&);
struct Parser {
  std::string_view name;
  ParseFn fn;
};
constexpr Parser kParsers[] = {
    {"Inform", ParseInform},
    {"TransferComplete", ParseTransferComplete},
    {"AutonomousTransferComplete", ParseAutonomousTransferComplete},
    {"GetRPCMethods", ParseGetRPCMethods},
    {"InformResponse", ParseInformResponse},
    {"TransferCompleteResponse", ParseTransferCompleteResponse},
    {"AutonomousTransferCompleteResponse", ParseAutonomousTransferCompleteResponse},
    {"GetRPCMethodsResponse", ParseGetRPCMethodsResponse},
    {"GetParameterValues", ParseGetParameterValues},
    {"SetParameterValues", ParseSetParameterValues},
    {"GetParameterNames", ParseGetParameterNames},
    {"GetParameterAttributes", ParseGetParameterAttributes},
    {"SetParameterAttributes", ParseSetParameterAttributes},
    {"AddObject", ParseAddObject},
    {"DeleteObject", ParseDeleteObject},
    {"Reboot", ParseReboot},
    {"FactoryReset", ParseFactoryReset},
    {"Download", ParseDownload},
    {"GetParameterValuesResponse", ParseGetParameterValuesResponse},
    {"SetParameterValuesResponse", ParseSetParameterValuesResponse},
    {"GetParameterNamesResponse", ParseGetParameterNamesResponse},
    {"GetParameterAttributesResponse", ParseGetParameterAttributesResponse},
    {"SetParameterAttributesResponse", ParseSetParameterAttributesResponse},
    {"AddObjectResponse", ParseAddObjectResponse},
    {"DeleteObjectResponse", ParseDeleteObjectResponse},
    {"RebootResponse", ParseRebootResponse},
    {"FactoryResetResponse", ParseFactoryResetResponse},
    {"DownloadResponse", ParseDownloadResponse},
    {"Fault", ParseFault},
};

// Any cwmp namespace declared on the element or its ancestors: the fallback when the body and
// header elements carry none (an empty body, or unprefixed elements in a default namespace).
std::optional<CwmpVersion> DeclaredVersion(const pugi::xml_node& node) {
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      if (!std::string_view(a.name()).starts_with("xmlns")) continue;
      if (auto v = CwmpVersionFromNamespace(a.value())) return v;
    }
  }
  return std::nullopt;
}

// ---- Writer -------------------------------------------------------------------------------

// Appends text escaped for element content or attribute values. Characters XML 1.0 cannot
// carry (C0 controls other than tab/newline/CR) become '?', so the output always parses.
void AppendEscaped(std::string& out, std::string_view text) {
  auto special = [](char ch) {
    return ch == '&' || ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
           (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n');
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (!special(ch)) continue;
    out.append(text.data() + start, i - start);  // the plain run before this character
    start = i + 1;
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      default: out += '?';
    }
  }
  out.append(text.data() + start, text.size() - start);
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void Open(std::string_view tag) { out_ += '<'; out_ += tag; out_ += '>'; }
  void Close(std::string_view tag) { out_ += "</"; out_ += tag; out_ += '>'; }
  void OpenArray(std::string_view tag, std::string_view item_type, std::size_t count) {
    out_ += '<';
    out_ += tag;
    out_ += " SOAP-ENC:arrayType=\"";
    out_ += item_type;
    out_ += '[';
    out_ += std::to_string(count);
    out_ += "]\">";
  }
  void Leaf(std::string_view tag, std::string_view text) {
    Open(tag);
    AppendEscaped(out_, text);
    Close(tag);
  }
  void Leaf(std::string_view tag, unsigned v) { Leaf(tag, std::to_string(v)); }
  void Leaf(std::string_view tag, int v) { Leaf(tag, std::to_string(v)); }
  void Leaf(std::string_view tag, bool v) { Leaf(tag, v ? "1" : "0"); }
  void Leaf(std::string_view tag, const char* text) { Leaf(tag, std::string_view(text)); }
  void Leaf(std::string_view tag, const std::string& text) { Leaf(tag, std::string_view(text)); }
  void TypedValue(std::string_view type, std::string_view text) {
    out_ += "<Value xsi:type=\"xsd:";
    AppendEscaped(out_, type.empty() ? std::string_view("string") : LocalName(type));
    out_ += "\">";
    AppendEscaped(out_, text);
    out_ += "</Value>";
  }
  void Strings(std::string_view tag, const std::vector<std::string>& items) {
    OpenArray(tag, "xsd:string", items.size());
    for (const auto& s : items) Leaf("string", s);
    Close(tag);
  }
  void Params(const std::vector<ParameterValue>& params) {
    OpenArray("ParameterList", "cwmp:ParameterValueStruct", params.size());
    for (const auto& p : params) {
      Open("ParameterValueStruct");
      Leaf("Name", p.name);
      TypedValue(p.type, p.value);
      Close("ParameterValueStruct");
    }
    Close("ParameterList");
  }
  void FaultStructEl(const FaultStruct& f) {
    Open("FaultStruct");
    Leaf("FaultCode", f.fault_code);
    Leaf("FaultString", f.fault_string);
    Close("FaultStruct");
  }
  std::string& out() { return out_; }

 private:
  std::string& out_;
};

void WriteBody(Writer& w, const Inform& m) {
  w.Open("DeviceId");
  w.Leaf("Manufacturer", m.device_id.manufacturer);
  w.Leaf("OUI", m.device_id.oui);
  w.Leaf("ProductClass", m.device_id.product_class);
  w.Leaf("SerialNumber", m.device_id.serial_number);
  w.Close("DeviceId");
  w.OpenArray("Event", "cwmp:EventStruct", m.events.size());
  for (const auto& e : m.events) {
    w.Open("EventStruct");
    w.Leaf("EventCode", e.event_code);
    w.Leaf("CommandKey", e.command_key);
    w.Close("EventStruct");
  }
  w.Close("Event");
  w.Leaf("MaxEnvelopes", m.max_envelopes);
  w.Leaf("CurrentTime", m.current_time);
  w.Leaf("RetryCount", m.retry_count);
  w.Params(m.parameters);
}
void WriteBody(Writer& w, const TransferComplete& m) {
  w.Leaf("CommandKey", m.command_key);
  w.FaultStructEl(m.fault);
  w.Leaf("StartTime", m.start_time);
  w.Leaf("CompleteTime", m.complete_time);
}
void WriteBody(Writer& w, const AutonomousTransferComplete& m) {
  w.Leaf("AnnounceURL", m.announce_url);
  w.Leaf("TransferURL", m.transfer_url);
  w.Leaf("IsDownload", m.is_download);
  w.Leaf("FileType", m.file_type);
  w.Leaf("FileSize", m.file_size);
  w.Leaf("TargetFileName", m.target_file_name);
  w.FaultStructEl(m.fault);
  w.Leaf("StartTime", m.start_time);
  w.Leaf("CompleteTime", m.complete_time);
}
void WriteBody(Writer&, const GetRPCMethods&) {}
void WriteBody(Writer& w, const InformResponse& m) { w.Leaf("MaxEnvelopes", m.max_envelopes); }
void WriteBody(Writer&, const TransferCompleteResponse&) {}
void WriteBody(Writer&, const AutonomousTransferCompleteResponse&) {}
void WriteBody(Writer& w, const GetRPCMethodsResponse& m) { w.Strings("MethodList", m.methods); }
void WriteBody(Writer& w, const GetParameterValues& m) { w.Strings("ParameterNames", m.names); }
void WriteBody(Writer& w, const SetParameterValues& m) {
  w.Params(m.parameters);
  w.Leaf("ParameterKey", m.parameter_key);
}
void WriteBody(Writer& w, const GetParameterNames& m) {
  w.Leaf("ParameterPath", m.parameter_path);
  w.Leaf("NextLevel", m.next_level);
}
void WriteBody(Writer& w, const GetParameterAttributes& m) {
  w.Strings("ParameterNames", m.names);
}
void WriteBody(Writer& w, const SetParameterAttributes& m) {
  w.OpenArray("ParameterList", "cwmp:SetParameterAttributesStruct", m.parameters.size());
  for (const auto& a : m.parameters) {
    w.Open("SetParameterAttributesStruct");
    w.Leaf("Name", a.name);
    w.Leaf("NotificationChange", a.notification_change);
    w.Leaf("Notification", a.notification);
    w.Leaf("AccessListChange", a.access_list_change);
    w.Strings("AccessList", a.access_list);
    w.Close("SetParameterAttributesStruct");
  }
  w.Close("ParameterList");
}
void WriteBody(Writer& w, const AddObject& m) {
  w.Leaf("ObjectName", m.object_name);
  w.Leaf("ParameterKey", m.parameter_key);
}
void WriteBody(Writer& w, const DeleteObject& m) {
  w.Leaf("ObjectName", m.object_name);
  w.Leaf("ParameterKey", m.parameter_key);
}
void WriteBody(Writer& w, const Reboot& m) { w.Leaf("CommandKey", m.command_key); }
void WriteBody(Writer&, const FactoryReset&) {}
void WriteBody(Writer& w, const Download& m) {
  w.Leaf("CommandKey", m.command_key);
  w.Leaf("FileType", m.file_type);
  w.Leaf("URL", m.url);
  w.Leaf("Username", m.username);
  w.Leaf("Password", m.password);
  w.Leaf("FileSize", m.file_size);
  w.Leaf("TargetFileName", m.target_file_name);
  w.Leaf("DelaySeconds", m.delay_seconds);
  w.Leaf("SuccessURL", m.success_url);
  w.Leaf("FailureURL", m.failure_url);
}
void WriteBody(Writer& w, const GetParameterValuesResponse& m) { w.Params(m.parameters); }
void WriteBody(Writer& w, const SetParameterValuesResponse& m) { w.Leaf("Status", m.status); }
void WriteBody(Writer& w, const GetParameterNamesResponse& m) {
  w.OpenArray("ParameterList", "cwmp:ParameterInfoStruct", m.parameters.size());
  for (const auto& p : m.parameters) {
    w.Open("ParameterInfoStruct");
    w.Leaf("Name", p.name);
    w.Leaf("Writable", p.writable);
    w.Close("ParameterInfoStruct");
  }
  w.Close("ParameterList");
}
void WriteBody(Writer& w, const GetParameterAttributesResponse& m) {
  w.OpenArray("ParameterList", "cwmp:ParameterAttributeStruct", m.parameters.size());
  for (const auto& p : m.parameters) {
    w.Open("ParameterAttributeStruct");
    w.Leaf("Name", p.name);
    w.Leaf("Notification", p.notification);
    w.Strings("AccessList", p.access_list);
    w.Close("ParameterAttributeStruct");
  }
  w.Close("ParameterList");
}
void WriteBody(Writer&, const SetParameterAttributesResponse&) {}
void WriteBody(Writer& w, const AddObjectResponse& m) {
  w.Leaf("InstanceNumber", m.instance_number);
  w.Leaf("Status", m.status);
}
void WriteBody(Writer& w, const DeleteObjectResponse& m) { w.Leaf("Status", m.status); }
void WriteBody(Writer&, const RebootResponse&) {}
void WriteBody(Writer&, const FactoryResetResponse&) {}
void WriteBody(Writer& w, const DownloadResponse& m) {
  w.Leaf("Status", m.status);
  w.Leaf("StartTime", m.start_time);
  w.Leaf("CompleteTime", m.complete_time);
}
void WriteBody(Writer&, const UnknownRpc&) {}
void WriteBody(Writer&, const Fault&) {}  // faults are written by WriteFault

void WriteFault(Writer& w, const Fault& m) {
  w.Open("SOAP-ENV:Fault");
  w.Leaf("faultcode", m.soap_fault_code.empty() ? SoapFaultCodeFor(m.fault_code)
                                                : std::string_view(m.soap_fault_code));
  w.Leaf("faultstring", m.soap_fault_string);
  w.Open("detail");
  w.Open("cwmp:Fault");
  w.Leaf("FaultCode", m.fault_code);
  w.Leaf("FaultString", m.fault_string.empty() ? FaultCodeText(m.fault_code)
                                               : std::string_view(m.fault_string));
  for (const auto& f : m.set_parameter_values_faults) {
    w.Open("SetParameterValuesFault");
    w.Leaf("ParameterName", f.parameter_name);
    w.Leaf("FaultCode", f.fault_code);
    w.Leaf("FaultString", f.fault_string.empty() ? FaultCodeText(f.fault_code)
                                                 : std::string_view(f.fault_string));
    w.Close("SetParameterValuesFault");
  }
  w.Close("cwmp:Fault");
  w.Close("detail");
  w.Close("SOAP-ENV:Fault");
}

// An XML name for an unknown method: letters, digits and '_' only, so the output stays
// well-formed whatever the caller put in UnknownRpc::method.
std::string SafeElementName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                    (!out.empty() && c >= '0' && c <= '9');
    if (ok) out += c;
  }
  return out.empty() ? "UnknownMethod" : out;
}

}  // namespace

std::string_view CwmpNamespace(CwmpVersion version) {
  return kNamespaces[static_cast<std::size_t>(version)];
}

std::optional<CwmpVersion> CwmpVersionFromNamespace(std::string_view uri) {
  uri = TrimWs(uri);
  for (std::size_t i = 0; i < kNamespaces.size(); ++i) {
    if (uri == kNamespaces[i]) return static_cast<CwmpVersion>(i);
  }
  return std::nullopt;
}

std::string_view MethodName(const Body& body) {
  if (const auto* u = std::get_if<UnknownRpc>(&body)) return u->method;
  return kMethodNames[body.index()];
}

bool IsRequest(const Body& body) {
  return std::visit(
      [](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        return std::is_same_v<T, Inform> || std::is_same_v<T, TransferComplete> ||
               std::is_same_v<T, AutonomousTransferComplete> ||
               std::is_same_v<T, GetRPCMethods> || std::is_same_v<T, GetParameterValues> ||
               std::is_same_v<T, SetParameterValues> || std::is_same_v<T, GetParameterNames> ||
               std::is_same_v<T, GetParameterAttributes> ||
               std::is_same_v<T, SetParameterAttributes> || std::is_same_v<T, AddObject> ||
               std::is_same_v<T, DeleteObject> || std::is_same_v<T, Reboot> ||
               std::is_same_v<T, FactoryReset> || std::is_same_v<T, Download> ||
               std::is_same_v<T, UnknownRpc>;
      },
      body);
}

Envelope ReplyTo(const Envelope& request, Body body) {
  Envelope out;
  out.version = request.version;
  out.id = request.id;
  out.id_must_understand = true;
  out.body = std::move(body);
  return out;
}

Result<Envelope> ParseEnvelope(std::string_view xml, const ParseOptions& options) {
  if (xml.size() > options.max_bytes) {
    return Fail(Errc::kTooLarge, "SOAP envelope of " + std::to_string(xml.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(options.max_bytes));
  }
  Envelope env;
  if (TrimWs(xml).empty()) return env;  // the empty POST

  pugi::xml_document doc;
  // parse_default expands only the predefined entities and skips a DOCTYPE, so no external
  // entities or entity-expansion bombs can be smuggled in.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Fail(Errc::kInvalidArgument, std::string("malformed XML at byte ") +
                                            std::to_string(parsed.offset) + ": " +
                                            parsed.description());
  }
  const pugi::xml_node root = doc.document_element();
  if (!IsLocal(root, "Envelope")) {
    return Fail(Errc::kInvalidArgument,
                std::string("root element is <") + root.name() + ">, not a SOAP Envelope");
  }
  const pugi::xml_node header = Child(root, "Header");
  const pugi::xml_node body = Child(root, "Body");
  if (!body) return Fail(Errc::kInvalidArgument, "SOAP Envelope has no Body");

  Reader r;
  pugi::xml_node id_node;
  for (pugi::xml_node h = header.first_child(); h; h = h.next_sibling()) {
    if (IsLocal(h, "ID")) {
      id_node = h;
      env.id = std::string(TrimWs(Text(h)));
      // The ID is echoed back in our answer; control characters cannot be written in XML 1.0,
      // so an ID carrying them is refused rather than echoed altered (found by the fuzzer).
      for (char c : env.id)
        if (static_cast<unsigned char>(c) < 0x20)
          return Fail(Errc::kInvalidArgument, "cwmp:ID contains control characters", "ID");
      const pugi::xml_attribute mu = AttributeByLocal(h, "mustUnderstand");
      env.id_must_understand = mu ? r.BoolText(TrimWs(mu.value()), "mustUnderstand", true)
                                  : false;
    } else if (IsLocal(h, "HoldRequests")) {
      env.hold_requests = r.BoolText(TrimWs(Text(h)), "HoldRequests", false);
    } else if (IsLocal(h, "NoMoreRequests")) {
      env.no_more_requests = r.BoolText(TrimWs(Text(h)), "NoMoreRequests", false);
    }
  }

  pugi::xml_node rpc;
  for (pugi::xml_node c = body.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      rpc = c;
      break;
    }
  }

  env.version = VersionOf(rpc)
                    .or_else([&] { return VersionOf(id_node); })
                    .or_else([&] { return DeclaredVersion(rpc ? rpc : body); })
                    .value_or(CwmpVersion::k1_0);

  if (rpc) {
    const std::string_view name = LocalName(rpc.name());
    ParseFn fn = nullptr;
    for (const Parser& p : kParsers) {
      if (p.name == name) {
        fn = p.fn;
        break;
      }
    }
    // Unknown methods keep only name characters, as the writer does, so what is parsed can be
    // written back and parsed to the same thing (found by the fuzzer).
    env.body = fn ? fn(r, rpc) : Body(UnknownRpc{SafeElementName(name)});
  }
  if (r.error()) return std::unexpected(*r.error());
  return env;
}

std::string WriteEnvelope(const Envelope& envelope) {
  std::string out;
  if (!envelope.body) return out;
  out.reserve(1024);
  out +=
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<SOAP-ENV:Envelope"
      " xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\""
      " xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\""
      " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
      " xmlns:cwmp=\"";
  out += CwmpNamespace(envelope.version);
  out += "\">\n";
  Writer w(out);
  const bool has_header =
      !envelope.id.empty() || envelope.hold_requests.has_value() || envelope.no_more_requests;
  if (has_header) {
    out += "<SOAP-ENV:Header>\n";
    if (!envelope.id.empty()) {
      out += envelope.id_must_understand ? "<cwmp:ID SOAP-ENV:mustUnderstand=\"1\">"
                                         : "<cwmp:ID>";
      AppendEscaped(out, envelope.id);
      out += "</cwmp:ID>\n";
    }
    if (envelope.hold_requests) {
      out += "<cwmp:HoldRequests SOAP-ENV:mustUnderstand=\"1\">";
      out += *envelope.hold_requests ? '1' : '0';
      out += "</cwmp:HoldRequests>\n";
    }
    if (envelope.no_more_requests) out += "<cwmp:NoMoreRequests>1</cwmp:NoMoreRequests>\n";
    out += "</SOAP-ENV:Header>\n";
  }
  out += "<SOAP-ENV:Body>\n";
  if (const auto* fault = std::get_if<Fault>(&*envelope.body)) {
    WriteFault(w, *fault);
  } else {
    const std::string tag = "cwmp:" + (std::holds_alternative<UnknownRpc>(*envelope.body)
                                           ? SafeElementName(MethodName(*envelope.body))
                                           : std::string(MethodName(*envelope.body)));
    w.Open(tag);
    std::visit([&](const auto& m) { WriteBody(w, m); }, *envelope.body);
    w.Close(tag);
  }
  out += "\n</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n";
  return out;
}

std::string WriteSoapFault(CwmpVersion version, std::string_view id, unsigned fault_code,
                           std::string_view fault_string) {
  Envelope env;
  env.version = version;
  env.id = std::string(id);
  Fault f;
  f.fault_code = fault_code;
  f.fault_string = std::string(fault_string);
  env.body = std::move(f);
  return WriteEnvelope(env);
}

std::string_view FaultCodeText(unsigned code) {
  switch (code) {
    case 8000: return "Method not supported";
    case 8001: return "Request denied";
    case 8002: return "Internal error";
    case 8003: return "Invalid arguments";
    case 8004: return "Resources exceeded";
    case 8005: return "Retry request";
    case 9000: return "Method not supported";
    case 9001: return "Request denied";
    case 9002: return "Internal error";
    case 9003: return "Invalid arguments";
    case 9004: return "Resources exceeded";
    case 9005: return "Invalid parameter name";
    case 9006: return "Invalid parameter type";
    case 9007: return "Invalid parameter value";
    case 9008: return "Attempt to set a non-writable parameter";
    case 9009: return "Notification request rejected";
    case 9010: return "Download failure";
    case 9011: return "Upload failure";
    case 9012: return "File transfer server authentication failure";
    case 9013: return "Unsupported protocol for file transfer";
    case 9014: return "Download failure: unable to join multicast group";
    case 9015: return "Download failure: unable to contact file server";
    case 9016: return "Download failure: unable to access file";
    case 9017: return "Download failure: unable to complete download";
    case 9018: return "Download failure: file corrupted";
    case 9019: return "Download failure: file authentication failure";
    default: return "";
  }
}

std::string_view SoapFaultCodeFor(unsigned code) {
  switch (code) {
    case 8003:
    case 9003:
    case 9005:
    case 9006:
    case 9007:
    case 9008:
      return "Client";
    default:
      return "Server";
  }
}

unsigned AcsFaultCodeFor(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
    case Errc::kTooLarge:
    case Errc::kNotFound:
    case Errc::kAlreadyExists:
      return 8003;
    case Errc::kUnavailable:
    case Errc::kConflict:
      return 8005;
    case Errc::kUnauthenticated:
    case Errc::kPermissionDenied:
    case Errc::kFailedPrecondition:
      return 8001;
    case Errc::kInternal:
      return 8002;
  }
  return 8002;
}

}  // namespace hilo::cwmp
