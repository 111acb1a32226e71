// Runs every labelled home scenario in tests/diagnosis/scenarios/ through the diagnosis engine
// (with the shipped config/diagnosis.conf) and compares the top finding with the label.
// Prints "corpus accuracy: N/M" and requires at least 90 %; each miss is printed with the
// findings the engine gave, so a regression names the home it broke.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hilo/diagnosis/engine.h"
#include "hilo/diagnosis/findings_value.h"
#include "hilo/diagnosis/thresholds.h"
#include "hilo/json/json.h"

namespace hilo::diagnosis {
namespace {

namespace fs = std::filesystem;

std::string SourceDir() {
  const char* dir = std::getenv("HILO_SOURCE_DIR");
  return dir ? dir : ".";
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Scenario {
  std::string file;
  std::string expected;
  DiagnosisInput input;
};

std::vector<Scenario> LoadCorpus() {
  std::vector<Scenario> out;
  const fs::path dir = fs::path(SourceDir()) / "tests" / "diagnosis" / "scenarios";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    auto doc = ParseJson(ReadFile(p), 8 << 20, 64);
    EXPECT_TRUE(doc) << p << ": " << (doc ? "" : doc.error().message);
    if (!doc) continue;
    auto input = InputFromValue(doc->Get("input"));
    EXPECT_TRUE(input) << p << ": " << (input ? "" : input.error().message);
    if (!input) continue;
    const std::string& expected = doc->Get("expected_top_finding").AsString();
    EXPECT_FALSE(expected.empty()) << p << ": no expected_top_finding";
    out.push_back({p.filename().string(), expected, std::move(*input)});
  }
  return out;
}

TEST(DiagnosisCorpus, TopFindingAccuracy) {
  auto thresholds = LoadThresholdsFile(SourceDir() + "/config/diagnosis.conf");
  ASSERT_TRUE(thresholds) << thresholds.error().message;
  const Engine engine(*thresholds);
  const std::vector<Scenario> corpus = LoadCorpus();
  ASSERT_GE(corpus.size(), 30u) << "the corpus must hold at least 30 scenarios";

  int correct = 0, healthy = 0, false_alarms = 0;
  std::map<std::string, std::pair<int, int>> per_label;  // label -> (correct, total)
  for (const Scenario& s : corpus) {
    const std::vector<Finding> findings = engine.Diagnose(s.input);
    const std::string top = findings.empty() ? "none" : findings.front().code;
    const bool ok = top == s.expected;
    correct += ok;
    auto& [c, n] = per_label[s.expected];
    c += ok;
    ++n;
    if (s.expected == "none") {
      ++healthy;
      false_alarms += findings.empty() ? 0 : 1;
    }
    if (!ok) {
      std::string got;
      for (const Finding& f : findings) got += f.code + "(" + std::string(SeverityName(f.severity)) + ", " +
                                              std::to_string(f.confidence).substr(0, 4) + ") ";
      std::cout << "MISS " << s.file << ": expected " << s.expected << ", got " << (got.empty() ? "none" : got) << "\n";
    }
  }
  for (const auto& [label, cn] : per_label) {
    std::cout << "  " << label << ": " << cn.first << "/" << cn.second << "\n";
  }
  std::cout << "corpus accuracy: " << correct << "/" << corpus.size() << "\n";
  std::cout << "healthy homes with a false alarm: " << false_alarms << "/" << healthy << "\n";
  RecordProperty("corpus_accuracy", std::to_string(correct) + "/" + std::to_string(corpus.size()));
  EXPECT_GE(correct * 10, static_cast<int>(corpus.size()) * 9) << "accuracy below 90 %";
  EXPECT_GE(healthy, 5) << "the corpus needs several healthy homes";
  EXPECT_EQ(false_alarms, 0) << "a healthy home must produce no finding";
}

// Every finding the corpus produces is complete enough to show a customer and an agent.
TEST(DiagnosisCorpus, FindingsAreExplainedAndActionable) {
  const Engine engine;
  for (const Scenario& s : LoadCorpus()) {
    for (const Finding& f : engine.Diagnose(s.input)) {
      SCOPED_TRACE(s.file + " " + f.code);
      EXPECT_FALSE(f.customer_text_es.empty());
      EXPECT_FALSE(f.customer_text_en.empty());
      EXPECT_FALSE(f.agent_text.empty());
      EXPECT_FALSE(f.evidence.empty());
      EXPECT_FALSE(f.next_actions.empty());
      EXPECT_GT(f.confidence, 0.0);
      EXPECT_LE(f.confidence, 1.0);
      // Round-trips through JSON (what the API will send).
      auto back = ParseJson(ToJson(ToValue(f)));
      ASSERT_TRUE(back);
      EXPECT_EQ(back->Get("code").AsString(), f.code);
    }
  }
}

}  // namespace
}  // namespace hilo::diagnosis
