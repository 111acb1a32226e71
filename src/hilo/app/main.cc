// hilo: one binary, several faces (see docs/architecture.md).
//
//   hilo serve --db hilo.db --listen 127.0.0.1:8080
//   hilo demo                      fresh database with the demo story, then serve
//   hilo migrate --db hilo.db
//   hilo user add --db hilo.db --username ana --role agent --password ...
//   hilo import customers customers.csv --db hilo.db
//   hilo case show 42 --db hilo.db [--lang en]

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <thread>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hilo/app/demo.h"
#include "hilo/base/text.h"
#include "hilo/app/import.h"
#include "hilo/app/server.h"
#include "hilo/app/diagnose_cmd.h"
#include "hilo/diagnosis/thresholds.h"
#include "hilo/diagnosis/findings_value.h"
#include "hilo/care/care.h"
#include "hilo/cwmp/sim_fleet.h"
#include "hilo/probe/probe_agent.h"
#include "hilo/core/catalog.h"
#include "hilo/core/story.h"
#include "hilo/http/api.h"
#include "hilo/http/credentials.h"
#include "hilo/json/json.h"
#include "hilo/net/http_server.h"
#include "hilo/store/sqlite/sqlite_store.h"

namespace hilo::app {
namespace {

Time WallClock() { return static_cast<Time>(std::time(nullptr)); }

int Die(const std::string& message) {
  std::fprintf(stderr, "hilo: %s\n", message.c_str());
  return 1;
}

Result<std::unique_ptr<SqliteStore>> OpenStore(const std::string& path, bool durable = true) {
  return SqliteStore::Open(path, {.durable = durable});
}

struct ServeConfig {
  std::string db = "hilo.db";
  std::string listen = "127.0.0.1:8080";
  std::string acs_listen = "127.0.0.1:7547";
  int threads = 2;
  bool quiet = false;
  std::string cr_secret;
  int inform_interval = 300;
  std::string diagnosis_config = "config/diagnosis.conf";
  std::vector<std::string> stats_paths;  // empty: the ACS's defaults
};

void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
}

Result<ServerConfig> MakeServerConfig(const ServeConfig& cfg, const std::string& banner) {
  ServerConfig sc;
  // Thresholds are the operator's to tune; a missing file means the documented defaults.
  if (std::filesystem::exists(cfg.diagnosis_config)) {
    auto t = diagnosis::LoadThresholdsFile(cfg.diagnosis_config);
    if (!t) return Fail(t.error().code, cfg.diagnosis_config + ": " + t.error().message);
    sc.thresholds = *t;
  }
  sc.api_listen = cfg.listen;
  sc.acs_listen = cfg.acs_listen;
  sc.threads = cfg.threads;
  sc.now = WallClock;
  sc.access_log = cfg.quiet ? nullptr : stdout;
  sc.banner = banner;
  sc.acs.periodic_inform_interval_s = cfg.inform_interval;
  if (!cfg.stats_paths.empty()) sc.acs.tr181_stats = cfg.stats_paths;
  if (!cfg.cr_secret.empty()) sc.acs.connection_request_secret = cfg.cr_secret;
  else if (const char* env = std::getenv("HILO_CR_SECRET")) sc.acs.connection_request_secret = env;
  return sc;
}

int Serve(SqliteStore& store, const ServeConfig& cfg, const std::string& banner,
          const std::function<void(Server&)>& started = nullptr) {
  auto server_config = MakeServerConfig(cfg, banner);
  if (!server_config) return Die(server_config.error().message);
  Server server(store, *server_config);
  auto s = server.Start();
  if (!s) return Die(s.error().message);
  auto hp = SplitHostPort(cfg.listen);
  std::string host = !hp || hp->first == "0.0.0.0" ? "127.0.0.1" : hp->first;
  std::printf("hilo is serving http://%s:%u/ (database %s)\n", host.c_str(), server.api_port(), cfg.db.c_str());
  if (server.acs_port()) std::printf("TR-069 ACS listening on port %u\n", server.acs_port());
  if (!banner.empty()) std::printf("%s", banner.c_str());
  std::fflush(stdout);
  if (started) started(server);
  WaitForSignal();
  std::printf("hilo: stopping\n");
  server.Stop();
  return 0;
}

std::string ReadFile(const std::string& path, bool& ok) {
  std::ifstream f(path, std::ios::binary);
  ok = static_cast<bool>(f);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

int Main(int argc, char** argv) {
  // Signals are taken by sigwait in the main thread; every other thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App cli{"hilo: customer care for internet providers"};
  cli.require_subcommand(1);
  ServeConfig serve_cfg;

  auto* serve = cli.add_subcommand("serve", "Serve the API");
  serve->add_option("--db", serve_cfg.db, "SQLite database file");
  serve->add_option("--listen", serve_cfg.listen, "HOST:PORT for the API");
  serve->add_option("--threads", serve_cfg.threads, "I/O threads");
  serve->add_flag("--quiet", serve_cfg.quiet, "No request log lines");
  serve->add_option("--acs-listen", serve_cfg.acs_listen, "HOST:PORT for the TR-069 ACS (empty: none)");
  serve->add_option("--diagnosis-config", serve_cfg.diagnosis_config, "Diagnosis thresholds (key = value)");
  serve->add_option("--inform-interval", serve_cfg.inform_interval, "PeriodicInformInterval provisioned on gateways (s)");
  serve->add_option("--stats-path", serve_cfg.stats_paths, "TR-181 paths fetched in every session (repeatable)");

  ServeConfig demo_cfg;
  demo_cfg.db = "demo-data/hilo-demo.db";
  int demo_customers = 3000;
  bool demo_no_serve = false;
  auto* demo = cli.add_subcommand("demo", "Fresh database with the demo story, then serve");
  demo->add_option("--db", demo_cfg.db, "SQLite database file (recreated)");
  demo->add_option("--listen", demo_cfg.listen, "HOST:PORT for the API");
  demo->add_option("--acs-listen", demo_cfg.acs_listen, "HOST:PORT for the TR-069 ACS");
  demo_cfg.inform_interval = 60;  // the demo's gateways report every minute, so changes show quickly
  demo->add_option("--customers", demo_customers, "Generated customers");
  demo->add_flag("--no-serve", demo_no_serve, "Only create the database");

  std::string migrate_db = "hilo.db";
  auto* migrate = cli.add_subcommand("migrate", "Create or upgrade the database schema");
  migrate->add_option("--db", migrate_db, "SQLite database file");

  auto* user = cli.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a user");
  std::string user_db = "hilo.db", username, role_name, password, display_name, language = "es";
  Id user_customer = 0;
  user_add->add_option("--db", user_db, "SQLite database file");
  user_add->add_option("--username", username)->required();
  user_add->add_option("--role", role_name, "customer, agent, supervisor, manager, technician, admin")->required();
  user_add->add_option("--password", password, "at least 8 characters (or HILO_PASSWORD)");
  user_add->add_option("--display-name", display_name);
  user_add->add_option("--customer-id", user_customer, "for customer logins");
  user_add->add_option("--language", language);

  auto* import = cli.add_subcommand("import", "Import customers, sites, services or devices from CSV (all or nothing)");
  std::string import_kind, import_file, import_db = "hilo.db";
  import->add_option("kind", import_kind, "customers | sites | services | devices")->required();
  import->add_option("file", import_file, "CSV file with a header row")->required();
  import->add_option("--db", import_db, "SQLite database file");

  auto* case_cmd = cli.add_subcommand("case", "Cases");
  case_cmd->require_subcommand(1);
  auto* case_show = case_cmd->add_subcommand("show", "Print a case's story and timeline");
  Id case_id = 0;
  std::string case_db = "hilo.db", case_lang = "es";
  case_show->add_option("id", case_id)->required();
  case_show->add_option("--db", case_db, "SQLite database file");
  case_show->add_option("--lang", case_lang, "es or en");

  auto* sim = cli.add_subcommand("sim", "Run a fleet of simulated TR-069 gateways against an ACS");
  cwmp::SimFleetOptions sim_options;
  std::string sim_model = "tr181";
  std::vector<std::string> sim_faults;
  int sim_report_s = 10;
  sim->add_option("--acs", sim_options.acs_url, "ACS URL");
  sim->add_option("--devices", sim_options.devices, "How many gateways");
  sim->add_option("--model", sim_model, "tr181, tr098 or mix");
  sim->add_option("--prefix", sim_options.serial_prefix, "Serial prefix");
  sim->add_option("--first-serial", sim_options.first_serial, "Serial of gateway 0");
  sim->add_option("--interval", sim_options.periodic_interval_s, "Periodic inform interval (s)");
  sim->add_option("--threads", sim_options.threads, "Worker threads");
  sim->add_option("--cr-port", sim_options.cr_port, "Connection-request listener port (0: any)");
  sim->add_option("--acs-username", sim_options.acs_username);
  sim->add_option("--acs-password", sim_options.acs_password);
  sim->add_flag("--docsis", sim_options.docsis, "DOCSIS channels (TR-181)");
  bool sim_no_boot = false;
  sim->add_flag("--no-boot-events", sim_no_boot, "Start with 2 PERIODIC (CPEs that never send BOOTSTRAP/BOOT)");
  sim->add_option("--fault", sim_faults, "INDEX:FAULT[:SECONDS_AGO] (congestion, weak-client, reboot-loop, firmware-regression, docsis-noise)");
  sim->add_option("--report", sim_report_s, "Print statistics every N seconds");

  auto* diagnose = cli.add_subcommand("diagnose", "Run the diagnosis engine on a home scenario file and print the findings as JSON");
  std::string diagnose_file, diagnose_config = "config/diagnosis.conf";
  Id diagnose_case = 0;
  std::string diagnose_db = "hilo.db", diagnose_dump;
  diagnose->add_option("file", diagnose_file, "Scenario JSON (see tests/diagnosis/README.md)");
  diagnose->add_option("--config", diagnose_config, "Diagnosis thresholds");
  diagnose->add_option("--case", diagnose_case, "Instead of a file: the home behind this case, from the store");
  diagnose->add_option("--db", diagnose_db, "SQLite database file (with --case)");
  diagnose->add_option("--dump", diagnose_dump, "With --case: also write the home as a scenario file (replayable with hilo diagnose FILE)");

  auto* probe = cli.add_subcommand("probe", "Measure the connection every second (micro-outages) and report to hilo");
  probe::ProbeAgentOptions probe_options;
  std::vector<std::string> probe_targets;
  probe->add_option("--target", probe_targets,
                    "LEG=KIND:SPEC, e.g. gateway=tcp:192.168.1.1:80, anchor=http:http://1.1.1.1/, dns=dns:example.cl")
      ->required();
  probe->add_option("--server", probe_options.server_url, "hilo server URL (results are uploaded to /api/v1/probes)");
  probe->add_option("--token", probe_options.token, "Bearer token (or HILO_TOKEN)");
  probe->add_option("--serial", probe_options.gateway_serial, "Serial of the home gateway (on its label)");
  probe->add_option("--customer", probe_options.customer_id, "Customer id");
  probe->add_option("--interval-ms", probe_options.interval_ms, "Cadence");
  probe->add_option("--upload-every-ms", probe_options.upload_every_ms, "Upload period");

  auto* seed = cli.add_subcommand("bench-seed", "Generate benchmark data (customers, cases, events)");
  BulkOptions bulk;
  std::string seed_db = "bench/data/bench.db";
  seed->add_option("--db", seed_db);
  seed->add_option("--customers", bulk.customers);
  seed->add_option("--events", bulk.events);

  CLI11_PARSE(cli, argc, argv);

  if (*serve) {
    auto store = OpenStore(serve_cfg.db);
    if (!store) return Die(store.error().message);
    return Serve(**store, serve_cfg, "");
  }
  if (*demo) {
    std::filesystem::path db(demo_cfg.db);
    if (db.has_parent_path()) std::filesystem::create_directories(db.parent_path());
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(demo_cfg.db + suffix);
    auto store = OpenStore(demo_cfg.db);
    if (!store) return Die(store.error().message);
    DemoOptions options;
    options.generated_customers = demo_customers;
    std::printf("hilo demo: creating %s with the story and %d generated customers...\n", demo_cfg.db.c_str(), demo_customers);
    std::fflush(stdout);
    auto seeded = SeedDemo(**store, options, WallClock());
    if (!seeded) return Die(seeded.error().message);
    std::string banner = "\nLogins (password for all: " + options.password + "):\n";
    for (const auto& l : seeded->logins) banner += "  " + l.role + std::string(12 - std::min<std::size_t>(11, l.role.size()), ' ') + l.username + "  (" + l.display_name + ")\n";
    banner += "\nThe story: customer #" + std::to_string(seeded->story_customer) + " (Carlos Muñoz Soto, RUT 12.345.678-5), case #" +
              std::to_string(seeded->story_case) + ": GET /api/v1/cases/" + std::to_string(seeded->story_case) + "\n";
    banner += "Try: curl -s -X POST " + demo_cfg.listen + "/api/v1/auth/login -d '{\"username\":\"valentina\",\"password\":\"" +
              options.password + "\"}'\n";
    if (demo_no_serve) {
      std::printf("%s", banner.c_str());
      return 0;
    }
    // The story's gateway and a few more, live: the story's is healthy again (the rollback
    // worked); the others are unknown to hilo (listed for linking) and carry faults to diagnose.
    std::unique_ptr<cwmp::SimFleet> fleet;
    banner += "Simulated gateways: " + seeded->gateway_serial + " (the story's) and HLODEMO000001..4 "
              "(congestion, weak client, DOCSIS noise, healthy), waiting to be linked.\n";
    return Serve(**store, demo_cfg, banner, [&](Server& server) {
      cwmp::SimFleetOptions options;
      options.acs_url = "http://127.0.0.1:" + std::to_string(server.acs_port()) + "/";
      options.devices = 5;
      options.first_serial = seeded->gateway_serial;
      options.serial_prefix = "HLODEMO";
      options.docsis = true;
      options.periodic_interval_s = 60;
      options.spread_first_inform = false;  // on the agent's screen at once
      options.now = WallClock;
      Time now = WallClock();
      options.faults = {{1, {cwmp::SimFault::kWifiCongestion24, now - 6 * kHour}},
                        {2, {cwmp::SimFault::kWeakClient, now - 6 * kHour}},
                        {3, {cwmp::SimFault::kDocsisNoise, now - 6 * kHour}}};
      fleet = std::make_unique<cwmp::SimFleet>(options);
      auto started = fleet->Start();
      if (!started) std::fprintf(stderr, "hilo demo: simulated gateways did not start: %s\n", started.error().message.c_str());
    });
  }
  if (*migrate) {
    auto store = OpenStore(migrate_db);
    if (!store) return Die(store.error().message);
    std::printf("%s: schema version %d\n", migrate_db.c_str(), (*store)->SchemaVersion());
    return 0;
  }
  if (*user_add) {
    auto role = ParseRole(role_name);
    if (!role) return Die("unknown role '" + role_name + "'");
    if (password.empty()) {
      if (const char* env = std::getenv("HILO_PASSWORD")) password = env;
    }
    auto hash = http::HashPassword(password);
    if (!hash) return Die(hash.error().message);
    auto store = OpenStore(user_db);
    if (!store) return Die(store.error().message);
    User u{.username = username, .display_name = display_name.empty() ? username : display_name, .role = *role,
           .customer_id = user_customer, .language = ParseLanguage(language).value_or(Language::kEs)};
    if ((u.role == Role::kCustomer) != (u.customer_id != 0)) return Die("--customer-id is required for, and only for, customer logins");
    Id id = 0;
    auto s = (*store)->WriteSync([&](StoreTx& tx) -> Status {
      auto r = tx.InsertUser(u, *hash);
      if (!r) return std::unexpected(r.error());
      id = *r;
      return Ok();
    });
    if (!s) return Die(s.error().message);
    std::printf("user %s (%s) created with id %lld\n", username.c_str(), role_name.c_str(), static_cast<long long>(id));
    return 0;
  }
  if (*import) {
    bool ok = false;
    std::string text = ReadFile(import_file, ok);
    if (!ok) return Die("cannot read " + import_file);
    auto store = OpenStore(import_db);
    if (!store) return Die(store.error().message);
    auto r = ImportCsv(**store, import_kind, text);
    if (!r) return Die(import_file + ": " + r.error().message + " (nothing was imported)");
    std::printf("imported %d %s from %s\n", r->rows, import_kind.c_str(), import_file.c_str());
    return 0;
  }
  if (*case_show) {
    auto store = OpenStore(case_db);
    if (!store) return Die(store.error().message);
    Language lang = ParseLanguage(case_lang).value_or(Language::kEs);
    auto s = (*store)->Read([&](StoreReader& r) -> Status {
      auto c = r.GetCase(case_id);
      if (!c) return std::unexpected(c.error());
      auto events = r.EventsOf(case_id);
      if (!events) return std::unexpected(events.error());
      std::printf("%s\n\n", RenderStory(BuildStory(*c, *events, WallClock(), Audience::kStaff), lang).c_str());
      for (const auto& e : *events)
        std::printf("#%d %s %-14s %s%s  %s\n", e.seq, FormatIsoTime(e.at).c_str(), std::string(EventKindName(e.kind)).c_str(),
                    e.actor_name.c_str(), e.internal ? " [internal]" : "", ToJson(e.body).c_str());
      return Ok();
    });
    if (!s) return Die(s.error().message);
    return 0;
  }
  if (*diagnose) {
    std::string config = std::filesystem::exists(diagnose_config) ? diagnose_config : "";
    if (diagnose_case == 0) {
      if (diagnose_file.empty()) return Die("give a scenario FILE, or --case ID");
      return RunDiagnoseFile(diagnose_file, config);
    }
    // A real home, taken from the store exactly as a diagnosis on the case would see it.
    diagnosis::Thresholds thresholds;
    if (!config.empty()) {
      auto t = diagnosis::LoadThresholdsFile(config);
      if (!t) return Die(config + ": " + t.error().message);
      thresholds = *t;
    }
    auto store = OpenStore(diagnose_db);
    if (!store) return Die(store.error().message);
    std::optional<diagnosis::DiagnosisInput> input;
    auto s = (*store)->Read([&](StoreReader& r) -> Status {
      auto c = r.GetCase(diagnose_case);
      if (!c) return std::unexpected(c.error());
      auto g = care::GatherInput(r, *c, WallClock(), care::CareOptions{});
      if (!g) return std::unexpected(g.error());
      input = std::move(*g);
      return Ok();
    });
    if (!s) return Die(s.error().message);
    if (!diagnose_dump.empty()) {
      Value scenario = Value::MakeObject();
      scenario.Set("description", "dump of case " + std::to_string(diagnose_case) + " from " + diagnose_db);
      scenario.Set("input", diagnosis::ToValue(*input));
      std::ofstream out(diagnose_dump);
      out << ToJson(scenario) << "\n";
      if (!out) return Die("cannot write " + diagnose_dump);
    }
    std::printf("%s\n", ToJson(diagnosis::ToValue(diagnosis::Engine(thresholds).Diagnose(*input))).c_str());
    return 0;
  }
  if (*probe) {
    for (const auto& t : probe_targets) {
      auto target = probe::ParseProbeTarget(t);
      if (!target) return Die(target.error().message);
      probe_options.targets.push_back(*target);
    }
    if (probe_options.token.empty())
      if (const char* env = std::getenv("HILO_TOKEN")) probe_options.token = env;
    probe_options.on_cut = [](const probe::ProbeTarget& target, std::int64_t at_ms, bool down) {
      std::printf("%s %s %s\n", FormatIsoTime(at_ms / 1000).c_str(), target.label.c_str(), down ? "DOWN" : "up again");
      std::fflush(stdout);
    };
    probe::ProbeAgent agent(probe_options);
    if (auto v = agent.Validate(); !v) return Die(v.error().message);
    static std::atomic<bool> stop{false};
    std::thread waiter([] {
      WaitForSignal();
      stop = true;
    });
    waiter.detach();
    auto s = agent.Run(stop);
    auto st = agent.stats();
    std::printf("samples %llu, lost %llu, uploaded %llu, buffered %zu\n", static_cast<unsigned long long>(st.samples),
                static_cast<unsigned long long>(st.lost), static_cast<unsigned long long>(st.samples_uploaded), st.buffered);
    if (!s) return Die(s.error().message);
    return 0;
  }
  if (*sim) {
    if (sim_model == "tr098") sim_options.model = cwmp::DataModel::kTr098;
    else if (sim_model == "mix") sim_options.mix_ratio = 0.5;
    else if (sim_model != "tr181") return Die("--model is tr181, tr098 or mix");
    sim_options.send_boot_events = !sim_no_boot;
    sim_options.now = WallClock;
    for (const auto& f : sim_faults) {
      auto parts = Split(f, ':');
      if (parts.size() < 2) return Die("--fault is INDEX:FAULT[:SECONDS_AGO]");
      auto fault = cwmp::ParseSimFault(parts[1]);
      if (!fault) return Die("unknown fault '" + std::string(parts[1]) + "'");
      Time ago = parts.size() > 2 ? std::atoll(std::string(parts[2]).c_str()) : 0;
      sim_options.faults.push_back({std::atoi(std::string(parts[0]).c_str()), {*fault, WallClock() - ago}});
    }
    cwmp::SimFleet fleet(sim_options);
    auto port = fleet.Start();
    if (!port) return Die(port.error().message);
    std::printf("hilo sim: %d gateways against %s; connection requests on port %u\n", sim_options.devices,
                sim_options.acs_url.c_str(), *port);
    std::fflush(stdout);
    std::thread reporter([&fleet, sim_report_s] {
      while (true) {
        std::this_thread::sleep_for(std::chrono::seconds(sim_report_s));
        auto st = fleet.stats();
        std::printf("sessions ok %llu failed %llu, p50 %.1f ms p99 %.1f ms, connection requests %llu%s%s\n",
                    static_cast<unsigned long long>(st.sessions_ok), static_cast<unsigned long long>(st.sessions_failed),
                    st.p50_session_ms, st.p99_session_ms, static_cast<unsigned long long>(st.connection_requests),
                    st.last_error.empty() ? "" : "; last error: ", st.last_error.c_str());
        std::fflush(stdout);
      }
    });
    reporter.detach();
    WaitForSignal();
    fleet.Stop();
    return 0;
  }
  if (*seed) {
    std::filesystem::path db(seed_db);
    if (db.has_parent_path()) std::filesystem::create_directories(db.parent_path());
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(seed_db + suffix);
    auto store = OpenStore(seed_db, /*durable=*/false);
    if (!store) return Die(store.error().message);
    auto s = SeedBulk(**store, bulk, WallClock(), [](const std::string& p) {
      std::fprintf(stderr, "\r%s", p.c_str());
    });
    std::fprintf(stderr, "\n");
    if (!s) return Die(s.error().message);
    return 0;
  }
  return 0;
}

}  // namespace hilo::app

int main(int argc, char** argv) { return hilo::app::Main(argc, argv); }
