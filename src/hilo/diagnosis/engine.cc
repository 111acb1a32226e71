#include "hilo/diagnosis/engine.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "hilo/telemetry/events.h"

namespace hilo::diagnosis {

using telemetry::Band;
using telemetry::Client;
using telemetry::DeviceSnapshot;
using telemetry::ProbeEvent;
using telemetry::ProbeLeg;
using telemetry::Radio;

std::string_view SymptomPatternName(SymptomPattern p) {
  switch (p) {
    case SymptomPattern::kIntermittent: return "intermittent";
    case SymptomPattern::kConstant: return "constant";
    case SymptomPattern::kSlow: return "slow";
    case SymptomPattern::kNone: break;
  }
  return "none";
}

SymptomPattern ParseSymptomPattern(std::string_view name) {
  if (name == "intermittent") return SymptomPattern::kIntermittent;
  if (name == "constant") return SymptomPattern::kConstant;
  if (name == "slow") return SymptomPattern::kSlow;
  return SymptomPattern::kNone;
}

std::string_view ChangeKindName(ChangeKind k) { return k == ChangeKind::kFirmware ? "firmware" : "configuration"; }

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kCritical: return "critical";
    case Severity::kMajor: return "major";
    case Severity::kMinor: return "minor";
    case Severity::kInfo: break;
  }
  return "info";
}

Severity ParseSeverity(std::string_view name) {
  if (name == "critical") return Severity::kCritical;
  if (name == "major") return Severity::kMajor;
  if (name == "minor") return Severity::kMinor;
  return Severity::kInfo;
}

std::string_view Action::Param(std::string_view key) const {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return {};
}

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers. Explanations are only built for findings that fire, so healthy homes (the vast
// majority of a fleet re-diagnosis) never pay for string formatting.

std::string Num(double v, int decimals = 0) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// "2026-09-21 14:05 UTC"
std::string Clock(Time t) {
  std::string iso = FormatIsoTime(t);  // 2026-09-21T14:05:00Z
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string Minutes(Time seconds) {
  if (seconds < 90 * 60) return Num(static_cast<double>(seconds) / 60.0) + " min";
  return Num(static_cast<double>(seconds) / 3600.0, 1) + " h";
}

std::string JoinList(const std::vector<std::string>& items, std::string_view last_sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? std::string(last_sep) : std::string(", ");
    out += items[i];
  }
  return out;
}

std::string BandText(Band b) {
  std::string_view n = telemetry::BandName(b);
  return n.empty() ? std::string("?") : std::string(n);
}

bool EqualsFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Action MakeAction(std::string code, std::vector<std::pair<std::string, std::string>> params = {}) {
  return Action{std::move(code), std::move(params)};
}

// ---------------------------------------------------------------------------------------------
// Per-call state. Sized from the current snapshot; everything else is computed in one pass over
// the history window.

struct ClientState {
  const Client* cur = nullptr;
  Time run_start = 0;    // start of the current degraded run; 0 = none
  bool had_good = false;  // a good period preceded the current run (so the onset is known)
  std::int64_t good_streak = 0;
  int reassoc = 0;
  Time prev_assoc = 0;
  Time weak_since = 0;  // start of the current weak-signal run
  bool degraded_now = false;
  bool weak_now = false;
  bool flapping = false;
  bool in_group = false;  // part of a common-cause group
};

struct RadioState {
  const Radio* cur = nullptr;
  std::optional<int> prev_channel;
  int channel_changes = 0;
  Time last_change_at = 0;
  int last_change_from = 0;
  std::optional<std::uint64_t> prev_errors, prev_packets;
  std::uint64_t d_errors = 0, d_packets = 0;
  bool congested = false;
  Time congestion_since = 0;
};

// A cumulative counter's growth over the window, and over its most recent part (an impairment
// of a few hours must not be diluted by a clean day).
struct CounterDelta {
  std::optional<std::uint64_t> prev;
  std::uint64_t delta = 0;
  std::uint64_t recent = 0;
  void Add(const std::optional<std::uint64_t>& v, bool in_recent) {
    if (!v) return;
    if (prev) {
      const std::uint64_t d = *v >= *prev ? *v - *prev : *v;  // a decrease is a reset: count from zero
      delta += d;
      if (in_recent) recent += d;
    }
    prev = v;
  }
};

struct DsState {
  CounterDelta unerrored, corrected, uncorrectable;
};
struct UsState {
  CounterDelta t3, t4;
};

// How far an observed boot may be from a restart hilo ordered and still be that restart (the
// gateway reboots after the session that received the command, and reports on the next one).
constexpr Time kPlannedRestartToleranceS = 15 * kMinute;

struct Change {
  ChangeKind kind;
  Time at;
  std::string from, to, what;
  bool derived;  // seen in the telemetry rather than recorded by the ACS
  bool planned = false;  // a remote fix hilo ordered
};

// A better channel for a radio, from the neighbour scan.
struct ChannelChoice {
  int best = 0;
  double best_score = 0;
  double current_score = 0;
  bool have_scan = false;
};

class Run {
 public:
  Run(const Thresholds& t, const DiagnosisInput& in) : t_(t), in_(in), cur_(in.current) {
    now_ = in.now ? in.now : cur_.taken_at;
    window_start_ = now_ - t_.window_s;
    has_current_ = cur_.taken_at != 0;
  }

  std::vector<Finding> Diagnose();

 private:
  // --- data pass ---
  void Prepare();
  void Visit(const DeviceSnapshot& s, bool is_current);
  bool Degraded(const Client& c) const;
  bool Weak(const Client& c) const;
  int ClientSlot(const DeviceSnapshot& s, std::size_t pos, std::uint64_t key) const;

  // --- rules ---
  void AreaOutageRule();
  void DocsisRule();
  void GatewayRule();
  void CongestionRule();
  void CommonCauseRule();
  void MicroOutageRule();
  void RetransmissionRule();
  void WeakClientRule();
  void SingleClientRule();
  void EvidenceMissingRule();

  // --- helpers ---
  std::string Name(const Client& c) const;
  std::string NameOf(std::string_view mac) const;
  ChannelChoice ChooseChannel(const Radio& r) const;
  int StrongNeighbors(const DeviceSnapshot& s, const Radio& r, bool co_channel_only) const;
  struct CutStats {
    int total = 0;
    int max_per_hour = 0;
    std::int64_t longest_ms = 0;
    Time first = 0, last = 0;
  };
  CutStats Cuts(ProbeLeg leg) const;
  bool CutsFlagged(const CutStats& c) const {
    return c.total > 0 && (c.max_per_hour >= t_.micro_outages_per_hour_max || c.total >= t_.micro_outages_per_day_max);
  }
  const Change* SuspectChange(Time onset) const;
  bool HasFinding(std::string_view code) const;
  Finding* FindFinding(std::string_view code);

  const Thresholds& t_;
  const DiagnosisInput& in_;
  const DeviceSnapshot& cur_;
  Time now_ = 0;
  Time window_start_ = 0;
  bool has_current_ = false;

  std::vector<ClientState> clients_;
  std::array<RadioState, 8> radios_{};
  std::size_t radio_count_ = 0;
  std::vector<DsState> ds_;
  std::vector<UsState> us_;
  std::vector<Change> changes_;
  std::vector<Time> reboots_;
  const DeviceSnapshot* prev_ = nullptr;
  int snapshots_in_window_ = 0;
  Time first_in_window_ = 0;
  std::optional<std::uint64_t> first_watchdog_, last_watchdog_;
  double cpu_sum_ = 0;
  int cpu_n_ = 0;

  // Common-cause group.
  Time group_onset_ = 0;
  int group_size_ = 0;

  std::vector<Finding> out_;
};

bool Run::Weak(const Client& c) const {
  if (c.signal_dbm) return *c.signal_dbm < t_.client_signal_weak_dbm;
  return false;
}

bool Run::Degraded(const Client& c) const {
  if (c.active && !*c.active) return false;
  if (c.retransmissions_pct && *c.retransmissions_pct >= t_.client_retrans_high_pct) return true;
  if (c.signal_dbm && *c.signal_dbm < t_.client_signal_weak_dbm) return true;
  if (c.snr_db && *c.snr_db < t_.client_snr_min_db) return true;
  return false;
}

int Run::ClientSlot(const DeviceSnapshot& s, std::size_t pos, std::uint64_t key) const {
  (void)s;
  // Client lists keep their order between informs: try the same position first.
  if (pos < clients_.size() && clients_[pos].cur->mac_key == key) return static_cast<int>(pos);
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (clients_[i].cur->mac_key == key) return static_cast<int>(i);
  }
  return -1;
}

void Run::Prepare() {
  clients_.resize(cur_.clients.size());
  for (std::size_t i = 0; i < cur_.clients.size(); ++i) clients_[i].cur = &cur_.clients[i];
  radio_count_ = std::min(cur_.radios.size(), radios_.size());
  for (std::size_t i = 0; i < radio_count_; ++i) radios_[i].cur = &cur_.radios[i];
  ds_.resize(cur_.docsis_downstream.size());
  us_.resize(cur_.docsis_upstream.size());
  for (const ChangeEvent& c : in_.changes) changes_.push_back({c.kind, c.at, c.from, c.to, c.what, false, c.planned});

  for (const DeviceSnapshot& s : in_.history) {
    if (s.taken_at < window_start_ || s.taken_at > now_) continue;
    if (has_current_ && s.taken_at >= cur_.taken_at) continue;  // the current one is visited last
    Visit(s, false);
  }
  if (has_current_) Visit(cur_, true);
  // A version change seen in the telemetry that the ACS also recorded: keep the record (exact time).
  std::erase_if(changes_, [&](const Change& d) {
    if (!d.derived) return false;
    for (const ChangeEvent& c : in_.changes) {
      if (c.kind == d.kind && c.to == d.to) return true;
    }
    return false;
  });
}

void Run::Visit(const DeviceSnapshot& s, bool is_current) {
  ++snapshots_in_window_;
  if (!first_in_window_) first_in_window_ = s.taken_at;
  if (prev_) {
    if (prev_->uptime_s && s.uptime_s && *s.uptime_s < *prev_->uptime_s) {
      const Time boot = s.taken_at - *s.uptime_s;
      // A restart hilo ordered as a fix is not the gateway being unstable.
      const bool planned = std::any_of(in_.planned_restarts.begin(), in_.planned_restarts.end(),
                                       [&](Time t) { return std::abs(boot - t) <= kPlannedRestartToleranceS; });
      if (!planned) reboots_.push_back(boot);
    }
    if (!prev_->software_version.empty() && !s.software_version.empty() &&
        prev_->software_version != s.software_version) {
      Time at = s.uptime_s && *s.uptime_s < s.taken_at - prev_->taken_at ? s.taken_at - *s.uptime_s : s.taken_at;
      changes_.push_back({ChangeKind::kFirmware, at, prev_->software_version, s.software_version, {}, true});
    }
  }
  if (s.reboots.watchdog_boot_count) {
    if (!first_watchdog_) first_watchdog_ = s.reboots.watchdog_boot_count;
    last_watchdog_ = s.reboots.watchdog_boot_count;
  }
  if (s.cpu_pct) {
    cpu_sum_ += *s.cpu_pct;
    ++cpu_n_;
  }

  // Radios: match by index (stable across informs).
  for (std::size_t i = 0; i < radio_count_; ++i) {
    RadioState& rs = radios_[i];
    const Radio* r = is_current ? rs.cur : nullptr;
    if (!r) {
      for (const Radio& x : s.radios) {
        if (x.index == rs.cur->index) r = &x;
      }
    }
    if (!r) continue;
    if (r->channel) {
      if (rs.prev_channel && *rs.prev_channel != *r->channel) {
        ++rs.channel_changes;
        rs.last_change_at = s.taken_at;
        rs.last_change_from = *rs.prev_channel;
      }
      rs.prev_channel = r->channel;
    }
    if (r->stats.errors_sent && r->stats.packets_sent) {
      if (rs.prev_errors && rs.prev_packets && *r->stats.packets_sent >= *rs.prev_packets &&
          *r->stats.errors_sent >= *rs.prev_errors) {
        rs.d_errors += *r->stats.errors_sent - *rs.prev_errors;
        rs.d_packets += *r->stats.packets_sent - *rs.prev_packets;
      }
      rs.prev_errors = r->stats.errors_sent;
      rs.prev_packets = r->stats.packets_sent;
    }
  }

  // Clients: the hot loop (history × clients), so the thresholds are hoisted and the checks
  // written out rather than calling Degraded() / Weak().
  const double weak_dbm = t_.client_signal_weak_dbm;
  const double retrans_high = t_.client_retrans_high_pct;
  const double snr_min = t_.client_snr_min_db;
  for (std::size_t pos = 0; pos < s.clients.size(); ++pos) {
    const Client& c = s.clients[pos];
    int slot = is_current ? static_cast<int>(pos) : ClientSlot(s, pos, c.mac_key);
    if (slot < 0) continue;
    ClientState& st = clients_[static_cast<std::size_t>(slot)];
    const bool inactive = c.active.has_value() && !*c.active;
    const bool weak = c.signal_dbm.has_value() && *c.signal_dbm < weak_dbm;
    const bool degraded = !inactive && (weak || (c.retransmissions_pct.has_value() && *c.retransmissions_pct >= retrans_high) ||
                                        (c.snr_db.has_value() && *c.snr_db < snr_min));
    if (degraded) {
      if (st.run_start == 0) st.run_start = s.taken_at;
      st.good_streak = 0;
    } else if (!inactive) {
      ++st.good_streak;
      if (st.run_start != 0 && st.good_streak >= t_.recovery_samples) st.run_start = 0;
      if (st.run_start == 0) st.had_good = true;
    }
    if (weak) {
      if (st.weak_since == 0) st.weak_since = s.taken_at;
    } else if (c.signal_dbm) {
      st.weak_since = 0;
    }
    if (c.association_time) {
      if (st.prev_assoc && *c.association_time != st.prev_assoc) ++st.reassoc;
      st.prev_assoc = *c.association_time;
    }
  }

  // DOCSIS counters, matched by channel index.
  for (std::size_t i = 0; i < ds_.size(); ++i) {
    const int index = cur_.docsis_downstream[i].index;
    const telemetry::DocsisDownstream* d = nullptr;
    if (i < s.docsis_downstream.size() && s.docsis_downstream[i].index == index) d = &s.docsis_downstream[i];
    for (std::size_t k = 0; !d && k < s.docsis_downstream.size(); ++k) {
      if (s.docsis_downstream[k].index == index) d = &s.docsis_downstream[k];
    }
    if (!d) continue;
    const bool recent = s.taken_at > now_ - t_.recent_window_s;
    ds_[i].unerrored.Add(d->unerrored, recent);
    ds_[i].corrected.Add(d->corrected, recent);
    ds_[i].uncorrectable.Add(d->uncorrectable, recent);
  }
  for (std::size_t i = 0; i < us_.size(); ++i) {
    const int index = cur_.docsis_upstream[i].index;
    const telemetry::DocsisUpstream* u = nullptr;
    for (std::size_t k = 0; !u && k < s.docsis_upstream.size(); ++k) {
      if (s.docsis_upstream[k].index == index) u = &s.docsis_upstream[k];
    }
    if (!u) continue;
    const bool recent = s.taken_at > now_ - t_.recent_window_s;
    us_[i].t3.Add(u->t3_timeouts, recent);
    us_[i].t4.Add(u->t4_timeouts, recent);
  }
  prev_ = &s;
}

std::string Run::NameOf(std::string_view mac) const {
  for (const telemetry::Host& h : cur_.hosts) {
    if (h.mac == mac && !h.hostname.empty()) return h.hostname;
  }
  return std::string(mac);
}

std::string Run::Name(const Client& c) const { return NameOf(c.mac); }

bool Run::HasFinding(std::string_view code) const {
  for (const Finding& f : out_) {
    if (f.code == code) return true;
  }
  return false;
}

Finding* Run::FindFinding(std::string_view code) {
  for (Finding& f : out_) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

Run::CutStats Run::Cuts(ProbeLeg leg) const {
  CutStats c;
  // Probe events are few (a handful per day); a fixed buffer keeps this allocation-free.
  std::array<std::int64_t, 512> starts{};
  std::size_t n = 0;
  for (const ProbeEvent& e : in_.probe_events) {
    if (e.leg != leg || !e.IsCut()) continue;
    const Time start = e.start_ms / 1000;
    if (start < window_start_ || start > now_) continue;
    ++c.total;
    c.longest_ms = std::max(c.longest_ms, e.DurationMs());
    if (!c.first || start < c.first) c.first = start;
    c.last = std::max(c.last, start);
    if (n < starts.size()) starts[n++] = e.start_ms;
  }
  std::sort(starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(n));
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < n; ++hi) {
    while (starts[hi] - starts[lo] >= 3'600'000) ++lo;
    c.max_per_hour = std::max(c.max_per_hour, static_cast<int>(hi - lo + 1));
  }
  return c;
}

int Run::StrongNeighbors(const DeviceSnapshot& s, const Radio& r, bool co_channel_only) const {
  if (!r.channel) return 0;
  int n = 0;
  for (const telemetry::Neighbor& nb : s.neighbors) {
    if (nb.band != r.band || !nb.channel || !nb.signal_dbm || *nb.signal_dbm < t_.neighbor_min_signal_dbm) continue;
    const int d = std::abs(*nb.channel - *r.channel);
    if (d == 0 || (!co_channel_only && r.band == Band::k2_4GHz && d <= 4)) ++n;
  }
  return n;
}

// Congestion score of a channel: each strong neighbour weighs by overlap (2.4 GHz channels 5
// apart do not overlap; a neighbour on 3 hurts both 1 and 6) and by how loud it is.
ChannelChoice Run::ChooseChannel(const Radio& r) const {
  ChannelChoice choice;
  if (!r.channel) return choice;
  static constexpr std::array<int, 3> k24 = {1, 6, 11};
  static constexpr std::array<int, 8> k5 = {36, 40, 44, 48, 149, 153, 157, 161};  // non-DFS
  auto score = [&](int ch) {
    double sc = 0;
    for (const telemetry::Neighbor& nb : cur_.neighbors) {
      if (nb.band != r.band || !nb.channel || !nb.signal_dbm || *nb.signal_dbm < t_.neighbor_min_signal_dbm) continue;
      choice.have_scan = true;
      const int d = std::abs(*nb.channel - ch);
      double overlap = 0;
      if (r.band == Band::k2_4GHz) {
        overlap = d >= 5 ? 0.0 : (5.0 - d) / 5.0;
      } else {
        overlap = d == 0 ? 1.0 : 0.0;
      }
      sc += overlap * (1.0 + (*nb.signal_dbm - t_.neighbor_min_signal_dbm) / 20.0);
    }
    return sc;
  };
  choice.current_score = score(*r.channel);
  choice.best = *r.channel;
  choice.best_score = choice.current_score;
  auto consider = [&](int ch) {
    const double sc = score(ch);
    if (sc < choice.best_score - 1e-9) {
      choice.best = ch;
      choice.best_score = sc;
    }
  };
  if (r.band == Band::k2_4GHz) {
    for (int ch : k24) consider(ch);
  } else if (r.band == Band::k5GHz) {
    for (int ch : k5) consider(ch);
  }
  return choice;
}

const Change* Run::SuspectChange(Time onset) const {
  const Change* best = nullptr;
  for (const Change& c : changes_) {
    if (c.at > onset + t_.onset_tolerance_s || c.at < onset - t_.change_attribution_s) continue;
    if (!best || c.at > best->at || (c.at == best->at && !c.derived)) best = &c;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Rules.

void Run::AreaOutageRule() {
  const Time since = in_.symptoms.since ? in_.symptoms.since : window_start_;
  const AreaOutage* best = nullptr;
  bool best_active = false;
  for (const AreaOutage& o : in_.area_outages) {
    if (!o.covers_site || o.start > now_) continue;
    const bool active = o.end == 0 || o.end >= now_;
    const bool recent = active || o.end >= since;
    if (!recent) continue;
    if (!active && !in_.symptoms.Reported()) continue;  // an old, fixed outage is no news
    if (!best || (active && !best_active)) {
      best = &o;
      best_active = active;
    }
  }
  if (!best) return;
  Finding f;
  f.code = "area.outage";
  f.severity = best_active ? Severity::kCritical : Severity::kMajor;
  f.confidence = best_active ? 0.95 : 0.6;
  f.evidence.push_back({"area.outage", 1, 0, best->start, best->end ? best->end : now_, best->id});
  const std::string desc = best->description.empty() ? std::string() : " (" + best->description + ")";
  if (best_active) {
    f.customer_text_es = "Hay una falla masiva en tu sector" + desc + " desde " + Clock(best->start) +
                         ". No es tu equipo ni tu Wi-Fi: la estamos reparando y te avisaremos cuando se normalice.";
    f.customer_text_en = "There is an outage in your area" + desc + " since " + Clock(best->start) +
                         ". It is not your equipment or your Wi-Fi: we are repairing it and will tell you when "
                         "service is back.";
  } else {
    f.customer_text_es = "Entre " + Clock(best->start) + " y " + Clock(best->end) + " hubo una falla masiva en tu sector" +
                         desc + ", que explica los cortes de ese período. Ya fue reparada; vamos a confirmar que tu "
                         "conexión quedó bien.";
    f.customer_text_en = "Between " + Clock(best->start) + " and " + Clock(best->end) + " there was an outage in your area" +
                         desc + ", which explains the cuts in that period. It has been repaired; we will confirm that "
                         "your connection is fine now.";
  }
  f.agent_text = "Area outage " + best->id + " covers the site: " + best->description + "; start " +
                 FormatIsoTime(best->start) + ", " + (best->end ? "end " + FormatIsoTime(best->end) : "ongoing") +
                 ". Do not ask the customer for home tests or book a visit for this; track the outage and verify "
                 "the service once it closes.";
  f.next_actions.push_back(MakeAction("track_area_outage", {{"outage_id", best->id}}));
  f.next_actions.push_back(MakeAction("request_probe", {{"legs", "gateway_first_hop,gateway_anchor"}}));
  out_.push_back(std::move(f));
}

void Run::DocsisRule() {
  Finding f;
  std::vector<std::string> agent;
  bool critical = false;
  int kinds = 0;
  const Time ws = first_in_window_ ? first_in_window_ : window_start_;
  bool k_power = false, k_snr = false, k_cw = false, k_us = false, k_t3 = false, k_t4 = false;
  for (std::size_t i = 0; i < cur_.docsis_downstream.size(); ++i) {
    const auto& d = cur_.docsis_downstream[i];
    const std::string dev = "ds" + std::to_string(d.index);
    if (d.power_dbmv && (*d.power_dbmv < t_.ds_power_min_dbmv || *d.power_dbmv > t_.ds_power_max_dbmv)) {
      const double limit = *d.power_dbmv < t_.ds_power_min_dbmv ? t_.ds_power_min_dbmv : t_.ds_power_max_dbmv;
      f.evidence.push_back({"docsis.ds.power_dbmv", *d.power_dbmv, limit, ws, now_, dev});
      agent.push_back(dev + " power " + Num(*d.power_dbmv, 1) + " dBmV outside [" + Num(t_.ds_power_min_dbmv, 1) + ", " +
                      Num(t_.ds_power_max_dbmv, 1) + "]");
      k_power = true;
    }
    const bool qam64 = d.modulation.find("64") != std::string::npos && d.modulation.find("256") == std::string::npos &&
                       d.modulation.find("1024") == std::string::npos && d.modulation.find("4096") == std::string::npos;
    const double snr_min = qam64 ? t_.ds_snr_min_db_64qam : t_.ds_snr_min_db;
    std::optional<double> snr = d.snr_db ? d.snr_db : d.mer_db;
    if (snr && *snr < snr_min) {
      f.evidence.push_back({d.snr_db ? "docsis.ds.snr_db" : "docsis.ds.mer_db", *snr, snr_min, ws, now_, dev});
      agent.push_back(dev + " SNR/MER " + Num(*snr, 1) + " dB < " + Num(snr_min, 0) + " (" +
                      (d.modulation.empty() ? std::string("modulation unknown") : d.modulation) + ")");
      k_snr = true;
    }
    // Codeword error ratio from deltas, over the window and over its recent part; without
    // history, since the counters' last reset.
    const std::uint64_t min_cw = static_cast<std::uint64_t>(std::max<std::int64_t>(t_.codewords_min, 1));
    auto ratio = [&](std::uint64_t unc, std::uint64_t tot) {
      return tot >= min_cw ? 100.0 * static_cast<double>(unc) / static_cast<double>(tot) : 0.0;
    };
    const DsState& st = ds_[i];
    double pct = 0;
    std::uint64_t tot = 0;
    Time from = ws;
    if (snapshots_in_window_ <= 1) {
      tot = d.unerrored.value_or(0) + d.corrected.value_or(0) + d.uncorrectable.value_or(0);
      pct = ratio(d.uncorrectable.value_or(0), tot);
    } else {
      tot = st.unerrored.delta + st.corrected.delta + st.uncorrectable.delta;
      pct = ratio(st.uncorrectable.delta, tot);
      const std::uint64_t recent_tot = st.unerrored.recent + st.corrected.recent + st.uncorrectable.recent;
      const double recent_pct = ratio(st.uncorrectable.recent, recent_tot);
      if (recent_pct > pct) {
        pct = recent_pct;
        tot = recent_tot;
        from = std::max(ws, now_ - t_.recent_window_s);
      }
    }
    if (pct > t_.uncorrectable_ratio_max_pct) {
      f.evidence.push_back({"docsis.ds.uncorrectable_pct", pct, t_.uncorrectable_ratio_max_pct, from, now_, dev});
      agent.push_back(dev + " uncorrectable codewords " + Num(pct, 2) + " % of " + std::to_string(tot) + " since " +
                      FormatIsoTime(from));
      k_cw = true;
      critical = true;
    }
  }
  const double hours = std::max(1.0, static_cast<double>(now_ - ws) / 3600.0);
  for (std::size_t i = 0; i < cur_.docsis_upstream.size(); ++i) {
    const auto& u = cur_.docsis_upstream[i];
    const std::string dev = "us" + std::to_string(u.index);
    if (u.tx_power_dbmv && (*u.tx_power_dbmv > t_.us_tx_power_max_dbmv || *u.tx_power_dbmv < t_.us_tx_power_min_dbmv)) {
      const bool high = *u.tx_power_dbmv > t_.us_tx_power_max_dbmv;
      f.evidence.push_back({"docsis.us.tx_power_dbmv", *u.tx_power_dbmv,
                            high ? t_.us_tx_power_max_dbmv : t_.us_tx_power_min_dbmv, ws, now_, dev});
      agent.push_back(dev + " TX power " + Num(*u.tx_power_dbmv, 1) + " dBmV " + (high ? "above " : "below ") +
                      Num(high ? t_.us_tx_power_max_dbmv : t_.us_tx_power_min_dbmv, 1));
      k_us = true;
      critical = critical || high;
    }
    if (snapshots_in_window_ > 1) {
      const double recent_hours = std::max(1.0, static_cast<double>(std::min(now_ - ws, t_.recent_window_s)) / 3600.0);
      const double t3_rate = std::max(static_cast<double>(us_[i].t3.delta) / hours,
                                      static_cast<double>(us_[i].t3.recent) / recent_hours);
      if (t3_rate > t_.t3_per_hour_max) {
        f.evidence.push_back({"docsis.us.t3_per_hour", t3_rate, t_.t3_per_hour_max, ws, now_, dev});
        agent.push_back(dev + " T3 timeouts +" + std::to_string(us_[i].t3.delta) + " in the window (peak rate " +
                        Num(t3_rate, 1) + "/h)");
        k_t3 = true;
      }
      if (static_cast<std::int64_t>(us_[i].t4.delta) > t_.t4_max) {
        f.evidence.push_back({"docsis.us.t4_timeouts", static_cast<double>(us_[i].t4.delta),
                              static_cast<double>(t_.t4_max), ws, now_, dev});
        agent.push_back(dev + " T4 timeouts +" + std::to_string(us_[i].t4.delta) + " (each one resets the modem)");
        k_t4 = true;
        critical = true;
      }
    }
  }
  kinds = k_power + k_snr + k_cw + k_us + k_t3 + k_t4;
  const CutStats first_hop = Cuts(ProbeLeg::kGatewayToFirstHop);
  const bool hop_flag = CutsFlagged(first_hop);
  if (hop_flag) {
    f.evidence.push_back({"probe.first_hop_cuts", static_cast<double>(first_hop.total),
                          static_cast<double>(t_.micro_outages_per_day_max), first_hop.first, first_hop.last,
                          "gateway_first_hop"});
    agent.push_back("probe gateway->first hop: " + std::to_string(first_hop.total) + " cuts (max " +
                    std::to_string(first_hop.max_per_hour) + "/h, longest " + Num(first_hop.longest_ms / 1000.0, 0) +
                    " s)");
  }
  if (kinds == 0 && !hop_flag) return;
  f.code = "line.docsis";
  f.severity = (critical || (hop_flag && kinds > 0)) ? Severity::kCritical : Severity::kMajor;
  f.confidence = std::min(0.95, (kinds > 0 ? 0.6 : 0.5) + 0.1 * kinds + (hop_flag ? 0.15 : 0.0));
  std::vector<std::string> what_es, what_en;
  auto say = [&](bool cond, std::string es, std::string en) {
    if (!cond) return;
    what_es.push_back(std::move(es));
    what_en.push_back(std::move(en));
  };
  say(k_power, "nivel de señal fuera de rango", "signal level out of range");
  say(k_snr, "ruido en la señal", "noise on the signal");
  say(k_cw, "datos que llegan dañados", "data arriving corrupted");
  say(k_us, "el módem tiene que transmitir con demasiada potencia", "the modem has to transmit too loud");
  say(k_t3 || k_t4, "pérdidas de sincronización con la red", "losing synchronisation with the network");
  say(hop_flag, std::to_string(first_hop.total) + " cortes entre el módem y la red",
      std::to_string(first_hop.total) + " cuts between the modem and the network");
  f.customer_text_es = "La señal que llega a tu módem por el cable tiene problemas (" + JoinList(what_es, " y ") +
                       "). Esto no se arregla con pruebas en tu casa: corresponde una visita técnica, que ya te estamos "
                       "ofreciendo.";
  f.customer_text_en = "The signal reaching your modem over the cable is impaired (" + JoinList(what_en, " and ") +
                       "). Home tests will not fix this: a technician visit is needed, and we are offering one.";
  f.agent_text = "Line / plant problem: " + JoinList(agent, "; ") +
                 ". Thresholds per reference §2.2 (per channel). Dispatch a technician (drop, splitter, connectors, "
                 "tap, ingress); further customer tests will not help.";
  f.next_actions.push_back(MakeAction("dispatch_technician", {{"reason", "docsis_line"}}));
  out_.push_back(std::move(f));
}

void Run::GatewayRule() {
  const int reboots = static_cast<int>(reboots_.size());
  const bool reboot_flag = reboots > t_.reboots_max;
  const std::uint64_t watchdog =
      first_watchdog_ && last_watchdog_ && *last_watchdog_ > *first_watchdog_ ? *last_watchdog_ - *first_watchdog_ : 0;
  bool overheating = false;
  double temp = 0, temp_limit = 0;
  if (cur_.temperature_c) {
    temp = *cur_.temperature_c;
    temp_limit = cur_.temperature_high_alarm_c ? *cur_.temperature_high_alarm_c - t_.temperature_margin_c
                                               : t_.temperature_high_c;
    overheating = temp >= temp_limit;
  }
  const double cpu_avg = cpu_n_ ? cpu_sum_ / cpu_n_ : 0;
  const bool cpu_flag = cur_.cpu_pct && *cur_.cpu_pct >= t_.cpu_high_pct && cpu_avg >= t_.cpu_high_pct;
  bool mem_flag = false;
  double mem_pct = 100;
  if (cur_.memory_total_kib && cur_.memory_free_kib && *cur_.memory_total_kib > 0) {
    mem_pct = 100.0 * static_cast<double>(*cur_.memory_free_kib) / static_cast<double>(*cur_.memory_total_kib);
    mem_flag = mem_pct < t_.memory_free_min_pct;
  }
  const bool watchdog_flag = watchdog > 0 && reboots > 0;
  if (!reboot_flag && !overheating && !cpu_flag && !mem_flag && !watchdog_flag) return;

  Finding f;
  f.code = "gateway.instability";
  f.severity = (reboot_flag || watchdog_flag) ? Severity::kMajor : Severity::kMinor;
  f.confidence = 0.5;
  const Time ws = first_in_window_ ? first_in_window_ : window_start_;
  std::vector<std::string> agent;
  if (reboots > 0) {
    f.evidence.push_back({"gateway.reboots", static_cast<double>(reboots), static_cast<double>(t_.reboots_max),
                          ws, now_, "gateway"});
    std::string times;
    for (std::size_t i = 0; i < reboots_.size() && i < 6; ++i) times += (i ? ", " : "") + FormatIsoTime(reboots_[i]);
    agent.push_back(std::to_string(reboots) + " uptime resets in the window (tolerated " +
                    std::to_string(t_.reboots_max) + "): " + times + (reboots_.size() > 6 ? ", ..." : ""));
    if (reboot_flag) f.confidence = std::min(0.95, 0.7 + 0.05 * (reboots - t_.reboots_max));
  }
  if (watchdog > 0) {
    f.evidence.push_back({"gateway.watchdog_boots", static_cast<double>(watchdog), 0, ws, now_, "gateway"});
    agent.push_back("watchdog boots +" + std::to_string(watchdog) + " (crashes)");
    f.confidence = std::min(0.95, f.confidence + 0.1);
  }
  if (!cur_.reboots.last_reason.empty()) agent.push_back("last reboot reason: " + cur_.reboots.last_reason);
  if (overheating) {
    f.evidence.push_back({"gateway.temperature_c", temp, temp_limit, cur_.taken_at, now_, "gateway"});
    agent.push_back("temperature " + Num(temp, 0) + " °C, limit " + Num(temp_limit, 0) + " °C" +
                    (cur_.temperature_high_alarm_c ? " (HighAlarmValue " + Num(*cur_.temperature_high_alarm_c, 0) + ")" : ""));
    f.confidence = std::max(f.confidence, 0.65);
    if (reboot_flag) f.confidence = std::min(0.95, f.confidence + 0.05);
  }
  if (cpu_flag) {
    f.evidence.push_back({"gateway.cpu_pct", cpu_avg, t_.cpu_high_pct, ws, now_, "gateway"});
    agent.push_back("CPU " + Num(cpu_avg, 0) + " % average");
  }
  if (mem_flag) {
    f.evidence.push_back({"gateway.memory_free_pct", mem_pct, t_.memory_free_min_pct, cur_.taken_at, now_, "gateway"});
    agent.push_back("free memory " + Num(mem_pct, 1) + " %");
  }
  // A firmware change shortly before the first reboot is the prime suspect.
  const Change* fw = nullptr;
  if (reboot_flag) {
    for (const Change& c : changes_) {
      if (c.kind == ChangeKind::kFirmware && !c.planned && c.at <= reboots_.back() &&
          c.at >= reboots_.front() - t_.change_attribution_s && (!fw || c.at > fw->at))
        fw = &c;
    }
  }
  if (fw) {
    f.evidence.push_back({"gateway.firmware_change", 1, 0, fw->at, fw->at, fw->from + " -> " + fw->to});
    agent.push_back("firmware " + fw->from + " -> " + fw->to + " at " + FormatIsoTime(fw->at) + " preceded the reboots");
    f.confidence = std::min(0.95, f.confidence + 0.1);
  }
  // Which devices suffer with it (clients that degraded since the first reboot).
  std::string es, en;
  if (reboot_flag || watchdog_flag) {
    es = "Tu módem se reinició " + std::to_string(std::max(reboots, 1)) + " veces en las últimas " +
         Num(static_cast<double>(now_ - ws) / 3600.0, 0) + " horas; cada reinicio corta Internet y Wi-Fi por unos minutos.";
    en = "Your modem restarted " + std::to_string(std::max(reboots, 1)) + " times in the last " +
         Num(static_cast<double>(now_ - ws) / 3600.0, 0) + " hours; each restart cuts Internet and Wi-Fi for a few minutes.";
  } else {
    es = "Tu módem está trabajando al límite";
    en = "Your modem is working at its limit";
    es += overheating ? " (muy caliente)." : ".";
    en += overheating ? " (too hot)." : ".";
  }
  if (overheating && (reboot_flag || watchdog_flag)) {
    es += " Además está muy caliente (" + Num(temp, 0) + " °C).";
    en += " It is also too hot (" + Num(temp, 0) + " °C).";
  }
  if (fw) {
    es += " Empezó después de la actualización de software del " + Clock(fw->at) +
          "; vamos a volver a la versión anterior.";
    en += " It started after the software update of " + Clock(fw->at) + "; we will roll back to the previous version.";
    f.next_actions.push_back(MakeAction("firmware_rollback", {{"to", fw->from}, {"from", fw->to}}));
  }
  if (overheating) {
    es += " Ubícalo en un lugar ventilado, sin objetos encima ni dentro de un mueble cerrado.";
    en += " Place it somewhere ventilated, with nothing on top and not inside a closed cabinet.";
    f.next_actions.push_back(MakeAction("guide_gateway_ventilation"));
  }
  if (!fw && (cpu_flag || mem_flag) && !reboot_flag) f.next_actions.push_back(MakeAction("reboot", {{"when", "quiet_hour"}}));
  if (!fw && !overheating && reboot_flag) {
    es += " Si sigue ocurriendo, cambiaremos el equipo.";
    en += " If it keeps happening, we will replace the device.";
  }
  f.next_actions.push_back(MakeAction("dispatch_technician", {{"reason", "replace_gateway"}}));
  f.customer_text_es = std::move(es);
  f.customer_text_en = std::move(en);
  f.agent_text = "Gateway instability: " + JoinList(agent, "; ") + ".";
  out_.push_back(std::move(f));
}

void Run::CongestionRule() {
  for (std::size_t i = 0; i < radio_count_; ++i) {
    RadioState& rs = radios_[i];
    const Radio& r = *rs.cur;
    if (r.enabled && !*r.enabled) continue;
    const int co = StrongNeighbors(cur_, r, true);
    const int near = StrongNeighbors(cur_, r, false) - co;
    const bool co_flag = co > t_.cochannel_max;
    const bool util_flag = r.utilization_pct && *r.utilization_pct > t_.utilization_high_pct;
    const bool other_flag = r.receive_other_pct && *r.receive_other_pct > t_.receive_other_high_pct;
    const bool noise_flag = r.noise_dbm && *r.noise_dbm > t_.noise_high_dbm;
    if (!co_flag && !util_flag && !other_flag && !noise_flag) continue;
    // Clients on this radio that suffer (retries above the warning level or degraded).
    std::vector<const ClientState*> hurt;
    for (const ClientState& cs : clients_) {
      const Client& c = *cs.cur;
      if (c.radio_index != r.index || (c.active && !*c.active)) continue;
      if (cs.degraded_now || (c.retransmissions_pct && *c.retransmissions_pct >= t_.client_retrans_warn_pct)) {
        hurt.push_back(&cs);
      }
    }
    // Co-channel neighbours alone are common in apartment blocks; without an airtime / noise
    // signal they only count when someone suffers or the customer complains.
    if (!util_flag && !other_flag && !noise_flag && hurt.empty() && !in_.symptoms.Reported()) continue;

    rs.congested = true;
    // Since when: walk the history backwards while the radio looked congested.
    rs.congestion_since = cur_.taken_at;
    for (auto it = in_.history.rbegin(); it != in_.history.rend(); ++it) {
      if (it->taken_at < window_start_ || it->taken_at >= cur_.taken_at) {
        if (it->taken_at < window_start_) break;
        continue;
      }
      const Radio* hr = it->FindRadio(r.index);
      if (!hr) break;
      const bool h_co = !it->neighbors.empty() && StrongNeighbors(*it, *hr, true) > t_.cochannel_max;
      const bool h_util = hr->utilization_pct && *hr->utilization_pct > t_.utilization_high_pct;
      const bool h_other = hr->receive_other_pct && *hr->receive_other_pct > t_.receive_other_high_pct;
      const bool h_noise = hr->noise_dbm && *hr->noise_dbm > t_.noise_high_dbm;
      if (!(h_co || h_util || h_other || h_noise)) break;
      rs.congestion_since = it->taken_at;
    }

    Finding f;
    f.code = "wifi.congestion";
    const std::string dev = "radio " + BandText(r.band);
    const int indicators = co_flag + util_flag + other_flag + noise_flag;
    f.severity = (util_flag || other_flag || !hurt.empty()) ? Severity::kMajor : Severity::kMinor;
    f.confidence = std::min(0.9, 0.55 + 0.1 * indicators + (hurt.empty() ? 0.0 : 0.1));
    std::vector<std::string> agent, why_es, why_en;
    if (co_flag) {
      f.evidence.push_back({"radio.cochannel_networks", static_cast<double>(co), static_cast<double>(t_.cochannel_max),
                            rs.congestion_since, now_, dev});
      agent.push_back(std::to_string(co) + " strong co-channel BSSIDs (>= " + Num(t_.neighbor_min_signal_dbm, 0) +
                      " dBm, tolerated " + std::to_string(t_.cochannel_max) + "), " + std::to_string(near) + " adjacent");
      why_es.push_back("comparte el canal " + std::to_string(r.channel.value_or(0)) + " con " + std::to_string(co) +
                       " redes vecinas");
      why_en.push_back("shares channel " + std::to_string(r.channel.value_or(0)) + " with " + std::to_string(co) +
                       " neighbouring networks");
    }
    if (util_flag) {
      f.evidence.push_back({"radio.utilization_pct", *r.utilization_pct, t_.utilization_high_pct, rs.congestion_since, now_, dev});
      agent.push_back("utilization " + Num(*r.utilization_pct, 0) + " % (max " + Num(t_.utilization_high_pct, 0) + ")");
      why_es.push_back("el canal está ocupado el " + Num(*r.utilization_pct, 0) + " % del tiempo");
      why_en.push_back("the channel is busy " + Num(*r.utilization_pct, 0) + " % of the time");
    }
    if (other_flag) {
      f.evidence.push_back({"radio.receive_other_pct", *r.receive_other_pct, t_.receive_other_high_pct,
                            rs.congestion_since, now_, dev});
      agent.push_back("ReceiveOther " + Num(*r.receive_other_pct, 0) + " % (max " + Num(t_.receive_other_high_pct, 0) + ")");
      if (!util_flag) {
        why_es.push_back("las redes vecinas usan el " + Num(*r.receive_other_pct, 0) + " % del tiempo del canal");
        why_en.push_back("neighbouring networks use " + Num(*r.receive_other_pct, 0) + " % of the channel's time");
      }
    }
    if (noise_flag) {
      f.evidence.push_back({"radio.noise_dbm", *r.noise_dbm, t_.noise_high_dbm, rs.congestion_since, now_, dev});
      agent.push_back("noise floor " + Num(*r.noise_dbm, 0) + " dBm (max " + Num(t_.noise_high_dbm, 0) + ")");
      why_es.push_back("hay mucha interferencia de otros aparatos");
      why_en.push_back("there is strong interference from other appliances");
    }
    std::vector<std::string> hurt_names;
    for (const ClientState* cs : hurt) {
      if (cs->cur->retransmissions_pct) {
        f.evidence.push_back({"client.retransmissions_pct", *cs->cur->retransmissions_pct, t_.client_retrans_warn_pct,
                              rs.congestion_since, now_, cs->cur->mac});
      }
      hurt_names.push_back(Name(*cs->cur));
    }
    if (!hurt.empty()) agent.push_back("clients affected: " + JoinList(hurt_names, ", "));

    const ChannelChoice choice = ChooseChannel(r);
    const bool better = choice.have_scan && choice.best != r.channel.value_or(0) &&
                        choice.current_score - choice.best_score >= t_.channel_switch_min_gain;
    std::string fix_es, fix_en;
    if (better) {
      agent.push_back("channel scores: current " + std::to_string(r.channel.value_or(0)) + " = " +
                      Num(choice.current_score, 1) + ", best " + std::to_string(choice.best) + " = " +
                      Num(choice.best_score, 1) + " -> set channel " + std::to_string(choice.best));
      f.next_actions.push_back(MakeAction("set_channel", {{"band", BandText(r.band)}, {"channel", std::to_string(choice.best)}}));
      fix_es = " Vamos a cambiarla al canal " + std::to_string(choice.best) + ", que está más libre.";
      fix_en = " We will move it to channel " + std::to_string(choice.best) + ", which is less crowded.";
    } else if (!choice.have_scan) {
      agent.push_back("no neighbour scan: cannot rank channels");
      f.next_actions.push_back(MakeAction("request_neighbor_scan", {{"band", BandText(r.band)}}));
    }
    if (r.auto_channel && !*r.auto_channel) {
      f.next_actions.push_back(MakeAction("enable_auto_channel", {{"band", BandText(r.band)}}));
      if (!better) {
        fix_es = " Vamos a activar la selección automática de canal.";
        fix_en = " We will turn on automatic channel selection.";
      }
    }
    if (r.band == Band::k2_4GHz && cur_.FindRadioByBand(Band::k5GHz)) {
      int steered = 0;
      for (const ClientState& cs : clients_) {
        const Client& c = *cs.cur;
        if (c.radio_index != r.index || !c.signal_dbm || *c.signal_dbm < t_.steer_signal_dbm || steered == 3) continue;
        f.next_actions.push_back(MakeAction("steer_client_5ghz", {{"mac", c.mac}}));
        ++steered;
      }
      if (steered) {
        fix_es += " Además moveremos los equipos cercanos a la red de 5 GHz, que está más despejada.";
        fix_en += " We will also move nearby devices to the 5 GHz network, which is clearer.";
      }
    }
    if (f.next_actions.empty() || noise_flag) f.next_actions.push_back(MakeAction("guide_gateway_placement"));
    f.customer_text_es = "Tu red Wi-Fi de " + BandText(r.band) + " " + JoinList(why_es, " y ") +
                         (hurt_names.empty() ? std::string(".") : ", y eso afecta a " + JoinList(hurt_names, " y ") + ".") +
                         fix_es;
    f.customer_text_en = "Your " + BandText(r.band) + " Wi-Fi " + JoinList(why_en, " and ") +
                         (hurt_names.empty() ? std::string(".") : ", which affects " + JoinList(hurt_names, " and ") + ".") +
                         fix_en;
    f.agent_text = "Wi-Fi congestion on " + BandText(r.band) + " channel " + std::to_string(r.channel.value_or(0)) +
                   " (auto channel " + (r.auto_channel ? (*r.auto_channel ? "on" : "off") : "unknown") + ") since " +
                   FormatIsoTime(rs.congestion_since) + ": " + JoinList(agent, "; ") + ".";
    out_.push_back(std::move(f));
  }
}

void Run::CommonCauseRule() {
  // Onsets of the clients degraded now whose earlier good period we saw.
  std::array<Time, 64> onsets{};
  std::size_t n = 0;
  for (const ClientState& cs : clients_) {
    if (cs.degraded_now && cs.had_good && cs.run_start && n < onsets.size()) onsets[n++] = cs.run_start;
  }
  if (static_cast<std::int64_t>(n) < t_.common_cause_min_clients) return;
  std::sort(onsets.begin(), onsets.begin() + static_cast<std::ptrdiff_t>(n));
  // Largest cluster of onsets within the tolerance.
  std::size_t best_lo = 0, best_len = 0, lo = 0;
  for (std::size_t hi = 0; hi < n; ++hi) {
    while (onsets[hi] - onsets[lo] > t_.onset_tolerance_s) ++lo;
    if (hi - lo + 1 > best_len) {
      best_len = hi - lo + 1;
      best_lo = lo;
    }
  }
  if (static_cast<std::int64_t>(best_len) < t_.common_cause_min_clients) return;
  const Time onset = onsets[best_lo];
  const Time onset_hi = onsets[best_lo + best_len - 1];
  group_onset_ = onset;
  group_size_ = static_cast<int>(best_len);
  std::vector<ClientState*> group;
  for (ClientState& cs : clients_) {
    if (cs.degraded_now && cs.had_good && cs.run_start >= onset && cs.run_start <= onset_hi) {
      cs.in_group = true;
      group.push_back(&cs);
    }
  }

  // Already explained? Congestion that began with the onset, or a reboot loop since then.
  for (std::size_t i = 0; i < radio_count_; ++i) {
    const RadioState& rs = radios_[i];
    if (!rs.congested) continue;
    bool on_radio = false;
    for (const ClientState* cs : group) on_radio = on_radio || cs->cur->radio_index == rs.cur->index;
    if (on_radio && std::abs(rs.congestion_since - onset) <= t_.onset_tolerance_s) {
      if (Finding* f = FindFinding("wifi.congestion")) {
        f->agent_text += " Started together with the degradation of " + std::to_string(group.size()) +
                         " devices at " + FormatIsoTime(onset) + " (common onset explained by the new congestion).";
        f->confidence = std::min(0.95, f->confidence + 0.1);
      }
      return;
    }
  }
  if (static_cast<std::int64_t>(reboots_.size()) > t_.reboots_max && reboots_.back() >= onset - t_.onset_tolerance_s) {
    if (Finding* f = FindFinding("gateway.instability")) {
      f->agent_text += " " + std::to_string(group.size()) + " Wi-Fi devices degraded since " + FormatIsoTime(onset) + ".";
      return;
    }
  }

  Finding f;
  f.code = "common_cause.gateway";
  f.severity = Severity::kMajor;
  const Change* suspect = SuspectChange(onset);
  // Channel moves from the telemetry are the other classic "same minute" cause.
  const RadioState* moved = nullptr;
  for (std::size_t i = 0; i < radio_count_; ++i) {
    const RadioState& rs = radios_[i];
    if (rs.channel_changes > 0 && std::abs(rs.last_change_at - onset) <= t_.onset_tolerance_s) moved = &rs;
  }
  f.confidence = std::min(0.95, 0.6 + 0.05 * (static_cast<double>(group.size()) - 2.0) + (suspect || moved ? 0.25 : 0.0));
  std::vector<std::string> names, detail;
  for (const ClientState* cs : group) {
    const Client& c = *cs->cur;
    names.push_back(Name(c));
    std::string d = Name(c) + " (" + BandText(c.band);
    if (c.signal_dbm) d += ", " + Num(*c.signal_dbm, 0) + " dBm";
    if (c.retransmissions_pct) d += ", retries " + Num(*c.retransmissions_pct, 0) + " %";
    if (c.snr_db) d += ", SNR " + Num(*c.snr_db, 0) + " dB";
    d += ", since " + FormatIsoTime(cs->run_start) + ")";
    detail.push_back(std::move(d));
    if (c.retransmissions_pct && *c.retransmissions_pct >= t_.client_retrans_high_pct) {
      f.evidence.push_back({"client.retransmissions_pct", *c.retransmissions_pct, t_.client_retrans_high_pct,
                            cs->run_start, now_, c.mac});
    } else if (c.signal_dbm && *c.signal_dbm < t_.client_signal_weak_dbm) {
      f.evidence.push_back({"client.signal_dbm", *c.signal_dbm, t_.client_signal_weak_dbm, cs->run_start, now_, c.mac});
    } else if (c.snr_db) {
      f.evidence.push_back({"client.snr_db", *c.snr_db, t_.client_snr_min_db, cs->run_start, now_, c.mac});
    }
  }
  f.evidence.push_back({"clients.degraded_together", static_cast<double>(group.size()),
                        static_cast<double>(t_.common_cause_min_clients), onset, onset_hi, "gateway"});
  const CutStats lan = Cuts(ProbeLeg::kLanToGateway);
  if (lan.total > 0) {
    f.evidence.push_back({"probe.lan_cuts", static_cast<double>(lan.total),
                          static_cast<double>(t_.micro_outages_per_hour_max), lan.first, lan.last, "lan_gateway"});
  }

  const std::string n_es = std::to_string(group.size());
  std::string es = n_es + " de tus equipos (" + JoinList(names, " y ") + ") empeoraron al mismo tiempo, desde " +
                   Clock(onset) + ". Cuando varios equipos fallan juntos, la causa está en el módem o en la red, no en "
                   "los equipos.";
  std::string en = std::to_string(group.size()) + " of your devices (" + JoinList(names, " and ") +
                   ") got worse at the same time, since " + Clock(onset) +
                   ". When several devices fail together, the cause is the modem or the network, not the devices.";
  std::string agent = "Common cause: " + std::to_string(group.size()) + " clients degraded since " +
                      FormatIsoTime(onset) + " (onsets within " + Minutes(onset_hi - onset) + "): " +
                      JoinList(detail, "; ") + ".";
  if (suspect) {
    const Time lag = onset - suspect->at;
    const std::string lag_text = lag >= 60 ? Minutes(lag) : std::string("0 min");
    f.evidence.push_back({suspect->kind == ChangeKind::kFirmware ? "gateway.firmware_change" : "gateway.config_change",
                          static_cast<double>(lag), static_cast<double>(t_.change_attribution_s), suspect->at, onset,
                          suspect->from + " -> " + suspect->to});
    if (suspect->kind == ChangeKind::kFirmware) {
      es += std::string(lag >= 60 ? " Comenzó " + lag_text + " después de" : " Comenzó con") +
            " la actualización de software del módem (" + suspect->from + " → " +
            suspect->to + ", " + Clock(suspect->at) + "): vamos a volver a la versión anterior.";
      en += std::string(lag >= 60 ? " It began " + lag_text + " after" : " It began with") +
            " the modem's software update (" + suspect->from + " → " + suspect->to +
            ", " + Clock(suspect->at) + "): we will roll back to the previous version.";
      agent += " Onset follows firmware " + suspect->from + " -> " + suspect->to + " at " + FormatIsoTime(suspect->at) +
               " by " + lag_text + (suspect->derived ? " (seen as SoftwareVersion change)" : " (ACS record)") +
               ". Roll back, verify, and compare with the fleet on the same version.";
      f.next_actions.push_back(MakeAction("firmware_rollback", {{"to", suspect->from}, {"from", suspect->to}}));
    } else {
      es += std::string(lag >= 60 ? " Comenzó " + lag_text + " después de" : " Comenzó con") +
            " un cambio de configuración del módem (" + Clock(suspect->at) +
            "): vamos a revertirlo.";
      en += std::string(lag >= 60 ? " It began " + lag_text + " after" : " It began with") +
            " a configuration change on the modem (" + Clock(suspect->at) +
            "): we will revert it.";
      agent += " Onset follows configuration change " + (suspect->what.empty() ? std::string("?") : suspect->what) +
               " " + suspect->from + " -> " + suspect->to + " at " + FormatIsoTime(suspect->at) + " by " + lag_text + ".";
      f.next_actions.push_back(MakeAction("revert_configuration",
                                          {{"change", suspect->what}, {"to", suspect->from}, {"from", suspect->to}}));
    }
  } else if (moved) {
    const Radio& r = *moved->cur;
    f.evidence.push_back({"radio.channel_change", static_cast<double>(r.channel.value_or(0)),
                          static_cast<double>(moved->last_change_from), moved->last_change_at, onset,
                          "radio " + BandText(r.band)});
    const ChannelChoice choice = ChooseChannel(r);
    const int target = choice.have_scan ? choice.best : moved->last_change_from;
    es += " Coincide con un cambio de canal del Wi-Fi de " + BandText(r.band) + " (" + std::to_string(moved->last_change_from) +
          " → " + std::to_string(r.channel.value_or(0)) + "): vamos a fijar el canal " + std::to_string(target) + ".";
    en += " It coincides with a channel change on the " + BandText(r.band) + " Wi-Fi (" +
          std::to_string(moved->last_change_from) + " → " + std::to_string(r.channel.value_or(0)) +
          "): we will pin channel " + std::to_string(target) + ".";
    agent += " Channel change " + std::to_string(moved->last_change_from) + " -> " +
             std::to_string(r.channel.value_or(0)) + " on " + BandText(r.band) + " at " +
             FormatIsoTime(moved->last_change_at) + " (" + r.channel_last_selection_reason + ").";
    f.next_actions.push_back(MakeAction("set_channel", {{"band", BandText(r.band)}, {"channel", std::to_string(target)}}));
  } else {
    es += " Vamos a reiniciar el módem a distancia y revisar si mejora; si no, te ofreceremos una visita técnica.";
    en += " We will restart the modem remotely and check whether it improves; if not, we will offer a technician visit.";
    agent += " No recorded change explains the onset; reboot and verify, then dispatch.";
    f.next_actions.push_back(MakeAction("reboot", {{"when", "now_with_consent"}}));
  }
  if (lan.total > 0) {
    agent += " LAN probe: " + std::to_string(lan.total) + " cuts (max " + std::to_string(lan.max_per_hour) + "/h).";
  }
  f.next_actions.push_back(MakeAction("dispatch_technician", {{"reason", "common_cause_unresolved"}}));
  f.customer_text_es = std::move(es);
  f.customer_text_en = std::move(en);
  f.agent_text = std::move(agent);
  out_.push_back(std::move(f));
}

void Run::MicroOutageRule() {
  const CutStats lan = Cuts(ProbeLeg::kLanToGateway);
  if (!CutsFlagged(lan)) return;
  const CutStats hop = Cuts(ProbeLeg::kGatewayToFirstHop);
  if (CutsFlagged(hop)) return;  // the line rule owns cuts seen beyond the gateway too
  if (HasFinding("common_cause.gateway") || HasFinding("gateway.instability") || HasFinding("area.outage")) return;
  Finding* congestion = FindFinding("wifi.congestion");
  if (congestion) {
    congestion->evidence.push_back({"probe.lan_cuts", static_cast<double>(lan.total),
                                    static_cast<double>(t_.micro_outages_per_hour_max), lan.first, lan.last, "lan_gateway"});
    return;
  }
  Finding f;
  f.code = "wifi.micro_outages";
  f.severity = Severity::kMajor;
  f.confidence = 0.7;
  f.evidence.push_back({"probe.lan_cuts", static_cast<double>(lan.total), static_cast<double>(t_.micro_outages_per_day_max),
                        lan.first, lan.last, "lan_gateway"});
  f.evidence.push_back({"probe.lan_cuts_per_hour", static_cast<double>(lan.max_per_hour),
                        static_cast<double>(t_.micro_outages_per_hour_max), lan.first, lan.last, "lan_gateway"});
  // What happened at the gateway at those moments?
  const std::vector<telemetry::GatewayEvent> gw = telemetry::GatewayEventsFromHistory(in_.history);
  const std::vector<telemetry::Correlation> links = telemetry::Correlate(in_.probe_events, gw, t_.correlation_tolerance_s);
  int channel_links = 0, disconnect_links = 0;
  for (const auto& l : links) {
    if (in_.probe_events[l.probe_event].leg != ProbeLeg::kLanToGateway) continue;
    channel_links += gw[l.gateway_event].kind == telemetry::GatewayEventKind::kChannelChange;
    disconnect_links += gw[l.gateway_event].kind == telemetry::GatewayEventKind::kClientDisconnect;
  }
  std::string agent = "LAN->gateway probe: " + std::to_string(lan.total) + " cuts in the window (max " +
                      std::to_string(lan.max_per_hour) + "/h, longest " + Num(lan.longest_ms / 1000.0, 0) +
                      " s); gateway->first hop clean. ";
  f.customer_text_es = "Detectamos " + std::to_string(lan.total) +
                       " cortes breves entre tus equipos y el módem (el más largo de " + Num(lan.longest_ms / 1000.0, 0) +
                       " s). La conexión del módem a Internet no se cortó en esos momentos: el problema está en el Wi-Fi "
                       "de tu casa o en el módem, no en tus equipos.";
  f.customer_text_en = "We detected " + std::to_string(lan.total) + " short cuts between your devices and the modem (the "
                       "longest " + Num(lan.longest_ms / 1000.0, 0) + " s). The modem's Internet link did not drop at "
                       "those moments: the problem is the home Wi-Fi or the modem, not your devices.";
  const Radio* hopping = nullptr;
  int most_changes = 0;
  for (std::size_t i = 0; i < radio_count_; ++i) {
    if (radios_[i].channel_changes > most_changes) {
      most_changes = radios_[i].channel_changes;
      hopping = radios_[i].cur;
    }
  }
  if (channel_links > 0 && hopping) {
    f.evidence.push_back({"probe.cuts_at_channel_change", static_cast<double>(channel_links), 0, lan.first, lan.last,
                          "radio " + BandText(hopping->band)});
    agent += std::to_string(channel_links) + " cuts coincide with automatic channel changes: pin the channel.";
    const ChannelChoice choice = ChooseChannel(*hopping);
    f.next_actions.push_back(MakeAction("set_channel", {{"band", BandText(hopping->band)},
                                                        {"channel", std::to_string(choice.best ? choice.best : hopping->channel.value_or(0))}}));
    f.confidence = 0.8;
  } else {
    agent += std::to_string(disconnect_links) + " cuts coincide with client re-associations; no channel change or reboot "
             "explains them. Raise the inform rate to catch the gateway state at the next cut.";
    f.next_actions.push_back(MakeAction("raise_inform_rate", {{"interval_s", "60"}}));
    f.next_actions.push_back(MakeAction("reboot", {{"when", "quiet_hour"}}));
  }
  f.next_actions.push_back(MakeAction("dispatch_technician", {{"reason", "wifi_cuts_unresolved"}}));
  f.agent_text = std::move(agent);
  out_.push_back(std::move(f));
}

void Run::RetransmissionRule() {
  for (std::size_t i = 0; i < radio_count_; ++i) {
    const RadioState& rs = radios_[i];
    const Radio& r = *rs.cur;
    if (rs.congested) continue;  // congestion already explains the retries
    std::vector<const ClientState*> bad;
    double sum = 0;
    for (const ClientState& cs : clients_) {
      const Client& c = *cs.cur;
      if (cs.in_group || c.radio_index != r.index || (c.active && !*c.active) || !c.retransmissions_pct) continue;
      if (*c.retransmissions_pct < t_.client_retrans_high_pct) continue;
      if (c.signal_dbm && *c.signal_dbm < t_.client_signal_fair_dbm) continue;  // distance, not the channel
      bad.push_back(&cs);
      sum += *c.retransmissions_pct;
    }
    const double err_pct = rs.d_packets >= 10000 ? 100.0 * static_cast<double>(rs.d_errors) / static_cast<double>(rs.d_packets) : 0;
    const bool err_flag = err_pct > t_.radio_error_ratio_high_pct;
    if (bad.size() < 2 && !err_flag) continue;
    Finding f;
    f.code = "wifi.retransmissions";
    f.severity = bad.size() >= 2 ? Severity::kMajor : Severity::kMinor;
    f.confidence = std::min(0.85, 0.55 + 0.1 * static_cast<double>(bad.size()) + (err_flag ? 0.1 : 0.0));
    const Time ws = first_in_window_ ? first_in_window_ : window_start_;
    std::vector<std::string> names;
    for (const ClientState* cs : bad) {
      f.evidence.push_back({"client.retransmissions_pct", *cs->cur->retransmissions_pct, t_.client_retrans_high_pct,
                            cs->run_start ? cs->run_start : ws, now_, cs->cur->mac});
      names.push_back(Name(*cs->cur));
    }
    if (err_flag) {
      f.evidence.push_back({"radio.error_ratio_pct", err_pct, t_.radio_error_ratio_high_pct, ws, now_, "radio " + BandText(r.band)});
    }
    const double avg = bad.empty() ? err_pct : sum / static_cast<double>(bad.size());
    f.customer_text_es = "En tu red Wi-Fi de " + BandText(r.band) + " los datos tienen que enviarse varias veces (" +
                         Num(avg, 0) + " % de reintentos" + (names.empty() ? "" : " en " + JoinList(names, " y ")) +
                         ") aunque la señal es buena. Suele deberse a interferencia de otros aparatos (microondas, "
                         "cámaras, parlantes Bluetooth) o a un canal ruidoso.";
    f.customer_text_en = "On your " + BandText(r.band) + " Wi-Fi, data has to be sent several times (" + Num(avg, 0) +
                         " % retries" + (names.empty() ? "" : " on " + JoinList(names, " and ")) +
                         ") even though the signal is good. This is usually interference from other appliances "
                         "(microwaves, cameras, Bluetooth speakers) or a noisy channel.";
    f.agent_text = "High retransmissions on " + BandText(r.band) + " channel " + std::to_string(r.channel.value_or(0)) +
                   ": " + std::to_string(bad.size()) + " clients with good signal above " +
                   Num(t_.client_retrans_high_pct, 0) + " % retries" + (names.empty() ? "" : " (" + JoinList(names, ", ") + ")") +
                   (err_flag ? "; radio ErrorsSent/PacketsSent " + Num(err_pct, 1) + " %" : "") +
                   "; no co-channel congestion seen, so suspect non-Wi-Fi interference.";
    const ChannelChoice choice = ChooseChannel(r);
    if (choice.have_scan && choice.best != r.channel.value_or(0)) {
      f.next_actions.push_back(MakeAction("set_channel", {{"band", BandText(r.band)}, {"channel", std::to_string(choice.best)}}));
    } else if (r.auto_channel && !*r.auto_channel) {
      f.next_actions.push_back(MakeAction("enable_auto_channel", {{"band", BandText(r.band)}}));
    } else if (r.band == Band::k2_4GHz && r.channel) {
      // No scan to rank by: move to the non-overlapping channel farthest from the current one.
      const int target = *r.channel <= 6 ? 11 : 1;
      f.next_actions.push_back(MakeAction("set_channel", {{"band", BandText(r.band)}, {"channel", std::to_string(target)}}));
    }
    f.next_actions.push_back(MakeAction("guide_gateway_placement"));
    out_.push_back(std::move(f));
  }
}

void Run::WeakClientRule() {
  std::vector<const ClientState*> weak;
  for (const ClientState& cs : clients_) {
    if (cs.weak_now && !cs.in_group) weak.push_back(&cs);
  }
  if (weak.empty()) return;
  Finding f;
  f.code = "wifi.weak_client";
  double worst = 0;
  std::vector<std::string> es_parts, en_parts, agent;
  const Time ws = first_in_window_ ? first_in_window_ : window_start_;
  for (const ClientState* cs : weak) {
    const Client& c = *cs->cur;
    worst = std::min(worst, *c.signal_dbm);
    f.evidence.push_back({"client.signal_dbm", *c.signal_dbm, t_.client_signal_weak_dbm,
                          cs->weak_since ? cs->weak_since : ws, now_, c.mac});
    es_parts.push_back(Name(c) + " (" + Num(*c.signal_dbm, 0) + " dBm en " + BandText(c.band) + ")");
    en_parts.push_back(Name(c) + " (" + Num(*c.signal_dbm, 0) + " dBm on " + BandText(c.band) + ")");
    std::string a = Name(c) + " " + c.mac + " RSSI " + Num(*c.signal_dbm, 0) + " dBm on " + BandText(c.band);
    if (c.snr_db) a += ", SNR " + Num(*c.snr_db, 0) + " dB";
    if (c.retransmissions_pct) a += ", retries " + Num(*c.retransmissions_pct, 0) + " %";
    if (c.downlink_kbps) a += ", PHY " + Num(static_cast<double>(*c.downlink_kbps) / 1000.0, 0) + " Mb/s";
    if (cs->weak_since) a += ", weak since " + FormatIsoTime(cs->weak_since);
    agent.push_back(std::move(a));
    std::string advice = "move_closer";
    if (c.band != Band::k2_4GHz && cur_.FindRadioByBand(Band::k2_4GHz)) advice = "move_closer_or_use_2.4GHz";
    f.next_actions.push_back(MakeAction("guide_client_device", {{"mac", c.mac}, {"advice", advice}}));
  }
  f.severity = worst < t_.client_signal_unusable_dbm ? Severity::kMajor : Severity::kMinor;
  f.confidence = worst < t_.client_signal_unusable_dbm ? 0.9 : 0.8;
  const bool several = weak.size() >= 2;
  f.customer_text_es = "La señal Wi-Fi llega débil a " + JoinList(es_parts, " y ") +
                       ": está lejos del módem o hay paredes o muebles de por medio. " +
                       (several ? "Para cubrir esas zonas conviene un repetidor o sistema mesh, que te podemos ofrecer."
                                : "Acércalo al módem o, si es posible, conéctalo con cable.");
  f.customer_text_en = "The Wi-Fi signal is weak at " + JoinList(en_parts, " and ") +
                       ": it is far from the modem or walls / furniture are in the way. " +
                       (several ? "A repeater or mesh system would cover those areas; we can offer one."
                                : "Move it closer to the modem or, if possible, use a cable.");
  f.agent_text = "Weak signal (below " + Num(t_.client_signal_weak_dbm, 0) + " dBm): " + JoinList(agent, "; ") +
                 ". Distance / obstacles, not the gateway: other clients are fine.";
  if (several) f.next_actions.push_back(MakeAction("offer_mesh_extender"));
  out_.push_back(std::move(f));
}

void Run::SingleClientRule() {
  // Symptom devices, resolved to MAC keys.
  std::array<std::uint64_t, 16> named{};
  std::size_t named_n = 0;
  for (const std::string& d : in_.symptoms.devices) {
    std::uint64_t key = telemetry::MacKey(d);
    if (!key) {
      for (const telemetry::Host& h : cur_.hosts) {
        if (EqualsFolded(h.hostname, d)) key = telemetry::MacKey(h.mac);
      }
    }
    if (key && named_n < named.size()) named[named_n++] = key;
  }
  const ClientState* bad = nullptr;
  int bad_n = 0, fine_n = 0;
  for (const ClientState& cs : clients_) {
    const Client& c = *cs.cur;
    if (c.active && !*c.active) continue;
    const bool misbehaves = (cs.degraded_now && !cs.weak_now) || cs.flapping;
    if (cs.in_group || (cs.weak_now && !cs.flapping)) continue;  // other rules own these
    if (misbehaves) {
      bad = &cs;
      ++bad_n;
    } else {
      ++fine_n;
    }
  }
  if (bad_n != 1 || fine_n < 1) return;
  const Client& c = *bad->cur;
  bool customer_named = false;
  for (std::size_t i = 0; i < named_n; ++i) customer_named = customer_named || named[i] == c.mac_key;
  Finding f;
  f.code = "client.single";
  f.severity = Severity::kMinor;
  f.confidence = customer_named ? 0.8 : 0.7;
  const Time ws = first_in_window_ ? first_in_window_ : window_start_;
  std::vector<std::string> what_es, what_en, agent;
  if (c.retransmissions_pct && *c.retransmissions_pct >= t_.client_retrans_high_pct) {
    f.evidence.push_back({"client.retransmissions_pct", *c.retransmissions_pct, t_.client_retrans_high_pct,
                          bad->run_start ? bad->run_start : ws, now_, c.mac});
    what_es.push_back("repite el " + Num(*c.retransmissions_pct, 0) + " % de los envíos");
    what_en.push_back("repeats " + Num(*c.retransmissions_pct, 0) + " % of its transmissions");
    agent.push_back("retries " + Num(*c.retransmissions_pct, 0) + " %");
  }
  if (c.snr_db && *c.snr_db < t_.client_snr_min_db) {
    f.evidence.push_back({"client.snr_db", *c.snr_db, t_.client_snr_min_db, bad->run_start ? bad->run_start : ws, now_, c.mac});
    agent.push_back("SNR " + Num(*c.snr_db, 0) + " dB");
  }
  if (bad->flapping) {
    f.evidence.push_back({"client.reassociations", static_cast<double>(bad->reassoc),
                          static_cast<double>(t_.client_reassoc_max), ws, now_, c.mac});
    what_es.push_back("se desconectó y reconectó " + std::to_string(bad->reassoc) + " veces");
    what_en.push_back("dropped and rejoined " + std::to_string(bad->reassoc) + " times");
    agent.push_back(std::to_string(bad->reassoc) + " re-associations in the window");
  }
  if (c.signal_dbm) agent.push_back("RSSI " + Num(*c.signal_dbm, 0) + " dBm (good)");
  const std::string name = Name(c);
  f.customer_text_es = "Solo " + name + " tiene problemas (" + JoinList(what_es, " y ") + "), mientras tus otros " +
                       std::to_string(fine_n) + " equipos funcionan bien con el mismo Wi-Fi y buena señal. El problema "
                       "está en ese equipo: te guiaremos para olvidar la red y volver a conectarla, y actualizar su "
                       "controlador Wi-Fi.";
  f.customer_text_en = "Only " + name + " has problems (" + JoinList(what_en, " and ") + "), while your other " +
                       std::to_string(fine_n) + " devices work well on the same Wi-Fi with good signal. The problem is "
                       "in that device: we will guide you to forget and rejoin the network and update its Wi-Fi driver.";
  f.agent_text = "Single client affected: " + name + " " + c.mac + " on " + BandText(c.band) + " (" + JoinList(agent, ", ") +
                 "); " + std::to_string(fine_n) + " other clients fine. Device-side (driver, power saving, OS); "
                 "the gateway and line are not implicated" + (customer_named ? "; matches the device the customer named." : ".");
  if (c.band == Band::k2_4GHz && c.signal_dbm && *c.signal_dbm >= t_.steer_signal_dbm && cur_.FindRadioByBand(Band::k5GHz)) {
    f.next_actions.push_back(MakeAction("steer_client_5ghz", {{"mac", c.mac}}));
  }
  f.next_actions.push_back(MakeAction("guide_client_device", {{"mac", c.mac}, {"advice", "forget_network_update_driver"}}));
  out_.push_back(std::move(f));
}

void Run::EvidenceMissingRule() {
  if (!in_.symptoms.Reported()) return;
  for (const Finding& f : out_) {
    if (f.severity >= Severity::kMinor) return;
  }
  Finding f;
  f.code = "evidence.missing";
  f.severity = Severity::kInfo;
  f.confidence = 0.5;
  std::vector<std::string> keys, es, en;
  bool want_inform = false, want_probe = false, want_scan = false;
  if (!has_current_) {
    keys.push_back("gateway_snapshot");
    es.push_back("el estado actual de tu módem");
    en.push_back("your modem's current state");
    want_inform = true;
  } else if (now_ - cur_.taken_at > t_.snapshot_stale_s) {
    keys.push_back("recent_snapshot");
    es.push_back("datos recientes de tu módem (los últimos son de " + Clock(cur_.taken_at) + ")");
    en.push_back("recent data from your modem (the latest is from " + Clock(cur_.taken_at) + ")");
    want_inform = true;
  }
  if (snapshots_in_window_ < t_.min_history_snapshots) {
    keys.push_back("history");
    es.push_back("el historial de las últimas horas");
    en.push_back("the history of the last hours");
    want_inform = true;
  }
  if (has_current_) {
    int wifi = 0, no_signal = 0;
    for (const Client& c : cur_.clients) {
      ++wifi;
      no_signal += c.signal_dbm ? 0 : 1;
    }
    if (wifi > 0 && no_signal == wifi) {
      keys.push_back("client_signal");
      es.push_back("la intensidad de señal de tus equipos (tu modelo de módem no la informa)");
      en.push_back("your devices' signal strength (your modem model does not report it)");
      want_probe = true;
    }
    if (cur_.neighbors.empty() && !cur_.radios.empty()) {
      keys.push_back("neighbor_scan");
      es.push_back("un escaneo de redes vecinas");
      en.push_back("a scan of neighbouring networks");
      want_scan = true;
    }
  }
  if (in_.probe_window_start == 0 && in_.probe_events.empty()) {
    keys.push_back("probe_results");
    es.push_back("mediciones continuas que capten los cortes cuando ocurren");
    en.push_back("continuous measurements that catch the cuts as they happen");
    want_probe = true;
  }
  // Devices the customer named that the gateway does not see.
  for (const std::string& d : in_.symptoms.devices) {
    const std::uint64_t key = telemetry::MacKey(d);
    bool seen = false;
    for (const Client& c : cur_.clients) seen = seen || (key && c.mac_key == key);
    for (const telemetry::Host& h : cur_.hosts) seen = seen || EqualsFolded(h.hostname, d) || (key && telemetry::MacKey(h.mac) == key);
    if (!seen) {
      keys.push_back("device_not_seen:" + d);
      es.push_back("ver a " + d + " conectado (hoy no aparece en tu red)");
      en.push_back("to see " + d + " connected (it does not appear on your network now)");
    }
  }
  if (keys.empty()) {
    // Everything was collected and looks normal: the fault did not happen while we watched.
    keys.push_back("fault_during_observation");
    es.push_back("captar la falla mientras ocurre (en los datos de las últimas " +
                 Num(static_cast<double>(t_.window_s) / 3600.0, 0) + " horas todo se ve normal)");
    en.push_back("to catch the fault while it happens (the last " + Num(static_cast<double>(t_.window_s) / 3600.0, 0) +
                 " hours of data look normal)");
    want_inform = want_probe = true;
  }
  for (const std::string& k : keys) f.evidence.push_back({"missing." + k, 0, 0, window_start_, now_, ""});
  if (want_inform) f.next_actions.push_back(MakeAction("raise_inform_rate", {{"interval_s", "60"}}));
  if (want_probe) {
    f.next_actions.push_back(MakeAction("request_probe", {{"legs", "lan_gateway,gateway_first_hop,gateway_anchor"}}));
  }
  if (want_scan) f.next_actions.push_back(MakeAction("request_neighbor_scan", {{"band", "all"}}));
  if (f.next_actions.empty()) f.next_actions.push_back(MakeAction("raise_inform_rate", {{"interval_s", "60"}}));
  f.customer_text_es = "Todavía no tenemos datos suficientes para saber qué falla: nos falta " + JoinList(es, " y ") +
                       ". Ya empezamos a recogerlos; no necesitas hacer pruebas, te avisaremos con el resultado.";
  f.customer_text_en = "We do not have enough data yet to tell what is wrong: we are missing " + JoinList(en, " and ") +
                       ". We have started collecting it; you do not need to run any tests, we will tell you the result.";
  f.agent_text = "Symptom '" + in_.symptoms.what + "' (" + std::string(SymptomPatternName(in_.symptoms.pattern)) + ")" +
                 (in_.symptoms.since ? " since " + FormatIsoTime(in_.symptoms.since) : std::string()) +
                 ", no fault in the available data. Missing: " + JoinList(keys, ", ") +
                 ". This is NOT 'all fine': collect the data and re-run the diagnosis.";
  out_.push_back(std::move(f));
}

std::vector<Finding> Run::Diagnose() {
  Prepare();
  for (ClientState& cs : clients_) {
    const Client& c = *cs.cur;
    const bool active = !c.active || *c.active;
    cs.degraded_now = active && Degraded(c);
    cs.weak_now = active && Weak(c);
    cs.flapping = active && cs.reassoc > t_.client_reassoc_max;
  }
  AreaOutageRule();
  DocsisRule();
  GatewayRule();
  CongestionRule();
  CommonCauseRule();
  MicroOutageRule();
  RetransmissionRule();
  WeakClientRule();
  SingleClientRule();
  EvidenceMissingRule();
  std::stable_sort(out_.begin(), out_.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.confidence > b.confidence;
  });
  return std::move(out_);
}

}  // namespace

Engine::Engine(Thresholds thresholds) : t_(std::move(thresholds)) {}

std::vector<Finding> Engine::Diagnose(const DiagnosisInput& input) const {
  Run run(t_, input);
  return run.Diagnose();
}

std::vector<Finding> Diagnose(const DiagnosisInput& input, const Thresholds& thresholds) {
  Run run(thresholds, input);
  return run.Diagnose();
}

}  // namespace hilo::diagnosis
