#pragma once
// `hilo import KIND FILE`: customers, sites, services and devices from CSV, all or nothing.
//
// Columns (header row required; order free; extra columns refused so typos surface):
//   customers: national_id, name, phones (';'-separated), emails (';'), language, customer_since
//   sites:     customer_national_id, address, city
//   services:  customer_national_id, kind, plan, status, site_address
//   devices:   customer_national_id, kind, oui, product_class, serial, label, mac, site_address
// Every error names the line and the field: "line 7, field national_id: the RUT check digit does
// not match". One bad line imports nothing.

#include <string>
#include <string_view>

#include "hilo/core/store.h"

namespace hilo::app {

struct ImportResult {
  int rows = 0;
};

Result<ImportResult> ImportCsv(Store& store, std::string_view kind, std::string_view csv_text);

}  // namespace hilo::app
