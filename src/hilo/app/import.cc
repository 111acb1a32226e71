#include "hilo/app/import.h"

#include <map>

#include "hilo/app/csv.h"
#include "hilo/base/text.h"
#include "hilo/core/rut.h"

namespace hilo::app {
namespace {

struct Spec {
  std::string_view kind;
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional;
};

const Spec kSpecs[] = {
    {"customers", {"national_id", "name"}, {"phones", "emails", "language", "customer_since"}},
    {"sites", {"customer_national_id", "address"}, {"city"}},
    {"services", {"customer_national_id", "kind"}, {"plan", "status", "site_address"}},
    {"devices", {"customer_national_id", "kind", "serial"}, {"oui", "product_class", "label", "mac", "site_address"}},
};

std::unexpected<Error> LineError(int line, std::string_view field, const std::string& message) {
  return Fail(Errc::kInvalidArgument, "line " + std::to_string(line) + ", field " + std::string(field) + ": " + message,
              std::string(field));
}

class Row {
 public:
  Row(const CsvTable& t, const CsvRow& r) : t_(t), r_(r) {}
  std::string Get(std::string_view name) const {
    int col = t_.Column(name);
    return col < 0 ? std::string() : std::string(Trim(r_.fields[static_cast<std::size_t>(col)]));
  }
  int line() const { return r_.line; }

 private:
  const CsvTable& t_;
  const CsvRow& r_;
};

std::vector<std::string> List(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (auto part : Split(text, ';'))
    if (!Trim(part).empty()) out.emplace_back(Trim(part));
  return out;
}

Result<Customer> CustomerOf(StoreTx& tx, const Row& row) {
  std::string raw = row.Get("customer_national_id");
  auto rut = NormalizeRut(raw);
  if (!rut) return LineError(row.line(), "customer_national_id", rut.error().message);
  auto c = tx.FindCustomerByNationalId(*rut);
  if (!c) return std::unexpected(c.error());
  if (!*c) return LineError(row.line(), "customer_national_id", "no customer with national id " + *rut);
  return **c;
}

Result<Id> SiteByAddress(StoreTx& tx, const Row& row, Id customer) {
  std::string address = row.Get("site_address");
  if (address.empty()) return Id{0};
  auto sites = tx.SitesOf(customer);
  if (!sites) return std::unexpected(sites.error());
  for (const auto& s : *sites)
    if (FoldForSearch(s.address) == FoldForSearch(address)) return s.id;
  return LineError(row.line(), "site_address", "the customer has no site at '" + address + "'");
}

Status ImportRow(StoreTx& tx, std::string_view kind, const Row& row) {
  if (kind == "customers") {
    Customer c;
    auto rut = NormalizeRut(row.Get("national_id"));
    if (!rut) return LineError(row.line(), "national_id", rut.error().message);
    c.national_id = *rut;
    c.name = row.Get("name");
    if (c.name.empty()) return LineError(row.line(), "name", "is empty");
    c.phones = List(row.Get("phones"));
    c.emails = List(row.Get("emails"));
    for (const auto& e : c.emails)
      if (e.find('@') == std::string::npos) return LineError(row.line(), "emails", "'" + e + "' is not an email address");
    if (std::string lang = row.Get("language"); !lang.empty()) {
      auto l = ParseLanguage(lang);
      if (!l) return LineError(row.line(), "language", "is es or en, not '" + lang + "'");
      c.language = *l;
    }
    if (std::string since = row.Get("customer_since"); !since.empty()) {
      auto t = ParseIsoTime(since);
      if (!t) return LineError(row.line(), "customer_since", "'" + since + "' is not a date (YYYY-MM-DD)");
      c.customer_since = *t;
    }
    auto id = tx.InsertCustomer(c);
    if (!id) return LineError(row.line(), "national_id", id.error().message);
    return Ok();
  }
  auto customer = CustomerOf(tx, row);
  if (!customer) return std::unexpected(customer.error());
  if (kind == "sites") {
    Site s{.customer_id = customer->id, .address = row.Get("address"), .city = row.Get("city")};
    if (s.address.empty()) return LineError(row.line(), "address", "is empty");
    auto id = tx.InsertSite(s);
    if (!id) return LineError(row.line(), "address", id.error().message);
    return Ok();
  }
  auto site = SiteByAddress(tx, row, customer->id);
  if (!site) return std::unexpected(site.error());
  if (kind == "services") {
    Service s{.customer_id = customer->id, .site_id = *site, .plan = row.Get("plan")};
    auto k = ParseServiceKind(row.Get("kind"));
    if (!k) return LineError(row.line(), "kind", "is internet, tv or phone, not '" + row.Get("kind") + "'");
    s.kind = *k;
    if (std::string status = row.Get("status"); !status.empty()) {
      auto st = ParseServiceStatus(status);
      if (!st) return LineError(row.line(), "status", "is active, suspended or cancelled");
      s.status = *st;
    }
    auto id = tx.InsertService(s);
    if (!id) return LineError(row.line(), "kind", id.error().message);
    return Ok();
  }
  Device d{.customer_id = customer->id, .site_id = *site, .oui = row.Get("oui"), .product_class = row.Get("product_class"),
           .serial = row.Get("serial"), .label = row.Get("label"), .mac = row.Get("mac")};
  auto k = ParseDeviceKind(row.Get("kind"));
  if (!k) return LineError(row.line(), "kind", "is gateway, modem, set_top_box or client");
  d.kind = *k;
  if (d.serial.empty()) return LineError(row.line(), "serial", "is empty");
  auto id = tx.InsertDevice(d);
  if (!id) return LineError(row.line(), "serial", id.error().message);
  return Ok();
}

}  // namespace

Result<ImportResult> ImportCsv(Store& store, std::string_view kind, std::string_view csv_text) {
  const Spec* spec = nullptr;
  for (const auto& s : kSpecs)
    if (s.kind == kind) spec = &s;
  if (!spec) return Fail(Errc::kInvalidArgument, "import customers, sites, services or devices, not '" + std::string(kind) + "'");
  auto table = ParseCsv(csv_text);
  if (!table) return std::unexpected(table.error());
  for (auto col : spec->required)
    if (table->Column(col) < 0) return Fail(Errc::kInvalidArgument, "line 1: the header lacks the column '" + std::string(col) + "'", std::string(col));
  for (const auto& h : table->header) {
    bool known = std::find(spec->required.begin(), spec->required.end(), h) != spec->required.end() ||
                 std::find(spec->optional.begin(), spec->optional.end(), h) != spec->optional.end();
    if (!known) return Fail(Errc::kInvalidArgument, "line 1: unknown column '" + h + "'", h);
  }
  ImportResult result;
  // One unit of work: the first bad line rolls back every line before it.
  HILO_TRY(store.WriteSync([&](StoreTx& tx) -> Status {
    for (const auto& r : table->rows) HILO_TRY(ImportRow(tx, kind, Row(*table, r)));
    result.rows = static_cast<int>(table->rows.size());
    return Ok();
  }));
  return result;
}

}  // namespace hilo::app
