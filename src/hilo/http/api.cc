#include "hilo/http/api.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "hilo/base/text.h"
#include "hilo/base/worker_pool.h"
#include "hilo/core/authz.h"
#include "hilo/core/catalog.h"
#include "hilo/core/story.h"
#include "hilo/diagnosis/findings_value.h"
#include "hilo/http/mapping.h"
#include "hilo/http/metrics.h"
#include "hilo/json/json.h"

namespace hilo::http {

extern const char* const kOpenApiYaml;  // generated from docs/openapi.yaml

namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Responder;

constexpr std::string_view kSessionCookie = "hilo_session";

}  // namespace

int HttpStatusFor(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return 400;
    case Errc::kNotFound: return 404;
    case Errc::kAlreadyExists: return 409;
    case Errc::kUnauthenticated: return 401;
    case Errc::kPermissionDenied: return 403;
    case Errc::kFailedPrecondition: return 409;
    case Errc::kConflict: return 409;
    case Errc::kTooLarge: return 413;
    case Errc::kUnavailable: return 503;
    case Errc::kInternal: return 500;
  }
  return 500;
}

HttpResponse Api::ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field) {
  Value err = Value::MakeObject();
  err.Set("code", code);
  err.Set("message", message);
  if (!field.empty()) err.Set("field", field);
  Value body = Value::MakeObject();
  body.Set("error", std::move(err));
  HttpResponse r;
  r.status = status;
  r.body = ToJson(body);
  return r;
}

// Everything one request carries through routing and its handler.
struct RequestContext {
  HttpRequest req;
  std::vector<Id> ids;  // numeric path parameters, in order
  std::optional<User> user;
  Value body;
  Responder respond;
};

class Api::Impl {
 public:
  using HandlerFn = void (Impl::*)(RequestContext&);
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    bool needs_user;
    std::optional<Act> act;
    HandlerFn fn;
  };

  Impl(Store& store, ApiOptions options) : store_(store), options_(std::move(options)) {
    Add("GET", "/", false, std::nullopt, &Impl::Landing);
    Add("GET", "/healthz", false, std::nullopt, &Impl::Health);
    Add("GET", "/metrics", false, std::nullopt, &Impl::MetricsRoute);
    Add("GET", "/api/v1/openapi.yaml", false, std::nullopt, &Impl::OpenApi);
    Add("POST", "/api/v1/auth/login", false, std::nullopt, &Impl::Login);
    Add("POST", "/api/v1/auth/logout", true, std::nullopt, &Impl::Logout);
    Add("GET", "/api/v1/me", true, std::nullopt, &Impl::Me);
    Add("POST", "/api/v1/tokens", true, Act::kCreateUser, &Impl::CreateToken);
    Add("GET", "/api/v1/customers", true, Act::kSearchCustomers, &Impl::SearchCustomers);
    Add("POST", "/api/v1/customers", true, Act::kCreateCustomer, &Impl::CreateCustomer);
    Add("GET", "/api/v1/customers/{id}", true, Act::kReadCustomer, &Impl::GetCustomer);
    Add("GET", "/api/v1/customers/{id}/360", true, Act::kReadCustomer, &Impl::Customer360);
    Add("POST", "/api/v1/customers/{id}/sites", true, Act::kCreateCustomer, &Impl::CreateSite);
    Add("POST", "/api/v1/customers/{id}/services", true, Act::kCreateCustomer, &Impl::CreateService);
    Add("POST", "/api/v1/customers/{id}/devices", true, Act::kCreateCustomer, &Impl::CreateDevice);
    Add("GET", "/api/v1/cases", true, Act::kReadCase, &Impl::ListCases);
    Add("POST", "/api/v1/cases", true, Act::kRecordContact, &Impl::RecordContactRoute);
    Add("GET", "/api/v1/cases/{id}", true, Act::kReadCase, &Impl::GetCase);
    Add("POST", "/api/v1/cases/{id}/events", true, Act::kAddMessage, &Impl::AddEventRoute);
    Add("POST", "/api/v1/cases/{id}/status", true, Act::kChangeStatus, &Impl::ChangeStatusRoute);
    Add("POST", "/api/v1/cases/{id}/assign", true, Act::kAssignCase, &Impl::AssignRoute);
    Add("POST", "/api/v1/cases/{id}/split", true, Act::kSplitCase, &Impl::SplitRoute);
    Add("POST", "/api/v1/cases/{id}/diagnose", true, Act::kDiagnose, &Impl::DiagnoseRoute);
    Add("POST", "/api/v1/cases/{id}/remediate", true, Act::kActOnDevice, &Impl::RemediateRoute);
    Add("POST", "/api/v1/probes", true, Act::kReportProbes, &Impl::IngestProbes);
    Add("GET", "/api/v1/customers/{id}/probe-events", true, Act::kReadDevice, &Impl::ProbeEvents);
    Add("GET", "/api/v1/area-outages", true, Act::kReadDevice, &Impl::ListOutages);
    Add("POST", "/api/v1/area-outages", true, Act::kManageOutages, &Impl::CreateOutage);
    Add("GET", "/api/v1/gateways", true, Act::kReadDevice, &Impl::ListGateways);
    Add("GET", "/api/v1/gateways/{id}", true, Act::kReadDevice, &Impl::GetGateway);
    Add("GET", "/api/v1/gateways/{id}/history", true, Act::kReadDevice, &Impl::GatewayHistory);
    Add("POST", "/api/v1/gateways/{id}/link", true, Act::kLinkDevice, &Impl::LinkGateway);
    Add("GET", "/api/v1/gateways/{id}/tasks", true, Act::kReadDevice, &Impl::ListTasks);
    Add("POST", "/api/v1/gateways/{id}/tasks", true, Act::kActOnDevice, &Impl::CreateTask);
    Add("GET", "/api/v1/users", true, Act::kListUsers, &Impl::ListUsers);
    Add("POST", "/api/v1/users", true, Act::kCreateUser, &Impl::CreateUser);
    std::vector<std::string> labels;
    for (const auto& r : routes_) labels.push_back(r.method + " " + r.pattern);
    labels.push_back("unmatched");
    metrics_ = std::make_unique<Metrics>(std::move(labels));
  }

  void Handle(HttpRequest&& req, Responder respond) {
    auto started = std::chrono::steady_clock::now();
    auto ctx = std::make_shared<RequestContext>();
    ctx->req = std::move(req);
    std::size_t route_index = routes_.size();
    const Route* route = Match(*ctx, route_index);
    // Wrap the responder: metrics and the access log see every answer exactly once.
    in_flight_.fetch_add(1);
    ctx->respond = [this, respond = std::move(respond), started, route_index, method = ctx->req.method,
                    path = ctx->req.path](HttpResponse r) {
      InFlightDone done_guard(in_flight_);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics_->Observe(route_index, r.status, secs);
      if (options_.access_log) Log(method, path, r.status, r.body.size(), secs);
      respond(std::move(r));
    };
    if (!route) {
      bool path_exists = false;
      for (const auto& r : routes_) {
        std::vector<Id> ids;
        if (MatchPath(r, ctx->req.path, ids)) path_exists = true;
      }
      if (path_exists) return ctx->respond(ErrorResponse(405, "method_not_allowed", "method not allowed on this path"));
      return ctx->respond(ErrorResponse(404, "not_found", "no such route"));
    }
    if (route->needs_user) {
      auto user = Authenticate(ctx->req);
      if (!user) return Reply(*ctx, std::unexpected(user.error()));
      ctx->user = std::move(*user);
      if (route->act && !Allowed(ctx->user->role, *route->act))
        return Reply(*ctx, Fail(Errc::kPermissionDenied, "a " + std::string(RoleName(ctx->user->role)) +
                                                             " may not " + std::string(ActName(*route->act))));
    }
    if (ctx->req.method == "POST") {
      if (ctx->req.body.empty()) {
        ctx->body = Value::MakeObject();
      } else {
        if (!IsValidUtf8(ctx->req.body)) return Reply(*ctx, Fail(Errc::kInvalidArgument, "the body is not valid UTF-8"));
        auto parsed = ParseJson(ctx->req.body);
        if (!parsed) return Reply(*ctx, std::unexpected(parsed.error()));
        if (!parsed->IsObject()) return Reply(*ctx, Fail(Errc::kInvalidArgument, "the body must be a JSON object"));
        ctx->body = std::move(*parsed);
      }
    }
    try {
      (this->*(route->fn))(*ctx);
    } catch (const std::exception& ex) {
      Reply(*ctx, Fail(Errc::kInternal, std::string("internal error: ") + ex.what()));
    }
  }

  std::vector<RouteInfo> Routes() const {
    std::vector<RouteInfo> out;
    for (const auto& r : routes_) out.push_back({r.method, r.pattern});
    return out;
  }

  std::function<std::uint64_t()> open_connections = [] { return std::uint64_t{0}; };

 private:
  // ---- plumbing

  void Add(std::string method, std::string pattern, bool needs_user, std::optional<Act> act, HandlerFn fn) {
    Route r{std::move(method), pattern, {}, needs_user, act, fn};
    for (auto seg : Split(std::string_view(pattern).substr(1), '/')) r.segments.emplace_back(seg);
    routes_.push_back(std::move(r));
  }

  static bool MatchPath(const Route& r, std::string_view path, std::vector<Id>& ids) {
    if (path.empty() || path[0] != '/') return false;
    auto parts = Split(path.substr(1), '/');
    if (parts.size() != r.segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (r.segments[i] == "{id}") {
        if (parts[i].empty() || parts[i].size() > 18) return false;
        Id id = 0;
        for (char c : parts[i]) {
          if (c < '0' || c > '9') return false;
          id = id * 10 + (c - '0');
        }
        ids.push_back(id);
      } else if (r.segments[i] != parts[i]) {
        return false;
      }
    }
    return true;
  }

  const Route* Match(RequestContext& ctx, std::size_t& index) const {
    std::string_view method = ctx.req.method == "HEAD" ? "GET" : ctx.req.method;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
      const auto& r = routes_[i];
      if (r.method != method) continue;
      ctx.ids.clear();
      if (MatchPath(r, ctx.req.path, ctx.ids)) {
        index = i;
        return &r;
      }
    }
    ctx.ids.clear();
    return nullptr;
  }

  void Log(const std::string& method, const std::string& path, int status, std::size_t bytes, double secs) {
    char line[600];
    int n = std::snprintf(line, sizeof line, "%s %s %.200s %d %zu %.3fms\n", FormatIsoTime(options_.now()).c_str(),
                          method.c_str(), path.c_str(), status, bytes, secs * 1e3);
    std::lock_guard lock(log_mu_);
    std::fwrite(line, 1, static_cast<std::size_t>(std::min<int>(n, sizeof line - 1)), options_.access_log);
  }

  Language LanguageFor(const RequestContext& ctx) const {
    if (auto lang = ParseLanguage(net::QueryParam(ctx.req.query, "lang"))) return *lang;
    if (ctx.user) return ctx.user->language;
    if (auto lang = ParseLanguage(ctx.req.Header("accept-language"))) return *lang;
    return Language::kEs;
  }

  void Json(RequestContext& ctx, int status, const Value& v) {
    HttpResponse r;
    r.status = status;
    AppendJson(v, r.body);
    ctx.respond(std::move(r));
  }

  void Reply(RequestContext& ctx, const Status& s, int ok_status = 200, const Value& v = Value()) {
    if (s) return Json(ctx, ok_status, v);
    const Error& e = s.error();
    int status = HttpStatusFor(e.code);
    std::string message = e.message;
    // Customers read errors in their own words; staff get the precise message.
    if (ctx.user && ctx.user->role == Role::kCustomer)
      message = Text(ctx.user->language, "error." + std::string(ErrcName(e.code))) + " (" + e.message + ")";
    if (status == 500 && options_.access_log) std::fprintf(options_.access_log, "internal error: %s\n", e.message.c_str());
    ctx.respond(ErrorResponse(status, ErrcName(e.code), message, e.field));
  }

  // Runs a write unit and replies after commit with what make_reply builds.
  void WriteThenReply(std::shared_ptr<RequestContext> ctx, std::function<Status(StoreTx&)> job,
                      std::shared_ptr<Value> out, int ok_status) {
    store_.Write(std::move(job), [this, ctx, out, ok_status](Status s) { Reply(*ctx, s, ok_status, *out); });
  }

  std::shared_ptr<RequestContext> Own(RequestContext& ctx) {
    // Handlers that answer after a commit keep the context alive until then.
    return std::make_shared<RequestContext>(std::move(ctx));
  }

  std::string_view TokenFrom(const HttpRequest& req) const {
    std::string_view auth = req.Header("authorization");
    if (auth.starts_with("Bearer ")) return Trim(auth.substr(7));
    std::string_view cookies = req.Header("cookie");
    while (!cookies.empty()) {
      auto semi = cookies.find(';');
      std::string_view pair = Trim(cookies.substr(0, semi));
      if (pair.starts_with(kSessionCookie) && pair.size() > kSessionCookie.size() && pair[kSessionCookie.size()] == '=')
        return pair.substr(kSessionCookie.size() + 1);
      if (semi == std::string_view::npos) break;
      cookies.remove_prefix(semi + 1);
    }
    return {};
  }

  Result<User> Authenticate(const HttpRequest& req) {
    std::string_view token = TokenFrom(req);
    if (token.empty()) return Fail(Errc::kUnauthenticated, "sign in first (session cookie or bearer token)");
    std::string digest = TokenDigest(token);
    Time now = options_.now();
    {
      std::shared_lock lock(sessions_mu_);
      auto it = sessions_.find(digest);
      if (it != sessions_.end()) {
        if (it->second.expires_at > now) return it->second.user;
        lock.unlock();
        std::unique_lock wlock(sessions_mu_);
        sessions_.erase(digest);
        return Fail(Errc::kUnauthenticated, "the session has expired; sign in again");
      }
    }
    std::optional<User> user;
    Time expires = 0;
    HILO_TRY(store_.Read([&](StoreReader& r) -> Status {
      auto s = r.GetSession(digest);
      if (!s) return std::unexpected(s.error());
      if (!*s) return Ok();
      auto u = r.GetUser((*s)->user_id);
      if (!u) return std::unexpected(u.error());
      user = *u;
      expires = (*s)->expires_at;
      return Ok();
    }));
    if (!user || expires <= now) return Fail(Errc::kUnauthenticated, "unknown or expired session; sign in again");
    std::unique_lock lock(sessions_mu_);
    if (sessions_.size() > 100000) sessions_.clear();  // bound memory; entries reload on demand
    sessions_[digest] = CachedSession{*user, expires};
    return *user;
  }

  Status CanSeeCustomerOrHide(const RequestContext& ctx, Id customer_id) const {
    if (!CanSeeCustomer(*ctx.user, customer_id)) return Fail(Errc::kNotFound, "no customer " + std::to_string(customer_id), "customer_id");
    return Ok();
  }

  // ---- routes: service

  void Landing(RequestContext& ctx) {
    std::string html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hilo</title></head><body>"
        "<h1>hilo is running</h1><p>Customer-care platform for internet providers: one case thread, "
        "the customer's gateway in view, diagnosis with evidence.</p><ul>"
        "<li><a href=\"/api/v1/openapi.yaml\">API description (OpenAPI 3)</a></li>"
        "<li><a href=\"/healthz\">Health</a></li><li><a href=\"/metrics\">Metrics (Prometheus)</a></li></ul>";
    if (!options_.banner.empty()) html += "<pre>" + options_.banner + "</pre>";
    html += "</body></html>";
    ctx.respond(HttpResponse::Text(200, std::move(html), "text/html; charset=utf-8"));
  }

  void Health(RequestContext& ctx) { ctx.respond(HttpResponse::Text(200, "{\"status\":\"ok\"}", "application/json")); }

  void MetricsRoute(RequestContext& ctx) {
    ctx.respond(HttpResponse::Text(200, metrics_->Render(open_connections()), "text/plain; version=0.0.4"));
  }

  void OpenApi(RequestContext& ctx) { ctx.respond(HttpResponse::Text(200, kOpenApiYaml, "application/yaml")); }

  // ---- routes: auth

  void Login(RequestContext& ctx) {
    auto username = RequiredString(ctx.body, "username", 100);
    if (!username) return Reply(ctx, std::unexpected(username.error()));
    auto password = RequiredString(ctx.body, "password", 1000);
    if (!password) return Reply(ctx, std::unexpected(password.error()));
    std::optional<UserCredentials> creds;
    auto read = store_.Read([&](StoreReader& r) -> Status {
      auto c = r.GetUserByName(*username);
      if (c) creds = *c;
      return Ok();
    });
    if (!read) return Reply(ctx, read);
    auto owned = Own(ctx);
    // argon2id is deliberately slow: verify off the I/O threads.
    workers_.Post([this, owned, creds, password = *password]() {
      bool ok = creds && VerifyPassword(password, creds->password_hash);
      if (!ok) return Reply(*owned, Fail(Errc::kUnauthenticated, "wrong username or password"));
      std::string token = NewSecretToken();
      std::string digest = TokenDigest(token);
      Time expires = options_.now() + options_.session_ttl;
      User user = creds->user;
      store_.Write([digest, user, expires](StoreTx& tx) { return tx.InsertSession(digest, {user.id, expires}); },
                   [this, owned, token, user, expires](Status s) {
                     if (!s) return Reply(*owned, s);
                     Value v = Value::MakeObject();
                     v.Set("token", token);
                     v.Set("expires_at", FormatIsoTime(expires));
                     v.Set("user", ToValue(user));
                     HttpResponse r;
                     r.body = ToJson(v);
                     r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                                              "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                                              std::to_string(options_.session_ttl));
                     owned->respond(std::move(r));
                   });
    });
  }

  void Logout(RequestContext& ctx) {
    std::string digest = TokenDigest(TokenFrom(ctx.req));
    {
      std::unique_lock lock(sessions_mu_);
      sessions_.erase(digest);
    }
    auto owned = Own(ctx);
    store_.Write([digest](StoreTx& tx) { return tx.DeleteSession(digest); }, [this, owned](Status s) {
      HttpResponse r = s ? HttpResponse::Text(200, "{\"signed_out\":true}", "application/json")
                         : ErrorResponse(500, "internal", s.error().message);
      r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
      owned->respond(std::move(r));
    });
  }

  void Me(RequestContext& ctx) { Json(ctx, 200, ToValue(*ctx.user)); }

  void CreateToken(RequestContext& ctx) {
    auto name = RequiredString(ctx.body, "name", 100);
    if (!name) return Reply(ctx, std::unexpected(name.error()));
    std::string token = NewSecretToken();
    std::string digest = TokenDigest(token);
    Time expires = options_.now() + options_.token_ttl;
    auto out = std::make_shared<Value>(Value::MakeObject());
    out->Set("token", token);
    out->Set("name", *name);
    out->Set("expires_at", FormatIsoTime(expires));
    Id user_id = ctx.user->id;
    WriteThenReply(Own(ctx), [digest, user_id, expires](StoreTx& tx) { return tx.InsertSession(digest, {user_id, expires}); },
                   out, 201);
  }

  // ---- routes: customers

  void SearchCustomers(RequestContext& ctx) {
    std::string q = net::QueryParam(ctx.req.query, "q");
    if (Trim(q).empty()) return Reply(ctx, Fail(Errc::kInvalidArgument, "give ?q= (name, RUT, phone, email or serial)", "q"));
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto found = r.SearchCustomers({q, 20});
      if (!found) return std::unexpected(found.error());
      Value items = Value::MakeArray();
      for (const auto& c : *found) items.Push(ToValue(c));
      out.Set("customers", std::move(items));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void CreateCustomer(RequestContext& ctx) {
    auto customer = CustomerFromBody(ctx.body);
    if (!customer) return Reply(ctx, std::unexpected(customer.error()));
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [c = *customer, out](StoreTx& tx) mutable -> Status {
      auto id = tx.InsertCustomer(c);
      if (!id) return std::unexpected(id.error());
      c.id = *id;
      *out = ToValue(c);
      return Ok();
    }, out, 201);
  }

  void GetCustomer(RequestContext& ctx) {
    Id id = ctx.ids[0];
    if (auto s = CanSeeCustomerOrHide(ctx, id); !s) return Reply(ctx, s);
    Value out;
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto c = r.GetCustomer(id);
      if (!c) return std::unexpected(c.error());
      out = ToValue(*c);
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void Customer360(RequestContext& ctx) {
    Id id = ctx.ids[0];
    Time now = options_.now();
    if (auto s = CanSeeCustomerOrHide(ctx, id); !s) return Reply(ctx, s);
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto c = r.GetCustomer(id);
      if (!c) return std::unexpected(c.error());
      out.Set("customer", ToValue(*c));
      auto services = r.ServicesOf(id);
      auto sites = r.SitesOf(id);
      auto devices = r.DevicesOf(id);
      if (!services || !sites || !devices) return Fail(Errc::kInternal, "could not read the customer's records");
      Value sv = Value::MakeArray(), st = Value::MakeArray(), dv = Value::MakeArray();
      for (const auto& x : *services) sv.Push(ToValue(x));
      for (const auto& x : *sites) st.Push(ToValue(x));
      for (const auto& x : *devices) dv.Push(ToValue(x));
      out.Set("services", std::move(sv));
      out.Set("sites", std::move(st));
      out.Set("devices", std::move(dv));
      CaseQuery q;
      q.customer_id = id;
      q.limit = 20;
      auto cases = r.FindCases(q);
      if (!cases) return std::unexpected(cases.error());
      Value open = Value::MakeArray(), recent = Value::MakeArray();
      for (const auto& k : *cases) (IsOpen(k.status) ? open : recent).Push(ToValue(k));
      out.Set("open_cases", std::move(open));
      out.Set("recent_cases", std::move(recent));
      // The live gateway: what the customer's Wi-Fi looks like now.
      auto cpes = r.CpesOfCustomer(id);
      if (!cpes) return std::unexpected(cpes.error());
      Value gateways = Value::MakeArray();
      for (const auto& cpe : *cpes) {
        auto live = LiveGateway(r, cpe, now);
        if (!live) return std::unexpected(live.error());
        gateways.Push(std::move(*live));
      }
      out.Set("gateways", std::move(gateways));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void CreateSite(RequestContext& ctx) {
    Site site;
    site.customer_id = ctx.ids[0];
    auto address = RequiredString(ctx.body, "address", 500);
    if (!address) return Reply(ctx, std::unexpected(address.error()));
    auto city = OptionalString(ctx.body, "city", 200);
    if (!city) return Reply(ctx, std::unexpected(city.error()));
    site.address = *address;
    site.city = *city;
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [site, out](StoreTx& tx) mutable -> Status {
      HILO_TRY(tx.GetCustomer(site.customer_id));
      auto id = tx.InsertSite(site);
      if (!id) return std::unexpected(id.error());
      site.id = *id;
      *out = ToValue(site);
      return Ok();
    }, out, 201);
  }

  void CreateService(RequestContext& ctx) {
    Service svc;
    svc.customer_id = ctx.ids[0];
    auto kind = RequiredString(ctx.body, "kind", 20);
    if (!kind) return Reply(ctx, std::unexpected(kind.error()));
    auto k = ParseServiceKind(*kind);
    if (!k) return Reply(ctx, Fail(Errc::kInvalidArgument, "kind is internet, tv or phone", "kind"));
    svc.kind = *k;
    auto plan = OptionalString(ctx.body, "plan", 200);
    if (!plan) return Reply(ctx, std::unexpected(plan.error()));
    svc.plan = *plan;
    auto site = OptionalId(ctx.body, "site_id");
    if (!site) return Reply(ctx, std::unexpected(site.error()));
    svc.site_id = *site;
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [svc, out](StoreTx& tx) mutable -> Status {
      HILO_TRY(tx.GetCustomer(svc.customer_id));
      if (svc.site_id) HILO_TRY(SiteBelongs(tx, svc.customer_id, svc.site_id));
      auto id = tx.InsertService(svc);
      if (!id) return std::unexpected(id.error());
      svc.id = *id;
      *out = ToValue(svc);
      return Ok();
    }, out, 201);
  }

  static Status SiteBelongs(StoreTx& tx, Id customer, Id site) {
    auto sites = tx.SitesOf(customer);
    if (!sites) return std::unexpected(sites.error());
    for (const auto& s : *sites)
      if (s.id == site) return Ok();
    return Fail(Errc::kInvalidArgument, "the site does not belong to this customer", "site_id");
  }

  void CreateDevice(RequestContext& ctx) {
    Device d;
    d.customer_id = ctx.ids[0];
    auto kind = RequiredString(ctx.body, "kind", 20);
    if (!kind) return Reply(ctx, std::unexpected(kind.error()));
    auto k = ParseDeviceKind(*kind);
    if (!k) return Reply(ctx, Fail(Errc::kInvalidArgument, "kind is gateway, modem, set_top_box or client", "kind"));
    d.kind = *k;
    for (auto [field, target] : {std::pair{"oui", &d.oui}, {"product_class", &d.product_class}, {"serial", &d.serial},
                                 {"label", &d.label}, {"mac", &d.mac}}) {
      auto v = OptionalString(ctx.body, field, 200);
      if (!v) return Reply(ctx, std::unexpected(v.error()));
      *target = *v;
    }
    if (d.kind != DeviceKind::kClient && d.serial.empty())
      return Reply(ctx, Fail(Errc::kInvalidArgument, "a gateway, modem or set-top box needs its serial", "serial"));
    auto site = OptionalId(ctx.body, "site_id");
    if (!site) return Reply(ctx, std::unexpected(site.error()));
    d.site_id = *site;
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [d, out](StoreTx& tx) mutable -> Status {
      HILO_TRY(tx.GetCustomer(d.customer_id));
      if (d.site_id) HILO_TRY(SiteBelongs(tx, d.customer_id, d.site_id));
      auto id = tx.InsertDevice(d);
      if (!id) return std::unexpected(id.error());
      d.id = *id;
      *out = ToValue(d);
      return Ok();
    }, out, 201);
  }

  // ---- routes: cases

  void ListCases(RequestContext& ctx) {
    CaseQuery q;
    q.words = net::QueryParam(ctx.req.query, "q");
    std::string customer = net::QueryParam(ctx.req.query, "customer_id");
    std::string status = net::QueryParam(ctx.req.query, "status");
    std::string assignee = net::QueryParam(ctx.req.query, "assignee_id");
    auto parse_id = [](const std::string& s, Id& out) {
      if (s.empty()) return true;
      out = 0;
      for (char c : s) {
        if (c < '0' || c > '9' || out > 100000000000000) return false;
        out = out * 10 + (c - '0');
      }
      return true;
    };
    if (!parse_id(customer, q.customer_id)) return Reply(ctx, Fail(Errc::kInvalidArgument, "customer_id must be an id", "customer_id"));
    if (!parse_id(assignee, q.assignee_id)) return Reply(ctx, Fail(Errc::kInvalidArgument, "assignee_id must be an id", "assignee_id"));
    if (!status.empty()) {
      q.status = ParseCaseStatus(status);
      if (!q.status) return Reply(ctx, Fail(Errc::kInvalidArgument, "unknown status", "status"));
    }
    if (ctx.user->role == Role::kCustomer) {
      if (q.customer_id != 0 && q.customer_id != ctx.user->customer_id) return Json(ctx, 200, EmptyCases());
      q.customer_id = ctx.user->customer_id;
    }
    if (q.words.empty() && q.customer_id == 0 && q.assignee_id == 0 && !q.status)
      q.status = CaseStatus::kOpen;  // an unfiltered list means the open queue
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto cases = r.FindCases(q);
      if (!cases) return std::unexpected(cases.error());
      Value items = Value::MakeArray();
      for (const auto& c : *cases) items.Push(ToValue(c));
      out.Set("cases", std::move(items));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  static Value EmptyCases() {
    Value v = Value::MakeObject();
    v.Set("cases", Value::MakeArray());
    return v;
  }

  void RecordContactRoute(RequestContext& ctx) {
    ContactInput in;
    auto customer = RequiredId(ctx.body, "customer_id");
    if (!customer) return Reply(ctx, std::unexpected(customer.error()));
    in.customer_id = *customer;
    if (auto s = CanSeeCustomerOrHide(ctx, in.customer_id); !s) return Reply(ctx, s);
    auto service = OptionalId(ctx.body, "service_id");
    if (!service) return Reply(ctx, std::unexpected(service.error()));
    in.service_id = *service;
    auto category = OptionalString(ctx.body, "category", 100);
    if (!category) return Reply(ctx, std::unexpected(category.error()));
    if (!category->empty()) in.category = *category;
    auto channel = OptionalString(ctx.body, "channel", 20);
    if (!channel) return Reply(ctx, std::unexpected(channel.error()));
    if (!channel->empty()) {
      auto ch = ParseChannel(*channel);
      if (!ch) return Reply(ctx, Fail(Errc::kInvalidArgument, "channel is phone, chat, email, portal or field", "channel"));
      in.channel = *ch;
    } else if (ctx.user->role == Role::kCustomer) {
      in.channel = Channel::kPortal;
    }
    auto subject = OptionalString(ctx.body, "subject", 300);
    if (!subject) return Reply(ctx, std::unexpected(subject.error()));
    in.subject = *subject;
    auto text = OptionalString(ctx.body, "text");
    if (!text) return Reply(ctx, std::unexpected(text.error()));
    in.text = *text;
    if (!ctx.body.Get("symptoms").IsNull()) {
      auto facts = SymptomsFromBody(ctx.body.Get("symptoms"));
      if (!facts) return Reply(ctx, std::unexpected(facts.error()));
      in.symptoms = *facts;
    }
    Actor actor = Actor::From(*ctx.user);
    Time now = options_.now();
    auto out = std::make_shared<Value>();
    CasePolicy policy = options_.case_policy;
    auto engine = options_.engine;
    care::CareOptions care = options_.care;
    WriteThenReply(Own(ctx), [in, actor, now, policy, out, engine, care](StoreTx& tx) -> Status {
      auto r = RecordContact(tx, actor, in, now, policy);
      if (!r) return std::unexpected(r.error());
      *out = Value::MakeObject();
      out->Set("outcome", ContactOutcomeName(r->outcome));
      if (in.symptoms && engine) {
        // The customer reported symptoms: diagnose within this same contact.
        auto d = care::DiagnoseCase(tx, actor, r->case_id, now, *engine, care, "symptom_report");
        if (!d) return std::unexpected(d.error());
        out->Set("diagnosis", DiagnosisToValue(*d));
      }
      auto c = tx.GetCase(r->case_id);
      if (!c) return std::unexpected(c.error());
      out->Set("case", ToValue(*c));
      return Ok();
    }, out, 201);
  }

  void GetCase(RequestContext& ctx) {
    Id id = ctx.ids[0];
    const User& user = *ctx.user;
    Language lang = LanguageFor(ctx);
    Time now = options_.now();
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto c = r.GetCase(id);
      if (!c) return std::unexpected(c.error());
      if (!CanSeeCase(user, *c)) return Fail(Errc::kNotFound, "no case " + std::to_string(id), "case_id");
      auto events = r.EventsOf(id);
      if (!events) return std::unexpected(events.error());
      Audience audience = IsStaff(user.role) ? Audience::kStaff : Audience::kCustomer;
      Story story = BuildStory(*c, *events, now, audience);
      out.Set("story", StoryToValue(story, lang));
      out.Set("case", ToValue(*c));
      // What the case already knows, so whoever talks to the customer next starts from it.
      Value known = SymptomFactsToBody(story.facts);
      Value names = Value::MakeArray();
      for (const auto& n : KnownFactNames(story.facts)) names.Push(n);
      known.Set("known_fields", std::move(names));
      out.Set("known_facts", std::move(known));
      Value timeline = Value::MakeArray();
      for (const auto& e : *events)
        if (CanSeeEvent(user, e)) timeline.Push(ToValue(e));
      out.Set("timeline", std::move(timeline));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  // Checks the case exists and is visible, inside the write unit.
  static Status VisibleCase(StoreTx& tx, const User& user, Id id) {
    auto c = tx.GetCase(id);
    if (!c) return std::unexpected(c.error());
    if (!CanSeeCase(user, *c)) return Fail(Errc::kNotFound, "no case " + std::to_string(id), "case_id");
    return Ok();
  }

  void AddEventRoute(RequestContext& ctx) {
    auto kind_name = RequiredString(ctx.body, "kind", 40);
    if (!kind_name) return Reply(ctx, std::unexpected(kind_name.error()));
    auto kind = ParseEventKind(*kind_name);
    if (!kind) return Reply(ctx, Fail(Errc::kInvalidArgument, "unknown event kind '" + *kind_name + "'", "kind"));
    const User& user = *ctx.user;
    if (*kind == EventKind::kNote && !Allowed(user.role, Act::kAddNote))
      return Reply(ctx, Fail(Errc::kPermissionDenied, "a customer may not add internal notes"));
    if (*kind != EventKind::kMessage && *kind != EventKind::kNote && !Allowed(user.role, Act::kAddStaffEvent))
      return Reply(ctx, Fail(Errc::kPermissionDenied, "a customer may only add messages"));
    const Value& internal = ctx.body.Get("internal");
    if (!internal.IsNull() && !internal.IsBool()) return Reply(ctx, Fail(Errc::kInvalidArgument, "'internal' must be true or false", "internal"));
    if (internal.AsBool() && !IsStaff(user.role)) return Reply(ctx, Fail(Errc::kPermissionDenied, "a customer may not write internal events"));
    Value body = ctx.body.Get("body");
    if (!body.IsNull() && !body.IsObject()) return Reply(ctx, Fail(Errc::kInvalidArgument, "'body' must be an object", "body"));
    // Times in bodies arrive as ISO text; the timeline keeps Unix seconds.
    for (const char* field : {"since", "due"}) {
      if (body.Get(field).IsString()) {
        auto t = ParseIsoTime(body.Get(field).AsString());
        if (!t) return Reply(ctx, Fail(Errc::kInvalidArgument, std::string("'") + field + "' must be an ISO-8601 time", field));
        body.Set(field, *t);
      }
    }
    EventInput input{*kind, internal.AsBool(), std::move(body)};
    Id id = ctx.ids[0];
    Actor actor = Actor::From(user);
    Time now = options_.now();
    auto out = std::make_shared<Value>();
    auto engine = options_.engine;
    care::CareOptions care = options_.care;
    WriteThenReply(Own(ctx), [input, id, actor, user, now, out, engine, care](StoreTx& tx) -> Status {
      HILO_TRY(VisibleCase(tx, user, id));
      auto e = AddEvent(tx, actor, id, input, now);
      if (!e) return std::unexpected(e.error());
      *out = ToValue(*e);
      // A symptom report starts a diagnosis at once: the company does the tests.
      if (input.kind == EventKind::kSymptomReport && engine) {
        auto d = care::DiagnoseCase(tx, actor, id, now, *engine, care, "symptom_report");
        if (!d) return std::unexpected(d.error());
        out->Set("diagnosis", DiagnosisToValue(*d));
      }
      return Ok();
    }, out, 201);
  }

  void ChangeStatusRoute(RequestContext& ctx) {
    auto status_name = RequiredString(ctx.body, "status", 40);
    if (!status_name) return Reply(ctx, std::unexpected(status_name.error()));
    auto status = ParseCaseStatus(*status_name);
    if (!status) return Reply(ctx, Fail(Errc::kInvalidArgument, "status is open, pending_customer, resolved or closed", "status"));
    if (*status == CaseStatus::kClosed && !Allowed(ctx.user->role, Act::kCloseCase))
      return Reply(ctx, Fail(Errc::kPermissionDenied, "closing a case is for supervisors and managers"));
    auto reason = OptionalString(ctx.body, "reason", 2000);
    if (!reason) return Reply(ctx, std::unexpected(reason.error()));
    Id id = ctx.ids[0];
    Actor actor = Actor::From(*ctx.user);
    User user = *ctx.user;
    Time now = options_.now();
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [id, actor, user, now, out, to = *status, why = *reason](StoreTx& tx) -> Status {
      HILO_TRY(VisibleCase(tx, user, id));
      auto e = ChangeStatus(tx, actor, id, to, why, now);
      if (!e) return std::unexpected(e.error());
      *out = ToValue(*e);
      return Ok();
    }, out, 200);
  }

  void AssignRoute(RequestContext& ctx) {
    auto assignee = RequiredId(ctx.body, "assignee_id");
    if (!assignee) return Reply(ctx, std::unexpected(assignee.error()));
    Id id = ctx.ids[0];
    Actor actor = Actor::From(*ctx.user);
    Time now = options_.now();
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [id, actor, now, out, to = *assignee](StoreTx& tx) -> Status {
      auto e = AssignCase(tx, actor, id, to, now);
      if (!e) return std::unexpected(e.error());
      *out = ToValue(*e);
      return Ok();
    }, out, 200);
  }

  void SplitRoute(RequestContext& ctx) {
    auto reason = RequiredString(ctx.body, "reason", 2000);
    if (!reason) return Reply(ctx, std::unexpected(reason.error()));
    auto category = OptionalString(ctx.body, "category", 100);
    if (!category) return Reply(ctx, std::unexpected(category.error()));
    auto subject = OptionalString(ctx.body, "subject", 300);
    if (!subject) return Reply(ctx, std::unexpected(subject.error()));
    Id id = ctx.ids[0];
    Actor actor = Actor::From(*ctx.user);
    Time now = options_.now();
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [id, actor, now, out, cat = *category, subj = *subject, why = *reason](StoreTx& tx) -> Status {
      auto c = SplitCase(tx, actor, id, cat, subj, why, now);
      if (!c) return std::unexpected(c.error());
      *out = ToValue(*c);
      return Ok();
    }, out, 201);
  }



  // What the agent is told after asking a gateway to connect: what happens next, either way.
  static Value ConnectionRequestValue(const Status& reached, int periodic_interval_s) {
    Value cr = Value::MakeObject();
    cr.Set("reached", static_cast<bool>(reached));
    cr.Set("detail", reached ? std::string("the gateway was asked to connect now")
                             : "the gateway could not be reached (" + reached.error().message +
                                   "); it runs at the gateway's next periodic inform, within " +
                                   std::to_string(periodic_interval_s ? periodic_interval_s : 300) + " s");
    return cr;
  }

  // ---- routes: diagnosis, remediation, probes (issue 4)

  Status RequireEngine() const {
    if (!options_.engine) return Fail(Errc::kUnavailable, "the diagnosis engine is not configured");
    return Ok();
  }

  static Value DiagnosisToValue(const care::DiagnosisOutcome& d) {
    Value v = Value::MakeObject();
    v.Set("event", ToValue(d.event));
    v.Set("findings", d.event.body.Get("findings"));
    v.Set("gateway_id", d.gateway_id == 0 ? Value() : Value(d.gateway_id));
    Value dispatch = Value::MakeObject();
    dispatch.Set("needed", d.dispatch);
    if (d.dispatch) {
      dispatch.Set("reason", d.dispatch_reason);
      dispatch.Set("finding", d.dispatch_finding);
    }
    v.Set("technician", std::move(dispatch));
    return v;
  }

  void DiagnoseRoute(RequestContext& ctx) {
    if (auto s = RequireEngine(); !s) return Reply(ctx, s);
    Id id = ctx.ids[0];
    Actor actor = Actor::From(*ctx.user);
    Time now = options_.now();
    auto out = std::make_shared<Value>();
    auto engine = options_.engine;
    care::CareOptions care = options_.care;
    WriteThenReply(Own(ctx), [id, actor, now, engine, care, out](StoreTx& tx) -> Status {
      auto d = care::DiagnoseCase(tx, actor, id, now, *engine, care, "agent");
      if (!d) return std::unexpected(d.error());
      *out = DiagnosisToValue(*d);
      return Ok();
    }, out, 201);
  }

  void RemediateRoute(RequestContext& ctx) {
    auto action = RequiredString(ctx.body, "action", 60);
    if (!action) return Reply(ctx, std::unexpected(action.error()));
    auto finding = RequiredString(ctx.body, "finding", 100);
    if (!finding) return Reply(ctx, std::unexpected(finding.error()));
    const Value& params = ctx.body.Get("params");
    if (!params.IsNull() && !params.IsObject()) return Reply(ctx, Fail(Errc::kInvalidArgument, "'params' must be an object", "params"));
    Id id = ctx.ids[0];
    Actor actor = Actor::From(*ctx.user);
    Time now = options_.now();
    care::CareOptions care = options_.care;
    auto owned = Own(ctx);
    auto outcome = std::make_shared<care::RemediationOutcome>();
    auto cpe = std::make_shared<Cpe>();
    store_.Write(
        [id, actor, now, care, outcome, cpe, act = *action, fnd = *finding, prm = params](StoreTx& tx) -> Status {
          auto r = care::Remediate(tx, actor, id, act, prm.IsNull() ? Value::MakeObject() : prm, fnd, now, care);
          if (!r) return std::unexpected(r.error());
          *outcome = std::move(*r);
          Id gateway = outcome->event.body.Get("gateway_id").AsInt();
          if (gateway) {
            auto c = tx.GetCpe(gateway);
            if (c) *cpe = *c;
          }
          return Ok();
        },
        [this, owned, outcome, cpe](Status s) {
          if (!s) return Reply(*owned, s);
          auto answer = [this, owned, outcome, cpe](std::optional<Status> reached) {
            Value v = Value::MakeObject();
            v.Set("event", ToValue(outcome->event));
            v.Set("task", outcome->task.id ? ToValue(outcome->task) : Value());
            v.Set("scheduled", outcome->scheduled);
            if (outcome->scheduled) v.Set("not_before", FormatIsoTime(outcome->not_before));
            Value cr = Value::MakeObject();
            if (reached) {
              cr = ConnectionRequestValue(*reached, cpe->periodic_interval_s);
            } else {
              cr.Set("reached", false);
              cr.Set("detail", "scheduled: nothing to send yet");
            }
            v.Set("connection_request", std::move(cr));
            Json(*owned, 202, v);
          };
          if (outcome->scheduled || cpe->id == 0) return answer(std::nullopt);
          if (!options_.wake_gateway) return answer(Status(Fail(Errc::kUnavailable, "no connection requests configured")));
          options_.wake_gateway(*cpe, [answer](Status st) { answer(st); });
        });
  }

  void IngestProbes(RequestContext& ctx) {
    const User& user = *ctx.user;
    auto customer = OptionalId(ctx.body, "customer_id");
    if (!customer) return Reply(ctx, std::unexpected(customer.error()));
    Id customer_id = *customer;
    if (user.role == Role::kCustomer) {
      if (customer_id != 0 && customer_id != user.customer_id) return Reply(ctx, Fail(Errc::kNotFound, "no such customer", "customer_id"));
      customer_id = user.customer_id;
    }
    auto serial = OptionalString(ctx.body, "gateway_serial", 100);
    if (!serial) return Reply(ctx, std::unexpected(serial.error()));
    const Value& samples_in = ctx.body.Get("samples");
    if (!samples_in.IsArray()) return Reply(ctx, Fail(Errc::kInvalidArgument, "'samples' must be a list", "samples"));
    if (samples_in.AsArray().size() > 100000) return Reply(ctx, Fail(Errc::kInvalidArgument, "at most 100000 samples per batch", "samples"));
    std::vector<telemetry::ProbeSample> samples;
    samples.reserve(samples_in.AsArray().size());
    for (const auto& s : samples_in.AsArray()) {
      if (!s.IsObject() || !s.Get("at_ms").IsInt() || !s.Get("ok").IsBool())
        return Reply(ctx, Fail(Errc::kInvalidArgument, "each sample is {at_ms, leg, ok, rtt_ms}", "samples"));
      telemetry::ProbeSample p;
      p.at_ms = s.Get("at_ms").AsInt();
      p.ok = s.Get("ok").AsBool();
      p.rtt_ms = s.Get("rtt_ms").AsDouble();
      auto leg = telemetry::ParseProbeLeg(s.Get("leg").IsString() ? s.Get("leg").AsString() : "other");
      if (!leg) return Reply(ctx, Fail(Errc::kInvalidArgument, "unknown leg '" + s.Get("leg").AsString() + "'", "samples"));
      p.leg = *leg;
      samples.push_back(p);
    }
    Time now = options_.now();
    care::CareOptions care = options_.care;
    auto out = std::make_shared<Value>();
    std::string gw_serial = *serial;
    WriteThenReply(Own(ctx), [customer_id, gw_serial, samples = std::move(samples), now, care, out](StoreTx& tx) mutable -> Status {
      Id cid = customer_id;
      Id cpe_id = 0;
      if (!gw_serial.empty()) {
        auto cpe = tx.FindCpeBySerial(gw_serial);
        if (!cpe) return std::unexpected(cpe.error());
        if (!*cpe) return Fail(Errc::kNotFound, "no gateway with serial " + gw_serial, "gateway_serial");
        cpe_id = (*cpe)->id;
        if (cid == 0) cid = (*cpe)->customer_id;
      }
      if (cid == 0) return Fail(Errc::kInvalidArgument, "give customer_id, or the serial of a linked gateway", "customer_id");
      auto r = care::IngestProbeSamples(tx, cid, cpe_id, std::move(samples), now, care);
      if (!r) return std::unexpected(r.error());
      *out = Value::MakeObject();
      Value events = Value::MakeArray();
      for (const auto& e : r->events) events.Push(diagnosis::ToValue(e));
      out->Set("events", std::move(events));
      out->Set("in_cut", r->in_cut);
      out->Set("correlations", static_cast<std::int64_t>(r->correlations.size()));
      return Ok();
    }, out, 201);
  }

  void ProbeEvents(RequestContext& ctx) {
    Id id = ctx.ids[0];
    std::string hours_text = net::QueryParam(ctx.req.query, "hours");
    int hours = hours_text.empty() ? 24 : std::atoi(hours_text.c_str());
    if (hours <= 0 || hours > 24 * 90) return Reply(ctx, Fail(Errc::kInvalidArgument, "hours is 1..2160", "hours"));
    Time now = options_.now();
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      HILO_TRY(r.GetCustomer(id));
      auto events = care::ProbeEventsFor(r, id, now - hours * kHour, now);
      if (!events) return std::unexpected(events.error());
      Value list = Value::MakeArray();
      for (const auto& e : *events) list.Push(diagnosis::ToValue(e));
      out.Set("events", std::move(list));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  // ---- routes: area outages


  void ListOutages(RequestContext& ctx) {
    Time now = options_.now();
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto list = r.AreaOutages(now - 7 * kDay, now);
      if (!list) return std::unexpected(list.error());
      Value items = Value::MakeArray();
      for (const auto& o : *list) items.Push(ToValue(o));
      out.Set("outages", std::move(items));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void CreateOutage(RequestContext& ctx) {
    AreaOutage o;
    auto description = RequiredString(ctx.body, "description", 500);
    if (!description) return Reply(ctx, std::unexpected(description.error()));
    o.description = *description;
    auto cities = OptionalStrings(ctx.body, "cities");
    if (!cities) return Reply(ctx, std::unexpected(cities.error()));
    if (cities->empty()) return Reply(ctx, Fail(Errc::kInvalidArgument, "list the cities (communes) the outage covers", "cities"));
    o.cities = *cities;
    auto start = OptionalTime(ctx.body, "start");
    if (!start) return Reply(ctx, std::unexpected(start.error()));
    o.start = *start ? *start : options_.now();
    auto end = OptionalTime(ctx.body, "end");
    if (!end) return Reply(ctx, std::unexpected(end.error()));
    o.end = *end;
    if (o.end && o.end < o.start) return Reply(ctx, Fail(Errc::kInvalidArgument, "the outage ends before it starts", "end"));
    auto out = std::make_shared<Value>();
    WriteThenReply(Own(ctx), [o, out](StoreTx& tx) mutable -> Status {
      auto id = tx.InsertAreaOutage(o);
      if (!id) return std::unexpected(id.error());
      o.id = *id;
      *out = ToValue(o);
      return Ok();
    }, out, 201);
  }

  // ---- routes: gateways (ACS)

  // A gateway as agents see it: record, online or last seen, and the latest normalised snapshot.
  Result<Value> LiveGateway(StoreReader& r, const Cpe& cpe, Time now) {
    Value v = ToValue(cpe);
    v.Set("online", cpe.Online(now));
    v.Set("last_seen", cpe.last_inform ? Value(FormatIsoTime(cpe.last_inform)) : Value());
    auto points = r.CpeHistory(cpe.id, now - 2 * kDay, now + kDay);
    if (!points) return std::unexpected(points.error());
    if (points->empty()) {
      v.Set("snapshot", Value());
    } else {
      v.Set("snapshot", points->back().snapshot);
      v.Set("snapshot_at", FormatIsoTime(points->back().at));
    }
    return v;
  }

  void ListGateways(RequestContext& ctx) {
    bool unlinked = net::QueryParam(ctx.req.query, "unlinked") == "true";
    Time now = options_.now();
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto cpes = r.ListCpes(unlinked, 200);
      if (!cpes) return std::unexpected(cpes.error());
      Value items = Value::MakeArray();
      for (const auto& c : *cpes) {
        Value v = ToValue(c);
        v.Set("online", c.Online(now));
        items.Push(std::move(v));
      }
      out.Set("gateways", std::move(items));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void GetGateway(RequestContext& ctx) {
    Id id = ctx.ids[0];
    Time now = options_.now();
    Value out;
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto cpe = r.GetCpe(id);
      if (!cpe) return std::unexpected(cpe.error());
      auto live = LiveGateway(r, *cpe, now);
      if (!live) return std::unexpected(live.error());
      out = std::move(*live);
      auto tasks = r.TasksOf(id, false, 20);
      if (!tasks) return std::unexpected(tasks.error());
      Value list = Value::MakeArray();
      for (const auto& t : *tasks) list.Push(ToValue(t));
      out.Set("tasks", std::move(list));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void GatewayHistory(RequestContext& ctx) {
    Id id = ctx.ids[0];
    Time now = options_.now();
    std::string hours_text = net::QueryParam(ctx.req.query, "hours");
    int hours = hours_text.empty() ? 24 : std::atoi(hours_text.c_str());
    if (hours <= 0 || hours > 24 * 90) return Reply(ctx, Fail(Errc::kInvalidArgument, "hours is 1..2160", "hours"));
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      HILO_TRY(r.GetCpe(id));
      auto points = r.CpeHistory(id, now - hours * kHour, now + kDay);
      if (!points) return std::unexpected(points.error());
      Value list = Value::MakeArray();
      for (const auto& p : *points) {
        Value item = Value::MakeObject();
        item.Set("at", FormatIsoTime(p.at));
        item.Set("snapshot", p.snapshot);
        list.Push(std::move(item));
      }
      out.Set("points", std::move(list));
      // Older data survives as hourly aggregates.
      auto hourly = r.CpeHourly(id, now - hours * kHour, now);
      if (!hourly) return std::unexpected(hourly.error());
      Value agg = Value::MakeArray();
      for (const auto& p : *hourly) {
        Value item = Value::MakeObject();
        item.Set("hour", FormatIsoTime(p.at));
        item.Set("aggregates", p.snapshot);
        agg.Push(std::move(item));
      }
      out.Set("hourly", std::move(agg));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void LinkGateway(RequestContext& ctx) {
    Id id = ctx.ids[0];
    auto device_id = RequiredId(ctx.body, "device_id");
    if (!device_id) return Reply(ctx, std::unexpected(device_id.error()));
    auto out = std::make_shared<Value>();
    Time now = options_.now();
    WriteThenReply(Own(ctx), [id, device = *device_id, out, now](StoreTx& tx) -> Status {
      auto cpe = tx.GetCpe(id);
      if (!cpe) return std::unexpected(cpe.error());
      auto found = FindDevice(tx, device);
      if (!found) return std::unexpected(found.error());
      if (found->kind == DeviceKind::kClient) return Fail(Errc::kInvalidArgument, "link a gateway to a gateway, modem or set-top box", "device_id");
      cpe->device_id = found->id;
      cpe->customer_id = found->customer_id;
      HILO_TRY(tx.UpdateCpe(*cpe));
      *out = ToValue(*cpe);
      out->Set("online", cpe->Online(now));
      return Ok();
    }, out, 200);
  }

  static Result<Device> FindDevice(StoreTx& tx, Id device_id) {
    auto device = tx.FindDeviceById(device_id);
    if (!device) return std::unexpected(device.error());
    if (!*device) return Fail(Errc::kNotFound, "no device " + std::to_string(device_id), "device_id");
    return **device;
  }

  void ListTasks(RequestContext& ctx) {
    Id id = ctx.ids[0];
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      HILO_TRY(r.GetCpe(id));
      auto tasks = r.TasksOf(id, false, 100);
      if (!tasks) return std::unexpected(tasks.error());
      Value list = Value::MakeArray();
      for (const auto& t : *tasks) list.Push(ToValue(t));
      out.Set("tasks", std::move(list));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void CreateTask(RequestContext& ctx) {
    Id id = ctx.ids[0];
    auto kind_name = RequiredString(ctx.body, "kind", 60);
    if (!kind_name) return Reply(ctx, std::unexpected(kind_name.error()));
    auto kind = ParseTaskKind(*kind_name);
    if (!kind) return Reply(ctx, Fail(Errc::kInvalidArgument, "unknown task kind '" + *kind_name + "'", "kind"));
    auto case_id = OptionalId(ctx.body, "case_id");
    if (!case_id) return Reply(ctx, std::unexpected(case_id.error()));
    auto reason = OptionalString(ctx.body, "reason", 200);
    if (!reason) return Reply(ctx, std::unexpected(reason.error()));
    Time now = options_.now();
    auto task = MakeTask(id, *kind, ctx.body.Get("args"), now, options_.task_ttl);
    if (!task) return Reply(ctx, std::unexpected(task.error()));
    task->case_id = *case_id;
    task->reason = *reason;
    task->requested_by = ctx.user->id;
    auto owned = Own(ctx);
    auto saved = std::make_shared<CpeTask>(*task);
    auto cpe = std::make_shared<Cpe>();
    store_.Write(
        [saved, cpe](StoreTx& tx) -> Status {
          auto c = tx.GetCpe(saved->cpe_id);
          if (!c) return std::unexpected(c.error());
          *cpe = *c;
          if (saved->case_id) HILO_TRY(tx.GetCase(saved->case_id));
          auto tid = tx.InsertTask(*saved);
          if (!tid) return std::unexpected(tid.error());
          saved->id = *tid;
          return Ok();
        },
        [this, owned, saved, cpe](Status s) {
          if (!s) return Reply(*owned, s);
          auto answer = [this, owned, saved, cpe](Status reached) {
            Value out = Value::MakeObject();
            out.Set("task", ToValue(*saved));
            out.Set("connection_request", ConnectionRequestValue(reached, cpe->periodic_interval_s));
            Json(*owned, 202, out);
          };
          if (!options_.wake_gateway) return answer(Fail(Errc::kUnavailable, "no connection requests configured"));
          options_.wake_gateway(*cpe, answer);
        });
  }

  // ---- routes: users

  void ListUsers(RequestContext& ctx) {
    Value out = Value::MakeObject();
    Status s = store_.Read([&](StoreReader& r) -> Status {
      auto users = r.ListUsers();
      if (!users) return std::unexpected(users.error());
      Value items = Value::MakeArray();
      for (const auto& u : *users) items.Push(ToValue(u));
      out.Set("users", std::move(items));
      return Ok();
    });
    Reply(ctx, s, 200, out);
  }

  void CreateUser(RequestContext& ctx) {
    User u;
    auto username = RequiredString(ctx.body, "username", 100);
    if (!username) return Reply(ctx, std::unexpected(username.error()));
    u.username = *username;
    auto display = OptionalString(ctx.body, "display_name", 200);
    if (!display) return Reply(ctx, std::unexpected(display.error()));
    u.display_name = display->empty() ? u.username : *display;
    auto role_name = RequiredString(ctx.body, "role", 40);
    if (!role_name) return Reply(ctx, std::unexpected(role_name.error()));
    auto role = ParseRole(*role_name);
    if (!role) return Reply(ctx, Fail(Errc::kInvalidArgument, "unknown role", "role"));
    u.role = *role;
    if (u.role == Role::kAdmin && ctx.user->role != Role::kAdmin)
      return Reply(ctx, Fail(Errc::kPermissionDenied, "only an admin may create an admin"));
    auto customer = OptionalId(ctx.body, "customer_id");
    if (!customer) return Reply(ctx, std::unexpected(customer.error()));
    u.customer_id = *customer;
    if ((u.role == Role::kCustomer) != (u.customer_id != 0))
      return Reply(ctx, Fail(Errc::kInvalidArgument, "customer_id is required for, and only for, customer logins", "customer_id"));
    auto lang = OptionalString(ctx.body, "language", 8);
    if (!lang) return Reply(ctx, std::unexpected(lang.error()));
    if (!lang->empty()) {
      auto l = ParseLanguage(*lang);
      if (!l) return Reply(ctx, Fail(Errc::kInvalidArgument, "language is es or en", "language"));
      u.language = *l;
    }
    auto password = RequiredString(ctx.body, "password", 1000);
    if (!password) return Reply(ctx, std::unexpected(password.error()));
    auto owned = Own(ctx);
    workers_.Post([this, owned, u, password = *password]() mutable {
      auto hash = HashPassword(password, options_.password_cost);
      if (!hash) return Reply(*owned, std::unexpected(hash.error()));
      auto out = std::make_shared<Value>();
      WriteThenReply(owned, [u, hash = *hash, out](StoreTx& tx) mutable -> Status {
        if (u.customer_id) HILO_TRY(tx.GetCustomer(u.customer_id));
        auto id = tx.InsertUser(u, hash);
        if (!id) return std::unexpected(id.error());
        u.id = *id;
        *out = ToValue(u);
        return Ok();
      }, out, 201);
    });
  }

  struct CachedSession {
    User user;
    Time expires_at;
  };

  struct InFlightDone {
    std::atomic<int>& n;
    ~InFlightDone() { n.fetch_sub(1); }
  };

 public:
  ~Impl() {
    // Write routes answer from the store's writer thread; wait for them so no completion
    // runs against a destroyed Api.
    for (int i = 0; i < 5000 && in_flight_.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    workers_.Stop();
  }

 private:
  std::atomic<int> in_flight_{0};
  // Slow CPU work (argon2id) runs here so the I/O threads keep serving.
  WorkerPool workers_{2};

  Store& store_;
  ApiOptions options_;
  std::vector<Route> routes_;
  std::unique_ptr<Metrics> metrics_;
  std::mutex log_mu_;
  std::shared_mutex sessions_mu_;
  std::unordered_map<std::string, CachedSession> sessions_;

  friend class Api;
};

Api::Api(Store& store, ApiOptions options) : impl_(std::make_unique<Impl>(store, std::move(options))) {}
Api::~Api() = default;
void Api::Handle(net::HttpRequest&& request, net::Responder respond) { impl_->Handle(std::move(request), std::move(respond)); }
std::vector<RouteInfo> Api::Routes() const { return impl_->Routes(); }
void Api::SetConnectionGauge(std::function<std::uint64_t()> gauge) { impl_->open_connections = std::move(gauge); }

}  // namespace hilo::http
