#pragma once
// Normalize: a CPE's parameter tree (as kept by the ACS) → one DeviceSnapshot.
//
//   ParameterMap params;
//   params["Device.WiFi.Radio.1.Channel"] = {"6", "xsd:unsignedInt", now};
//   params["Device.WiFi.Radio.1.OperatingFrequencyBand"] = {"2.4GHz", "xsd:string", now};
//   DeviceSnapshot s = Normalize(params, now);   // s.radios[0].channel == 6
//
// Recognises TR-181 (`Device.`) and TR-098 (`InternetGatewayDevice.`) trees; see
// diagnosis-reference.md §1 for the parameter → field mapping. Forgiving by design, because
// real gateways vary: unknown parameters are ignored, a missing or unparsable value leaves the
// field empty, nothing throws. Tenth-dB DOCSIS values are divided by 10, Data Elements
// utilisation (0..255) becomes a percentage, a client SignalStrength of 0 dBm means "unknown".
// TR-098 has no standard per-client RSSI / noise / retry fields; common vendor extensions
// (X_<VENDOR>_RSSI, ..._SignalStrength, ..._SNR, ..._Noise, ..._Retransmissions) are mapped by
// suffix.

#include <map>
#include <string>

#include "hilo/base/time.h"
#include "hilo/telemetry/snapshot.h"

namespace hilo::telemetry {

struct Parameter {
  std::string value;
  std::string type;  // xsd type as reported, e.g. "xsd:unsignedInt"; may be empty
  Time updated = 0;  // when the ACS last received this value
};

// Full parameter path (no trailing dot) → latest value.
using ParameterMap = std::map<std::string, Parameter>;

// `now` becomes the snapshot's taken_at (the pure layers never read a clock).
DeviceSnapshot Normalize(const ParameterMap& params, Time now);

}  // namespace hilo::telemetry
