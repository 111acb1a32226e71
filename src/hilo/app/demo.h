#pragma once
// The demo data: the story from product.md told the way it should have gone, plus a few
// thousand generated customers, sites, devices and cases in Spanish and English so that lists
// and search look real. Deterministic for a given seed and "now".

#include <string>
#include <vector>

#include "hilo/core/store.h"
#include "hilo/http/credentials.h"

namespace hilo::app {

struct DemoOptions {
  int generated_customers = 3000;
  unsigned seed = 2001;
  std::string password = "hilo-demo";
  http::Argon2Cost password_cost;
};

struct DemoLogin {
  std::string role;
  std::string username;
  std::string display_name;
};

struct DemoResult {
  Id story_customer = 0;
  Id story_case = 0;
  std::string gateway_serial;  // the story's gateway, for the simulator
  std::string gateway_oui;
  std::string gateway_product_class;
  std::vector<DemoLogin> logins;
};

Result<DemoResult> SeedDemo(Store& store, const DemoOptions& options, Time now);

// Bulk data for benchmarks: customers (each with a site, an internet service and a gateway)
// and cases whose timelines add up to `events` events. Fast: one transaction per 10,000 rows.
struct BulkOptions {
  int customers = 1000000;
  long events = 10000000;
  int events_per_case = 10;
  unsigned seed = 7;
};
Status SeedBulk(Store& store, const BulkOptions& options, Time now, const std::function<void(std::string)>& progress);

}  // namespace hilo::app
