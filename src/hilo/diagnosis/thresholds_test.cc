#include "hilo/diagnosis/thresholds.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace hilo::diagnosis {
namespace {

TEST(Thresholds, DefaultsFollowTheReference) {
  Thresholds t;
  EXPECT_EQ(t.client_signal_weak_dbm, -75);
  EXPECT_EQ(t.client_retrans_high_pct, 20);
  EXPECT_EQ(t.utilization_high_pct, 50);
  EXPECT_EQ(t.neighbor_min_signal_dbm, -82);
  EXPECT_EQ(t.uncorrectable_ratio_max_pct, 1.0);
  EXPECT_EQ(t.probe.micro_outage_min_losses, 3);
  EXPECT_EQ(t.probe.outage_min_ms, 60000);
  EXPECT_EQ(t.micro_outages_per_hour_max, 3);
}

TEST(Thresholds, ParsesKeyValueWithComments) {
  auto t = ParseThresholds(
      "# tuned for building A\n"
      "\n"
      "client_signal_weak_dbm = -72   # stricter\n"
      "  cochannel_max=5\n"
      "probe.micro_outage_min_losses = 4\n"
      "probe.loss_timeout_ms = 1500.5\r\n");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->client_signal_weak_dbm, -72);
  EXPECT_EQ(t->cochannel_max, 5);
  EXPECT_EQ(t->probe.micro_outage_min_losses, 4);
  EXPECT_EQ(t->probe.loss_timeout_ms, 1500.5);
  EXPECT_EQ(t->client_retrans_high_pct, 20);  // untouched keys keep defaults
}

TEST(Thresholds, ClearErrors) {
  auto unknown = ParseThresholds("# x\nclient_signal_weak = -70\n");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(unknown.error().message, "line 2: unknown key 'client_signal_weak'");
  EXPECT_EQ(unknown.error().field, "client_signal_weak");

  auto bad = ParseThresholds("cochannel_max = 3\nclient_snr_min_db = twenty\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "line 2: value of 'client_snr_min_db' is not a number: 'twenty'");

  auto frac = ParseThresholds("cochannel_max = 3.5");
  ASSERT_FALSE(frac);
  EXPECT_NE(frac.error().message.find("must be an integer"), std::string::npos);

  auto no_eq = ParseThresholds("\n\ncochannel_max 3");
  ASSERT_FALSE(no_eq);
  EXPECT_EQ(no_eq.error().message, "line 3: expected 'key = value'");

  auto twice = ParseThresholds("cochannel_max = 3\ncochannel_max = 4");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("line 2"), std::string::npos);

  EXPECT_FALSE(ParseThresholds("cochannel_max ="));
  EXPECT_FALSE(ParseThresholds("noise_high_dbm = -80dB"));
  EXPECT_FALSE(ParseThresholds("noise_high_dbm = inf"));
}

TEST(Thresholds, FormatRoundTrips) {
  Thresholds t;
  t.client_signal_weak_dbm = -73.5;
  t.window_s = 43200;
  t.probe.median_window = 1800;
  auto back = ParseThresholds(FormatThresholds(t));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, t);
  const std::string text = FormatThresholds(t);
  std::size_t lines_with_keys = 0;
  for (std::string_view key : ThresholdKeys()) {
    lines_with_keys += text.find("\n" + std::string(key) + " = ") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(lines_with_keys, ThresholdKeys().size());
}

TEST(Thresholds, ShippedConfigIsTheDefaults) {
  // ctest runs tests in the source directory; HILO_SOURCE_DIR, when set, says so explicitly.
  const char* root = std::getenv("HILO_SOURCE_DIR");
  auto t = LoadThresholdsFile(std::string(root ? root : ".") + "/config/diagnosis.conf");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, Thresholds{});
  EXPECT_EQ(LoadThresholdsFile("/nonexistent/diagnosis.conf").error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace hilo::diagnosis
