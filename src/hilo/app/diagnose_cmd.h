#pragma once
// `hilo diagnose FILE`: runs the diagnosis engine on one home scenario (the format of
// tests/diagnosis/*.json -- {"input": {...}} or the input object itself, see
// diagnosis/findings_value.h) and prints the findings as JSON.
//
//   return RunDiagnoseFile("tests/diagnosis/scenarios/area_outage_active.json", "");
//
// thresholds_path empty: the built-in defaults. Returns the process exit code: 0 with the
// findings array on stdout; 1 with the reason on stderr (unreadable file, bad JSON, bad input,
// bad thresholds). Thread-compatible (writes to the standard streams).

#include <string>

namespace hilo::app {

int RunDiagnoseFile(const std::string& path, const std::string& thresholds_path);

}  // namespace hilo::app
