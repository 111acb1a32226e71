#include "hilo/cwmp/sim_fleet.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hilo/cwmp/auth.h"
#include "hilo/cwmp/soap.h"
#include "hilo/net/http_client.h"
#include "hilo/net/http_server.h"

namespace hilo::cwmp {
namespace {

constexpr Time kT0 = 1'796'000'000;  // late 2026

struct TestAcsOptions {
  bool require_digest = false;
  bool accept_basic = false;  // with require_digest false: demand Basic instead
  std::string username = "cpe";
  std::string password = "cpe-secret";
  bool reboot_each_device_once = false;
};

// A small but real CWMP peer on net::HttpServer: what an ACS must do for a plain session.
// Inform -> InformResponse + Set-Cookie; the empty POST -> one GetParameterValues (or, once
// per device when asked, a Reboot); the CPE's response -> 204. It checks that the session
// cookie comes back and that the CPE echoes the cwmp:ID of its request, and can demand Digest
// (or Basic) authentication of the Inform, or answer every request with an error status.
class TestAcs {
 public:
  using Options = TestAcsOptions;

  struct InformSeen {
    std::string serial;
    std::vector<std::string> events;
    std::string cr_url;  // ManagementServer.ConnectionRequestURL as informed
  };

  explicit TestAcs(Options options = {})
      : options_(std::move(options)),
        server_({.port = 0, .threads = 2}, [this](net::HttpRequest&& req, net::Responder respond) {
          respond(Handle(req));
        }) {}
  ~TestAcs() { server_.Stop(); }

  std::uint16_t Start() {
    auto port = server_.Start();
    EXPECT_TRUE(port);
    return port.value_or(0);
  }
  void Stop() { server_.Stop(); }
  std::string Url(std::uint16_t port) const { return "http://127.0.0.1:" + std::to_string(port) + "/acs"; }

  void SetFailStatus(int status) { fail_status_ = status; }

  std::vector<InformSeen> Informs() const {
    std::lock_guard lock(mu_);
    return informs_;
  }
  int Completed(const std::string& serial) const {
    std::lock_guard lock(mu_);
    auto it = completed_.find(serial);
    return it == completed_.end() ? 0 : it->second;
  }
  int TotalCompleted() const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [s, c] : completed_) n += c;
    return n;
  }
  // Informs of `serial` that carried `event`.
  int InformsWith(const std::string& serial, std::string_view event) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& i : informs_)
      if (i.serial == serial && std::find(i.events.begin(), i.events.end(), event) != i.events.end()) ++n;
    return n;
  }
  std::map<std::string, std::string> LastValues(const std::string& serial) const {
    std::lock_guard lock(mu_);
    auto it = values_.find(serial);
    return it == values_.end() ? std::map<std::string, std::string>{} : it->second;
  }
  int protocol_errors() const { return protocol_errors_; }
  int challenges() const { return challenges_; }

 private:
  struct Session {
    std::string serial;
    std::string root;
    std::string sent_id;  // the cwmp:ID of our pending request to the CPE
    bool authenticated = false;
  };

  static std::string CookieValue(const net::HttpRequest& req) {
    std::string_view c = req.Header("cookie");
    auto at = c.find("sid=");
    if (at == std::string_view::npos) return {};
    c.remove_prefix(at + 4);
    return std::string(c.substr(0, c.find(';')));
  }

  net::HttpResponse Xml(const Envelope& env) {
    net::HttpResponse r = net::HttpResponse::Text(200, WriteEnvelope(env), "text/xml; charset=utf-8");
    return r;
  }

  net::HttpResponse Challenge() {
    ++challenges_;
    net::HttpResponse r = net::HttpResponse::Text(401, "");
    if (options_.require_digest) {
      std::lock_guard lock(mu_);
      std::string nonce = "n" + std::to_string(++counter_);
      nonces_.insert(nonce);
      r.headers.emplace_back("WWW-Authenticate", BuildDigestChallenge({.realm = "testacs", .nonce = nonce, .opaque = "op"}));
    } else {
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"testacs\"");
    }
    return r;
  }

  bool Authorized(const net::HttpRequest& req) {
    std::string_view h = req.Header("authorization");
    if (options_.require_digest) {
      auto d = ParseDigestAuthorization(h);
      if (!d) return false;
      std::lock_guard lock(mu_);
      return nonces_.contains(d->nonce) && d->username == options_.username && d->uri == req.path &&
             VerifyDigest(*d, "POST", options_.password);
    }
    auto b = ParseBasicAuthorization(h);
    return b && b->username == options_.username && b->password == options_.password;
  }

  net::HttpResponse Handle(const net::HttpRequest& req) {
    if (int s = fail_status_.load(); s != 0) return net::HttpResponse::Text(s, "down");
    if (req.method != "POST") return net::HttpResponse::Text(405, "");
    auto env = ParseEnvelope(req.body);
    if (!env) {
      ++protocol_errors_;
      return net::HttpResponse::Text(400, env.error().message);
    }
    const bool need_auth = options_.require_digest || options_.accept_basic;
    if (const auto* inform = env->body ? std::get_if<Inform>(&*env->body) : nullptr) {
      if (need_auth && !Authorized(req)) return Challenge();
      InformSeen seen;
      seen.serial = inform->device_id.serial_number;
      for (const auto& e : inform->events) seen.events.push_back(e.event_code);
      std::string root = "Device.";
      for (const auto& p : inform->parameters) {
        if (p.name.starts_with("InternetGatewayDevice.")) root = "InternetGatewayDevice.";
        if (p.name.ends_with("ManagementServer.ConnectionRequestURL")) seen.cr_url = p.value;
      }
      std::string sid;
      {
        std::lock_guard lock(mu_);
        informs_.push_back(seen);
        sid = "s" + std::to_string(++counter_);
        sessions_[sid] = Session{seen.serial, root, "", true};
      }
      net::HttpResponse r = Xml(ReplyTo(*env, InformResponse{1}));
      r.headers.emplace_back("Set-Cookie", "sid=" + sid + "; Path=/");
      return r;
    }
    std::lock_guard lock(mu_);
    auto it = sessions_.find(CookieValue(req));
    if (it == sessions_.end()) {
      ++protocol_errors_;  // a CPE message outside any session: the cookie did not come back
      return net::HttpResponse::Text(400, "no session");
    }
    Session& s = it->second;
    if (env->empty()) {
      Envelope out;
      out.version = env->version;
      out.id = "acs-" + std::to_string(++counter_);
      s.sent_id = out.id;
      if (options_.reboot_each_device_once && !rebooted_.contains(s.serial)) {
        rebooted_.insert(s.serial);
        out.body = Reboot{"rb-1"};
      } else {
        out.body = GetParameterValues{{s.root + "DeviceInfo.SoftwareVersion",
                                       s.root + "ManagementServer.PeriodicInformInterval",
                                       s.root + "ManagementServer.ConnectionRequestURL"}};
      }
      return Xml(out);
    }
    if (env->id != s.sent_id) ++protocol_errors_;  // the CPE must echo our cwmp:ID
    if (const auto* gpv = std::get_if<GetParameterValuesResponse>(&*env->body)) {
      auto& values = values_[s.serial];
      for (const auto& p : gpv->parameters) values[p.name] = p.value;
    } else if (!std::holds_alternative<RebootResponse>(*env->body)) {
      ++protocol_errors_;
    }
    ++completed_[s.serial];
    sessions_.erase(it);
    return net::HttpResponse::Text(204, "");
  }

  Options options_;
  mutable std::mutex mu_;
  std::vector<InformSeen> informs_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, int> completed_;
  std::map<std::string, std::map<std::string, std::string>> values_;
  std::set<std::string> nonces_;
  std::set<std::string> rebooted_;
  std::uint64_t counter_ = 0;
  std::atomic<int> fail_status_{0};
  std::atomic<int> protocol_errors_{0};
  std::atomic<int> challenges_{0};
  net::HttpServer server_;  // last: destroyed (stopped) before the state its handler uses
};

// Polls `pred` until it holds or `timeout` passes.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

SimDeviceConfig DeviceConfig(std::string serial, DataModel model = DataModel::kTr181) {
  SimDeviceConfig c;
  c.serial_number = std::move(serial);
  c.data_model = model;
  c.boot_time = kT0 - kHour;
  c.cwmp_version = CwmpVersion::k1_2;
  return c;
}

// A manually advanced clock shared by a fleet's threads.
struct FakeClock {
  std::atomic<Time> now{kT0};
  std::function<Time()> Fn() {
    return [this] { return now.load(); };
  }
};

// ---- RunOneSession ---------------------------------------------------------------------------

TEST(RunOneSession, FullSessionBootstrapThenPeriodic) {
  for (DataModel model : {DataModel::kTr181, DataModel::kTr098}) {
    TestAcs acs;
    const auto port = acs.Start();
    auto ep = AcsEndpointFromUrl(acs.Url(port));
    ASSERT_TRUE(ep);
    SimDevice dev(DeviceConfig("HL-A1", model));
    net::HttpClient client("127.0.0.1", port);

    auto first = RunOneSession(dev, client, *ep, {}, kT0);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->events, (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
    EXPECT_EQ(first->acs_requests, std::vector<std::string>{"GetParameterValues"});
    EXPECT_EQ(first->http_requests, 3) << "Inform, empty POST, GetParameterValuesResponse";
    EXPECT_EQ(first->id_mismatches, 0);
    EXPECT_FALSE(dev.InSession());

    auto second = RunOneSession(dev, client, *ep, {std::string(kEventPeriodic)}, kT0 + 300);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->events, std::vector<std::string>{"2 PERIODIC"}) << "boot events were delivered";

    EXPECT_EQ(acs.Completed("HL-A1"), 2);
    EXPECT_EQ(acs.protocol_errors(), 0) << "cookie and cwmp:ID echoed";
    const std::string root = model == DataModel::kTr181 ? "Device." : "InternetGatewayDevice.";
    auto values = acs.LastValues("HL-A1");
    EXPECT_EQ(values[root + "DeviceInfo.SoftwareVersion"], "4.2.1");
    EXPECT_EQ(values[root + "ManagementServer.PeriodicInformInterval"], "300");
  }
}

TEST(RunOneSession, AnswersDigestChallengeAndFailsWithWrongPassword) {
  TestAcs acs({.require_digest = true});
  const auto port = acs.Start();
  SimDevice dev(DeviceConfig("HL-D1"));
  net::HttpClient client("127.0.0.1", port);

  auto wrong = AcsEndpointFromUrl(acs.Url(port), "cpe", "not-the-password");
  ASSERT_TRUE(wrong);
  auto refused = RunOneSession(dev, client, *wrong, {}, kT0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kUnauthenticated);
  EXPECT_EQ(acs.Completed("HL-D1"), 0);

  auto none = AcsEndpointFromUrl(acs.Url(port));
  ASSERT_TRUE(none);
  auto anonymous = RunOneSession(dev, client, *none, {}, kT0);
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, Errc::kUnauthenticated);

  auto right = AcsEndpointFromUrl(acs.Url(port), "cpe", "cpe-secret");
  ASSERT_TRUE(right);
  auto ok = RunOneSession(dev, client, *right, {}, kT0);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->digest);
  EXPECT_EQ(ok->auth_challenges, 1);
  EXPECT_EQ(ok->events, (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}))
      << "the refused sessions left the boot events pending";
  EXPECT_EQ(acs.Completed("HL-D1"), 1);
  EXPECT_EQ(acs.protocol_errors(), 0);
}

TEST(RunOneSession, PreemptiveBasic) {
  TestAcs acs({.accept_basic = true});
  const auto port = acs.Start();
  SimDevice dev(DeviceConfig("HL-B1"));
  net::HttpClient client("127.0.0.1", port);
  auto ep = AcsEndpointFromUrl(acs.Url(port), "cpe", "cpe-secret", /*preemptive_basic=*/true);
  ASSERT_TRUE(ep);
  auto ok = RunOneSession(dev, client, *ep, {}, kT0);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->auth_challenges, 0) << "credentials went with the first POST";
  EXPECT_EQ(acs.challenges(), 0);

  // Without pre-emption, Basic is answered on challenge.
  ep->preemptive_basic = false;
  auto challenged = RunOneSession(dev, client, *ep, {std::string(kEventPeriodic)}, kT0 + 1);
  ASSERT_TRUE(challenged) << challenged.error().message;
  EXPECT_EQ(challenged->auth_challenges, 1);
  EXPECT_FALSE(challenged->digest);
}

TEST(RunOneSession, OnlyPeriodicForCpesWithoutBootEvents) {
  TestAcs acs;
  const auto port = acs.Start();
  SimDevice dev(DeviceConfig("HL-P1"));
  net::HttpClient client("127.0.0.1", port);
  auto ep = AcsEndpointFromUrl(acs.Url(port));
  ASSERT_TRUE(ep);
  auto ok = RunOneSession(dev, client, *ep, {}, kT0, {.send_boot_events = false});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->events, std::vector<std::string>{"2 PERIODIC"});
  EXPECT_EQ(acs.Informs().at(0).events, std::vector<std::string>{"2 PERIODIC"});
}

TEST(RunOneSession, AcsDownOrFailingIsAnAbandonedSession) {
  TestAcs acs;
  const auto port = acs.Start();
  SimDevice dev(DeviceConfig("HL-F1"));
  net::HttpClient client("127.0.0.1", port);
  auto ep = AcsEndpointFromUrl(acs.Url(port));
  ASSERT_TRUE(ep);
  acs.SetFailStatus(503);
  auto r = RunOneSession(dev, client, *ep, {}, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  acs.SetFailStatus(0);
  acs.Stop();
  auto refused = RunOneSession(dev, client, *ep, {}, kT0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
}

// ---- SimFleet --------------------------------------------------------------------------------

TEST(SimFleet, BootsEveryDeviceWithItsConnectionRequestUrl) {
  TestAcs acs({.require_digest = true});
  const auto port = acs.Start();
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 5;
  o.first_serial = "HL-STORY-1";
  o.mix_ratio = 0.4;
  o.acs_username = "cpe";
  o.acs_password = "cpe-secret";
  o.now = clock.Fn();
  o.spread_first_inform = false;
  o.threads = 2;
  SimFleet fleet(o);
  auto cr_port = fleet.Start();
  ASSERT_TRUE(cr_port) << cr_port.error().message;
  EXPECT_EQ(fleet.Serial(0), "HL-STORY-1");
  EXPECT_EQ(fleet.Serial(3), "SIM000003");
  ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 5; }));
  int tr098 = 0;
  for (const auto& inform : acs.Informs()) {
    EXPECT_EQ(inform.events, (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
    const int i = fleet.IndexOf(inform.serial);
    ASSERT_GE(i, 0);
    EXPECT_EQ(inform.cr_url, "http://127.0.0.1:" + std::to_string(*cr_port) + "/cr/" + inform.serial);
    EXPECT_EQ(inform.cr_url, fleet.ConnectionRequestUrl(i));
    if (acs.LastValues(inform.serial).contains("InternetGatewayDevice.DeviceInfo.SoftwareVersion")) ++tr098;
  }
  EXPECT_EQ(tr098, 2) << "mix_ratio 0.4 of 5 devices";
  EXPECT_TRUE(Eventually([&] { return fleet.stats().sessions_ok == 5; }));
  EXPECT_EQ(fleet.stats().sessions_failed, 0u);
  EXPECT_EQ(acs.protocol_errors(), 0);
}

TEST(SimFleet, PeriodicInformsFollowTheInjectedClockAndTheLiveInterval) {
  TestAcs acs;
  const auto port = acs.Start();
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 4;
  o.periodic_interval_s = 60;
  o.now = clock.Fn();
  o.poll_interval_ms = 5;
  o.event_check_interval_s = 0;
  SimFleet fleet(o);
  ASSERT_TRUE(fleet.Start());
  // First informs are spread over [kT0, kT0 + 60): walk through that window.
  for (int s = 0; s <= 60; s += 5) {
    clock.now = kT0 + std::min(s, 59);
    fleet.Wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 4; }));
  std::set<std::string> distinct;
  for (const auto& i : acs.Informs()) distinct.insert(i.serial);
  EXPECT_EQ(distinct.size(), 4u);

  // Three more intervals: each device informs "2 PERIODIC" once per interval, not more.
  for (int k = 1; k <= 3; ++k) {
    clock.now = kT0 + 60 * k + 59;
    fleet.Wake();
    ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 4 + 4 * k; })) << "interval " << k;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(acs.TotalCompleted(), 4 + 4 * k) << "no extra sessions within the interval";
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(acs.InformsWith(fleet.Serial(i), kEventPeriodic), 3);

  // The ACS lowers device 0's interval to 10 s: it now informs every 10 s.
  fleet.WithDevice(0, [&](SimDevice& d) {
    Envelope spv;
    spv.id = "spv";
    spv.body = SetParameterValues{{{"Device.ManagementServer.PeriodicInformInterval", "10", "xsd:unsignedInt"}}, "k"};
    auto reply = d.Handle(spv, clock.now);
    ASSERT_TRUE(reply.body && std::holds_alternative<SetParameterValuesResponse>(*reply.body));
  });
  // ... which it would do in a session of its own (here opened by a connection request).
  ASSERT_TRUE(fleet.RunSessionNow(0, {std::string(kEventConnectionRequest)}));
  const int before = acs.InformsWith(fleet.Serial(0), kEventPeriodic);
  const int others = acs.InformsWith(fleet.Serial(1), kEventPeriodic);
  for (int s = 1; s <= 55; ++s) {
    clock.now = kT0 + 60 * 3 + 59 + s;
    fleet.Wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
  }
  EXPECT_TRUE(Eventually([&] { return acs.InformsWith(fleet.Serial(0), kEventPeriodic) >= before + 5; }));
  EXPECT_LE(acs.InformsWith(fleet.Serial(1), kEventPeriodic), others + 1) << "still every 60 s";
  EXPECT_EQ(fleet.stats().sessions_failed, 0u);
}

TEST(SimFleet, ConnectionRequestWithDigestStartsASession) {
  TestAcs acs;
  const auto port = acs.Start();
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 3;
  o.now = clock.Fn();
  o.spread_first_inform = false;
  SimFleet fleet(o);
  auto cr_port = fleet.Start();
  ASSERT_TRUE(cr_port);
  ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 3; }));
  const std::string serial = fleet.Serial(1);
  const std::string path = "/cr/" + serial;

  // The ACS changed device 1's connection-request password (as it would by SetParameterValues).
  fleet.WithDevice(1, [&](SimDevice& d) {
    Envelope spv;
    spv.id = "spv";
    spv.body = SetParameterValues{{{"Device.ManagementServer.ConnectionRequestPassword", "s3cret", "xsd:string"}}, "k"};
    d.Handle(spv, clock.now);
  });

  net::HttpClient cr("127.0.0.1", *cr_port);
  auto unknown = cr.Send({.method = "GET", .target = "/cr/NOPE"});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  auto first = cr.Send({.method = "GET", .target = path});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 401);
  const std::string challenge(first->Header("www-authenticate"));
  ASSERT_TRUE(challenge.starts_with("Digest ")) << challenge;

  // Wrong password: 401 and no session.
  auto bad_auth = BuildDigestAuthorization(challenge, "cr", "cr-secret", "GET", path, "c0ffee", 1);
  ASSERT_TRUE(bad_auth);
  auto bad = cr.Send({.method = "GET", .target = path, .headers = {{"Authorization", *bad_auth}}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_FALSE(bad->Header("www-authenticate").empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(acs.InformsWith(serial, kEventConnectionRequest), 0);
  EXPECT_EQ(fleet.stats().connection_requests_refused, 2u) << "the 404 and the wrong password";

  // Right credentials on a fresh challenge: 200, then a "6 CONNECTION REQUEST" session.
  auto second = cr.Send({.method = "GET", .target = path});
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 401);
  auto good_auth = BuildDigestAuthorization(second->Header("www-authenticate"), "cr", "s3cret", "GET", path, "beef01", 1);
  ASSERT_TRUE(good_auth);
  auto good = cr.Send({.method = "GET", .target = path, .headers = {{"Authorization", *good_auth}}});
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  ASSERT_TRUE(Eventually([&] { return acs.InformsWith(serial, kEventConnectionRequest) == 1; }));
  EXPECT_EQ(acs.InformsWith(fleet.Serial(0), kEventConnectionRequest), 0);
  EXPECT_TRUE(Eventually([&] { return acs.Completed(serial) == 2; }));

  // The same Authorization replayed: the nonce was single-use.
  auto replay = cr.Send({.method = "GET", .target = path, .headers = {{"Authorization", *good_auth}}});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 401);
  EXPECT_NE(replay->Header("www-authenticate").find("stale=true"), std::string_view::npos);
  EXPECT_EQ(fleet.stats().connection_requests, 1u);
  EXPECT_EQ(acs.protocol_errors(), 0);
}

TEST(SimFleet, AcsDownCountsFailuresAndRecoversWithBackoff) {
  TestAcs acs;
  const auto port = acs.Start();
  acs.SetFailStatus(503);
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 3;
  o.now = clock.Fn();
  o.spread_first_inform = false;
  o.poll_interval_ms = 5;
  SimFleet fleet(o);
  auto cr_port = fleet.Start();
  ASSERT_TRUE(cr_port);
  ASSERT_TRUE(Eventually([&] { return fleet.stats().sessions_failed == 3; }));
  EXPECT_NE(fleet.stats().last_error.find("503"), std::string::npos) << fleet.stats().last_error;
  // Retries wait 5-10 s of (simulated) time, not a busy loop.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(fleet.stats().sessions_failed, 3u);

  // Still failing at the first retry; the listener still answers meanwhile.
  clock.now = kT0 + 10;
  fleet.Wake();
  ASSERT_TRUE(Eventually([&] { return fleet.stats().sessions_failed == 6; }));
  net::HttpClient cr("127.0.0.1", *cr_port);
  auto probe = cr.Send({.method = "GET", .target = "/cr/" + fleet.Serial(0)});
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->status, 401);

  // The ACS comes back: the second retry (10-20 s later) bootstraps every device.
  acs.SetFailStatus(0);
  clock.now = kT0 + 10 + 20;
  fleet.Wake();
  ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 3; }));
  for (const auto& i : acs.Informs()) EXPECT_EQ(i.events, (std::vector<std::string>{"0 BOOTSTRAP", "1 BOOT"}));
  EXPECT_TRUE(Eventually([&] { return fleet.stats().sessions_ok == 3; }));
}

TEST(SimFleet, ConnectionRefusedAcsDoesNotStopTheFleet) {
  std::uint16_t dead_port = 0;
  {
    TestAcs gone;
    dead_port = gone.Start();
  }  // nothing listens there any more
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/";
  o.devices = 2;
  o.now = clock.Fn();
  o.spread_first_inform = false;
  SimFleet fleet(o);
  ASSERT_TRUE(fleet.Start());
  ASSERT_TRUE(Eventually([&] { return fleet.stats().sessions_failed == 2; }));
  EXPECT_FALSE(fleet.RunSessionNow(0, {}));
  EXPECT_EQ(fleet.stats().sessions_failed, 3u);
  fleet.Stop();
}

TEST(SimFleet, RebootRequestedByTheAcsLeadsToAnImmediateMRebootSession) {
  TestAcs acs({.reboot_each_device_once = true});
  const auto port = acs.Start();
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 2;
  o.now = clock.Fn();
  o.spread_first_inform = false;
  SimFleet fleet(o);
  ASSERT_TRUE(fleet.Start());
  // Session 1 ends with Reboot; session 2 follows at once with "M Reboot" + "1 BOOT".
  ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 4; }));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(acs.InformsWith(fleet.Serial(i), kEventMReboot), 1);
    EXPECT_EQ(acs.InformsWith(fleet.Serial(i), kEventBoot), 2);
  }
  EXPECT_EQ(acs.protocol_errors(), 0);
}

TEST(SimFleet, TriggerAndRunSessionNowAndFaults) {
  TestAcs acs;
  const auto port = acs.Start();
  FakeClock clock;
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 2;
  o.now = clock.Fn();
  o.spread_first_inform = false;
  o.faults = {{1, {SimFault::kWeakClient, kT0 - kHour}}};
  SimFleet fleet(o);
  ASSERT_TRUE(fleet.Start());
  ASSERT_TRUE(Eventually([&] { return acs.TotalCompleted() == 2; }));
  EXPECT_TRUE(fleet.WithDevice(1, [&](SimDevice& d) { return d.FaultActive(SimFault::kWeakClient, clock.now); }));
  EXPECT_FALSE(fleet.WithDevice(0, [&](SimDevice& d) { return d.FaultActive(SimFault::kWeakClient, clock.now); }));

  EXPECT_TRUE(fleet.RunSessionNow(0, {std::string(kEventPeriodic)}));
  EXPECT_EQ(acs.InformsWith(fleet.Serial(0), kEventPeriodic), 1);

  fleet.TriggerSession(1, {"3 SCHEDULED"});
  ASSERT_TRUE(Eventually([&] { return acs.InformsWith(fleet.Serial(1), "3 SCHEDULED") == 1; }));
  // The peer sees the Inform before the session ends and is counted.
  ASSERT_TRUE(Eventually([&] { return fleet.stats().sessions_ok == 4; }));
  const auto s = fleet.stats();
  EXPECT_GT(s.p50_session_ms, 0.0);
  EXPECT_GE(s.p99_session_ms, s.p50_session_ms);
}

// Not a benchmark (bench/ owns those), but a guard and a figure: sessions per second of the
// fleet against the small peer above on loopback, printed for the record.
TEST(SimFleet, ThroughputAgainstTheTestPeer) {
  TestAcs acs;
  const auto port = acs.Start();
  SimFleetOptions o;
  o.acs_url = acs.Url(port);
  o.devices = 3000;
  o.periodic_interval_s = 1;  // every device is always due: the fleet runs flat out
  o.spread_first_inform = false;
  o.event_check_interval_s = 0;
  o.threads = 4;
  SimFleet fleet(o);
  ASSERT_TRUE(fleet.Start());
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto s = fleet.stats();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fleet.Stop();
  std::printf("[ figures  ] %.0f sessions/s (%llu in %.1f s), p50 %.2f ms, p99 %.2f ms, failed %llu\n",
              static_cast<double>(s.sessions_ok) / secs, static_cast<unsigned long long>(s.sessions_ok), secs,
              s.p50_session_ms, s.p99_session_ms, static_cast<unsigned long long>(s.sessions_failed));
  EXPECT_GT(s.sessions_ok, 500u);
  EXPECT_EQ(s.sessions_failed, 0u);
  EXPECT_EQ(acs.protocol_errors(), 0);
}

}  // namespace
}  // namespace hilo::cwmp
