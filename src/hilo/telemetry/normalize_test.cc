#include "hilo/telemetry/normalize.h"

#include <gtest/gtest.h>

namespace hilo::telemetry {
namespace {

constexpr Time kNow = 1'790'000'000;

ParameterMap Params(std::initializer_list<std::pair<const char*, const char*>> kv) {
  ParameterMap m;
  for (const auto& [k, v] : kv) m[k] = Parameter{v, "xsd:string", kNow};
  return m;
}

TEST(Normalize, Tr181FullTree) {
  ParameterMap p = Params({
      {"Device.DeviceInfo.ManufacturerOUI", "00D09E"},
      {"Device.DeviceInfo.ProductClass", "CGM4331"},
      {"Device.DeviceInfo.SerialNumber", "SN123"},
      {"Device.DeviceInfo.SoftwareVersion", "7.2.1"},
      {"Device.DeviceInfo.HardwareVersion", "2.0"},
      {"Device.DeviceInfo.UpTime", "86400"},
      {"Device.DeviceInfo.MemoryStatus.Total", "524288"},
      {"Device.DeviceInfo.MemoryStatus.Free", "131072"},
      {"Device.DeviceInfo.ProcessStatus.CPUUsage", "37"},
      {"Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.Value", "61"},
      {"Device.DeviceInfo.TemperatureStatus.TemperatureSensor.2.Value", "78"},
      {"Device.DeviceInfo.TemperatureStatus.TemperatureSensor.2.HighAlarmValue", "90"},
      {"Device.DeviceInfo.TemperatureStatus.TemperatureSensor.3.Value", "-274"},
      {"Device.DeviceInfo.Reboots.BootCount", "12"},
      {"Device.DeviceInfo.Reboots.WatchdogBootCount", "3"},
      {"Device.DeviceInfo.Reboots.Reboot.1.Reason", "Watchdog"},
      {"Device.DeviceInfo.Reboots.Reboot.2.Reason", "FirmwareUpdate"},
      {"Device.DeviceInfo.Reboots.Reboot.2.FirmwareUpdated", "true"},
      {"Device.DeviceInfo.Reboots.Reboot.2.TimeStamp", "2026-09-21T10:00:00Z"},
      {"Device.WiFi.Radio.1.OperatingFrequencyBand", "2.4GHz"},
      {"Device.WiFi.Radio.1.Channel", "6"},
      {"Device.WiFi.Radio.1.AutoChannelEnable", "false"},
      {"Device.WiFi.Radio.1.OperatingChannelBandwidth", "Auto"},
      {"Device.WiFi.Radio.1.CurrentOperatingChannelBandwidth", "20MHz"},
      {"Device.WiFi.Radio.1.TransmitPower", "100"},
      {"Device.WiFi.Radio.1.ChannelsInUse", "1,6,11"},
      {"Device.WiFi.Radio.1.ChannelLastSelectionReason", "Manual"},
      {"Device.WiFi.Radio.1.Stats.Noise", "-88"},
      {"Device.WiFi.Radio.1.Stats.PacketsSent", "1000000"},
      {"Device.WiFi.Radio.1.Stats.ErrorsSent", "1200"},
      {"Device.WiFi.Radio.1.Stats.TotalChannelChangeCount", "4"},
      {"Device.WiFi.Radio.2.OperatingFrequencyBand", "5GHz"},
      {"Device.WiFi.Radio.2.Channel", "36"},
      {"Device.WiFi.Radio.2.AutoChannelEnable", "1"},
      {"Device.WiFi.Radio.2.ChannelsInUse", "36-40"},
      {"Device.WiFi.Radio.2.Stats.Noise", "garbage"},
      {"Device.WiFi.SSID.1.SSID", "Casa"},
      {"Device.WiFi.SSID.1.LowerLayers", "Device.WiFi.Radio.1."},
      {"Device.WiFi.SSID.1.Stats.RetransCount", "5000"},
      {"Device.WiFi.SSID.2.SSID", "Casa-5G"},
      {"Device.WiFi.SSID.2.LowerLayers", "Device.WiFi.Radio.2"},
      {"Device.WiFi.AccessPoint.1.SSIDReference", "Device.WiFi.SSID.1."},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress", "AA-BB-CC-00-00-01"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength", "-71"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.Retransmissions", "12"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.LastDataDownlinkRate", "72000"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.LastDataUplinkRate", "65000"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.Active", "true"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.AssociationTime", "2026-09-21T10:05:00Z"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.2.MACAddress", "aa:bb:cc:00:00:02"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.2.SignalStrength", "0"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.2.Retransmissions", "250"},
      {"Device.WiFi.AccessPoint.2.SSIDReference", "Device.WiFi.SSID.2."},
      {"Device.WiFi.AccessPoint.2.AssociatedDevice.1.MACAddress", "AABBCC000003"},
      {"Device.WiFi.AccessPoint.2.AssociatedDevice.1.SignalStrength", "-55"},
      {"Device.WiFi.AccessPoint.2.AssociatedDevice.1.SNR", "38"},
      {"Device.WiFi.AccessPoint.2.AssociatedDevice.1.AssociationTime", "0001-01-01T00:00:00Z"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.1.BSSID", "11:22:33:44:55:66"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.1.SSID", "Vecino"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.1.Channel", "6"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.1.SignalStrength", "-60"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.1.OperatingFrequencyBand", "2.4GHz"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.2.BSSID", "11:22:33:44:55:67"},
      {"Device.WiFi.NeighboringWiFiDiagnostic.Result.2.Channel", "44"},
      {"Device.WiFi.DataElements.Network.Device.1.Radio.1.Utilization", "153"},
      {"Device.WiFi.DataElements.Network.Device.1.Radio.1.ReceiveOther", "51"},
      {"Device.Hosts.Host.1.PhysAddress", "AA:BB:CC:00:00:01"},
      {"Device.Hosts.Host.1.HostName", "laptop-ana"},
      {"Device.Hosts.Host.1.IPAddress", "192.168.0.10"},
      {"Device.Hosts.Host.1.InterfaceType", "Wi-Fi"},
      {"Device.Hosts.Host.1.Active", "true"},
      {"Device.Hosts.Host.2.PhysAddress", "AA:BB:CC:00:00:09"},
      {"Device.Hosts.Host.2.InterfaceType", "Ethernet"},
      {"Device.DOCSIS.DownstreamChannel.1.Power", "-35"},
      {"Device.DOCSIS.DownstreamChannel.1.Modulation", "QAM256"},
      {"Device.DOCSIS.DownstreamChannel.1.SignalQuality.SignalNoise", "384"},
      {"Device.DOCSIS.DownstreamChannel.1.SignalQuality.ExtCorrecteds", "100"},
      {"Device.DOCSIS.DownstreamChannel.1.SignalQuality.ExtUncorrectables", "7"},
      {"Device.DOCSIS.DownstreamChannel.1.SignalQuality.Unerroreds", "900000"},
      {"Device.DOCSIS.DownstreamChannel.1.SignalQualityExt.RxMER", "392"},
      {"Device.DOCSIS.UpstreamChannel.1.Status.TxPower", "455"},
      {"Device.DOCSIS.UpstreamChannel.1.Status.T3Timeouts", "2"},
      {"Device.DOCSIS.UpstreamChannel.1.Status.T4Timeouts", "0"},
      {"Device.Unknown.Thing", "x"},
      {"Device.WiFi.Radio.abc.Channel", "1"},
  });
  DeviceSnapshot s = Normalize(p, kNow);
  EXPECT_EQ(s.data_model, DataModel::kTr181);
  EXPECT_EQ(s.taken_at, kNow);
  EXPECT_EQ(s.oui, "00D09E");
  EXPECT_EQ(s.product_class, "CGM4331");
  EXPECT_EQ(s.serial, "SN123");
  EXPECT_EQ(s.software_version, "7.2.1");
  EXPECT_EQ(s.uptime_s, 86400);
  EXPECT_EQ(s.memory_free_kib, 131072);
  EXPECT_EQ(s.cpu_pct, 37);
  EXPECT_EQ(s.temperature_c, 78);  // hottest sensor, -274 ignored
  EXPECT_EQ(s.temperature_high_alarm_c, 90);
  EXPECT_EQ(s.reboots.boot_count, 12u);
  EXPECT_EQ(s.reboots.watchdog_boot_count, 3u);
  EXPECT_EQ(s.reboots.last_reason, "FirmwareUpdate");
  EXPECT_EQ(s.reboots.last_firmware_updated, true);
  EXPECT_EQ(s.reboots.last_time, ParseIsoTime("2026-09-21T10:00:00Z"));

  ASSERT_EQ(s.radios.size(), 2u);
  const Radio& r1 = s.radios[0];
  EXPECT_EQ(r1.index, 1);
  EXPECT_EQ(r1.band, Band::k2_4GHz);
  EXPECT_EQ(r1.channel, 6);
  EXPECT_EQ(r1.auto_channel, false);
  EXPECT_EQ(r1.bandwidth, "20MHz");
  EXPECT_EQ(r1.transmit_power_pct, 100);
  EXPECT_EQ(r1.channels_in_use, (std::vector<int>{1, 6, 11}));
  EXPECT_EQ(r1.noise_dbm, -88);
  EXPECT_EQ(r1.stats.packets_sent, 1000000u);
  EXPECT_EQ(r1.stats.errors_sent, 1200u);
  EXPECT_EQ(r1.stats.total_channel_changes, 4u);
  ASSERT_TRUE(r1.utilization_pct);
  EXPECT_NEAR(*r1.utilization_pct, 60.0, 0.01);  // 153 / 255
  EXPECT_NEAR(*r1.receive_other_pct, 20.0, 0.01);
  const Radio& r2 = s.radios[1];
  EXPECT_EQ(r2.band, Band::k5GHz);
  EXPECT_EQ(r2.auto_channel, true);
  EXPECT_EQ(r2.channels_in_use, (std::vector<int>{36, 37, 38, 39, 40}));
  EXPECT_FALSE(r2.noise_dbm);  // "garbage" → empty, no throw

  ASSERT_EQ(s.access_points.size(), 2u);
  EXPECT_EQ(s.access_points[0].ssid, "Casa");
  EXPECT_EQ(s.access_points[0].radio_index, 1);
  EXPECT_EQ(s.access_points[0].retrans_count, 5000u);
  EXPECT_EQ(s.access_points[1].radio_index, 2);

  ASSERT_EQ(s.clients.size(), 3u);
  const Client& c1 = s.clients[0];
  EXPECT_EQ(c1.mac, "aa:bb:cc:00:00:01");
  EXPECT_EQ(c1.mac_key, 0xaabbcc000001u);
  EXPECT_EQ(c1.band, Band::k2_4GHz);
  EXPECT_EQ(c1.radio_index, 1);
  EXPECT_EQ(c1.signal_dbm, -71);
  EXPECT_EQ(c1.retransmissions_pct, 12);
  EXPECT_EQ(c1.downlink_kbps, 72000);
  EXPECT_EQ(c1.uplink_kbps, 65000);
  EXPECT_EQ(c1.active, true);
  EXPECT_EQ(c1.association_time, ParseIsoTime("2026-09-21T10:05:00Z"));
  const Client& c2 = s.clients[1];
  EXPECT_FALSE(c2.signal_dbm);           // 0 dBm = unknown
  EXPECT_FALSE(c2.retransmissions_pct);  // 250 is outside 0..100
  const Client& c3 = s.clients[2];
  EXPECT_EQ(c3.mac, "aa:bb:cc:00:00:03");
  EXPECT_EQ(c3.band, Band::k5GHz);
  EXPECT_EQ(c3.snr_db, 38);
  EXPECT_FALSE(c3.association_time);  // the "unknown time" sentinel

  ASSERT_EQ(s.neighbors.size(), 2u);
  EXPECT_EQ(s.neighbors[0].bssid, "11:22:33:44:55:66");
  EXPECT_EQ(s.neighbors[0].band, Band::k2_4GHz);
  EXPECT_EQ(s.neighbors[0].signal_dbm, -60);
  EXPECT_EQ(s.neighbors[1].band, Band::k5GHz);  // inferred from channel 44

  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[0].hostname, "laptop-ana");
  EXPECT_FALSE(s.hosts[0].IsWired());
  EXPECT_TRUE(s.hosts[1].IsWired());

  ASSERT_EQ(s.docsis_downstream.size(), 1u);
  const DocsisDownstream& d = s.docsis_downstream[0];
  EXPECT_DOUBLE_EQ(*d.power_dbmv, -3.5);
  EXPECT_DOUBLE_EQ(*d.snr_db, 38.4);
  EXPECT_DOUBLE_EQ(*d.mer_db, 39.2);
  EXPECT_EQ(d.corrected, 100u);
  EXPECT_EQ(d.uncorrectable, 7u);
  EXPECT_EQ(d.unerrored, 900000u);  // 32-bit counter used when no Ext one
  ASSERT_EQ(s.docsis_upstream.size(), 1u);
  EXPECT_DOUBLE_EQ(*s.docsis_upstream[0].tx_power_dbmv, 45.5);
  EXPECT_EQ(s.docsis_upstream[0].t3_timeouts, 2u);
  EXPECT_EQ(s.docsis_upstream[0].t4_timeouts, 0u);
}

TEST(Normalize, Tr098Tree) {
  ParameterMap p = Params({
      {"InternetGatewayDevice.DeviceInfo.ManufacturerOUI", "001018"},
      {"InternetGatewayDevice.DeviceInfo.ProductClass", "HG8245"},
      {"InternetGatewayDevice.DeviceInfo.SerialNumber", "ABC"},
      {"InternetGatewayDevice.DeviceInfo.SoftwareVersion", "V3R017"},
      {"InternetGatewayDevice.DeviceInfo.UpTime", "3600"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", "Casa"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel", "11"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AutoChannelEnable", "true"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TransmitPower", "80"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Standard", "n"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.RadioEnabled", "1"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalPacketsSent", "5000"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Stats.ErrorsSent", "50"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceMACAddress",
       "00:11:22:33:44:55"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceIPAddress",
       "192.168.1.5"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.LastDataTransmitRate", "130"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.X_HW_RSSI", "-77"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.X_HW_Retransmissions", "31"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceAuthenticationState",
       "true"},
      // Guest SSID on the same 2.4 GHz radio.
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.SSID", "Casa-Invitados"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.Channel", "11"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID", "Casa-5G"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.Channel", "149"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.AssociatedDeviceMACAddress",
       "00:11:22:33:44:66"},
      {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.LastDataTransmitRate", "866000"},
      {"InternetGatewayDevice.LANDevice.1.Hosts.Host.1.MACAddress", "00:11:22:33:44:55"},
      {"InternetGatewayDevice.LANDevice.1.Hosts.Host.1.HostName", "tablet"},
      {"InternetGatewayDevice.LANDevice.1.Hosts.Host.1.InterfaceType", "802.11"},
      {"InternetGatewayDevice.LANDevice.1.Hosts.Host.1.Active", "1"},
      {"InternetGatewayDevice.LANDevice.1.Hosts.Host.2.MACAddress", "00:11:22:33:44:77"},
      {"InternetGatewayDevice.LANDevice.1.Hosts.Host.2.InterfaceType", "Ethernet"},
  });
  DeviceSnapshot s = Normalize(p, kNow);
  EXPECT_EQ(s.data_model, DataModel::kTr098);
  EXPECT_EQ(s.oui, "001018");
  EXPECT_EQ(s.serial, "ABC");
  EXPECT_EQ(s.uptime_s, 3600);
  ASSERT_EQ(s.radios.size(), 2u);  // 2.4 GHz (main + guest) and 5 GHz
  EXPECT_EQ(s.radios[0].band, Band::k2_4GHz);
  EXPECT_EQ(s.radios[0].channel, 11);
  EXPECT_EQ(s.radios[0].auto_channel, true);
  EXPECT_EQ(s.radios[0].transmit_power_pct, 80);
  EXPECT_EQ(s.radios[0].stats.packets_sent, 5000u);
  EXPECT_EQ(s.radios[0].stats.errors_sent, 50u);
  EXPECT_EQ(s.radios[1].band, Band::k5GHz);
  ASSERT_EQ(s.access_points.size(), 3u);
  EXPECT_EQ(s.access_points[1].ssid, "Casa-Invitados");
  EXPECT_EQ(s.access_points[1].radio_index, s.radios[0].index);
  ASSERT_EQ(s.clients.size(), 2u);
  EXPECT_EQ(s.clients[0].mac, "00:11:22:33:44:55");
  EXPECT_EQ(s.clients[0].band, Band::k2_4GHz);
  EXPECT_EQ(s.clients[0].signal_dbm, -77);  // vendor extension
  EXPECT_EQ(s.clients[0].retransmissions_pct, 31);
  EXPECT_EQ(s.clients[0].downlink_kbps, 130000);  // "130" read as Mbps
  EXPECT_EQ(s.clients[0].active, true);
  EXPECT_EQ(s.clients[1].band, Band::k5GHz);
  EXPECT_EQ(s.clients[1].downlink_kbps, 866000);  // already kbps
  EXPECT_FALSE(s.clients[1].signal_dbm);          // TR-098 has no standard RSSI
  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[0].hostname, "tablet");
  EXPECT_TRUE(s.hosts[1].IsWired());
}

TEST(Normalize, EmptyAndHostileInputNeverThrows) {
  EXPECT_EQ(Normalize({}, kNow).data_model, DataModel::kUnknown);
  ParameterMap p = Params({
      {"", ""},
      {".", "."},
      {"Device", "x"},
      {"Device.WiFi.Radio.99999999999999999999.Channel", "1"},
      {"Device.WiFi.Radio.1.Channel", "99999999999999999999"},
      {"Device.WiFi.Radio.1.TransmitPower", "-5"},
      {"Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength", "-60"},  // no MAC: dropped
      {"Device.WiFi.Radio.1.ChannelsInUse", "1-9999999999,a-b,,3"},
      {"Device.A.B.C.D.E.F.G.H.I.J.K.L.M.N.O", "deep"},
  });
  DeviceSnapshot s = Normalize(p, kNow);
  ASSERT_EQ(s.radios.size(), 1u);
  EXPECT_FALSE(s.radios[0].channel);
  EXPECT_FALSE(s.radios[0].transmit_power_pct);
  EXPECT_EQ(s.radios[0].channels_in_use, (std::vector<int>{3}));
  EXPECT_TRUE(s.clients.empty());
}

}  // namespace
}  // namespace hilo::telemetry
