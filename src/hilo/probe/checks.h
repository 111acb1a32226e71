#pragma once
// Probe targets and the single checks `hilo probe` runs against them: an HTTP GET, a TCP
// connect, a DNS resolution. No raw ICMP: that needs root, and an agent on a customer's laptop
// has none. Each check is blocking and bounded by a timeout, returns ok + round-trip time, and
// never throws.
//
//   auto t = ParseProbeTarget("gateway=tcp:192.168.1.1:80");   // Result<ProbeTarget>
//   CheckResult r = RunCheck(*t, /*timeout_ms=*/2000);         // {ok, rtt_ms, error}
//
// Target syntax "label=kind:spec":
//   http:<url>         GET <url> (http:// only); ok when any response with status < 500 arrives
//                      (a reply proves the path works; a 5xx means the far end is broken)
//   tcp:<host>:<port>  a TCP handshake
//   dns:<name>         getaddrinfo(name) through the system resolver
// The label names the leg (telemetry::ProbeLeg) the samples belong to: the telemetry names
// ("lan_gateway", "gateway_first_hop", "gateway_anchor", "other") or short aliases
// ("gateway"/"lan", "first_hop"/"isp"/"hop", "anchor"/"internet"); anything else is "other".
//
// Thread-safety: free functions, safe from any thread. A DNS check that times out leaves its
// resolver thread running until getaddrinfo returns (it owns its own state); at most
// kMaxDnsInFlight such threads exist at once, further checks fail fast meanwhile.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hilo/base/error.h"
#include "hilo/telemetry/probe.h"

namespace hilo::probe {

enum class CheckKind { kHttp, kTcp, kDns };
std::string_view CheckKindName(CheckKind kind);  // "http", "tcp", "dns"

struct ProbeTarget {
  std::string label;  // as given: "gateway"
  telemetry::ProbeLeg leg = telemetry::ProbeLeg::kOther;
  CheckKind kind = CheckKind::kTcp;
  std::string spec;  // as given after "kind:"
  // Parsed from spec.
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/";  // http only
};

// Errors: kInvalidArgument (no "=", unknown kind, bad URL / host:port / empty name).
Result<ProbeTarget> ParseProbeTarget(std::string_view text);
// The leg a label stands for (see above).
telemetry::ProbeLeg LegForLabel(std::string_view label);

struct CheckResult {
  bool ok = false;
  double rtt_ms = 0;  // time to the answer (or to the failure)
  std::string error;  // why it failed, for humans
};

inline constexpr int kMaxDnsInFlight = 8;

CheckResult RunCheck(const ProbeTarget& target, int timeout_ms);
CheckResult CheckHttp(const ProbeTarget& target, int timeout_ms);
CheckResult CheckTcp(std::string_view host, std::uint16_t port, int timeout_ms);
CheckResult CheckDns(std::string_view name, int timeout_ms);

}  // namespace hilo::probe
