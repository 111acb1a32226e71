#pragma once
// HttpServer: HTTP/1.1 on Boost.Beast, async, keep-alive, with limits — and nothing else.
// It knows no routes and no JSON; a Handler maps a request to a response.
//
//   HttpServer server({.port = 0, .threads = 2}, [](HttpRequest&& req, Responder respond) {
//     respond(HttpResponse::Text(200, "hello"));   // may be called later, from any thread
//   });
//   auto port = server.Start();                     // Result<uint16_t>: the bound port
//   ...
//   server.Stop();
//
// Bodies over options.body_limit get 413 and malformed requests 400, answered here with the
// error body given by options.error_body, so the handler never sees them. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hilo/base/error.h"

namespace hilo::net {

struct HttpRequest {
  std::string method;  // "GET"
  std::string path;    // "/api/v1/cases/7", percent-decoding left to the handler
  std::string query;   // "q=munoz&limit=5" (without '?')
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote;  // peer address
  std::uint64_t connection_id = 0;  // stable for one TCP connection (CWMP sessions use it)

  // First header with this lower-case name, or "".
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response

  static HttpResponse Text(int status, std::string body, std::string type = "text/plain; charset=utf-8");
};

using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&&, Responder)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port
  int threads = 2;
  std::size_t body_limit = 1 << 20;
  int idle_timeout_s = 60;
  std::string server_name = "hilo";
  // Body for errors the server answers itself (413, 400): (status, code, message) -> body.
  std::function<HttpResponse(int, std::string_view, std::string_view)> error_response;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the I/O threads. Errors: kUnavailable (address in use, bad address).
  Result<std::uint16_t> Start();
  // Stops accepting, closes connections, joins threads. Idempotent.
  void Stop();
  std::uint64_t open_connections() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Percent-decodes a query component ('+' is a space). Invalid escapes are kept literally.
std::string UrlDecode(std::string_view text);
// Value of one query parameter, decoded; "" when absent.
std::string QueryParam(std::string_view query, std::string_view name);

}  // namespace hilo::net
