#pragma once
// HttpClient: a small blocking HTTP/1.1 client with keep-alive and a cookie jar, for the
// ACS's connection requests and for `hilo sim` / `hilo probe`. One instance = one connection;
// not thread-safe (use one per thread or per simulated device).
//
//   HttpClient client("127.0.0.1", 7547);
//   auto r = client.Send({.method = "POST", .target = "/", .body = xml,
//                         .headers = {{"Content-Type", "text/xml"}}});
//   if (r && r->status == 200) ...
//
// Errors: kUnavailable when the peer cannot be reached or closes mid-exchange.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hilo/base/error.h"

namespace hilo::net {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string_view Header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, int timeout_ms = 5000);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends one request (connecting or reconnecting as needed) and reads the response.
  // Cookies set by the server are sent back on later requests of this client.
  Result<ClientResponse> Send(const ClientRequest& request);
  void Close();
  void ClearCookies();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "http://host:port/path" into its parts. Errors: kInvalidArgument.
struct ParsedUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";
};
Result<ParsedUrl> ParseHttpUrl(std::string_view url);

}  // namespace hilo::net
