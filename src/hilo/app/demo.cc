#include "hilo/app/demo.h"

#include <array>
#include <random>

#include "hilo/base/text.h"
#include "hilo/core/cases.h"
#include "hilo/core/rut.h"

namespace hilo::app {
namespace {

constexpr std::array kFirstEs = {"Carlos", "Valentina", "Matías", "Camila", "Diego", "Francisca", "Joaquín", "Catalina",
                                 "Benjamín", "Antonia", "Sebastián", "Javiera", "Tomás", "Fernanda", "Vicente", "Ignacia",
                                 "Martín", "Constanza", "Nicolás", "Sofía", "José", "María", "Andrés", "Paula"};
constexpr std::array kLastEs = {"Muñoz", "González", "Rodríguez", "Pérez", "Soto", "Contreras", "Silva", "Martínez",
                                "Sepúlveda", "Morales", "Rojas", "López", "Fuentes", "Hernández", "Torres", "Araya",
                                "Flores", "Espinoza", "Valenzuela", "Castillo", "Núñez", "Tapia", "Reyes", "Gutiérrez"};
constexpr std::array kFirstEn = {"James", "Emily", "Oliver", "Grace", "Henry", "Chloe", "Samuel", "Lucy", "Daniel",
                                 "Hannah", "George", "Alice", "Thomas", "Emma", "William", "Olivia"};
constexpr std::array kLastEn = {"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas",
                                "Roberts", "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green"};
constexpr std::array kStreets = {"Av. Irarrázaval", "Av. Providencia", "Av. Grecia", "Los Leones", "Av. Matta",
                                 "Av. Vicuña Mackenna", "Av. Macul", "José Pedro Alessandri", "Av. Ossa", "Pedro de Valdivia"};
constexpr std::array kCommunes = {"Ñuñoa", "Providencia", "Santiago", "La Florida", "Macul", "Peñalolén", "Las Condes",
                                  "Maipú", "Puente Alto", "La Reina"};
constexpr std::array kPlans = {"300 Mbps", "600 Mbps", "940 Mbps", "100 Mbps"};
constexpr std::array kProblemsEs = {"Internet lento por las noches", "La TV se congela en algunos canales",
                                    "El teléfono fijo no tiene tono", "Cobro duplicado en la boleta",
                                    "Wi-Fi no llega al segundo piso", "Cortes de internet de pocos segundos"};
constexpr std::array kProblemsEn = {"Internet slow in the evenings", "TV freezes on some channels",
                                    "No dial tone on the landline", "Charged twice on the bill",
                                    "Wi-Fi does not reach upstairs", "Internet drops for a few seconds"};

template <typename A>
const char* Pick(std::mt19937& rng, const A& items) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

std::string MakeRut(std::mt19937& rng) {
  std::string body = std::to_string(std::uniform_int_distribution<int>(5000000, 26000000)(rng));
  return body + "-" + RutCheckDigit(body);
}

std::string AsciiLower(std::string_view s) {
  std::string folded = FoldForSearch(s);
  std::string out;
  for (char c : folded)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  return out;
}

Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Value::MakeObject();
  for (const auto& [k, val] : members) v.Set(k, val);
  return v;
}

template <typename T>
Result<T> Check(Result<T> r, const char* what) {
  if (!r) return Fail(r.error().code, std::string(what) + ": " + r.error().message);
  return r;
}

}  // namespace

Result<DemoResult> SeedDemo(Store& store, const DemoOptions& options, Time now) {
  DemoResult result;
  result.gateway_oui = "A0B1C2";
  result.gateway_product_class = "HGW-3000";
  result.gateway_serial = "HLO0001001";
  struct Staff {
    const char* role;
    const char* username;
    const char* name;
    Role r;
    Language lang;
  };
  const Staff staff[] = {
      {"admin", "admin", "Admin", Role::kAdmin, Language::kEn},
      {"manager", "ignacia", "Ignacia Rojas (Gerente de Servicio al Cliente)", Role::kManager, Language::kEs},
      {"supervisor", "andres", "Andrés Silva", Role::kSupervisor, Language::kEs},
      {"agent", "valentina", "Valentina Soto", Role::kAgent, Language::kEs},
      {"agent", "matias", "Matías González", Role::kAgent, Language::kEs},
      {"agent", "camila", "Camila Fuentes", Role::kAgent, Language::kEs},
      {"agent", "diego", "Diego Araya", Role::kAgent, Language::kEs},
      {"technician", "tomas", "Tomás Reyes", Role::kTechnician, Language::kEs},
  };
  auto hash = http::HashPassword(options.password, options.password_cost);
  if (!hash) return std::unexpected(hash.error());

  HILO_TRY(store.WriteSync([&](StoreTx& tx) -> Status {
    std::vector<Actor> agents;
    for (const auto& s : staff) {
      User u{.username = s.username, .display_name = s.name, .role = s.r, .language = s.lang};
      auto id = Check(tx.InsertUser(u, *hash), "demo user");
      if (!id) return std::unexpected(id.error());
      u.id = *id;
      if (s.r == Role::kAgent) agents.push_back(Actor::From(u));
      result.logins.push_back({s.role, s.username, s.name});
    }

    // The story's customer: triple play since 2001.
    Customer carlos{.name = "Carlos Muñoz Soto", .national_id = "12345678-5", .phones = {"+56 9 8765 4321"},
                    .emails = {"carlos.munoz@example.cl"}, .language = Language::kEs,
                    .customer_since = *ParseIsoTime("2001-03-15")};
    auto cid = Check(tx.InsertCustomer(carlos), "story customer");
    if (!cid) return std::unexpected(cid.error());
    result.story_customer = *cid;
    auto site = Check(tx.InsertSite({.customer_id = *cid, .address = "Av. Irarrázaval 2401, depto 504", .city = "Ñuñoa"}), "site");
    if (!site) return std::unexpected(site.error());
    auto internet = tx.InsertService({.customer_id = *cid, .site_id = *site, .kind = ServiceKind::kInternet, .plan = "600 Mbps"});
    HILO_TRY(tx.InsertService({.customer_id = *cid, .site_id = *site, .kind = ServiceKind::kTv, .plan = "TV HD 180 canales"}));
    HILO_TRY(tx.InsertService({.customer_id = *cid, .site_id = *site, .kind = ServiceKind::kPhone, .plan = "Telefonía fija ilimitada"}));
    if (!internet) return std::unexpected(internet.error());
    HILO_TRY(tx.InsertDevice({.customer_id = *cid, .site_id = *site, .kind = DeviceKind::kGateway, .oui = result.gateway_oui,
                              .product_class = result.gateway_product_class, .serial = result.gateway_serial,
                              .label = "Gateway living"}));
    const char* laptops[][2] = {{"Notebook de Carlos", "3C:22:FB:10:00:01"}, {"Notebook de Ana", "3C:22:FB:10:00:02"},
                                {"Notebook de Pedro", "3C:22:FB:10:00:03"}};
    for (const auto& l : laptops)
      HILO_TRY(tx.InsertDevice({.customer_id = *cid, .site_id = *site, .kind = DeviceKind::kClient, .label = l[0], .mac = l[1]}));

    // Four days, four agents, phone and chat, one case.
    const Time day1 = (now / kDay - 4) * kDay + 23 * kHour;  // 20:00 in Santiago (UTC-3)
    CasePolicy policy;
    ContactInput first{.customer_id = *cid, .service_id = *internet, .category = "connectivity", .channel = Channel::kPhone,
                       .subject = "Wi-Fi se corta en 3 notebooks",
                       .text = "Desde el martes el Wi-Fi se corta cada pocos minutos en los tres notebooks de la casa; "
                               "las páginas cargan lento o no cargan.",
                       .symptoms = SymptomFacts{.what = "Wi-Fi se corta cada pocos minutos y las páginas cargan lento",
                                                .since = day1 - 2 * kDay,
                                                .devices = {laptops[0][0], laptops[1][0], laptops[2][0]},
                                                .pattern = "intermittent (microcortes)",
                                                .details = "Los mismos notebooks funcionan bien en el Wi-Fi de la universidad."}};
    auto opened = Check(RecordContact(tx, agents[0], first, day1, policy), "story contact");
    if (!opened) return std::unexpected(opened.error());
    result.story_case = opened->case_id;
    Id case_id = opened->case_id;
    auto add = [&](const Actor& who, EventKind kind, Value body, Time at) -> Status {
      return AsStatus(AddEvent(tx, who, case_id, {kind, false, std::move(body)}, at));
    };
    HILO_TRY(add(agents[0], EventKind::kAction,
                 Obj({{"what", "Revisión remota del gateway: en línea, pero 3 clientes Wi-Fi con retransmisiones altas"},
                      {"result", "se activa telemetría Wi-Fi cada 5 minutos"}}), day1 + 10 * kMinute));
    HILO_TRY(add(agents[0], EventKind::kPromise,
                 Obj({{"text", "Llamar con el resultado del análisis de Wi-Fi"}, {"due", Value(day1 + 16 * kHour)}}), day1 + 12 * kMinute));

    const Time day2 = day1 + kDay - 6 * kHour;
    HILO_TRY(AsStatus(RecordContact(tx, agents[1], {.customer_id = *cid, .service_id = *internet, .channel = Channel::kChat,
                                                    .text = "¿Hay novedades? Sigue igual."}, day2, policy)));
    HILO_TRY(add(agents[1], EventKind::kAction,
                 Obj({{"what", "Análisis: los 3 notebooks empeoraron desde la actualización de firmware del gateway"},
                      {"result", "causa común: gateway, no los computadores"}, {"fulfills", 4}}), day2 + 5 * kMinute));
    HILO_TRY(add(agents[1], EventKind::kMessage,
                 Obj({{"text", "Encontramos la causa: una actualización del equipo de su casa. Sus computadores están bien. "
                               "Le propondremos una corrección remota."}}), day2 + 6 * kMinute));

    const Time day3 = day2 + kDay + 2 * kHour;
    HILO_TRY(AsStatus(RecordContact(tx, agents[2], {.customer_id = *cid, .service_id = *internet, .channel = Channel::kPhone,
                                                    .text = "Acepta la corrección remota esta noche."}, day3, policy)));
    HILO_TRY(add(agents[2], EventKind::kAction,
                 Obj({{"what", "Reversión remota del firmware del gateway a la versión anterior, a las 03:00 con consentimiento"},
                      {"result", "aplicada por el ACS"}}), day3 + 8 * kMinute));
    HILO_TRY(add(agents[2], EventKind::kPromise,
                 Obj({{"text", "Verificar con datos que no haya microcortes en 24 h"}, {"due", Value(day3 + 3 * kDay)}}), day3 + 9 * kMinute));

    const Time day4 = day3 + kDay;
    HILO_TRY(AsStatus(RecordContact(tx, agents[3], {.customer_id = *cid, .service_id = *internet, .channel = Channel::kChat,
                                                    .text = "Anoche funcionó bien, gracias. ¿Queda algo pendiente?"}, day4, policy)));
    HILO_TRY(add(agents[3], EventKind::kNote, Obj({{"text", "Cliente desde 2001, triple play: prioridad de retención."}}), day4 + 2 * kMinute));

    User customer_user{.username = "carlos", .display_name = "Carlos Muñoz Soto", .role = Role::kCustomer,
                       .customer_id = *cid, .language = Language::kEs};
    HILO_TRY(Check(tx.InsertUser(customer_user, *hash), "customer login"));
    result.logins.push_back({"customer", "carlos", customer_user.display_name});
    return Ok();
  }));

  // Generated customers, in batches so the writer never holds one huge transaction.
  std::mt19937 rng(options.seed);
  const int batch = 500;
  for (int start = 0; start < options.generated_customers; start += batch) {
    HILO_TRY(store.WriteSync([&](StoreTx& tx) -> Status {
      for (int i = start; i < std::min(options.generated_customers, start + batch); ++i) {
        bool english = i % 4 == 3;
        std::string first = english ? Pick(rng, kFirstEn) : Pick(rng, kFirstEs);
        std::string last = english ? Pick(rng, kLastEn) : Pick(rng, kLastEs);
        std::string last2 = english ? "" : std::string(" ") + Pick(rng, kLastEs);
        Customer c{.name = first + " " + last + last2, .national_id = MakeRut(rng),
                   .phones = {"+56 9 " + std::to_string(std::uniform_int_distribution<int>(40000000, 99999999)(rng))},
                   .emails = {AsciiLower(first) + "." + AsciiLower(last) + std::to_string(i) + "@example.cl"},
                   .language = english ? Language::kEn : Language::kEs,
                   .customer_since = now - std::uniform_int_distribution<int>(30, 9000)(rng) * kDay};
        auto id = tx.InsertCustomer(c);
        if (!id) {
          if (id.error().code == Errc::kAlreadyExists) continue;  // a repeated random RUT
          return std::unexpected(id.error());
        }
        auto site = tx.InsertSite({.customer_id = *id,
                                   .address = std::string(Pick(rng, kStreets)) + " " + std::to_string(100 + i % 4000),
                                   .city = Pick(rng, kCommunes)});
        if (!site) return std::unexpected(site.error());
        auto internet = tx.InsertService({.customer_id = *id, .site_id = *site, .kind = ServiceKind::kInternet, .plan = Pick(rng, kPlans)});
        if (!internet) return std::unexpected(internet.error());
        if (i % 2 == 0) HILO_TRY(tx.InsertService({.customer_id = *id, .site_id = *site, .kind = ServiceKind::kTv, .plan = "TV HD"}));
        char serial[32];
        std::snprintf(serial, sizeof serial, "HLO%07d", 2000000 + i);
        HILO_TRY(tx.InsertDevice({.customer_id = *id, .site_id = *site, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                                  .product_class = "HGW-3000", .serial = serial}));
        if (i % 3 == 0) {
          Actor agent{.id = 0, .name = "Sistema", .role = Role::kAgent};
          int problem = std::uniform_int_distribution<int>(0, static_cast<int>(kProblemsEs.size()) - 1)(rng);
          const char* text = english ? kProblemsEn[static_cast<std::size_t>(problem)] : kProblemsEs[static_cast<std::size_t>(problem)];
          Time at = now - std::uniform_int_distribution<int>(1, 60)(rng) * kDay;
          auto contact = RecordContact(tx, agent, {.customer_id = *id, .service_id = *internet,
                                                   .category = problem == 3 ? "billing" : "connectivity",
                                                   .channel = static_cast<Channel>(i % 4), .subject = text, .text = text}, at, {});
          if (!contact) return std::unexpected(contact.error());
          if (i % 2 == 0)
            HILO_TRY(ChangeStatus(tx, agent, contact->case_id, CaseStatus::kResolved, "resolved", at + 2 * kHour));
        }
      }
      return Ok();
    }));
  }
  return result;
}

Status SeedBulk(Store& store, const BulkOptions& options, Time now, const std::function<void(std::string)>& progress) {
  std::mt19937 rng(options.seed);
  const long cases_needed = options.events / options.events_per_case;
  const int batch = 10000;
  long cases_made = 0;
  for (int start = 0; start < options.customers; start += batch) {
    HILO_TRY(store.WriteSync([&](StoreTx& tx) -> Status {
      for (int i = start; i < std::min(options.customers, start + batch); ++i) {
        bool english = i % 4 == 3;
        Customer c{.name = std::string(english ? Pick(rng, kFirstEn) : Pick(rng, kFirstEs)) + " " +
                           (english ? Pick(rng, kLastEn) : Pick(rng, kLastEs)),
                   .phones = {"+56 9 " + std::to_string(40000000 + i)},
                   .language = english ? Language::kEn : Language::kEs, .customer_since = now - (i % 8000) * kDay};
        auto id = tx.InsertCustomer(c);
        if (!id) return std::unexpected(id.error());
        auto site = tx.InsertSite({.customer_id = *id, .address = std::string(Pick(rng, kStreets)) + " " + std::to_string(i % 9000),
                                   .city = Pick(rng, kCommunes)});
        if (!site) return std::unexpected(site.error());
        auto internet = tx.InsertService({.customer_id = *id, .site_id = *site, .kind = ServiceKind::kInternet, .plan = Pick(rng, kPlans)});
        if (!internet) return std::unexpected(internet.error());
        char serial[32];
        std::snprintf(serial, sizeof serial, "BLK%09d", i);
        HILO_TRY(tx.InsertDevice({.customer_id = *id, .site_id = *site, .kind = DeviceKind::kGateway, .oui = "A0B1C2",
                                  .product_class = "HGW-3000", .serial = serial}));
        // Spread the cases over the customers so every customer has about the same share.
        long want = (static_cast<long>(i) + 1) * cases_needed / options.customers;
        for (; cases_made < want; ++cases_made) {
          Case k{.customer_id = *id, .service_id = *internet, .category = "connectivity",
                 .subject = english ? kProblemsEn[static_cast<std::size_t>(cases_made % 6)] : kProblemsEs[static_cast<std::size_t>(cases_made % 6)],
                 .status = cases_made % 3 == 0 ? CaseStatus::kOpen : CaseStatus::kResolved,
                 .opened_at = now - 10 * kDay, .updated_at = now - 9 * kDay};
          auto cid = tx.InsertCase(k);
          if (!cid) return std::unexpected(cid.error());
          k.id = *cid;
          Actor agent{.id = 0, .name = "Agent " + std::to_string(cases_made % 40), .role = Role::kAgent};
          for (int e = 0; e < options.events_per_case; ++e) {
            EventKind kind = e == 0 ? EventKind::kContact : (e % 3 == 1 ? EventKind::kMessage : EventKind::kAction);
            Value body = Value::MakeObject();
            if (kind == EventKind::kContact) body.Set("channel", "phone");
            if (kind == EventKind::kMessage) body.Set("text", k.subject);
            if (kind == EventKind::kAction) body.Set("what", "Remote check " + std::to_string(e));
            // Appended directly and the case row saved once: the same rows AppendToCase
            // writes, without rewriting the case row ten times.
            Event ev{.case_id = k.id, .seq = e + 1, .kind = kind, .at = k.opened_at + e * kHour, .actor_id = 0,
                     .actor_name = agent.name, .actor_role = Role::kAgent, .internal = false, .body = std::move(body)};
            HILO_TRY(tx.AppendEvent(ev));
            if (kind == EventKind::kContact) ++k.contact_count;
          }
          k.last_seq = options.events_per_case;
          HILO_TRY(tx.UpdateCase(k));
        }
      }
      return Ok();
    }));
    if (progress) progress(std::to_string(std::min(options.customers, start + batch)) + " customers, " + std::to_string(cases_made) + " cases");
  }
  return Ok();
}

}  // namespace hilo::app
