#include "hilo/telemetry/series.h"

#include <gtest/gtest.h>

#include <map>

namespace hilo::telemetry {
namespace {

TEST(Series, CanonicalSamples) {
  DeviceSnapshot s;
  s.taken_at = 1000;
  s.uptime_s = 50;
  s.memory_total_kib = 1000;
  s.memory_free_kib = 250;
  Radio r1;
  r1.index = 1;
  r1.band = Band::k2_4GHz;
  r1.noise_dbm = -91;
  r1.channel = 6;
  Radio r2;
  r2.index = 2;
  r2.band = Band::k5GHz;
  Radio r3;
  r3.index = 3;
  r3.band = Band::k5GHz;
  r3.utilization_pct = 12;
  s.radios = {r1, r2, r3};
  Client c;
  c.mac = "aa:bb:cc:00:00:01";
  c.radio_index = 1;
  c.signal_dbm = -60;
  c.retransmissions_pct = 3;
  s.clients.push_back(c);
  s.neighbors.push_back({"", "", 6, Band::k2_4GHz, "", -70});
  s.neighbors.push_back({"", "", 1, Band::k2_4GHz, "", -90});  // too weak to count
  DocsisDownstream d;
  d.index = 3;
  d.power_dbmv = -1.5;
  s.docsis_downstream.push_back(d);

  std::map<std::string, double> m;
  for (const Sample& x : CanonicalSamples(s)) {
    EXPECT_EQ(x.at, 1000);
    m[x.metric] = x.value;
  }
  EXPECT_EQ(m.at("uptime"), 50);
  EXPECT_EQ(m.at("memory.free_pct"), 25);
  EXPECT_EQ(m.at("radio.2.4GHz.noise"), -91);
  EXPECT_EQ(m.at("radio.2.4GHz.channel"), 6);
  EXPECT_EQ(m.at("radio.2.4GHz.clients"), 1);
  EXPECT_EQ(m.at("radio.5GHz.clients"), 0);
  EXPECT_EQ(m.at("radio.5GHz_2.utilization"), 12);
  EXPECT_EQ(m.at("client.aa:bb:cc:00:00:01.signal"), -60);
  EXPECT_EQ(m.at("client.aa:bb:cc:00:00:01.retransmissions"), 3);
  EXPECT_EQ(m.at("wifi.2.4GHz.neighbors"), 1);
  EXPECT_EQ(m.at("docsis.ds.3.power"), -1.5);
  EXPECT_FALSE(m.contains("cpu"));  // not reported → no sample
}

TEST(Series, DownsampleKeepsMinMaxAvg) {
  std::vector<Sample> raw;
  for (int i = 0; i < 24; ++i) raw.push_back({i * 300, "noise", -90.0 + i % 4});  // 2 hours of 5-min samples
  raw.push_back({100, "uptime", 7});
  auto hourly = Downsample(raw, kHour);
  ASSERT_EQ(hourly.size(), 3u);  // noise@0, uptime@0, noise@3600
  EXPECT_EQ(hourly[0].metric, "noise");
  EXPECT_EQ(hourly[0].bucket_start, 0);
  EXPECT_EQ(hourly[0].count, 12u);
  EXPECT_EQ(hourly[0].min, -90);
  EXPECT_EQ(hourly[0].max, -87);
  EXPECT_DOUBLE_EQ(hourly[0].avg, -88.5);
  EXPECT_EQ(hourly[1].metric, "uptime");
  EXPECT_EQ(hourly[2].bucket_start, 3600);

  // Folding hourly aggregates into a 2-hour bucket equals downsampling the raw samples.
  auto direct = Downsample(raw, 2 * kHour);
  auto folded = Downsample(hourly, 2 * kHour);
  ASSERT_EQ(direct.size(), folded.size());
  for (std::size_t i = 0; i < direct.size(); ++i) {
    EXPECT_EQ(direct[i].metric, folded[i].metric);
    EXPECT_EQ(direct[i].count, folded[i].count);
    EXPECT_EQ(direct[i].min, folded[i].min);
    EXPECT_EQ(direct[i].max, folded[i].max);
    EXPECT_DOUBLE_EQ(direct[i].avg, folded[i].avg);
  }
  EXPECT_TRUE(Downsample(std::vector<Sample>{}, kHour).empty());
  EXPECT_EQ(Downsample(std::vector<Sample>{{-1, "x", 1}}, 10)[0].bucket_start, -10);
}

}  // namespace
}  // namespace hilo::telemetry
