#include "hilo/telemetry/events.h"

#include <algorithm>

namespace hilo::telemetry {

std::string_view GatewayEventKindName(GatewayEventKind kind) {
  switch (kind) {
    case GatewayEventKind::kReboot: return "reboot";
    case GatewayEventKind::kChannelChange: return "channel_change";
    case GatewayEventKind::kClientDisconnect: return "client_disconnect";
    case GatewayEventKind::kFirmwareChange: return "firmware_change";
  }
  return "unknown";
}

std::vector<GatewayEvent> GatewayEventsFromHistory(const std::vector<DeviceSnapshot>& history) {
  std::vector<GatewayEvent> out;
  for (std::size_t k = 1; k < history.size(); ++k) {
    const DeviceSnapshot& prev = history[k - 1];
    const DeviceSnapshot& cur = history[k];

    bool rebooted = false;
    if (prev.uptime_s && cur.uptime_s && *cur.uptime_s < *prev.uptime_s) rebooted = true;
    // Uptime may be missing; a growing boot count says the same thing.
    if (!rebooted && prev.reboots.boot_count && cur.reboots.boot_count &&
        *cur.reboots.boot_count > *prev.reboots.boot_count)
      rebooted = true;
    // Only a decrease is proof: a missed inform (a gap in the series) is not a reboot.
    if (rebooted) {
      Time at = cur.uptime_s ? cur.taken_at - *cur.uptime_s : cur.taken_at;
      out.push_back({at, GatewayEventKind::kReboot, {}});
    }

    if (!prev.software_version.empty() && !cur.software_version.empty() &&
        prev.software_version != cur.software_version) {
      Time at = cur.uptime_s ? cur.taken_at - *cur.uptime_s : cur.taken_at;
      out.push_back({at, GatewayEventKind::kFirmwareChange, prev.software_version + " -> " + cur.software_version});
    }

    for (const Radio& r : cur.radios) {
      const Radio* pr = prev.FindRadio(r.index);
      if (!pr || !pr->channel || !r.channel) continue;
      bool changed = *pr->channel != *r.channel;
      // Two changes between informs (6 -> 11 -> 6) only show up in the counter.
      if (!changed && pr->stats.total_channel_changes && r.stats.total_channel_changes &&
          *r.stats.total_channel_changes > *pr->stats.total_channel_changes && !rebooted)
        changed = true;
      if (!changed) continue;
      Time at = cur.taken_at;
      if (r.channel_last_change_s && *r.channel_last_change_s >= 0 &&
          *r.channel_last_change_s <= cur.taken_at - prev.taken_at)
        at = cur.taken_at - *r.channel_last_change_s;
      out.push_back({at, GatewayEventKind::kChannelChange,
                     std::string(BandName(r.band)) + " " + std::to_string(*pr->channel) + "->" +
                         std::to_string(*r.channel)});
    }

    // Client disconnects: a client that re-associated (new AssociationTime) or vanished. After a
    // reboot every client re-associates; that is reported once, as the reboot.
    if (rebooted) continue;
    std::size_t hint = 0;
    for (const Client& pc : prev.clients) {
      const Client* cc = nullptr;
      // Lists are usually in the same order between informs: try the same position first.
      if (hint < cur.clients.size() && cur.clients[hint].mac_key == pc.mac_key) {
        cc = &cur.clients[hint];
      } else {
        cc = cur.FindClient(pc.mac_key);
      }
      ++hint;
      if (!cc) {
        out.push_back({cur.taken_at, GatewayEventKind::kClientDisconnect, pc.mac});
      } else if (pc.association_time && cc->association_time && *cc->association_time != *pc.association_time) {
        out.push_back({*cc->association_time, GatewayEventKind::kClientDisconnect, pc.mac});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const GatewayEvent& a, const GatewayEvent& b) { return a.at < b.at; });
  return out;
}

}  // namespace hilo::telemetry
