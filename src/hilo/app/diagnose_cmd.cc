#include "hilo/app/diagnose_cmd.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "hilo/diagnosis/engine.h"
#include "hilo/diagnosis/findings_value.h"
#include "hilo/diagnosis/thresholds.h"
#include "hilo/json/json.h"

namespace hilo::app {

int RunDiagnoseFile(const std::string& path, const std::string& thresholds_path) {
  diagnosis::Thresholds thresholds;
  if (!thresholds_path.empty()) {
    auto t = diagnosis::LoadThresholdsFile(thresholds_path);
    if (!t) {
      std::cerr << "hilo diagnose: " << thresholds_path << ": " << t.error().message << "\n";
      return 1;
    }
    thresholds = std::move(*t);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "hilo diagnose: cannot open " << path << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  // Scenario files of a whole home with 24 h of history run to megabytes.
  auto doc = ParseJson(text.str(), std::size_t{256} << 20);
  if (!doc) {
    std::cerr << "hilo diagnose: " << path << ": " << doc.error().message << "\n";
    return 1;
  }
  if (!doc->IsObject()) {
    std::cerr << "hilo diagnose: " << path << ": expected a JSON object\n";
    return 1;
  }
  const Value& input_value = doc->Has("input") ? doc->Get("input") : *doc;
  auto input = diagnosis::InputFromValue(input_value);
  if (!input) {
    std::cerr << "hilo diagnose: " << path << ": " << input.error().message
              << (input.error().field.empty() ? "" : " (" + input.error().field + ")") << "\n";
    return 1;
  }
  diagnosis::Engine engine(std::move(thresholds));
  std::cout << ToJson(diagnosis::ToValue(engine.Diagnose(*input))) << "\n";
  return 0;
}

}  // namespace hilo::app
