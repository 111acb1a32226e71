#include "hilo/cwmp/acs.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "hilo/base/text.h"
#include "hilo/cwmp/auth.h"
#include "hilo/cwmp/soap.h"
#include "hilo/net/http_client.h"
#include "hilo/telemetry/normalize.h"
#include "hilo/telemetry/series.h"

namespace hilo::cwmp {
namespace {

constexpr std::string_view kCookie = "hilo_cwmp";

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  RAND_bytes(buf.data(), static_cast<int>(buf.size()));
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : buf) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string VersionText(CwmpVersion v) {
  switch (v) {
    case CwmpVersion::k1_0: return "1-0";
    case CwmpVersion::k1_1: return "1-1";
    case CwmpVersion::k1_2: return "1-2";
    case CwmpVersion::k1_3: return "1-3";
    case CwmpVersion::k1_4: return "1-4";
  }
  return "1-0";
}

net::HttpResponse Xml(int status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = "text/xml; charset=utf-8";
  r.body = std::move(body);
  return r;
}

net::HttpResponse NoContent() {
  net::HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

// The RPC that carries a task to the CPE.
Body TaskToRpc(const CpeTask& t, const std::string& command_key) {
  const Value& a = t.args;
  switch (t.kind) {
    case TaskKind::kGetParameterValues: {
      GetParameterValues r;
      for (const auto& n : a.Get("names").AsArray()) r.names.push_back(n.AsString());
      return r;
    }
    case TaskKind::kSetParameterValues: {
      SetParameterValues r;
      for (const auto& v : a.Get("values").AsArray())
        r.parameters.push_back({v.Get("name").AsString(), v.Get("value").AsString(),
                                v.Get("type").IsString() ? v.Get("type").AsString() : "xsd:string"});
      r.parameter_key = command_key;
      return r;
    }
    case TaskKind::kGetParameterNames:
      return GetParameterNames{a.Get("path").AsString(), a.Get("next_level").AsBool()};
    case TaskKind::kGetParameterAttributes: {
      GetParameterAttributes r;
      for (const auto& n : a.Get("names").AsArray()) r.names.push_back(n.AsString());
      return r;
    }
    case TaskKind::kSetParameterAttributes: {
      SetParameterAttributes r;
      for (const auto& x : a.Get("attributes").AsArray()) {
        SetParameterAttribute s;
        s.name = x.Get("name").AsString();
        s.notification_change = true;
        s.notification = static_cast<int>(x.Get("notification").AsInt());
        r.parameters.push_back(std::move(s));
      }
      return r;
    }
    case TaskKind::kAddObject:
      return AddObject{a.Get("object").AsString(), command_key};
    case TaskKind::kDeleteObject:
      return DeleteObject{a.Get("object").AsString(), command_key};
    case TaskKind::kReboot:
      return Reboot{command_key};
    case TaskKind::kFactoryReset:
      return FactoryReset{};
    case TaskKind::kDownload: {
      Download d;
      d.command_key = command_key;
      d.file_type = a.Get("file_type").IsString() ? a.Get("file_type").AsString() : std::string(kFileTypeFirmware);
      d.url = a.Get("url").AsString();
      d.username = a.Get("username").AsString();
      d.password = a.Get("password").AsString();
      d.file_size = static_cast<unsigned>(a.Get("file_size").AsInt());
      d.target_file_name = a.Get("target_file_name").AsString();
      return d;
    }
  }
  return GetRPCMethods{};
}

Value ParamsToValue(const std::vector<ParameterValue>& params) {
  Value out = Value::MakeArray();
  for (const auto& p : params) {
    Value v = Value::MakeObject();
    v.Set("name", p.name);
    v.Set("value", p.value);
    v.Set("type", p.type);
    out.Push(std::move(v));
  }
  return out;
}

// What a task's response says, as a Value for the task's result.
Value ResultOf(const Body& body) {
  Value r = Value::MakeObject();
  r.Set("rpc", MethodName(body));
  if (auto* g = std::get_if<GetParameterValuesResponse>(&body)) r.Set("parameters", ParamsToValue(g->parameters));
  if (auto* s = std::get_if<SetParameterValuesResponse>(&body)) r.Set("status", s->status);
  if (auto* n = std::get_if<GetParameterNamesResponse>(&body)) {
    Value names = Value::MakeArray();
    for (const auto& p : n->parameters) {
      Value v = Value::MakeObject();
      v.Set("name", p.name);
      v.Set("writable", p.writable);
      names.Push(std::move(v));
    }
    r.Set("parameters", std::move(names));
  }
  if (auto* at = std::get_if<GetParameterAttributesResponse>(&body)) {
    Value list = Value::MakeArray();
    for (const auto& p : at->parameters) {
      Value v = Value::MakeObject();
      v.Set("name", p.name);
      v.Set("notification", p.notification);
      list.Push(std::move(v));
    }
    r.Set("parameters", std::move(list));
  }
  if (auto* add = std::get_if<AddObjectResponse>(&body)) {
    r.Set("instance_number", static_cast<std::int64_t>(add->instance_number));
    r.Set("status", add->status);
  }
  if (auto* del = std::get_if<DeleteObjectResponse>(&body)) r.Set("status", del->status);
  if (auto* dl = std::get_if<DownloadResponse>(&body)) r.Set("status", dl->status);
  return r;
}

// Whether a CPE response answers the RPC we sent for this task.
bool Answers(TaskKind kind, const Body& body) {
  switch (kind) {
    case TaskKind::kGetParameterValues: return std::holds_alternative<GetParameterValuesResponse>(body);
    case TaskKind::kSetParameterValues: return std::holds_alternative<SetParameterValuesResponse>(body);
    case TaskKind::kGetParameterNames: return std::holds_alternative<GetParameterNamesResponse>(body);
    case TaskKind::kGetParameterAttributes: return std::holds_alternative<GetParameterAttributesResponse>(body);
    case TaskKind::kSetParameterAttributes: return std::holds_alternative<SetParameterAttributesResponse>(body);
    case TaskKind::kAddObject: return std::holds_alternative<AddObjectResponse>(body);
    case TaskKind::kDeleteObject: return std::holds_alternative<DeleteObjectResponse>(body);
    case TaskKind::kReboot: return std::holds_alternative<RebootResponse>(body);
    case TaskKind::kFactoryReset: return std::holds_alternative<FactoryResetResponse>(body);
    case TaskKind::kDownload: return std::holds_alternative<DownloadResponse>(body);
  }
  return false;
}

std::vector<CpeParam> ToCpeParams(const std::vector<ParameterValue>& params, Time now) {
  std::vector<CpeParam> out;
  out.reserve(params.size());
  for (const auto& p : params) out.push_back(CpeParam{p.name, p.value, p.type, now});
  return out;
}

}  // namespace

std::string ConnectionRequestPassword(const std::string& secret, const std::string& serial) {
  std::string input = secret + "\n" + serial;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 12; ++i) {
    out.push_back(kDigits[md[i] >> 4]);
    out.push_back(kDigits[md[i] & 15]);
  }
  return out;
}

Status SendConnectionRequest(const std::string& url, const std::string& username, const std::string& password,
                             int timeout_ms) {
  if (url.empty()) return Fail(Errc::kInvalidArgument, "the gateway reported no connection-request URL");
  auto parsed = net::ParseHttpUrl(url);
  if (!parsed) return std::unexpected(parsed.error());
  net::HttpClient client(parsed->host, parsed->port, timeout_ms);
  auto first = client.Send({.method = "GET", .target = parsed->target});
  if (!first) return Fail(Errc::kUnavailable, "connection request to " + url + " failed: " + first.error().message);
  if (first->status == 200 || first->status == 204) return Ok();
  if (first->status != 401) return Fail(Errc::kUnavailable, "the gateway answered " + std::to_string(first->status));
  std::string_view challenge = first->Header("www-authenticate");
  net::ClientRequest again{.method = "GET", .target = parsed->target};
  if (challenge.find("Digest") != std::string_view::npos) {
    auto auth = BuildDigestAuthorization(challenge, username, password, "GET", parsed->target, RandomHex(8));
    if (!auth) return Fail(Errc::kUnavailable, "cannot answer the gateway's challenge: " + auth.error().message);
    again.headers.emplace_back("Authorization", *auth);
  } else {
    again.headers.emplace_back("Authorization", BuildBasicAuthorization(username, password));
  }
  auto second = client.Send(again);
  if (!second) return Fail(Errc::kUnavailable, "connection request to " + url + " failed: " + second.error().message);
  if (second->status == 200 || second->status == 204) return Ok();
  return Fail(Errc::kUnavailable, "the gateway refused the connection request (" + std::to_string(second->status) + ")");
}

class Acs::Impl {
 public:
  Impl(Store& store, AcsOptions options) : store_(store), options_(std::move(options)) {}

  struct Session {
    std::string token;
    Cpe cpe;
    CwmpVersion version = CwmpVersion::k1_0;
    bool hold_requests = false;
    bool stats_done = false;
    std::size_t stats_count = 0;  // how many statistics paths the current request asks for
    int stats_paths_stored = 0;   // what the store knew at the Inform
    // The Inform's parameters, stored together with the statistics (one tree write per session).
    std::vector<CpeParam> inform_params;
    std::optional<CpeTask> in_flight;  // task sent, awaiting its response
    bool stats_in_flight = false;
    std::string in_flight_id;
    Time last_activity = 0;
    std::uint64_t connection_id = 0;
    int rpcs_sent = 0;
  };
  using SessionPtr = std::shared_ptr<Session>;

  void Handle(net::HttpRequest&& req, net::Responder respond) {
    const Time now = options_.now();
    MaybeSweep(now);
    if (req.method != "POST") return respond(Xml(405, ""));
    auto parsed = ParseEnvelope(req.body);
    SessionPtr session = FindSession(req);
    if (!parsed) {
      // Malformed or truncated: answer a well-formed fault and drop the session; its sent task
      // goes back to the queue.
      if (session) EndSession(session, false);
      ++faults_sent_;
      auto r = Xml(parsed.error().code == Errc::kTooLarge ? 413 : 400,
                   WriteSoapFault(CwmpVersion::k1_0, "", 8003, "malformed SOAP envelope: " + parsed.error().message));
      r.close = true;
      return respond(std::move(r));
    }
    Envelope env = std::move(*parsed);
    if (env.body && std::holds_alternative<Inform>(*env.body)) {
      if (session) EndSession(session, false);  // a new Inform starts a new session
      return HandleInform(req, std::move(env), now, std::move(respond));
    }
    if (!session) {
      if (env.empty()) return respond(NoContent());
      ++faults_sent_;
      return respond(Xml(400, WriteSoapFault(env.version, env.id, 8003, "a CWMP session starts with an Inform")));
    }
    session->last_activity = now;
    if (env.hold_requests) session->hold_requests = *env.hold_requests;
    if (!env.body) return Next(session, now, std::move(respond));
    Body& body = *env.body;
    if (auto* tc = std::get_if<TransferComplete>(&body)) return HandleTransferComplete(session, env, *tc, now, std::move(respond));
    if (std::holds_alternative<AutonomousTransferComplete>(body))
      return respond(Xml(200, WriteEnvelope(ReplyTo(env, AutonomousTransferCompleteResponse{}))));
    if (std::holds_alternative<GetRPCMethods>(body))
      return respond(Xml(200, WriteEnvelope(ReplyTo(env, GetRPCMethodsResponse{{"Inform", "TransferComplete",
                                                                                  "AutonomousTransferComplete", "GetRPCMethods"}}))));
    if (auto* unknown = std::get_if<UnknownRpc>(&body)) {
      ++faults_sent_;
      return respond(Xml(200, WriteSoapFault(session->version, env.id, 8000, "method not supported: " + unknown->method)));
    }
    if (IsRequest(body)) {
      ++faults_sent_;
      return respond(Xml(200, WriteSoapFault(session->version, env.id, 8000,
                                             "the ACS does not take " + std::string(MethodName(body)))));
    }
    // A response (or a fault) to what we sent.
    HandleResponse(session, env, now, std::move(respond));
  }

  AcsStats Stats() const {
    AcsStats s;
    s.sessions_started = started_;
    s.sessions_completed = completed_;
    s.sessions_abandoned = abandoned_;
    s.auth_failures = auth_failures_;
    s.faults_sent = faults_sent_;
    std::lock_guard lock(mu_);
    s.active_sessions = sessions_.size();
    return s;
  }

  void Sweep(Time now) {
    std::vector<SessionPtr> idle;
    {
      std::lock_guard lock(mu_);
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now - it->second->last_activity > options_.session_timeout_s) {
          idle.push_back(it->second);
          by_connection_.erase(it->second->connection_id);
          it = sessions_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& s : idle) Abandon(s);
  }

 private:
  void MaybeSweep(Time now) {
    Time last = last_sweep_.load();
    if (now - last >= 5 && last_sweep_.compare_exchange_strong(last, now)) Sweep(now);
  }

  SessionPtr FindSession(const net::HttpRequest& req) {
    std::string token = CookieValue(req.Header("cookie"), kCookie);
    std::lock_guard lock(mu_);
    if (!token.empty()) {
      auto it = sessions_.find(token);
      if (it != sessions_.end()) return it->second;
    }
    // CPEs that ignore cookies keep the TCP connection instead.
    auto c = by_connection_.find(req.connection_id);
    if (c != by_connection_.end()) {
      auto it = sessions_.find(c->second);
      if (it != sessions_.end()) return it->second;
    }
    return nullptr;
  }

  void EndSession(const SessionPtr& s, bool completed) {
    if (!s->inform_params.empty()) {
      // No statistics were taken this session (held requests, a failure): keep what the Inform said.
      Id cpe = s->cpe.id;
      auto params = std::move(s->inform_params);
      s->inform_params.clear();
      store_.Write([cpe, params = std::move(params)](StoreTx& tx) { return AsStatus(tx.MergeCpeParams(cpe, params)); },
                   [](Status) {});
    }
    bool removed = false;
    {
      std::lock_guard lock(mu_);
      removed = sessions_.erase(s->token) > 0;
      auto c = by_connection_.find(s->connection_id);
      if (c != by_connection_.end() && c->second == s->token) by_connection_.erase(c);
    }
    if (!removed) return;
    if (completed) {
      ++completed_;
    } else {
      Abandon(s);
    }
  }

  void Abandon(const SessionPtr& s) {
    ++abandoned_;
    if (!s->in_flight) return;
    Id cpe = s->cpe.id;
    store_.Write([cpe](StoreTx& tx) { return tx.RequeueSentTasks(cpe); }, [](Status) {});
  }

  // ---- authentication

  Status Authenticate(const net::HttpRequest& req, net::HttpResponse& challenge) {
    if (options_.auth == AcsAuthMode::kNone) return Ok();
    std::string_view header = req.Header("authorization");
    if (header.starts_with("Basic ") && (options_.auth == AcsAuthMode::kBasic || options_.accept_basic_with_digest)) {
      auto creds = ParseBasicAuthorization(header);
      if (creds && creds->username == options_.username && creds->password == options_.password) return Ok();
    } else if (header.starts_with("Digest ") && options_.auth == AcsAuthMode::kDigest) {
      auto resp = ParseDigestAuthorization(header);
      if (resp && resp->username == options_.username && resp->realm == options_.realm && NonceValid(resp->nonce) &&
          VerifyDigest(*resp, "POST", options_.password))
        return Ok();
    }
    challenge = Xml(401, "");
    if (options_.auth == AcsAuthMode::kDigest) {
      DigestChallenge c;
      c.realm = options_.realm;
      c.nonce = IssueNonce();
      c.opaque = "hilo";
      challenge.headers.emplace_back("WWW-Authenticate", BuildDigestChallenge(c));
    } else {
      challenge.headers.emplace_back("WWW-Authenticate", "Basic realm=\"" + options_.realm + "\"");
    }
    if (!header.empty()) ++auth_failures_;
    return Fail(Errc::kUnauthenticated, "bad CPE credentials");
  }

  std::string IssueNonce() {
    std::string nonce = RandomHex(16);
    std::lock_guard lock(mu_);
    if (nonces_.size() > 100000) nonces_.clear();
    nonces_[nonce] = options_.now();
    return nonce;
  }

  bool NonceValid(const std::string& nonce) {
    std::lock_guard lock(mu_);
    auto it = nonces_.find(nonce);
    return it != nonces_.end() && options_.now() - it->second < 300;
  }

  // ---- Inform

  void HandleInform(const net::HttpRequest& req, Envelope env, Time now, net::Responder respond) {
    net::HttpResponse challenge;
    if (!Authenticate(req, challenge)) return respond(std::move(challenge));
    Inform inform = std::get<Inform>(std::move(*env.body));
    if (inform.device_id.serial_number.empty() || inform.device_id.oui.empty()) {
      ++faults_sent_;
      return respond(Xml(400, WriteSoapFault(env.version, env.id, 8003, "the Inform lacks OUI or SerialNumber")));
    }
    auto session = std::make_shared<Session>();
    session->token = RandomHex(16);
    session->version = env.version;
    session->hold_requests = env.hold_requests.value_or(false);
    session->last_activity = now;
    session->connection_id = req.connection_id;
    std::string remote = req.remote;
    ++started_;
    auto job = [this, session, inform = std::move(inform), now, remote](StoreTx& tx) -> Status {
      return RecordInform(tx, *session, inform, now, remote);
    };
    store_.Write(std::move(job), [this, session, env = std::move(env), respond = std::move(respond)](Status s) {
      if (!s) {
        ++faults_sent_;
        // 8005: retry -- the CPE tries again later; nothing it reported is half-stored.
        return respond(Xml(503, WriteSoapFault(env.version, env.id, 8005, "the ACS could not record the Inform")));
      }
      {
        std::lock_guard lock(mu_);
        sessions_[session->token] = session;
        by_connection_[session->connection_id] = session->token;
      }
      auto r = Xml(200, WriteEnvelope(ReplyTo(env, InformResponse{1})));
      r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + session->token + "; Path=/; HttpOnly");
      respond(std::move(r));
    });
  }

  Status RecordInform(StoreTx& tx, Session& session, const Inform& inform, Time now, const std::string& remote) {
    const auto& id = inform.device_id;
    auto found = tx.FindCpe(id.oui, id.product_class, id.serial_number);
    if (!found) return std::unexpected(found.error());
    Cpe cpe = found->value_or(Cpe{});
    bool is_new = !*found;
    if (is_new) {
      cpe.oui = id.oui;
      cpe.product_class = id.product_class;
      cpe.serial = id.serial_number;
      cpe.first_seen = now;
    }
    cpe.manufacturer = id.manufacturer;
    cpe.previous_inform = cpe.last_inform;
    cpe.last_inform = now;
    cpe.remote_address = remote;
    cpe.cwmp_version = VersionText(session.version);
    std::string events;
    bool boot = false;
    for (const auto& e : inform.events) {
      if (!events.empty()) events += ",";
      events += e.event_code;
      if (e.event_code == kEventBootstrap || e.event_code == kEventBoot) boot = true;
    }
    cpe.last_events = events;
    for (const auto& p : inform.parameters) {
      if (p.name.starts_with("InternetGatewayDevice.")) cpe.data_model = "tr098";
      else if (p.name.starts_with("Device.")) cpe.data_model = "tr181";
      if (p.name.ends_with(".ManagementServer.ConnectionRequestURL")) cpe.connection_request_url = p.value;
      if (p.name.ends_with(".DeviceInfo.SoftwareVersion")) cpe.software_version = p.value;
      if (p.name.ends_with(".ManagementServer.PeriodicInformInterval")) cpe.periodic_interval_s = std::atoi(p.value.c_str());
    }
    if (cpe.data_model.empty()) cpe.data_model = "tr181";
    // Link to the customer's device when its serial was imported.
    if (cpe.device_id == 0) {
      auto device = tx.FindDeviceBySerial(cpe.oui, cpe.product_class, cpe.serial);
      if (!device) return std::unexpected(device.error());
      if (*device && (*device)->kind != DeviceKind::kClient) {
        cpe.device_id = (*device)->id;
        cpe.customer_id = (*device)->customer_id;
      }
    }
    bool provision = boot || !cpe.provisioned;
    if (is_new) {
      auto new_id = tx.InsertCpe(cpe);
      if (!new_id) return std::unexpected(new_id.error());
      cpe.id = *new_id;
    }
    if (provision) {
      HILO_TRY(EnqueueProvisioning(tx, cpe, now));
      cpe.provisioned = true;
    }
    HILO_TRY(tx.UpdateCpe(cpe));
    session.inform_params = ToCpeParams(inform.parameters, now);
    // A session that died earlier may have left a task "sent": it goes back to the queue.
    HILO_TRY(tx.RequeueSentTasks(cpe.id));
    session.cpe = cpe;
    session.stats_paths_stored = cpe.stats_paths;
    return Ok();
  }

  Status EnqueueProvisioning(StoreTx& tx, const Cpe& cpe, Time now) {
    const std::string root = cpe.data_model == "tr098" ? "InternetGatewayDevice." : "Device.";
    Value values = Value::MakeArray();
    auto add = [&](std::string name, std::string value, std::string type) {
      Value v = Value::MakeObject();
      v.Set("name", root + name);
      v.Set("value", std::move(value));
      v.Set("type", std::move(type));
      values.Push(std::move(v));
    };
    add("ManagementServer.PeriodicInformEnable", "1", "xsd:boolean");
    add("ManagementServer.PeriodicInformInterval", std::to_string(options_.periodic_inform_interval_s), "xsd:unsignedInt");
    add("ManagementServer.ConnectionRequestUsername", cpe.serial, "xsd:string");
    add("ManagementServer.ConnectionRequestPassword", ConnectionRequestPassword(options_.connection_request_secret, cpe.serial),
        "xsd:string");
    Value args = Value::MakeObject();
    args.Set("values", std::move(values));
    auto spv = MakeTask(cpe.id, TaskKind::kSetParameterValues, args, now, options_.task_ttl);
    if (!spv) return std::unexpected(spv.error());
    spv->reason = "provisioning";
    HILO_TRY(tx.InsertTask(*spv));
    // Active notification on the Wi-Fi settings that matter, so a change shows up at once.
    Value attrs = Value::MakeArray();
    auto notify = [&](std::string name) {
      Value a = Value::MakeObject();
      a.Set("name", root + name);
      a.Set("notification", 2);
      attrs.Push(std::move(a));
    };
    if (cpe.data_model == "tr098") {
      for (int i = 1; i <= 2; ++i) {
        std::string w = "LANDevice.1.WLANConfiguration." + std::to_string(i) + ".";
        notify(w + "Channel");
        notify(w + "AutoChannelEnable");
        notify(w + "SSID");
      }
    } else {
      for (int i = 1; i <= 2; ++i) {
        notify("WiFi.Radio." + std::to_string(i) + ".Channel");
        notify("WiFi.Radio." + std::to_string(i) + ".AutoChannelEnable");
        notify("WiFi.SSID." + std::to_string(i) + ".SSID");
      }
    }
    Value attr_args = Value::MakeObject();
    attr_args.Set("attributes", std::move(attrs));
    auto spa = MakeTask(cpe.id, TaskKind::kSetParameterAttributes, attr_args, now, options_.task_ttl);
    if (!spa) return std::unexpected(spa.error());
    spa->reason = "provisioning";
    HILO_TRY(tx.InsertTask(*spa));
    return Ok();
  }

  // ---- the CPE's own requests

  void HandleTransferComplete(const SessionPtr& session, const Envelope& env, const TransferComplete& tc, Time now,
                              net::Responder respond) {
    Cpe cpe = session->cpe;
    auto job = [this, cpe, tc, now](StoreTx& tx) -> Status {
      // Our command keys are "task:<id>".
      if (!tc.command_key.starts_with("task:")) return Ok();
      Id task_id = std::atoll(tc.command_key.c_str() + 5);
      auto task = tx.GetTask(task_id);
      if (!task || task->cpe_id != cpe.id) return Ok();  // not ours: acknowledge anyway
      task->done_at = now;
      if (tc.fault.fault_code != 0) {
        task->status = TaskStatus::kFault;
        task->fault_code = static_cast<int>(tc.fault.fault_code);
        task->fault_string = tc.fault.fault_string;
      } else {
        task->status = TaskStatus::kDone;
        Value result = task->result.IsObject() ? task->result : Value::MakeObject();
        result.Set("transfer_complete", tc.complete_time);
        task->result = std::move(result);
      }
      HILO_TRY(tx.UpdateTask(*task));
      if (options_.on_task_finished) HILO_TRY(options_.on_task_finished(tx, cpe, *task, now));
      return Ok();
    };
    store_.Write(std::move(job), [env, respond = std::move(respond)](Status) {
      respond(Xml(200, WriteEnvelope(ReplyTo(env, TransferCompleteResponse{}))));
    });
  }

  // ---- responses to our RPCs

  void HandleResponse(const SessionPtr& session, const Envelope& env, Time now, net::Responder respond) {
    const Body& body = *env.body;
    if (!session->stats_in_flight && !session->in_flight) {
      // Nothing was asked: an unexpected response. Ignore it and carry on.
      return Next(session, now, std::move(respond));
    }
    if (!session->in_flight_id.empty() && env.id != session->in_flight_id && !env.id.empty()) {
      // A wrong cwmp:ID: the task is not settled by it; it stays queued for another session.
      ++faults_sent_;
      auto r = Xml(200, WriteSoapFault(session->version, env.id, 8003, "cwmp:ID does not match the request"));
      EndSession(session, false);
      return respond(std::move(r));
    }
    if (session->stats_in_flight) {
      session->stats_in_flight = false;
      session->in_flight_id.clear();
      if (auto* gpv = std::get_if<GetParameterValuesResponse>(&body)) {
        session->stats_done = true;
        Cpe cpe = session->cpe;
        bool learnt = session->stats_paths_stored != static_cast<int>(session->stats_count);
        cpe.stats_paths = static_cast<int>(session->stats_count);
        session->cpe.stats_paths = cpe.stats_paths;
        auto params = std::move(session->inform_params);
        session->inform_params.clear();
        auto reported = ToCpeParams(gpv->parameters, now);
        params.insert(params.end(), std::make_move_iterator(reported.begin()), std::make_move_iterator(reported.end()));
        store_.Write(
            [this, cpe, learnt, params = std::move(params), now](StoreTx& tx) -> Status {
              // Remember how many paths this gateway answers, so the next session asks right away.
              if (learnt) HILO_TRY(tx.UpdateCpe(cpe));
              return RecordTelemetry(tx, cpe, params, now);
            },
            [this, session, now, respond = std::move(respond)](Status) mutable { Next(session, now, std::move(respond)); });
        return;
      }
      // The CPE refused the list (a subtree it lacks, e.g. Device.DOCSIS.): drop the last,
      // optional, path and ask again; the first two (DeviceInfo, Wi-Fi) are the minimum.
      if (session->stats_count > 2) {
        session->cpe.stats_paths = static_cast<int>(session->stats_count - 1);
      } else {
        session->stats_done = true;
      }
      return Next(session, now, std::move(respond));
    }
    CpeTask task = *session->in_flight;
    session->in_flight.reset();
    session->in_flight_id.clear();
    task.done_at = now;
    if (auto* fault = std::get_if<Fault>(&body)) {
      task.status = TaskStatus::kFault;
      task.fault_code = static_cast<int>(fault->fault_code);
      task.fault_string = fault->fault_string;
      if (!fault->set_parameter_values_faults.empty()) {
        Value details = Value::MakeArray();
        for (const auto& f : fault->set_parameter_values_faults) {
          Value d = Value::MakeObject();
          d.Set("name", f.parameter_name);
          d.Set("fault_code", static_cast<std::int64_t>(f.fault_code));
          d.Set("fault_string", f.fault_string);
          details.Push(std::move(d));
        }
        Value result = Value::MakeObject();
        result.Set("parameter_faults", std::move(details));
        task.result = std::move(result);
      }
    } else if (Answers(task.kind, body)) {
      // A Download with status 1 completes later with a TransferComplete.
      auto* dl = std::get_if<DownloadResponse>(&body);
      task.status = dl && dl->status == 1 ? TaskStatus::kSent : TaskStatus::kDone;
      task.result = ResultOf(body);
    } else {
      task.status = TaskStatus::kFault;
      task.fault_code = 8003;
      task.fault_string = "the gateway answered " + std::string(MethodName(body)) + " to " +
                          std::string(TaskKindName(task.kind));
    }
    Cpe cpe = session->cpe;
    auto job = [this, cpe, task, body, now](StoreTx& tx) -> Status {
      HILO_TRY(tx.UpdateTask(task));
      if (auto* gpv = std::get_if<GetParameterValuesResponse>(&body)) HILO_TRY(AsStatus(tx.MergeCpeParams(cpe.id, ToCpeParams(gpv->parameters, now))));
      if (task.kind == TaskKind::kSetParameterValues && task.status == TaskStatus::kDone) {
        // What we set is now the gateway's value.
        std::vector<CpeParam> set;
        for (const auto& v : task.args.Get("values").AsArray())
          set.push_back({v.Get("name").AsString(), v.Get("value").AsString(), v.Get("type").AsString(), now});
        HILO_TRY(AsStatus(tx.MergeCpeParams(cpe.id, set)));
      }
      if (task.status != TaskStatus::kSent && options_.on_task_finished) HILO_TRY(options_.on_task_finished(tx, cpe, task, now));
      return Ok();
    };
    store_.Write(std::move(job), [this, session, now, respond = std::move(respond)](Status) mutable {
      Next(session, now, std::move(respond));
    });
  }

  Status RecordTelemetry(StoreTx& tx, const Cpe& cpe, const std::vector<CpeParam>& params, Time now) {
    auto all = tx.MergeCpeParams(cpe.id, params);
    if (!all) return std::unexpected(all.error());
    telemetry::ParameterMap map;
    for (auto& p : *all) map.emplace(std::move(p.name), telemetry::Parameter{std::move(p.value), std::move(p.type), p.updated});
    telemetry::DeviceSnapshot snapshot = telemetry::Normalize(map, now);
    HILO_TRY(tx.AppendCpeHistory(cpe.id, CpeHistoryPoint{now, telemetry::ToValue(snapshot)}));
    // Once an hour per gateway, raw points older than the keep window become hourly aggregates
    // of the canonical metrics: downsampled, not lost without a trace.
    if (cpe.first_seen != 0 && now / kHour != PreviousInformHour(cpe)) {
      auto folded = tx.DownsampleCpeHistory(cpe.id, now - options_.history_keep, &HourlyAggregate);
      if (!folded) return std::unexpected(folded.error());
    }
    if (options_.on_snapshot) HILO_TRY(options_.on_snapshot(tx, cpe, snapshot, now));
    return Ok();
  }

  // The hour of the gateway's inform before this session's (cpe.last_inform is already now).
  static Time PreviousInformHour(const Cpe& cpe) { return cpe.previous_inform / kHour; }

  static Value HourlyAggregate(const std::vector<CpeHistoryPoint>& points) {
    std::vector<telemetry::Sample> samples;
    for (const auto& p : points) {
      auto more = telemetry::CanonicalSamples(telemetry::SnapshotFromValue(p.snapshot));
      samples.insert(samples.end(), more.begin(), more.end());
    }
    Value out = Value::MakeObject();
    for (const auto& a : telemetry::Downsample(samples, kHour)) {
      Value m = Value::MakeObject();
      m.Set("min", a.min);
      m.Set("max", a.max);
      m.Set("avg", a.avg);
      m.Set("count", static_cast<std::int64_t>(a.count));
      out.Set(a.metric, std::move(m));
    }
    return out;
  }

  // ---- what to send next

  void Next(const SessionPtr& session, Time now, net::Responder respond) {
    if (session->hold_requests) {
      // The CPE asked us not to send requests; its empty POST ends the session.
      EndSession(session, true);
      return respond(NoContent());
    }
    if (!session->stats_done) {
      GetParameterValues gpv;
      const auto& paths = session->cpe.data_model == "tr098" ? options_.tr098_stats : options_.tr181_stats;
      std::size_t n = session->cpe.stats_paths > 0 ? std::min<std::size_t>(static_cast<std::size_t>(session->cpe.stats_paths), paths.size())
                                                   : paths.size();
      session->stats_count = n;
      gpv.names.assign(paths.begin(), paths.begin() + static_cast<long>(n));
      session->stats_in_flight = true;
      session->in_flight_id = "stats-" + std::to_string(++session->rpcs_sent);
      Envelope out;
      out.version = session->version;
      out.id = session->in_flight_id;
      out.body = std::move(gpv);
      return respond(Xml(200, WriteEnvelope(out)));
    }
    Cpe cpe = session->cpe;
    auto next = std::make_shared<std::optional<CpeTask>>();
    store_.Write(
        [cpe, now, next](StoreTx& tx) -> Status {
          auto t = tx.NextPendingTask(cpe.id, now);
          if (!t) return std::unexpected(t.error());
          if (*t) {
            (*t)->status = TaskStatus::kSent;
            (*t)->sent_at = now;
            HILO_TRY(tx.UpdateTask(**t));
          }
          *next = *t;
          return Ok();
        },
        [this, session, next, respond = std::move(respond)](Status s) mutable {
          if (!s || !*next) {
            EndSession(session, true);
            return respond(NoContent());
          }
          CpeTask& task = **next;
          session->in_flight = task;
          session->in_flight_id = "task:" + std::to_string(task.id);
          Envelope out;
          out.version = session->version;
          out.id = session->in_flight_id;
          out.body = TaskToRpc(task, session->in_flight_id);
          ++session->rpcs_sent;
          respond(Xml(200, WriteEnvelope(out)));
        });
  }

  Store& store_;
  AcsOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, SessionPtr> sessions_;
  std::unordered_map<std::uint64_t, std::string> by_connection_;
  std::unordered_map<std::string, Time> nonces_;
  std::atomic<Time> last_sweep_{0};
  std::atomic<std::uint64_t> started_{0}, completed_{0}, abandoned_{0}, auth_failures_{0}, faults_sent_{0};
};

Acs::Acs(Store& store, AcsOptions options) : impl_(std::make_unique<Impl>(store, std::move(options))) {}
Acs::~Acs() = default;
void Acs::Handle(net::HttpRequest&& request, net::Responder respond) { impl_->Handle(std::move(request), std::move(respond)); }
AcsStats Acs::Stats() const { return impl_->Stats(); }
void Acs::SweepIdleSessions() { impl_->Sweep(std::numeric_limits<Time>::max() / 2); }

}  // namespace hilo::cwmp
