#include "hilo/probe/probe_agent.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "hilo/json/json.h"
#include "hilo/net/http_server.h"

namespace hilo::probe {
namespace {

using telemetry::ProbeEventKind;
using telemetry::ProbeLeg;

TEST(ProbeTarget, ParsesTheThreeKindsAndTheLegs) {
  auto tcp = ParseProbeTarget("gateway=tcp:192.168.1.1:80");
  ASSERT_TRUE(tcp) << tcp.error().message;
  EXPECT_EQ(tcp->kind, CheckKind::kTcp);
  EXPECT_EQ(tcp->leg, ProbeLeg::kLanToGateway);
  EXPECT_EQ(tcp->host, "192.168.1.1");
  EXPECT_EQ(tcp->port, 80);

  auto http = ParseProbeTarget("anchor=http:http://example.org:8080/healthz");
  ASSERT_TRUE(http) << http.error().message;
  EXPECT_EQ(http->kind, CheckKind::kHttp);
  EXPECT_EQ(http->leg, ProbeLeg::kGatewayToAnchor);
  EXPECT_EQ(http->host, "example.org");
  EXPECT_EQ(http->port, 8080);
  EXPECT_EQ(http->path, "/healthz");

  auto dns = ParseProbeTarget("resolver=dns:example.org");
  ASSERT_TRUE(dns);
  EXPECT_EQ(dns->kind, CheckKind::kDns);
  EXPECT_EQ(dns->leg, ProbeLeg::kOther);

  EXPECT_EQ(ParseProbeTarget("gateway_first_hop=tcp:[::1]:53")->leg, ProbeLeg::kGatewayToFirstHop);
  EXPECT_EQ(ParseProbeTarget("gateway_first_hop=tcp:[::1]:53")->host, "::1");
  EXPECT_EQ(ParseProbeTarget("isp=tcp:10.0.0.1:53")->leg, ProbeLeg::kGatewayToFirstHop);

  for (const char* bad : {"tcp:1.2.3.4:80", "x=tcp:1.2.3.4", "x=tcp:1.2.3.4:0", "x=udp:1.2.3.4:53",
                          "x=http:https://example.org/", "x=dns:", "=tcp:1.2.3.4:80", "x=tcp"}) {
    EXPECT_FALSE(ParseProbeTarget(bad)) << bad;
  }
}

// A real HTTP server on loopback whose health endpoint can be made to go silent: while
// `silent`, requests get no answer at all (the responder is held), which is what a cut looks
// like from the far side of a dead Wi-Fi link.
class Target {
 public:
  Target()
      : server_({.port = 0, .threads = 2}, [this](net::HttpRequest&&, net::Responder respond) {
          std::lock_guard lock(mu_);
          if (silent_) {
            held_.push_back(std::move(respond));
            return;
          }
          respond(net::HttpResponse::Text(200, "ok"));
        }) {
    port_ = server_.Start().value_or(0);
  }
  ~Target() {
    server_.Stop();
    std::lock_guard lock(mu_);
    held_.clear();
  }
  std::uint16_t port() const { return port_; }
  void SetSilent(bool silent) {
    std::lock_guard lock(mu_);
    silent_ = silent;
  }

 private:
  std::mutex mu_;
  bool silent_ = false;
  std::vector<net::Responder> held_;
  std::uint16_t port_ = 0;
  net::HttpServer server_;
};

// The hilo ingest endpoint as far as the agent can tell: records what arrives, and can be down
// (503) for a while.
class Ingest {
 public:
  Ingest()
      : server_({.port = 0, .threads = 1}, [this](net::HttpRequest&& req, net::Responder respond) {
          std::lock_guard lock(mu_);
          if (down_ || req.method != "POST" || req.path != "/base/api/v1/probes") {
            ++refused_;
            return respond(net::HttpResponse::Text(down_ ? 503 : 404, "no"));
          }
          if (req.Header("authorization") != "Bearer t0ken") return respond(net::HttpResponse::Text(401, "who"));
          bodies_.push_back(req.body);
          respond(net::HttpResponse::Text(202, R"({"accepted": true})", "application/json"));
        }) {
    port_ = server_.Start().value_or(0);
  }
  std::uint16_t port() const { return port_; }
  void SetDown(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  std::vector<std::string> Bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  int refused() const {
    std::lock_guard lock(mu_);
    return refused_;
  }

 private:
  mutable std::mutex mu_;
  bool down_ = false;
  int refused_ = 0;
  std::vector<std::string> bodies_;
  std::uint16_t port_ = 0;
  net::HttpServer server_;
};

TEST(Checks, TcpHttpDnsOnLoopback) {
  Target target;
  ASSERT_NE(target.port(), 0);
  auto ok = CheckTcp("127.0.0.1", target.port(), 500);
  EXPECT_TRUE(ok.ok) << ok.error;
  EXPECT_GE(ok.rtt_ms, 0.0);

  auto http = ParseProbeTarget("anchor=http:http://127.0.0.1:" + std::to_string(target.port()) + "/healthz");
  ASSERT_TRUE(http);
  EXPECT_TRUE(RunCheck(*http, 500).ok);
  target.SetSilent(true);
  const auto start = std::chrono::steady_clock::now();
  auto silent = RunCheck(*http, 200);
  EXPECT_FALSE(silent.ok);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << "bounded by the timeout";
  target.SetSilent(false);

  std::uint16_t closed = 0;
  {
    Target gone;
    closed = gone.port();
  }
  EXPECT_FALSE(CheckTcp("127.0.0.1", closed, 500).ok);
  EXPECT_TRUE(CheckDns("localhost", 1000).ok);
}

TEST(ProbeAgent, SeesTheOutageLiveAndUploadsEverythingDespiteADownServer) {
  Target target;
  Ingest ingest;
  ingest.SetDown(true);
  ProbeAgentOptions o;
  const std::string port = std::to_string(target.port());
  o.targets = {*ParseProbeTarget("anchor=http:http://127.0.0.1:" + port + "/healthz"),
               *ParseProbeTarget("gateway=tcp:127.0.0.1:" + port)};
  o.interval_ms = 100;
  o.timeout_ms = 250;
  o.server_url = "http://127.0.0.1:" + std::to_string(ingest.port()) + "/base/";
  o.token = "t0ken";
  o.gateway_serial = "HL00000042";
  o.customer_id = "17";
  o.upload_every_ms = 300;
  std::mutex cuts_mu;
  std::vector<std::pair<std::string, bool>> cuts;
  o.on_cut = [&](const ProbeTarget& t, std::int64_t, bool down) {
    std::lock_guard lock(cuts_mu);
    cuts.emplace_back(t.label, down);
  };
  ProbeAgent agent(o);

  // 0-1 s fine; 1-3 s the anchor is silent (the TCP port still accepts); then fine again.
  // The ingest endpoint is down for the first 1.5 s.
  std::thread script([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    target.SetSilent(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ingest.SetDown(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    target.SetSilent(false);
  });
  ASSERT_TRUE(agent.RunFor(std::chrono::milliseconds(4200)));
  script.join();

  // The anchor's samples show the cut; the gateway's do not.
  const auto anchor = agent.Samples(0);
  const auto gateway = agent.Samples(1);
  ASSERT_GE(anchor.size(), 35u) << "one sample per 100 ms tick over 4.2 s";
  ASSERT_GE(gateway.size(), 35u);
  const auto lost = std::count_if(anchor.begin(), anchor.end(), [](const auto& s) { return !s.ok; });
  EXPECT_GE(lost, 15) << "about 2 s of silence at 100 ms cadence";
  EXPECT_LE(lost, 25);
  EXPECT_TRUE(std::all_of(gateway.begin(), gateway.end(), [](const auto& s) { return s.ok; }));
  for (std::size_t i = 1; i < anchor.size(); ++i) EXPECT_GT(anchor[i].at_ms, anchor[i - 1].at_ms);

  // The detector called it a micro-outage of about 2 s on the anchor leg, and said so live.
  const auto events = agent.Events();
  std::vector<telemetry::ProbeEvent> cuts_on_anchor;
  for (const auto& e : events) {
    EXPECT_EQ(e.target, 0u) << "nothing on the gateway leg";
    if (e.event.IsCut()) cuts_on_anchor.push_back(e.event);
  }
  ASSERT_EQ(cuts_on_anchor.size(), 1u);
  EXPECT_EQ(cuts_on_anchor[0].kind, ProbeEventKind::kMicroOutage);
  EXPECT_EQ(cuts_on_anchor[0].leg, ProbeLeg::kGatewayToAnchor);
  EXPECT_GE(cuts_on_anchor[0].DurationMs(), 1500);
  EXPECT_LE(cuts_on_anchor[0].DurationMs(), 2800);
  {
    std::lock_guard lock(cuts_mu);
    EXPECT_EQ(cuts, (std::vector<std::pair<std::string, bool>>{{"anchor", true}, {"anchor", false}}));
  }

  // Every sample reached the server exactly once, those taken while it was down included.
  const auto stats = agent.stats();
  EXPECT_GE(stats.uploads_failed, 1u);
  EXPECT_GE(ingest.refused(), 1);
  EXPECT_EQ(stats.buffered, 0u);
  EXPECT_EQ(stats.samples_dropped, 0u);
  std::multiset<std::pair<std::string, std::int64_t>> uploaded;
  std::int64_t lost_uploaded = 0;
  for (const std::string& body : ingest.Bodies()) {
    auto v = ParseJson(body);
    ASSERT_TRUE(v) << body;
    EXPECT_EQ(v->Get("gateway_serial").AsString(), "HL00000042");
    EXPECT_EQ(v->Get("customer_id").AsInt(), 17);
    for (const Value& s : v->Get("samples").AsArray()) {
      uploaded.emplace(s.Get("leg").AsString(), s.Get("at_ms").AsInt());
      if (!s.Get("ok").AsBool()) {
        ++lost_uploaded;
        EXPECT_FALSE(s.Has("rtt_ms"));
      } else {
        EXPECT_TRUE(s.Get("rtt_ms").IsNumber());
      }
    }
  }
  std::multiset<std::pair<std::string, std::int64_t>> measured;
  for (const auto& s : anchor) measured.emplace("gateway_anchor", s.at_ms);
  for (const auto& s : gateway) measured.emplace("lan_gateway", s.at_ms);
  EXPECT_EQ(uploaded, measured);
  EXPECT_EQ(lost_uploaded, lost);
  EXPECT_EQ(stats.samples_uploaded, measured.size());
}

TEST(ProbeAgent, KeepsAtMostTheConfiguredBacklogWhileTheServerIsDown) {
  Target target;
  Ingest ingest;
  ingest.SetDown(true);
  ProbeAgentOptions o;
  o.targets = {*ParseProbeTarget("gateway=tcp:127.0.0.1:" + std::to_string(target.port()))};
  o.interval_ms = 50;
  o.server_url = "http://127.0.0.1:" + std::to_string(ingest.port()) + "/base";
  o.token = "t0ken";
  o.gateway_serial = "HL1";
  o.upload_every_ms = 200;
  o.max_buffer_ms = 300;
  ProbeAgent agent(o);
  ASSERT_TRUE(agent.RunFor(std::chrono::milliseconds(1200)));
  const auto stats = agent.stats();
  EXPECT_GE(stats.samples, 20u);
  EXPECT_LE(stats.buffered, 8u) << "300 ms of data at 50 ms cadence, give or take";
  EXPECT_EQ(stats.samples_dropped + stats.buffered, stats.samples);
  EXPECT_EQ(stats.uploads_ok, 0u);
  EXPECT_NE(stats.last_upload_error.find("503"), std::string::npos) << stats.last_upload_error;
}

TEST(ProbeAgent, RefusesBadOptions) {
  ProbeAgent none({});
  EXPECT_FALSE(none.Validate());
  ProbeAgentOptions o;
  o.targets = {*ParseProbeTarget("gateway=tcp:127.0.0.1:1")};
  o.server_url = "ftp://x";
  EXPECT_FALSE(ProbeAgent(o).Validate());
  o.server_url = "http://127.0.0.1:1";
  EXPECT_FALSE(ProbeAgent(o).Validate()) << "uploads need a gateway serial";
  o.gateway_serial = "HL1";
  EXPECT_TRUE(ProbeAgent(o).Validate());
}

TEST(ProbeAgent, UploadBodyShape) {
  const std::string body = ProbeAgent::UploadBody(
      "HL1", "", {{1000, ProbeLeg::kLanToGateway, true, 12.34}, {2000, ProbeLeg::kGatewayToAnchor, false, 0}});
  auto v = ParseJson(body);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->Has("customer_id"));
  const auto& samples = v->Get("samples").AsArray();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].Get("leg").AsString(), "lan_gateway");
  EXPECT_DOUBLE_EQ(samples[0].Get("rtt_ms").AsDouble(), 12.3);
  EXPECT_EQ(samples[1].Get("at_ms").AsInt(), 2000);
  EXPECT_FALSE(samples[1].Get("ok").AsBool());
}

}  // namespace
}  // namespace hilo::probe
