#pragma once
// The storage seam. The domain reads and writes through these interfaces; store/sqlite (and
// later store/postgres) implement them and are the only code that speaks SQL.
//
//   store.Read([&](StoreReader& r) -> Status {        // one consistent snapshot
//     auto c = r.GetCase(id);  ...
//   });
//   store.Write([&](StoreTx& tx) -> Status {          // one atomic unit of work
//     auto outcome = RecordContact(tx, input, now);   // core rules run inside the transaction
//     ...
//   }, [](Status committed) { /* durable now, or an error */ });
//
// Durability contract: Write's completion is called only after the unit of work is committed
// (or has failed and left nothing behind). Implementations may commit several units together.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hilo/base/error.h"
#include "hilo/core/cpe.h"
#include "hilo/core/model.h"

namespace hilo {

struct UserCredentials {
  User user;
  std::string password_hash;  // argon2id encoded string
};

struct SessionRecord {
  Id user_id = 0;
  Time expires_at = 0;
};

// How a customer search matches; every kind is forgiving of case and accents.
struct CustomerQuery {
  std::string text;  // matched against name, RUT, phone digits, email and device serial
  int limit = 20;
};

// A micro-outage / loss burst / latency spike found in a customer's active-probe results
// (telemetry::ProbeEvent, kept as plain strings and numbers so core does not depend on
// telemetry). Instants are Unix milliseconds.
struct ProbeEventRecord {
  Id id = 0;  // assigned by the store
  Id customer_id = 0;
  Id cpe_id = 0;           // the gateway the probe sat behind; 0 = unknown
  std::string kind;        // "outage", "micro_outage", "loss_burst", "latency_spike"
  std::string leg;         // "lan_gateway", "gateway_first_hop", "gateway_anchor", "other"
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string severity;    // "low", "medium", "high"
  std::int64_t lost = 0;
  std::int64_t samples = 0;
  double peak_rtt_ms = 0;
  double baseline_rtt_ms = 0;
};

// Per customer: what the probe ingestion needs to stay correct across batches -- the span of
// continuous probe coverage and the recent samples to re-feed the detector with.
struct ProbeState {
  Id customer_id = 0;
  Id cpe_id = 0;
  std::int64_t coverage_start_ms = 0;  // start of the current continuous coverage
  std::int64_t last_ms = 0;            // newest sample seen
  Value tail;                          // opaque to the store (care/ owns its shape)
};

struct CaseQuery {
  Id customer_id = 0;               // 0 = any
  std::optional<CaseStatus> status;
  std::string words;                // full-text search over the messages of the case
  Id assignee_id = 0;
  int limit = 50;
};

// Reads. Errors: kNotFound for unknown ids; kInternal for storage failures.
class StoreReader {
 public:
  virtual ~StoreReader() = default;
  virtual Result<Customer> GetCustomer(Id id) = 0;
  virtual Result<std::vector<Customer>> SearchCustomers(const CustomerQuery& q) = 0;
  // Exact match on the normalised national id; nullopt when none.
  virtual Result<std::optional<Customer>> FindCustomerByNationalId(std::string_view national_id) = 0;
  virtual Result<std::vector<Service>> ServicesOf(Id customer_id) = 0;
  virtual Result<std::vector<Site>> SitesOf(Id customer_id) = 0;
  virtual Result<std::vector<Device>> DevicesOf(Id customer_id) = 0;
  virtual Result<std::optional<Device>> FindDeviceById(Id device_id) = 0;
  virtual Result<std::optional<Device>> FindDeviceBySerial(std::string_view oui, std::string_view product_class,
                                                           std::string_view serial) = 0;
  virtual Result<Case> GetCase(Id id) = 0;
  virtual Result<std::vector<Case>> FindCases(const CaseQuery& q) = 0;
  virtual Result<std::vector<Event>> EventsOf(Id case_id) = 0;
  virtual Result<User> GetUser(Id id) = 0;
  virtual Result<UserCredentials> GetUserByName(std::string_view username) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<std::optional<SessionRecord>> GetSession(std::string_view token_digest) = 0;

  // Area outages overlapping [from, to] (ongoing ones included).
  virtual Result<std::vector<AreaOutage>> AreaOutages(Time from, Time to) = 0;

  // ---- gateways (ACS)
  virtual Result<Cpe> GetCpe(Id id) = 0;
  virtual Result<std::optional<Cpe>> FindCpe(std::string_view oui, std::string_view product_class,
                                             std::string_view serial) = 0;
  // By serial alone; the first match (serials are unique in practice, not by the standard).
  virtual Result<std::optional<Cpe>> FindCpeBySerial(std::string_view serial) = 0;
  // unlinked_only: the gateways waiting for an operator to link them.
  virtual Result<std::vector<Cpe>> ListCpes(bool unlinked_only, int limit) = 0;
  virtual Result<std::vector<Cpe>> CpesOfCustomer(Id customer_id) = 0;
  virtual Result<std::vector<CpeParam>> CpeParams(Id cpe_id) = 0;
  virtual Result<CpeTask> GetTask(Id task_id) = 0;
  // Newest first. open_only: pending or sent.
  virtual Result<std::vector<CpeTask>> TasksOf(Id cpe_id, bool open_only, int limit) = 0;
  // The oldest pending, unexpired task; nullopt when none.
  virtual Result<std::optional<CpeTask>> NextPendingTask(Id cpe_id, Time now) = 0;
  // History points in [from, to], oldest first.
  virtual Result<std::vector<CpeHistoryPoint>> CpeHistory(Id cpe_id, Time from, Time to) = 0;
  // Hourly aggregates kept after the raw points were downsampled: {hour, aggregates}.
  virtual Result<std::vector<CpeHistoryPoint>> CpeHourly(Id cpe_id, Time from, Time to) = 0;

  // ---- active probes
  // Events of a customer overlapping [from_ms, to_ms], oldest first.
  virtual Result<std::vector<ProbeEventRecord>> ProbeEventsOf(Id customer_id, std::int64_t from_ms,
                                                              std::int64_t to_ms) = 0;
  // nullopt when the customer never sent probe results.
  virtual Result<std::optional<ProbeState>> GetProbeState(Id customer_id) = 0;
};

// Writes, inside one transaction. Ids of inserted rows are returned.
class StoreTx : public StoreReader {
 public:
  virtual Result<Id> InsertCustomer(const Customer& c) = 0;  // kAlreadyExists on a duplicate national id
  virtual Result<Id> InsertSite(const Site& s) = 0;
  virtual Result<Id> InsertService(const Service& s) = 0;
  virtual Result<Id> InsertDevice(const Device& d) = 0;  // kAlreadyExists on a duplicate identity
  virtual Result<Id> InsertUser(const User& u, std::string_view password_hash) = 0;
  virtual Result<Id> InsertCase(const Case& c) = 0;
  // Saves the case's cached fields (status, counts, assignee, last_seq, ...).
  virtual Status UpdateCase(const Case& c) = 0;
  // Appends to the timeline. event.seq must be the case's last_seq + 1.
  virtual Result<Id> AppendEvent(const Event& e) = 0;
  virtual Status InsertSession(std::string_view token_digest, const SessionRecord& s) = 0;
  virtual Status DeleteSession(std::string_view token_digest) = 0;

  virtual Result<Id> InsertAreaOutage(const AreaOutage& outage) = 0;

  // ---- gateways (ACS)
  virtual Result<Id> InsertCpe(const Cpe& cpe) = 0;  // kAlreadyExists on a duplicate identity
  virtual Status UpdateCpe(const Cpe& cpe) = 0;
  // Merges reported values into the stored tree (latest value, type and time win per name) and
  // returns the whole merged tree, so the caller need not read it again.
  virtual Result<std::vector<CpeParam>> MergeCpeParams(Id cpe_id, const std::vector<CpeParam>& params) = 0;
  virtual Result<Id> InsertTask(const CpeTask& task) = 0;
  virtual Status UpdateTask(const CpeTask& task) = 0;
  // Tasks left "sent" by a session that died go back to pending (none is ever lost).
  virtual Status RequeueSentTasks(Id cpe_id) = 0;
  virtual Status AppendCpeHistory(Id cpe_id, const CpeHistoryPoint& point) = 0;
  // Replaces raw points older than `before` by hourly aggregates built by `aggregate`
  // (points of one hour -> one Value). Returns how many raw points were folded.
  virtual Result<int> DownsampleCpeHistory(Id cpe_id, Time before,
                                           const std::function<Value(const std::vector<CpeHistoryPoint>&)>& aggregate) = 0;

  // ---- active probes
  virtual Status AppendProbeEvents(const std::vector<ProbeEventRecord>& events) = 0;
  virtual Status PutProbeState(const ProbeState& state) = 0;  // insert or replace
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs fn against one consistent snapshot. Safe to call from any thread concurrently.
  virtual Status Read(const std::function<Status(StoreReader&)>& fn) = 0;
  // Queues a unit of work; done(status) is called from the writer thread after commit.
  // A unit that returns an error is rolled back alone.
  virtual void Write(std::function<Status(StoreTx&)> job, std::function<void(Status)> done) = 0;
  // Write and wait for the commit.
  Status WriteSync(std::function<Status(StoreTx&)> job);
};

}  // namespace hilo
