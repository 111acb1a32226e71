#include "hilo/probe/checks.h"

#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "hilo/net/http_client.h"

namespace hilo::probe {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::atomic<int> g_dns_in_flight{0};

}  // namespace

std::string_view CheckKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kHttp: return "http";
    case CheckKind::kTcp: return "tcp";
    case CheckKind::kDns: return "dns";
  }
  return "tcp";
}

telemetry::ProbeLeg LegForLabel(std::string_view label) {
  using telemetry::ProbeLeg;
  if (auto leg = telemetry::ParseProbeLeg(label)) return *leg;
  if (label == "gateway" || label == "lan" || label == "lan_to_gateway") return ProbeLeg::kLanToGateway;
  if (label == "first_hop" || label == "isp" || label == "hop" || label == "gateway_to_first_hop")
    return ProbeLeg::kGatewayToFirstHop;
  if (label == "anchor" || label == "internet" || label == "gateway_to_anchor") return ProbeLeg::kGatewayToAnchor;
  return ProbeLeg::kOther;
}

Result<ProbeTarget> ParseProbeTarget(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return Fail(Errc::kInvalidArgument, "a probe target is label=kind:spec, e.g. gateway=tcp:192.168.1.1:80", "target");
  ProbeTarget t;
  t.label = std::string(text.substr(0, eq));
  t.leg = LegForLabel(t.label);
  std::string_view rest = text.substr(eq + 1);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return Fail(Errc::kInvalidArgument, "missing kind in " + std::string(text), "target");
  const std::string_view kind = rest.substr(0, colon);
  t.spec = std::string(rest.substr(colon + 1));
  if (kind == "http") {
    t.kind = CheckKind::kHttp;
    auto url = net::ParseHttpUrl(t.spec);
    if (!url) return Fail(Errc::kInvalidArgument, "bad http target " + t.spec + ": " + url.error().message, "target");
    t.host = url->host;
    t.port = url->port;
    t.path = url->target;
  } else if (kind == "tcp") {
    t.kind = CheckKind::kTcp;
    const auto c = t.spec.rfind(':');
    if (c == std::string::npos || c == 0)
      return Fail(Errc::kInvalidArgument, "a tcp target is host:port, got " + t.spec, "target");
    unsigned port = 0;
    const char* begin = t.spec.data() + c + 1;
    const char* end = t.spec.data() + t.spec.size();
    auto [ptr, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || ptr != end || port == 0 || port > 65535)
      return Fail(Errc::kInvalidArgument, "bad port in " + t.spec, "target");
    t.host = t.spec.substr(0, c);
    if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
    t.port = static_cast<std::uint16_t>(port);
  } else if (kind == "dns") {
    t.kind = CheckKind::kDns;
    if (t.spec.empty()) return Fail(Errc::kInvalidArgument, "a dns target needs a name", "target");
    t.host = t.spec;
  } else {
    return Fail(Errc::kInvalidArgument, "unknown probe kind '" + std::string(kind) + "' (http, tcp, dns)", "target");
  }
  return t;
}

CheckResult CheckHttp(const ProbeTarget& target, int timeout_ms) {
  // A fresh client per check: the measurement includes the TCP handshake, as a user's first
  // click after a cut would.
  const auto start = Clock::now();
  net::HttpClient client(target.host, target.port, timeout_ms);
  auto r = client.Send({.method = "GET", .target = target.path, .headers = {{"Connection", "close"}}});
  CheckResult out;
  out.rtt_ms = MsSince(start);
  if (!r) {
    out.error = r.error().message;
  } else if (r->status >= 500) {
    out.error = "HTTP " + std::to_string(r->status);
  } else {
    out.ok = true;
  }
  return out;
}

CheckResult CheckTcp(std::string_view host, std::uint16_t port, int timeout_ms) {
  const auto start = Clock::now();
  CheckResult out;
  asio::io_context ioc;
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(std::string(host), std::to_string(port), ec);
  if (ec) {
    out.rtt_ms = MsSince(start);
    out.error = "cannot resolve " + std::string(host) + ": " + ec.message();
    return out;
  }
  tcp::socket socket(ioc);
  bool done = false;
  asio::async_connect(socket, endpoints, [&](const boost::system::error_code& e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  ioc.run_for(std::chrono::milliseconds(timeout_ms));
  if (!done) {
    // Still waiting for a SYN-ACK: the timeout is the answer. Closing cancels the attempt.
    socket.close(ec);
    ioc.restart();
    ioc.run();
    out.rtt_ms = MsSince(start);
    out.error = "timed out";
    return out;
  }
  out.rtt_ms = MsSince(start);
  if (ec) {
    out.error = ec.message();
  } else {
    out.ok = true;
    socket.close(ec);
  }
  return out;
}

CheckResult CheckDns(std::string_view name, int timeout_ms) {
  // getaddrinfo cannot be cancelled: it runs on its own thread, which owns its state through a
  // shared_ptr so that abandoning it after the timeout is safe.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    int rc = 0;
  };
  const auto start = Clock::now();
  CheckResult out;
  if (g_dns_in_flight.fetch_add(1) >= kMaxDnsInFlight) {
    g_dns_in_flight.fetch_sub(1);
    out.error = "resolver stuck (too many lookups in flight)";
    return out;
  }
  auto state = std::make_shared<State>();
  std::thread([state, host = std::string(name)] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &result);
    if (result != nullptr) ::freeaddrinfo(result);
    g_dns_in_flight.fetch_sub(1);
    std::lock_guard lock(state->mu);
    state->done = true;
    state->rc = rc;
    state->cv.notify_all();
  }).detach();
  std::unique_lock lock(state->mu);
  const bool finished =
      state->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return state->done; });
  out.rtt_ms = MsSince(start);
  if (!finished) {
    out.error = "timed out";
  } else if (state->rc != 0) {
    out.error = ::gai_strerror(state->rc);
  } else {
    out.ok = true;
  }
  return out;
}

CheckResult RunCheck(const ProbeTarget& target, int timeout_ms) {
  switch (target.kind) {
    case CheckKind::kHttp: return CheckHttp(target, timeout_ms);
    case CheckKind::kTcp: return CheckTcp(target.host, target.port, timeout_ms);
    case CheckKind::kDns: return CheckDns(target.host, timeout_ms);
  }
  return {};
}

}  // namespace hilo::probe
