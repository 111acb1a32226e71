#pragma once
// Gateway events derived from a time-ordered series of snapshots: reboots (uptime resets),
// Wi-Fi channel changes, client re-associations / disconnects and firmware changes. They are
// what probe events (micro-outages) get correlated with, and what the diagnosis engine uses as
// change points.
//
//   std::vector<GatewayEvent> ev = GatewayEventsFromHistory(history);   // oldest first
//   for (const GatewayEvent& e : ev)
//     if (e.kind == GatewayEventKind::kReboot) ...;                       // e.at is the boot time
//
// Timestamps are as precise as the data allows: a reboot is placed at taken_at - UpTime, a
// channel change at taken_at - ChannelLastChange, a re-association at the new AssociationTime;
// otherwise at the snapshot that first showed the change.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/time.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::telemetry {

enum class GatewayEventKind : std::uint8_t {
  kReboot,            // uptime went down (or boot count went up)
  kChannelChange,     // a radio's channel changed; detail "2.4GHz 6->11"
  kClientDisconnect,  // a client re-associated or left; detail = its MAC
  kFirmwareChange,    // software version changed; detail "1.2 -> 1.3"
};

std::string_view GatewayEventKindName(GatewayEventKind kind);  // "reboot", "channel_change", ...

struct GatewayEvent {
  Time at = 0;
  GatewayEventKind kind = GatewayEventKind::kReboot;
  std::string detail;
};

// history must be ordered by taken_at (oldest first); the result is ordered by `at`.
std::vector<GatewayEvent> GatewayEventsFromHistory(const std::vector<DeviceSnapshot>& history);

}  // namespace hilo::telemetry
