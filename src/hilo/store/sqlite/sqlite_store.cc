#include "hilo/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "hilo/base/text.h"
#include "hilo/core/rut.h"
#include "hilo/json/json.h"
#include "hilo/store/sqlite/migrations.h"
#include "hilo/store/sqlite/sqlite_conn.h"

namespace hilo {
namespace {

// Column lists read by ReadCpe / ReadCase, in their order. Macros so that each statement stays one
// string literal (the statement cache is keyed by the literal's address).
#define HILO_SELECT_CPE                                                                                      \
  "SELECT id, oui, product_class, serial, COALESCE(device_id, 0), COALESCE(customer_id, 0), manufacturer, " \
  "data_model, software_version, connection_request_url, cwmp_version, remote_address, last_events, "      \
  "periodic_interval_s, first_seen, last_inform, provisioned, stats_paths FROM cpes"
#define HILO_SELECT_CASE                                                                                       \
  "SELECT id, customer_id, COALESCE(service_id, 0), category, subject, status, COALESCE(assignee_id, 0), " \
  "opened_at, updated_at, resolved_at, COALESCE(split_from, 0), contact_count, reask_count, reopen_count, " \
  "last_seq FROM cases"


using sqlite_internal::Conn;
using sqlite_internal::Stmt;

std::string LanguageText(Language l) { return std::string(LanguageCode(l)); }

// The words of an event that full-text search should find.
std::string SearchableText(const Event& e) {
  std::string text;
  for (const char* field : {"text", "what", "details", "reason"}) {
    const Value& v = e.body.Get(field);
    if (v.IsString()) {
      if (!text.empty()) text.push_back(' ');
      text += v.AsString();
    }
  }
  return text;
}

// FTS5 query from user words: each word quoted (so punctuation cannot inject syntax) and
// prefix-matched, all words required.
std::string FtsQuery(std::string_view words) {
  std::string q;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!q.empty()) q += " AND ";
    q += "\"" + word + "\"*";
    word.clear();
  };
  for (char c : words) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u)) word.push_back(c);
    else flush();
  }
  flush();
  return q;
}

// Implements every read and write over one connection. The transaction boundary belongs to
// the caller (SqliteStore::Impl).
class SqliteOps final : public StoreTx {
 public:
  explicit SqliteOps(Conn& conn) : c_(conn) {}

  Result<Customer> GetCustomer(Id id) override {
    auto st = c_.Prepare("SELECT id, name, COALESCE(national_id, ''), language, customer_since FROM customers WHERE id = ?");
    st.Bind(1, id);
    if (!st.Step()) return st.ok() ? Fail(Errc::kNotFound, "no customer " + std::to_string(id), "customer_id") : Err("get customer");
    Customer c = ReadCustomer(st);
    HILO_TRY(LoadContacts(c));
    return c;
  }

  Result<std::vector<Customer>> SearchCustomers(const CustomerQuery& q) override {
    std::string text(Trim(q.text));
    std::vector<Id> ids;
    auto add = [&](Id id) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end() && static_cast<int>(ids.size()) < q.limit) ids.push_back(id);
    };
    if (text.empty()) return std::vector<Customer>{};
    if (auto rut = NormalizeRutLoose(text); !rut.empty()) {
      auto st = c_.Prepare("SELECT id FROM customers WHERE national_id = ?");
      st.Bind(1, rut);
      while (st.Step()) add(st.Int(0));
    }
    std::string folded = FoldForSearch(text);
    std::string digits = DigitsOnly(text);
    {
      auto st = c_.Prepare("SELECT DISTINCT customer_id FROM customer_contacts WHERE search = ? OR search = ? LIMIT 50");
      st.Bind(1, folded).Bind(2, digits.size() >= 6 ? digits : std::string("\x01"));
      while (st.Step()) add(st.Int(0));
    }
    if (digits.size() >= 6 && digits.size() < 11) {
      // A local number without the country code: match the end of stored numbers.
      auto st = c_.Prepare("SELECT DISTINCT customer_id FROM customer_contacts WHERE kind = 'phone' AND search LIKE ? LIMIT 50");
      st.Bind(1, "%" + digits);
      while (st.Step()) add(st.Int(0));
    }
    {
      auto st = c_.Prepare("SELECT DISTINCT customer_id FROM devices WHERE serial_fold = ? AND customer_id IS NOT NULL LIMIT 50");
      st.Bind(1, folded);
      while (st.Step()) add(st.Int(0));
    }
    if (std::string fts = FtsQuery(text); !fts.empty() && static_cast<int>(ids.size()) < q.limit) {
      auto st = c_.Prepare("SELECT rowid FROM customer_names WHERE customer_names MATCH ? ORDER BY rank LIMIT ?");
      st.Bind(1, fts).Bind(2, q.limit);
      while (st.Step()) add(st.Int(0));
      if (!st.ok()) return Err("search customers");
    }
    std::vector<Customer> out;
    for (Id id : ids) {
      auto c = GetCustomer(id);
      if (c) out.push_back(std::move(*c));
    }
    return out;
  }

  Result<std::optional<Customer>> FindCustomerByNationalId(std::string_view national_id) override {
    auto st = c_.Prepare("SELECT id FROM customers WHERE national_id = ?");
    st.Bind(1, national_id);
    if (!st.Step()) {
      if (!st.ok()) return Err("find customer");
      return std::optional<Customer>();
    }
    Id id = st.Int(0);
    auto c = GetCustomer(id);
    if (!c) return std::unexpected(c.error());
    return std::optional<Customer>(std::move(*c));
  }

  Result<std::vector<Service>> ServicesOf(Id customer_id) override {
    auto st = c_.Prepare("SELECT id, customer_id, COALESCE(site_id, 0), kind, plan, status FROM services WHERE customer_id = ? ORDER BY id");
    st.Bind(1, customer_id);
    std::vector<Service> out;
    while (st.Step()) {
      Service s;
      s.id = st.Int(0);
      s.customer_id = st.Int(1);
      s.site_id = st.Int(2);
      s.kind = ParseServiceKind(st.Text(3)).value_or(ServiceKind::kInternet);
      s.plan = st.Text(4);
      s.status = ParseServiceStatus(st.Text(5)).value_or(ServiceStatus::kActive);
      out.push_back(std::move(s));
    }
    if (!st.ok()) return Err("list services");
    return out;
  }

  Result<std::vector<Site>> SitesOf(Id customer_id) override {
    auto st = c_.Prepare("SELECT id, customer_id, address, city FROM sites WHERE customer_id = ? ORDER BY id");
    st.Bind(1, customer_id);
    std::vector<Site> out;
    while (st.Step()) out.push_back(Site{st.Int(0), st.Int(1), st.Text(2), st.Text(3)});
    if (!st.ok()) return Err("list sites");
    return out;
  }

  Result<std::vector<Device>> DevicesOf(Id customer_id) override {
    auto st = c_.Prepare(
        "SELECT id, COALESCE(customer_id, 0), COALESCE(site_id, 0), kind, oui, product_class, serial, label, mac "
        "FROM devices WHERE customer_id = ? ORDER BY id");
    st.Bind(1, customer_id);
    std::vector<Device> out;
    while (st.Step()) out.push_back(ReadDevice(st));
    if (!st.ok()) return Err("list devices");
    return out;
  }

  Result<std::optional<Device>> FindDeviceById(Id device_id) override {
    auto st = c_.Prepare(
        "SELECT id, COALESCE(customer_id, 0), COALESCE(site_id, 0), kind, oui, product_class, serial, label, mac "
        "FROM devices WHERE id = ?");
    st.Bind(1, device_id);
    if (st.Step()) return std::optional<Device>(ReadDevice(st));
    if (!st.ok()) return Err("find device");
    return std::optional<Device>();
  }

  Result<std::optional<Device>> FindDeviceBySerial(std::string_view oui, std::string_view product_class,
                                                   std::string_view serial) override {
    auto st = c_.Prepare(
        "SELECT id, COALESCE(customer_id, 0), COALESCE(site_id, 0), kind, oui, product_class, serial, label, mac "
        "FROM devices WHERE serial = ? AND (oui = ? OR ? = '') AND (product_class = ? OR ? = '') LIMIT 1");
    st.Bind(1, serial).Bind(2, oui).Bind(3, oui).Bind(4, product_class).Bind(5, product_class);
    if (st.Step()) return std::optional<Device>(ReadDevice(st));
    if (!st.ok()) return Err("find device");
    return std::optional<Device>();
  }

  Result<Case> GetCase(Id id) override {
    auto st = c_.Prepare(
        HILO_SELECT_CASE " WHERE id = ?");
    st.Bind(1, id);
    if (!st.Step()) return st.ok() ? Fail(Errc::kNotFound, "no case " + std::to_string(id), "case_id") : Err("get case");
    return ReadCase(st);
  }

  Result<std::vector<Case>> FindCases(const CaseQuery& q) override {
    std::vector<Case> out;
    const char* sql;
    if (!q.words.empty()) {
      std::string fts = FtsQuery(q.words);
      if (fts.empty()) return out;
      auto st = c_.Prepare(
          "SELECT c.id, c.customer_id, COALESCE(c.service_id, 0), c.category, c.subject, c.status, "
          "COALESCE(c.assignee_id, 0), c.opened_at, c.updated_at, c.resolved_at, COALESCE(c.split_from, 0), "
          "c.contact_count, c.reask_count, c.reopen_count, c.last_seq FROM cases c WHERE c.id IN "
          "(SELECT e.case_id FROM event_words w JOIN events e ON e.id = w.rowid WHERE event_words MATCH ?1) "
          "AND (?2 = 0 OR c.customer_id = ?2) AND (?3 = '' OR c.status = ?3) AND (?4 = 0 OR c.assignee_id = ?4) "
          "ORDER BY c.updated_at DESC LIMIT ?5");
      st.Bind(1, fts).Bind(2, q.customer_id).Bind(3, q.status ? CaseStatusName(*q.status) : "").Bind(4, q.assignee_id).Bind(5, q.limit);
      while (st.Step()) out.push_back(ReadCase(st));
      if (!st.ok()) return Err("search cases");
      return out;
    }
    if (q.customer_id != 0) {
      sql = HILO_SELECT_CASE " WHERE customer_id = ?1 AND (?2 = '' OR status = ?2) AND (?3 = 0 OR assignee_id = ?3) "
            "ORDER BY updated_at DESC LIMIT ?4";
    } else if (q.assignee_id != 0) {
      sql = HILO_SELECT_CASE " WHERE assignee_id = ?3 AND (?1 = 0) AND (?2 = '' OR status = ?2) "
            "ORDER BY updated_at DESC LIMIT ?4";
    } else {
      sql = HILO_SELECT_CASE " WHERE (?1 = 0) AND (?3 = 0) AND (?2 = '' OR status = ?2) "
            "ORDER BY updated_at DESC LIMIT ?4";
    }
    auto st = c_.Prepare(sql);
    st.Bind(1, q.customer_id).Bind(2, q.status ? CaseStatusName(*q.status) : "").Bind(3, q.assignee_id).Bind(4, q.limit);
    while (st.Step()) out.push_back(ReadCase(st));
    if (!st.ok()) return Err("list cases");
    return out;
  }

  Result<std::vector<Event>> EventsOf(Id case_id) override {
    auto st = c_.Prepare(
        "SELECT id, case_id, seq, kind, at, actor_id, actor_name, actor_role, internal, body FROM events "
        "WHERE case_id = ? ORDER BY seq");
    st.Bind(1, case_id);
    std::vector<Event> out;
    while (st.Step()) {
      Event e;
      e.id = st.Int(0);
      e.case_id = st.Int(1);
      e.seq = static_cast<int>(st.Int(2));
      e.kind = ParseEventKind(st.Text(3)).value_or(EventKind::kNote);
      e.at = st.Int(4);
      e.actor_id = st.Int(5);
      e.actor_name = st.Text(6);
      e.actor_role = ParseRole(st.Text(7)).value_or(Role::kAgent);
      e.internal = st.Int(8) != 0;
      auto body = ParseJson(st.Text(9));
      e.body = body ? std::move(*body) : Value::MakeObject();
      out.push_back(std::move(e));
    }
    if (!st.ok()) return Err("list events");
    return out;
  }

  Result<User> GetUser(Id id) override {
    auto st = c_.Prepare("SELECT id, username, display_name, role, COALESCE(customer_id, 0), language, password_hash FROM users WHERE id = ?");
    st.Bind(1, id);
    if (!st.Step()) return st.ok() ? Fail(Errc::kNotFound, "no user " + std::to_string(id), "user_id") : Err("get user");
    return ReadUser(st).user;
  }

  Result<UserCredentials> GetUserByName(std::string_view username) override {
    auto st = c_.Prepare("SELECT id, username, display_name, role, COALESCE(customer_id, 0), language, password_hash FROM users WHERE username = ?");
    st.Bind(1, username);
    if (!st.Step()) return st.ok() ? Fail(Errc::kNotFound, "no such user", "username") : Err("get user");
    return ReadUser(st);
  }

  Result<std::vector<User>> ListUsers() override {
    auto st = c_.Prepare("SELECT id, username, display_name, role, COALESCE(customer_id, 0), language, password_hash FROM users WHERE role <> 'customer' ORDER BY id");
    std::vector<User> out;
    while (st.Step()) out.push_back(ReadUser(st).user);
    if (!st.ok()) return Err("list users");
    return out;
  }

  Result<std::optional<SessionRecord>> GetSession(std::string_view digest) override {
    auto st = c_.Prepare("SELECT user_id, expires_at FROM sessions WHERE token_digest = ?");
    st.Bind(1, digest);
    if (st.Step()) return std::optional<SessionRecord>(SessionRecord{st.Int(0), st.Int(1)});
    if (!st.ok()) return Err("get session");
    return std::optional<SessionRecord>();
  }


  // ---- gateways

  Result<Cpe> GetCpe(Id id) override {
    auto st = c_.Prepare(
        HILO_SELECT_CPE " WHERE id = ?");
    st.Bind(1, id);
    if (!st.Step()) return st.ok() ? Fail(Errc::kNotFound, "no gateway " + std::to_string(id), "gateway_id") : Err("get gateway");
    return ReadCpe(st);
  }

  Result<std::optional<Cpe>> FindCpe(std::string_view oui, std::string_view product_class, std::string_view serial) override {
    auto st = c_.Prepare(
        HILO_SELECT_CPE " WHERE oui = ? AND product_class = ? AND serial = ?");
    st.Bind(1, oui).Bind(2, product_class).Bind(3, serial);
    if (st.Step()) return std::optional<Cpe>(ReadCpe(st));
    if (!st.ok()) return Err("find gateway");
    return std::optional<Cpe>();
  }

  Result<std::vector<AreaOutage>> AreaOutages(Time from, Time to) override {
    auto st = c_.Prepare(
        "SELECT id, description, cities, start_at, end_at FROM area_outages WHERE start_at <= ? AND (end_at = 0 OR end_at >= ?) "
        "ORDER BY start_at");
    st.Bind(1, to).Bind(2, from);
    std::vector<AreaOutage> out;
    while (st.Step()) {
      AreaOutage o{.id = st.Int(0), .description = st.Text(1), .start = st.Int(3), .end = st.Int(4)};
      const std::string cities = st.Text(2);
      for (auto c : Split(cities, '\n'))
        if (!c.empty()) o.cities.emplace_back(c);
      out.push_back(std::move(o));
    }
    if (!st.ok()) return Err("list area outages");
    return out;
  }

  Result<std::optional<Cpe>> FindCpeBySerial(std::string_view serial) override {
    auto st = c_.Prepare(
        HILO_SELECT_CPE " WHERE serial = ? ORDER BY id LIMIT 1");
    st.Bind(1, serial);
    if (st.Step()) return std::optional<Cpe>(ReadCpe(st));
    if (!st.ok()) return Err("find gateway");
    return std::optional<Cpe>();
  }

  Result<std::vector<Cpe>> ListCpes(bool unlinked_only, int limit) override {
    const char* sql = unlinked_only ? HILO_SELECT_CPE " WHERE device_id IS NULL ORDER BY last_inform DESC LIMIT ?"
                                    : HILO_SELECT_CPE " ORDER BY last_inform DESC LIMIT ?";
    auto st = c_.Prepare(sql);
    st.Bind(1, limit);
    std::vector<Cpe> out;
    while (st.Step()) out.push_back(ReadCpe(st));
    if (!st.ok()) return Err("list gateways");
    return out;
  }

  Result<std::vector<Cpe>> CpesOfCustomer(Id customer_id) override {
    auto st = c_.Prepare(
        HILO_SELECT_CPE " WHERE customer_id = ? ORDER BY id");
    st.Bind(1, customer_id);
    std::vector<Cpe> out;
    while (st.Step()) out.push_back(ReadCpe(st));
    if (!st.ok()) return Err("list customer gateways");
    return out;
  }

  Result<std::vector<CpeParam>> CpeParams(Id cpe_id) override {
    auto st = c_.Prepare("SELECT tree FROM cpe_params WHERE cpe_id = ?");
    st.Bind(1, cpe_id);
    std::vector<CpeParam> out;
    if (!st.Step()) {
      if (!st.ok()) return Err("read parameters");
      return out;
    }
    DecodeTree(st.Text(0), out);
    return out;
  }

  Result<CpeTask> GetTask(Id id) override {
    auto st = c_.Prepare(
        "SELECT id, cpe_id, kind, args, status, created_at, sent_at, done_at, expires_at, fault_code, fault_string, "
        "result, COALESCE(case_id, 0), requested_by, reason FROM cpe_tasks WHERE id = ?");
    st.Bind(1, id);
    if (!st.Step()) return st.ok() ? Fail(Errc::kNotFound, "no task " + std::to_string(id), "task_id") : Err("get task");
    return ReadTask(st);
  }

  Result<std::vector<CpeTask>> TasksOf(Id cpe_id, bool open_only, int limit) override {
    auto st = c_.Prepare(
        "SELECT id, cpe_id, kind, args, status, created_at, sent_at, done_at, expires_at, fault_code, fault_string, "
        "result, COALESCE(case_id, 0), requested_by, reason FROM cpe_tasks WHERE cpe_id = ?1 "
        "AND (?2 = 0 OR status IN ('pending', 'sent')) ORDER BY id DESC LIMIT ?3");
    st.Bind(1, cpe_id).Bind(2, open_only ? 1 : 0).Bind(3, limit);
    std::vector<CpeTask> out;
    while (st.Step()) out.push_back(ReadTask(st));
    if (!st.ok()) return Err("list tasks");
    return out;
  }

  Result<std::optional<CpeTask>> NextPendingTask(Id cpe_id, Time now) override {
    auto st = c_.Prepare(
        "SELECT id, cpe_id, kind, args, status, created_at, sent_at, done_at, expires_at, fault_code, fault_string, "
        "result, COALESCE(case_id, 0), requested_by, reason FROM cpe_tasks WHERE cpe_id = ? AND status = 'pending' "
        "AND expires_at > ? ORDER BY id LIMIT 1");
    st.Bind(1, cpe_id).Bind(2, now);
    if (st.Step()) return std::optional<CpeTask>(ReadTask(st));
    if (!st.ok()) return Err("next task");
    return std::optional<CpeTask>();
  }

  Result<std::vector<CpeHistoryPoint>> CpeHistory(Id cpe_id, Time from, Time to) override {
    auto st = c_.Prepare("SELECT at, snapshot FROM cpe_history WHERE cpe_id = ? AND at BETWEEN ? AND ? ORDER BY at");
    st.Bind(1, cpe_id).Bind(2, from).Bind(3, to);
    return ReadPoints(st, "read history");
  }

  Result<std::vector<CpeHistoryPoint>> CpeHourly(Id cpe_id, Time from, Time to) override {
    auto st = c_.Prepare("SELECT hour, aggregates FROM cpe_history_hourly WHERE cpe_id = ? AND hour BETWEEN ? AND ? ORDER BY hour");
    st.Bind(1, cpe_id).Bind(2, from).Bind(3, to);
    return ReadPoints(st, "read hourly history");
  }

  // ---- active probes

  Result<std::vector<ProbeEventRecord>> ProbeEventsOf(Id customer_id, std::int64_t from_ms, std::int64_t to_ms) override {
    // Events last seconds to minutes: bounding start_ms by a day keeps the index range tight.
    auto st = c_.Prepare(
        "SELECT id, customer_id, COALESCE(cpe_id, 0), kind, leg, start_ms, end_ms, severity, lost, samples, peak_rtt_ms, "
        "baseline_rtt_ms FROM probe_events WHERE customer_id = ?1 AND start_ms BETWEEN ?2 - 86400000 AND ?3 "
        "AND end_ms >= ?2 ORDER BY start_ms, id");
    st.Bind(1, customer_id).Bind(2, from_ms).Bind(3, to_ms);
    std::vector<ProbeEventRecord> out;
    while (st.Step()) {
      ProbeEventRecord r;
      r.id = st.Int(0);
      r.customer_id = st.Int(1);
      r.cpe_id = st.Int(2);
      r.kind = st.Text(3);
      r.leg = st.Text(4);
      r.start_ms = st.Int(5);
      r.end_ms = st.Int(6);
      r.severity = st.Text(7);
      r.lost = st.Int(8);
      r.samples = st.Int(9);
      r.peak_rtt_ms = st.Real(10);
      r.baseline_rtt_ms = st.Real(11);
      out.push_back(std::move(r));
    }
    if (!st.ok()) return Err("list probe events");
    return out;
  }

  Result<std::optional<ProbeState>> GetProbeState(Id customer_id) override {
    auto st = c_.Prepare("SELECT customer_id, COALESCE(cpe_id, 0), coverage_start_ms, last_ms, tail FROM probe_state WHERE customer_id = ?");
    st.Bind(1, customer_id);
    if (!st.Step()) {
      if (!st.ok()) return Err("get probe state");
      return std::optional<ProbeState>();
    }
    ProbeState p;
    p.customer_id = st.Int(0);
    p.cpe_id = st.Int(1);
    p.coverage_start_ms = st.Int(2);
    p.last_ms = st.Int(3);
    auto tail = ParseJson(st.Text(4), 16 << 20);
    p.tail = tail ? std::move(*tail) : Value();
    return std::optional<ProbeState>(std::move(p));
  }

  // ---- writes

  Result<Id> InsertCustomer(const Customer& c) override {
    auto st = c_.Prepare("INSERT INTO customers(name, national_id, language, customer_since) VALUES (?, ?, ?, ?)");
    st.Bind(1, c.name).BindTextOrNull(2, c.national_id).Bind(3, LanguageText(c.language)).Bind(4, c.customer_since);
    st.Step();
    if (!st.ok()) {
      Error e = c_.LastError("insert customer");
      if (e.code == Errc::kAlreadyExists) return Fail(Errc::kAlreadyExists, "a customer with this national id exists", "national_id");
      return std::unexpected(e);
    }
    Id id = sqlite3_last_insert_rowid(c_.db());
    {
      auto names = c_.Prepare("INSERT INTO customer_names(rowid, name) VALUES (?, ?)");
      names.Bind(1, id).Bind(2, c.name);
      names.Step();
      if (!names.ok()) return Err("index customer name");
    }
    int pos = 0;
    for (const auto& phone : c.phones) HILO_TRY(InsertContact(id, "phone", pos++, phone, DigitsOnly(phone)));
    pos = 0;
    for (const auto& email : c.emails) HILO_TRY(InsertContact(id, "email", pos++, email, FoldForSearch(Trim(email))));
    return id;
  }

  Result<Id> InsertSite(const Site& s) override {
    auto st = c_.Prepare("INSERT INTO sites(customer_id, address, city) VALUES (?, ?, ?)");
    st.Bind(1, s.customer_id).Bind(2, s.address).Bind(3, s.city);
    return Inserted(st, "insert site");
  }

  Result<Id> InsertService(const Service& s) override {
    auto st = c_.Prepare("INSERT INTO services(customer_id, site_id, kind, plan, status) VALUES (?, ?, ?, ?, ?)");
    st.Bind(1, s.customer_id).BindIdOrNull(2, s.site_id).Bind(3, ServiceKindName(s.kind)).Bind(4, s.plan).Bind(5, ServiceStatusName(s.status));
    return Inserted(st, "insert service");
  }

  Result<Id> InsertDevice(const Device& d) override {
    auto st = c_.Prepare(
        "INSERT INTO devices(customer_id, site_id, kind, oui, product_class, serial, serial_fold, label, mac) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.BindIdOrNull(1, d.customer_id).BindIdOrNull(2, d.site_id).Bind(3, DeviceKindName(d.kind)).Bind(4, d.oui)
        .Bind(5, d.product_class).Bind(6, d.serial).Bind(7, FoldForSearch(d.serial)).Bind(8, d.label).Bind(9, d.mac);
    auto id = Inserted(st, "insert device");
    if (!id && id.error().code == Errc::kAlreadyExists)
      return Fail(Errc::kAlreadyExists, "a device with this OUI, product class and serial exists", "serial");
    return id;
  }

  Result<Id> InsertUser(const User& u, std::string_view password_hash) override {
    auto st = c_.Prepare(
        "INSERT INTO users(username, display_name, role, customer_id, language, password_hash) VALUES (?, ?, ?, ?, ?, ?)");
    st.Bind(1, u.username).Bind(2, u.display_name).Bind(3, RoleName(u.role)).BindIdOrNull(4, u.customer_id)
        .Bind(5, LanguageText(u.language)).Bind(6, password_hash);
    auto id = Inserted(st, "insert user");
    if (!id && id.error().code == Errc::kAlreadyExists) return Fail(Errc::kAlreadyExists, "this username is taken", "username");
    return id;
  }

  Result<Id> InsertCase(const Case& c) override {
    auto st = c_.Prepare(
        "INSERT INTO cases(customer_id, service_id, category, subject, status, assignee_id, opened_at, updated_at, "
        "resolved_at, split_from, contact_count, reask_count, reopen_count, last_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.Bind(1, c.customer_id).BindIdOrNull(2, c.service_id).Bind(3, c.category).Bind(4, c.subject)
        .Bind(5, CaseStatusName(c.status)).BindIdOrNull(6, c.assignee_id).Bind(7, c.opened_at).Bind(8, c.updated_at)
        .Bind(9, c.resolved_at).BindIdOrNull(10, c.split_from).Bind(11, c.contact_count).Bind(12, c.reask_count)
        .Bind(13, c.reopen_count).Bind(14, c.last_seq);
    return Inserted(st, "insert case");
  }

  Status UpdateCase(const Case& c) override {
    auto st = c_.Prepare(
        "UPDATE cases SET category = ?, subject = ?, status = ?, assignee_id = ?, updated_at = ?, resolved_at = ?, "
        "contact_count = ?, reask_count = ?, reopen_count = ?, last_seq = ? WHERE id = ?");
    st.Bind(1, c.category).Bind(2, c.subject).Bind(3, CaseStatusName(c.status)).BindIdOrNull(4, c.assignee_id)
        .Bind(5, c.updated_at).Bind(6, c.resolved_at).Bind(7, c.contact_count).Bind(8, c.reask_count)
        .Bind(9, c.reopen_count).Bind(10, c.last_seq).Bind(11, c.id);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("update case"));
    if (sqlite3_changes(c_.db()) == 0) return Fail(Errc::kNotFound, "no case " + std::to_string(c.id), "case_id");
    return Ok();
  }

  Result<Id> AppendEvent(const Event& e) override {
    auto st = c_.Prepare(
        "INSERT INTO events(case_id, seq, kind, at, actor_id, actor_name, actor_role, internal, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.Bind(1, e.case_id).Bind(2, e.seq).Bind(3, EventKindName(e.kind)).Bind(4, e.at).Bind(5, e.actor_id)
        .Bind(6, e.actor_name).Bind(7, RoleName(e.actor_role)).Bind(8, e.internal ? 1 : 0).Bind(9, ToJson(e.body));
    auto id = Inserted(st, "append event");
    if (!id) {
      if (id.error().code == Errc::kAlreadyExists)
        return Fail(Errc::kConflict, "the case changed meanwhile; try again", "seq");
      return id;
    }
    if (std::string words = SearchableText(e); !words.empty()) {
      auto fts = c_.Prepare("INSERT INTO event_words(rowid, text) VALUES (?, ?)");
      fts.Bind(1, *id).Bind(2, words);
      fts.Step();
      if (!fts.ok()) return Err("index event words");
    }
    return id;
  }


  Result<Id> InsertAreaOutage(const AreaOutage& o) override {
    std::string cities;
    for (const auto& c : o.cities) cities += c + "\n";
    auto st = c_.Prepare("INSERT INTO area_outages(description, cities, start_at, end_at) VALUES (?, ?, ?, ?)");
    st.Bind(1, o.description).Bind(2, cities).Bind(3, o.start).Bind(4, o.end);
    return Inserted(st, "insert area outage");
  }

  Result<Id> InsertCpe(const Cpe& c) override {
    auto st = c_.Prepare(
        "INSERT INTO cpes(oui, product_class, serial, device_id, customer_id, manufacturer, data_model, software_version, "
        "connection_request_url, cwmp_version, remote_address, last_events, periodic_interval_s, first_seen, last_inform, "
        "provisioned, stats_paths) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    BindCpe(st, c);
    return Inserted(st, "insert gateway");
  }

  Status UpdateCpe(const Cpe& c) override {
    auto st = c_.Prepare(
        "UPDATE cpes SET oui = ?1, product_class = ?2, serial = ?3, device_id = ?4, customer_id = ?5, manufacturer = ?6, "
        "data_model = ?7, software_version = ?8, connection_request_url = ?9, cwmp_version = ?10, remote_address = ?11, "
        "last_events = ?12, periodic_interval_s = ?13, first_seen = ?14, last_inform = ?15, provisioned = ?16, "
        "stats_paths = ?17 WHERE id = ?18");
    BindCpe(st, c);
    st.Bind(18, c.id);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("update gateway"));
    return Ok();
  }

  Result<std::vector<CpeParam>> MergeCpeParams(Id cpe_id, const std::vector<CpeParam>& params) override {
    auto tree = CpeParams(cpe_id);
    if (!tree) return std::unexpected(tree.error());
    // Index the stored names once so merging n values costs n lookups, not n scans.
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(tree->size() + params.size());
    for (std::size_t i = 0; i < tree->size(); ++i) index.emplace((*tree)[i].name, i);
    std::vector<CpeParam> added;
    for (const auto& p : params) {
      auto it = index.find(p.name);
      if (it != index.end()) (*tree)[it->second] = p;
      else added.push_back(p);
    }
    for (auto& p : added) tree->push_back(std::move(p));
    auto st = c_.Prepare("INSERT INTO cpe_params(cpe_id, tree) VALUES (?, ?) ON CONFLICT(cpe_id) DO UPDATE SET tree = excluded.tree");
    st.Bind(1, cpe_id).Bind(2, EncodeTree(*tree));
    st.Step();
    if (!st.ok()) return Err("store parameters");
    return std::move(*tree);
  }

  Result<Id> InsertTask(const CpeTask& t) override {
    auto st = c_.Prepare(
        "INSERT INTO cpe_tasks(cpe_id, kind, args, status, created_at, sent_at, done_at, expires_at, fault_code, "
        "fault_string, result, case_id, requested_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    BindTask(st, t);
    return Inserted(st, "insert task");
  }

  Status UpdateTask(const CpeTask& t) override {
    auto st = c_.Prepare(
        "UPDATE cpe_tasks SET cpe_id = ?1, kind = ?2, args = ?3, status = ?4, created_at = ?5, sent_at = ?6, done_at = ?7, "
        "expires_at = ?8, fault_code = ?9, fault_string = ?10, result = ?11, case_id = ?12, requested_by = ?13, reason = ?14 "
        "WHERE id = ?15");
    BindTask(st, t);
    st.Bind(15, t.id);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("update task"));
    return Ok();
  }

  Status RequeueSentTasks(Id cpe_id) override {
    auto st = c_.Prepare("UPDATE cpe_tasks SET status = 'pending', sent_at = 0 WHERE cpe_id = ? AND status = 'sent'");
    st.Bind(1, cpe_id);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("requeue tasks"));
    return Ok();
  }

  Status AppendCpeHistory(Id cpe_id, const CpeHistoryPoint& p) override {
    auto st = c_.Prepare("INSERT OR REPLACE INTO cpe_history(cpe_id, at, snapshot) VALUES (?, ?, ?)");
    st.Bind(1, cpe_id).Bind(2, p.at).Bind(3, ToJson(p.snapshot));
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("append history"));
    return Ok();
  }

  Result<int> DownsampleCpeHistory(Id cpe_id, Time before,
                                   const std::function<Value(const std::vector<CpeHistoryPoint>&)>& aggregate) override {
    auto points = CpeHistory(cpe_id, 0, before - 1);
    if (!points) return std::unexpected(points.error());
    if (points->empty()) return 0;
    std::size_t i = 0;
    while (i < points->size()) {
      Time hour = (*points)[i].at / kHour * kHour;
      std::vector<CpeHistoryPoint> bucket;
      while (i < points->size() && (*points)[i].at / kHour * kHour == hour) bucket.push_back(std::move((*points)[i++]));
      auto st = c_.Prepare("INSERT OR REPLACE INTO cpe_history_hourly(cpe_id, hour, aggregates) VALUES (?, ?, ?)");
      st.Bind(1, cpe_id).Bind(2, hour).Bind(3, ToJson(aggregate(bucket)));
      st.Step();
      if (!st.ok()) return Err("store hourly history");
    }
    auto del = c_.Prepare("DELETE FROM cpe_history WHERE cpe_id = ? AND at < ?");
    del.Bind(1, cpe_id).Bind(2, before);
    del.Step();
    if (!del.ok()) return Err("drop downsampled history");
    return static_cast<int>(points->size());
  }

  Status AppendProbeEvents(const std::vector<ProbeEventRecord>& events) override {
    for (const auto& e : events) {
      auto st = c_.Prepare(
          "INSERT INTO probe_events(customer_id, cpe_id, kind, leg, start_ms, end_ms, severity, lost, samples, peak_rtt_ms, "
          "baseline_rtt_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      st.Bind(1, e.customer_id).BindIdOrNull(2, e.cpe_id).Bind(3, e.kind).Bind(4, e.leg).Bind(5, e.start_ms)
          .Bind(6, e.end_ms).Bind(7, e.severity).Bind(8, e.lost).Bind(9, e.samples).BindReal(10, e.peak_rtt_ms)
          .BindReal(11, e.baseline_rtt_ms);
      st.Step();
      if (!st.ok()) return std::unexpected(c_.LastError("append probe event"));
    }
    return Ok();
  }

  Status PutProbeState(const ProbeState& p) override {
    auto st = c_.Prepare(
        "INSERT OR REPLACE INTO probe_state(customer_id, cpe_id, coverage_start_ms, last_ms, tail) VALUES (?, ?, ?, ?, ?)");
    st.Bind(1, p.customer_id).BindIdOrNull(2, p.cpe_id).Bind(3, p.coverage_start_ms).Bind(4, p.last_ms).Bind(5, ToJson(p.tail));
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("store probe state"));
    return Ok();
  }

  Status InsertSession(std::string_view digest, const SessionRecord& s) override {
    auto st = c_.Prepare("INSERT INTO sessions(token_digest, user_id, expires_at) VALUES (?, ?, ?)");
    st.Bind(1, digest).Bind(2, s.user_id).Bind(3, s.expires_at);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("insert session"));
    return Ok();
  }

  Status DeleteSession(std::string_view digest) override {
    auto st = c_.Prepare("DELETE FROM sessions WHERE token_digest = ?");
    st.Bind(1, digest);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("delete session"));
    return Ok();
  }

 private:
  std::unexpected<Error> Err(std::string_view what) { return std::unexpected(c_.LastError(what)); }

  Result<Id> Inserted(Stmt& st, std::string_view what) {
    st.Step();
    if (!st.ok()) return Err(what);
    return sqlite3_last_insert_rowid(c_.db());
  }

  Status InsertContact(Id customer, const char* kind, int pos, const std::string& value, const std::string& search) {
    auto st = c_.Prepare("INSERT INTO customer_contacts(customer_id, kind, position, value, search) VALUES (?, ?, ?, ?, ?)");
    st.Bind(1, customer).Bind(2, kind).Bind(3, pos).Bind(4, value).Bind(5, search);
    st.Step();
    if (!st.ok()) return std::unexpected(c_.LastError("insert contact"));
    return Ok();
  }

  static std::string NormalizeRutLoose(const std::string& text) {
    // Only strings that look like a RUT (digits, dots, dash, K) are tried as one.
    for (char c : text)
      if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == 'k' || c == 'K')) return {};
    std::string compact;
    for (char c : text)
      if (c != '.' && c != '-') compact.push_back(c == 'k' ? 'K' : c);
    if (compact.size() < 8 || compact.size() > 9) return {};
    return compact.substr(0, compact.size() - 1) + "-" + compact.back();
  }

  Status LoadContacts(Customer& c) {
    auto st = c_.Prepare("SELECT kind, value FROM customer_contacts WHERE customer_id = ? ORDER BY kind, position");
    st.Bind(1, c.id);
    while (st.Step()) (st.Text(0) == "phone" ? c.phones : c.emails).push_back(st.Text(1));
    if (!st.ok()) return Err("load contacts");
    return Ok();
  }



  // The parameter tree is stored as one text value, a line per parameter:
  // name TAB value TAB type TAB time, with '\\', TAB and newline escaped. It is read and
  // rewritten in every CWMP session, so it avoids a JSON round trip (measured: the JSON tree was
  // most of an ACS session's CPU).
  static void AppendEscapedField(std::string& out, std::string_view s) {
    for (char c : s) {
      if (c == '\\') out += "\\\\";
      else if (c == '\t') out += "\\t";
      else if (c == '\n') out += "\\n";
      else out.push_back(c);
    }
  }

  static std::string EncodeTree(const std::vector<CpeParam>& tree) {
    std::string out;
    out.reserve(tree.size() * 64);
    for (const auto& p : tree) {
      AppendEscapedField(out, p.name);
      out.push_back('\t');
      AppendEscapedField(out, p.value);
      out.push_back('\t');
      AppendEscapedField(out, p.type);
      out.push_back('\t');
      out += std::to_string(p.updated);
      out.push_back('\n');
    }
    return out;
  }

  static void DecodeTree(std::string_view text, std::vector<CpeParam>& out) {
    std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    out.reserve(lines);
    std::string fields[4];
    int f = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\\' && i + 1 < text.size()) {
        char n = text[++i];
        fields[f].push_back(n == 't' ? '\t' : n == 'n' ? '\n' : n);
      } else if (c == '\t') {
        if (f < 3) ++f;
      } else if (c == '\n') {
        if (f == 3) out.push_back(CpeParam{std::move(fields[0]), std::move(fields[1]), std::move(fields[2]), std::atoll(fields[3].c_str())});
        for (auto& x : fields) x.clear();
        f = 0;
      } else {
        fields[f].push_back(c);
      }
    }
  }

  static Cpe ReadCpe(Stmt& st) {
    Cpe c;
    c.id = st.Int(0);
    c.oui = st.Text(1);
    c.product_class = st.Text(2);
    c.serial = st.Text(3);
    c.device_id = st.Int(4);
    c.customer_id = st.Int(5);
    c.manufacturer = st.Text(6);
    c.data_model = st.Text(7);
    c.software_version = st.Text(8);
    c.connection_request_url = st.Text(9);
    c.cwmp_version = st.Text(10);
    c.remote_address = st.Text(11);
    c.last_events = st.Text(12);
    c.periodic_interval_s = static_cast<int>(st.Int(13));
    c.first_seen = st.Int(14);
    c.last_inform = st.Int(15);
    c.provisioned = st.Int(16) != 0;
    c.stats_paths = static_cast<int>(st.Int(17));
    return c;
  }

  static void BindCpe(Stmt& st, const Cpe& c) {
    st.Bind(1, c.oui).Bind(2, c.product_class).Bind(3, c.serial).BindIdOrNull(4, c.device_id).BindIdOrNull(5, c.customer_id)
        .Bind(6, c.manufacturer).Bind(7, c.data_model).Bind(8, c.software_version).Bind(9, c.connection_request_url)
        .Bind(10, c.cwmp_version).Bind(11, c.remote_address).Bind(12, c.last_events).Bind(13, c.periodic_interval_s)
        .Bind(14, c.first_seen).Bind(15, c.last_inform).Bind(16, c.provisioned ? 1 : 0)
        .Bind(17, c.stats_paths);
  }

  static CpeTask ReadTask(Stmt& st) {
    CpeTask t;
    t.id = st.Int(0);
    t.cpe_id = st.Int(1);
    t.kind = ParseTaskKind(st.Text(2)).value_or(TaskKind::kGetParameterValues);
    auto args = ParseJson(st.Text(3));
    t.args = args ? std::move(*args) : Value::MakeObject();
    t.status = ParseTaskStatus(st.Text(4)).value_or(TaskStatus::kPending);
    t.created_at = st.Int(5);
    t.sent_at = st.Int(6);
    t.done_at = st.Int(7);
    t.expires_at = st.Int(8);
    t.fault_code = static_cast<int>(st.Int(9));
    t.fault_string = st.Text(10);
    auto result = ParseJson(st.Text(11), 64 << 20);
    t.result = result ? std::move(*result) : Value();
    t.case_id = st.Int(12);
    t.requested_by = st.Int(13);
    t.reason = st.Text(14);
    return t;
  }

  static void BindTask(Stmt& st, const CpeTask& t) {
    st.Bind(1, t.cpe_id).Bind(2, TaskKindName(t.kind)).Bind(3, ToJson(t.args)).Bind(4, TaskStatusName(t.status))
        .Bind(5, t.created_at).Bind(6, t.sent_at).Bind(7, t.done_at).Bind(8, t.expires_at).Bind(9, t.fault_code)
        .Bind(10, t.fault_string).Bind(11, ToJson(t.result)).BindIdOrNull(12, t.case_id).Bind(13, t.requested_by)
        .Bind(14, t.reason);
  }

  Result<std::vector<CpeHistoryPoint>> ReadPoints(Stmt& st, std::string_view what) {
    std::vector<CpeHistoryPoint> out;
    while (st.Step()) {
      auto v = ParseJson(st.Text(1), 64 << 20);
      out.push_back(CpeHistoryPoint{st.Int(0), v ? std::move(*v) : Value()});
    }
    if (!st.ok()) return Err(what);
    return out;
  }

  static Customer ReadCustomer(Stmt& st) {
    Customer c;
    c.id = st.Int(0);
    c.name = st.Text(1);
    c.national_id = st.Text(2);
    c.language = ParseLanguage(st.Text(3)).value_or(Language::kEs);
    c.customer_since = st.Int(4);
    return c;
  }

  static Device ReadDevice(Stmt& st) {
    Device d;
    d.id = st.Int(0);
    d.customer_id = st.Int(1);
    d.site_id = st.Int(2);
    d.kind = ParseDeviceKind(st.Text(3)).value_or(DeviceKind::kGateway);
    d.oui = st.Text(4);
    d.product_class = st.Text(5);
    d.serial = st.Text(6);
    d.label = st.Text(7);
    d.mac = st.Text(8);
    return d;
  }

  static Case ReadCase(Stmt& st) {
    Case c;
    c.id = st.Int(0);
    c.customer_id = st.Int(1);
    c.service_id = st.Int(2);
    c.category = st.Text(3);
    c.subject = st.Text(4);
    c.status = ParseCaseStatus(st.Text(5)).value_or(CaseStatus::kOpen);
    c.assignee_id = st.Int(6);
    c.opened_at = st.Int(7);
    c.updated_at = st.Int(8);
    c.resolved_at = st.Int(9);
    c.split_from = st.Int(10);
    c.contact_count = static_cast<int>(st.Int(11));
    c.reask_count = static_cast<int>(st.Int(12));
    c.reopen_count = static_cast<int>(st.Int(13));
    c.last_seq = static_cast<int>(st.Int(14));
    return c;
  }

  static UserCredentials ReadUser(Stmt& st) {
    UserCredentials u;
    u.user.id = st.Int(0);
    u.user.username = st.Text(1);
    u.user.display_name = st.Text(2);
    u.user.role = ParseRole(st.Text(3)).value_or(Role::kCustomer);
    u.user.customer_id = st.Int(4);
    u.user.language = ParseLanguage(st.Text(5)).value_or(Language::kEs);
    u.password_hash = st.Text(6);
    return u;
  }

  Conn& c_;
};

struct WriteUnit {
  std::function<Status(StoreTx&)> job;
  std::function<void(Status)> done;
};

}  // namespace

class SqliteStore::Impl {
 public:
  std::string path;
  SqliteOptions options;
  std::unique_ptr<Conn> writer;
  int schema_version = 0;

  std::mutex pool_mu;
  std::vector<std::unique_ptr<Conn>> idle_readers;

  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<WriteUnit> queue;
  bool stopping = false;
  std::thread writer_thread;
  // Checkpoints run on their own connection and thread, so a commit never waits for the WAL to
  // be copied into the database file (and its fsync).
  std::unique_ptr<Conn> checkpointer;
  std::thread checkpoint_thread;
  std::condition_variable stop_cv;  // wakes the checkpointer at shutdown (never shares queue_cv)

  ~Impl() {
    {
      std::lock_guard lock(queue_mu);
      stopping = true;
    }
    queue_cv.notify_all();
    stop_cv.notify_all();
    if (writer_thread.joinable()) writer_thread.join();
    if (checkpoint_thread.joinable()) checkpoint_thread.join();
    if (checkpointer) (void)checkpointer->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  void CheckpointLoop() {
    while (true) {
      {
        std::unique_lock lock(queue_mu);
        stop_cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping; });
        if (stopping) return;
      }
      int wal_pages = 0, copied = 0;
      sqlite3_wal_checkpoint_v2(checkpointer->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
    }
  }

  Result<std::unique_ptr<Conn>> LeaseReader() {
    {
      std::lock_guard lock(pool_mu);
      if (!idle_readers.empty()) {
        auto c = std::move(idle_readers.back());
        idle_readers.pop_back();
        return c;
      }
    }
    return Conn::Open(path, options.durable);
  }

  void ReturnReader(std::unique_ptr<Conn> c) {
    std::lock_guard lock(pool_mu);
    if (static_cast<int>(idle_readers.size()) < options.read_connections) idle_readers.push_back(std::move(c));
  }

  void WriterLoop() {
    SqliteOps ops(*writer);
    std::vector<WriteUnit> batch;
    std::vector<Status> results;
    while (true) {
      {
        std::unique_lock lock(queue_mu);
        queue_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty() && stopping) return;
        while (!queue.empty() && static_cast<int>(batch.size()) < options.max_batch) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      results.clear();
      Status begun = writer->Exec("BEGIN IMMEDIATE");
      if (!begun) {
        for (auto& u : batch) u.done(begun);
        batch.clear();
        continue;
      }
      for (auto& u : batch) {
        (void)writer->Exec("SAVEPOINT unit");
        Status s;
        try {
          s = u.job(ops);
        } catch (const std::exception& ex) {
          s = Fail(Errc::kInternal, std::string("write failed: ") + ex.what());
        }
        if (s) {
          (void)writer->Exec("RELEASE unit");
        } else {
          (void)writer->Exec("ROLLBACK TO unit");
          (void)writer->Exec("RELEASE unit");
        }
        results.push_back(std::move(s));
      }
      Status committed = writer->Exec("COMMIT");
      if (!committed) (void)writer->Exec("ROLLBACK");
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(committed ? std::move(results[i]) : committed);
      batch.clear();
    }
  }
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

int LatestSchemaVersion() { return sqlite_internal::MigrationCount(); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, const SqliteOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  auto writer = Conn::Open(path, options.durable);
  if (!writer) return std::unexpected(writer.error());
  impl->writer = std::move(*writer);
  auto migrated = sqlite_internal::Migrate(*impl->writer);
  if (!migrated) return std::unexpected(migrated.error());
  impl->schema_version = sqlite_internal::MigrationCount();
  HILO_TRY(impl->writer->Exec("PRAGMA wal_autocheckpoint=0"));
  auto checkpointer = Conn::Open(path, options.durable);
  if (!checkpointer) return std::unexpected(checkpointer.error());
  impl->checkpointer = std::move(*checkpointer);
  Impl* raw = impl.get();
  impl->writer_thread = std::thread([raw] { raw->WriterLoop(); });
  impl->checkpoint_thread = std::thread([raw] { raw->CheckpointLoop(); });
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

int SqliteStore::SchemaVersion() const { return impl_->schema_version; }

Status SqliteStore::Read(const std::function<Status(StoreReader&)>& fn) {
  auto conn = impl_->LeaseReader();
  if (!conn) return std::unexpected(conn.error());
  // Prepared once per connection: a read is BEGIN, a few point queries, COMMIT.
  Status s;
  {
    auto begin = (*conn)->Prepare("BEGIN");
    begin.Step();
    if (!begin.ok()) s = std::unexpected((*conn)->LastError("begin read"));
  }
  if (s) {
    SqliteOps ops(**conn);
    try {
      s = fn(ops);
    } catch (const std::exception& ex) {
      s = Fail(Errc::kInternal, std::string("read failed: ") + ex.what());
    }
    auto commit = (*conn)->Prepare("COMMIT");
    commit.Step();
  }
  impl_->ReturnReader(std::move(*conn));
  return s;
}

void SqliteStore::Write(std::function<Status(StoreTx&)> job, std::function<void(Status)> done) {
  {
    std::lock_guard lock(impl_->queue_mu);
    impl_->queue.push_back(WriteUnit{std::move(job), std::move(done)});
  }
  impl_->queue_cv.notify_one();
}

Status SqliteStore::Bulk(const std::function<Status(StoreTx&)>& fn) {
  // Runs on the writer thread so it never races the group-commit loop.
  return WriteSync([&fn](StoreTx& tx) { return fn(tx); });
}

}  // namespace hilo
