#include "hilo/net/http_server.h"

#include <utility>  // before asio: GCC 12 + asio awaitable (chriskohlhoff/asio#944)

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <thread>

namespace hilo::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

HttpResponse HttpResponse::Text(int status, std::string body, std::string type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(type);
  return r;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)), ioc_(options_.threads), acceptor_(ioc_) {}
  ~Impl() {
    // Sessions still queued in ioc_ hold references to this object; destroy them first.
    threads_.clear();
  }

  // Declaration order matters: sessions still queued in ioc_ are destroyed with it and touch
  // open_, so the counters must outlive ioc_.
  ServerOptions options_;
  Handler handler_;
  std::atomic<std::uint64_t> next_connection_{1};
  std::atomic<std::uint64_t> open_{0};
  std::atomic<bool> stopped_{false};
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;

  HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
    if (options_.error_response) return options_.error_response(status, code, message);
    return HttpResponse::Text(status, std::string(message));
  }

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server, std::uint64_t id)
      : stream_(std::move(socket)), server_(server), id_(id) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    ++server_.open_;
  }
  ~Session() { --server_.open_; }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_.options_.body_limit);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(std::chrono::seconds(server_.options_.idle_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      // The client may still be sending the body: answer, then drain what it sends before
      // closing ("lingering close"), so it reads our 413 instead of a connection reset.
      drain_after_send_ = true;
      return Send(server_.ErrorResponse(413, "too_large", "request body is larger than the limit"), true, 11, false);
    }
    if (ec) {
      return Send(server_.ErrorResponse(400, "invalid_argument", "malformed HTTP request"), true, 11, false);
    }
    auto msg = parser_->release();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    std::string_view target = msg.target();
    auto qpos = target.find('?');
    req.path = std::string(target.substr(0, qpos));
    if (qpos != std::string_view::npos) req.query = std::string(target.substr(qpos + 1));
    req.headers.reserve(8);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    req.remote = remote_;
    req.connection_id = id_;
    const bool keep_alive = msg.keep_alive();
    const unsigned version = msg.version();
    const bool head = msg.method() == http::verb::head;
    stream_.expires_never();
    auto self = shared_from_this();
    server_.handler_(std::move(req), [self, keep_alive, version, head](HttpResponse resp) {
      asio::post(self->stream_.get_executor(), [self, resp = std::move(resp), keep_alive, version, head]() mutable {
        self->Send(std::move(resp), !keep_alive || resp.close, version, head);
      });
    });
  }

  void Send(HttpResponse resp, bool close, unsigned version, bool head) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(resp.status));
    res->set(http::field::server, server_.options_.server_name);
    if (!resp.content_type.empty()) res->set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) res->insert(k, v);
    res->keep_alive(!close);
    res->body() = std::move(resp.body);
    res->prepare_payload();
    if (head) res->body().clear();
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, *res, [self = shared_from_this(), res, close](beast::error_code ec, std::size_t) {
      if (!ec && self->drain_after_send_) return self->Drain();
      if (ec || close) return self->Close();
      self->Read();
    });
  }

  void Drain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    drain_buffer_.resize(64 * 1024);
    stream_.async_read_some(asio::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || n == 0 || self->drained_ > (16u << 20)) return self->Close();
      self->Drain();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl& server_;
  std::uint64_t id_;
  std::string remote_;
  bool drain_after_send_ = false;
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), *this, next_connection_++)->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::uint16_t> HttpServer::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options_.address, ec);
  if (ec) return Fail(Errc::kUnavailable, "bad listen address " + impl_->options_.address);
  tcp::endpoint endpoint(address, impl_->options_.port);
  impl_->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor_.bind(endpoint, ec);
  if (!ec) impl_->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Fail(Errc::kUnavailable, "cannot listen on " + impl_->options_.address + ":" +
                                               std::to_string(impl_->options_.port) + ": " + ec.message());
  std::uint16_t port = impl_->acceptor_.local_endpoint().port();
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options_.threads); ++i)
    impl_->threads_.emplace_back([this] { impl_->ioc_.run(); });
  return port;
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped_.exchange(true)) return;
  asio::post(impl_->ioc_, [this] {
    beast::error_code ec;
    impl_->acceptor_.close(ec);
  });
  impl_->ioc_.stop();
  for (auto& t : impl_->threads_)
    if (t.joinable()) t.join();
  // The posted close may never run once the context is stopped; with the threads joined it is
  // safe to close here, so that new connections are refused instead of waiting in the backlog.
  beast::error_code ec;
  impl_->acceptor_.close(ec);
}

std::uint64_t HttpServer::open_connections() const { return impl_->open_; }

}  // namespace hilo::net
