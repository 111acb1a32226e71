// docs/openapi.yaml and the router must list the same routes.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_server.h"

namespace hilo::testing {
namespace {

std::set<std::string> DocumentedRoutes(const std::string& yaml) {
  std::set<std::string> out;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false;
  std::regex path_re(R"(^  (/[^:\s]*):\s*$)");
  std::regex method_re(R"(^    (get|post|put|patch|delete):)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "paths:") { in_paths = true; continue; }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ') break;
    if (std::regex_match(line, m, path_re)) path = m[1];
    else if (std::regex_search(line, m, method_re)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(method + " " + path);
    }
  }
  return out;
}

TEST(OpenApi, DocumentAndRouterAgree) {
  const char* src = HILO_SOURCE_DIR;
  std::ifstream f(std::string(src) + "/docs/openapi.yaml");
  ASSERT_TRUE(f) << "docs/openapi.yaml is missing";
  std::stringstream ss;
  ss << f.rdbuf();
  auto documented = DocumentedRoutes(ss.str());
  TestServer s;
  std::set<std::string> served;
  for (const auto& r : s.api().Routes()) served.insert(r.method + " " + r.pattern);
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << "route not in docs/openapi.yaml: " << r;
  for (const auto& r : documented) EXPECT_TRUE(served.count(r)) << "documented but not served: " << r;
  // The server also serves the document it was built with.
  EXPECT_EQ(s.Get("", "/api/v1/openapi.yaml").text, ss.str());
}

}  // namespace
}  // namespace hilo::testing
