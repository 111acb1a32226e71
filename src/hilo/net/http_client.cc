#include "hilo/net/http_client.h"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace hilo::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  int timeout_ms;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::vector<std::pair<std::string, std::string>> cookies;

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Fail(Errc::kUnavailable, "cannot resolve " + host + ": " + ec.message());
    stream.emplace(ioc);
    // Asynchronous operations driven to completion here: Beast applies expires_after only to
    // asynchronous calls, so the blocking forms would wait forever on a peer that stalls.
    stream->expires_after(std::chrono::milliseconds(timeout_ms));
    stream->async_connect(results, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    if (!RunIo()) ec = beast::error::timeout;
    if (ec) {
      stream.reset();
      return Fail(Errc::kUnavailable, "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    buffer.clear();
    return Ok();
  }

  // Runs the pending operation to completion; the stream's timer bounds each step to
  // timeout_ms. A hard deadline backs that up: an operation that makes no progress (seen once:
  // a write spinning against a peer that had answered and half-closed) is cut by closing the
  // socket. Returns false when the operation had to be cut.
  bool RunIo() {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(2 * timeout_ms + 1000));
    if (ioc.stopped()) return true;
    // Cut it: on a closed socket every pending operation completes (with an error), and it
    // must complete before returning, since it refers to the caller's request and buffers.
    beast::error_code ignored;
    if (stream) stream->socket().close(ignored);
    ioc.restart();
    ioc.run();
    return false;
  }

  void RememberCookies(const ClientResponse& r) {
    for (const auto& [k, v] : r.headers) {
      if (k != "set-cookie") continue;
      std::string_view pair = std::string_view(v).substr(0, v.find(';'));
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name(pair.substr(0, eq));
      std::string value(pair.substr(eq + 1));
      bool replaced = false;
      for (auto& [n, val] : cookies)
        if (n == name) {
          val = value;
          replaced = true;
        }
      if (!replaced) cookies.emplace_back(std::move(name), std::move(value));
    }
  }

  Result<ClientResponse> Exchange(const ClientRequest& request) {
    http::request<http::string_body> req;
    req.method_string(request.method);
    req.target(request.target);
    req.version(11);
    req.set(http::field::host, host + ":" + std::to_string(port));
    req.set(http::field::user_agent, "hilo");
    for (const auto& [k, v] : request.headers) req.insert(k, v);
    if (!cookies.empty()) {
      std::string cookie;
      for (const auto& [n, v] : cookies) {
        if (!cookie.empty()) cookie += "; ";
        cookie += n + "=" + v;
      }
      req.set(http::field::cookie, cookie);
    }
    req.body() = request.body;
    req.prepare_payload();
    beast::error_code ec;
    stream->expires_after(std::chrono::milliseconds(timeout_ms));
    http::async_write(*stream, req, [&ec](beast::error_code e, std::size_t) { ec = e; });
    if (!RunIo()) ec = beast::error::timeout;
    beast::error_code write_ec = ec;
    // Even when the write failed, the server may have answered early (413 for a body over its
    // limit) before closing: read what it said.
    http::response_parser<http::string_body> parser;
    parser.body_limit(8 << 20);
    ec = {};
    if (stream->socket().is_open()) {
      stream->expires_after(std::chrono::milliseconds(timeout_ms));
      http::async_read(*stream, buffer, parser, [&ec](beast::error_code e, std::size_t) { ec = e; });
      if (!RunIo()) ec = beast::error::timeout;
    } else {
      ec = asio::error::not_connected;  // the timeout closed it
    }
    if (ec) {
      if (write_ec) return Fail(Errc::kUnavailable, "write failed: " + write_ec.message());
      return Fail(Errc::kUnavailable, "read failed: " + ec.message());
    }
    auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    RememberCookies(out);
    return out;
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, int timeout_ms) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout_ms = timeout_ms;
}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<ClientResponse> HttpClient::Send(const ClientRequest& request) {
  const bool reused = impl_->stream.has_value();
  if (!reused) HILO_TRY(impl_->Connect());
  auto r = impl_->Exchange(request);
  if (!r && reused) {
    // The server may have closed an idle keep-alive connection: retry once on a fresh one.
    impl_->stream.reset();
    HILO_TRY(impl_->Connect());
    r = impl_->Exchange(request);
  }
  if (!r) impl_->stream.reset();
  return r;
}

void HttpClient::Close() {
  if (impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    impl_->stream.reset();
  }
}

void HttpClient::ClearCookies() { impl_->cookies.clear(); }

Result<ParsedUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return Fail(Errc::kInvalidArgument, "only http:// URLs are supported", "url");
  url.remove_prefix(kScheme.size());
  ParsedUrl out;
  auto slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
    unsigned port = 0;
    auto pstr = hostport.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(pstr.data(), pstr.data() + pstr.size(), port);
    if (ec != std::errc() || ptr != pstr.data() + pstr.size() || port == 0 || port > 65535)
      return Fail(Errc::kInvalidArgument, "bad port in URL", "url");
    out.port = static_cast<std::uint16_t>(port);
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return Fail(Errc::kInvalidArgument, "URL without a host", "url");
  out.host = std::string(hostport);
  return out;
}

}  // namespace hilo::net
