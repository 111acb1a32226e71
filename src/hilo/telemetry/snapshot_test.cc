#include "hilo/telemetry/snapshot.h"

#include <gtest/gtest.h>

#include "hilo/telemetry/events.h"

namespace hilo::telemetry {
namespace {

TEST(Snapshot, MacNormalisation) {
  EXPECT_EQ(NormalizeMac("AA-BB-CC-DD-EE-0F"), "aa:bb:cc:dd:ee:0f");
  EXPECT_EQ(NormalizeMac("aabb.ccdd.ee0f"), "aa:bb:cc:dd:ee:0f");
  EXPECT_EQ(NormalizeMac("AABBCCDDEE0F"), "aa:bb:cc:dd:ee:0f");
  EXPECT_EQ(NormalizeMac("AABBCCDDEE0"), "");
  EXPECT_EQ(NormalizeMac("zz:bb:cc:dd:ee:0f"), "");
  EXPECT_EQ(MacKey("aa:bb:cc:dd:ee:0f"), 0xaabbccddee0fu);
  EXPECT_EQ(MacKey("nope"), 0u);
}

TEST(Snapshot, Bands) {
  EXPECT_EQ(ParseBand("2.4GHz"), Band::k2_4GHz);
  EXPECT_EQ(ParseBand("5GHz"), Band::k5GHz);
  EXPECT_EQ(ParseBand("6GHz"), Band::k6GHz);
  EXPECT_EQ(ParseBand("x"), Band::kUnknown);
  EXPECT_EQ(BandFromChannel(11), Band::k2_4GHz);
  EXPECT_EQ(BandFromChannel(149), Band::k5GHz);
  EXPECT_EQ(BandName(Band::k2_4GHz), "2.4GHz");
}

DeviceSnapshot Sample() {
  DeviceSnapshot s;
  s.oui = "00D09E";
  s.serial = "SN1";
  s.software_version = "1.0";
  s.data_model = DataModel::kTr181;
  s.taken_at = 1'790'000'000;
  s.uptime_s = 1234;
  Radio r;
  r.index = 1;
  r.band = Band::k2_4GHz;
  r.channel = 6;
  r.auto_channel = false;
  r.noise_dbm = -90;
  r.utilization_pct = 35.5;
  r.channels_in_use = {1, 6};
  r.stats.errors_sent = 5;
  s.radios.push_back(r);
  s.access_points.push_back({1, "Casa", 1, true, 10, std::nullopt, std::nullopt});
  Client c;
  c.mac = "aa:bb:cc:00:00:01";
  c.mac_key = MacKey(c.mac);
  c.ap_index = 1;
  c.radio_index = 1;
  c.band = Band::k2_4GHz;
  c.signal_dbm = -63;
  c.retransmissions_pct = 4;
  c.downlink_kbps = 144000;
  c.active = true;
  c.association_time = 1'789'990'000;
  s.clients.push_back(c);
  s.hosts.push_back({"aa:bb:cc:00:00:01", "192.168.0.2", "laptop", "Wi-Fi", true});
  s.neighbors.push_back({"11:22:33:44:55:66", "Vecino", 6, Band::k2_4GHz, "20MHz", -70});
  DocsisDownstream d;
  d.index = 1;
  d.power_dbmv = 2.5;
  d.snr_db = 38.2;
  d.uncorrectable = 12;
  s.docsis_downstream.push_back(d);
  s.docsis_upstream.push_back({1, 44.0, 3, 0});
  s.temperature_c = 55;
  s.reboots.boot_count = 3;
  s.reboots.last_time = 1'789'000'000;
  return s;
}

TEST(Snapshot, ValueRoundTrip) {
  DeviceSnapshot s = Sample();
  Value v = ToValue(s);
  EXPECT_EQ(v.Get("taken_at").AsString(), FormatIsoTime(s.taken_at));
  EXPECT_FALSE(v.Has("cpu_pct"));  // absent optionals are omitted
  DeviceSnapshot back = SnapshotFromValue(v);
  EXPECT_EQ(ToValue(back), v);
  EXPECT_EQ(back.clients[0].mac_key, s.clients[0].mac_key);
  EXPECT_EQ(back.clients[0].signal_dbm, -63);
  EXPECT_EQ(back.docsis_upstream[0].t3_timeouts, 3u);
  EXPECT_EQ(back.reboots.last_time, s.reboots.last_time);
}

TEST(Snapshot, FromValueIsForgiving) {
  Value v = Value::MakeObject();
  v.Set("taken_at", 1000);  // integer seconds accepted too
  v.Set("uptime_s", "not a number");
  Value clients = Value::MakeArray();
  Value bad = Value::MakeObject();
  bad.Set("mac", "xyz");
  clients.Push(bad);
  Value good = Value::MakeObject();
  good.Set("mac", "AA:BB:CC:00:00:05");
  good.Set("band", "5GHz");
  good.Set("signal_dbm", 0);  // 0 dBm = unknown
  clients.Push(good);
  v.Set("clients", clients);
  DeviceSnapshot s = SnapshotFromValue(v);
  EXPECT_EQ(s.taken_at, 1000);
  EXPECT_FALSE(s.uptime_s);
  ASSERT_EQ(s.clients.size(), 1u);
  EXPECT_EQ(s.clients[0].mac, "aa:bb:cc:00:00:05");
  EXPECT_FALSE(s.clients[0].signal_dbm);
  EXPECT_EQ(SnapshotFromValue(Value("garbage")).radios.size(), 0u);
}

TEST(GatewayEvents, FromHistory) {
  DeviceSnapshot a = Sample();
  DeviceSnapshot b = a;
  b.taken_at += 300;
  b.uptime_s = *a.uptime_s + 300;
  b.radios[0].channel = 11;
  b.radios[0].channel_last_change_s = 100;  // changed 100 s before b was taken
  b.clients[0].association_time = b.taken_at - 50;
  DeviceSnapshot c = b;
  c.taken_at += 300;
  c.uptime_s = 60;  // rebooted 60 s before c
  c.software_version = "1.1";
  DeviceSnapshot d = c;
  d.taken_at += 300;
  d.uptime_s = 360;
  d.clients.clear();  // the client left
  auto ev = GatewayEventsFromHistory({a, b, c, d});
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0].kind, GatewayEventKind::kChannelChange);
  EXPECT_EQ(ev[0].at, b.taken_at - 100);
  EXPECT_EQ(ev[0].detail, "2.4GHz 6->11");
  EXPECT_EQ(ev[1].kind, GatewayEventKind::kClientDisconnect);
  EXPECT_EQ(ev[1].at, b.taken_at - 50);
  EXPECT_EQ(ev[2].kind, GatewayEventKind::kReboot);
  EXPECT_EQ(ev[2].at, c.taken_at - 60);
  EXPECT_EQ(ev[3].kind, GatewayEventKind::kFirmwareChange);
  EXPECT_EQ(ev[3].detail, "1.0 -> 1.1");
  EXPECT_EQ(ev[4].kind, GatewayEventKind::kClientDisconnect);
  EXPECT_EQ(ev[4].at, d.taken_at);
  EXPECT_EQ(ev[4].detail, "aa:bb:cc:00:00:01");
}

}  // namespace
}  // namespace hilo::telemetry
