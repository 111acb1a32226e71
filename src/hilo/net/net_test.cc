#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>
#include <thread>

#include "hilo/net/http_client.h"
#include "hilo/net/http_server.h"

namespace hilo::net {
namespace {

TEST(HttpServer, ServesKeepAliveAndAsyncResponses) {
  std::atomic<int> calls{0};
  HttpServer server({.port = 0, .threads = 2, .body_limit = 1024}, [&](HttpRequest&& req, Responder respond) {
    ++calls;
    if (req.path == "/later") {
      std::thread([respond] { respond(HttpResponse::Text(202, "later")); }).detach();
      return;
    }
    respond(HttpResponse::Text(200, req.method + " " + req.path + " " + QueryParam(req.query, "q") + " " + req.body));
  });
  auto port = server.Start();
  ASSERT_TRUE(port) << port.error().message;
  HttpClient client("127.0.0.1", *port);
  auto r1 = client.Send({.method = "GET", .target = "/a?q=Mu%C3%B1oz+P"});
  ASSERT_TRUE(r1) << r1.error().message;
  EXPECT_EQ(r1->body, "GET /a Muñoz P ");
  auto r2 = client.Send({.method = "POST", .target = "/b", .body = "x"});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "POST /b  x");
  auto r3 = client.Send({.method = "GET", .target = "/later"});
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->status, 202);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(server.open_connections(), 1u) << "one keep-alive connection for three requests";
}

TEST(HttpServer, RefusesOversizeBodiesWith413) {
  HttpServer server({.port = 0, .threads = 1, .body_limit = 100},
                    [](HttpRequest&&, Responder respond) { respond(HttpResponse::Text(200, "ok")); });
  auto port = server.Start();
  ASSERT_TRUE(port);
  HttpClient client("127.0.0.1", *port);
  auto r = client.Send({.method = "POST", .target = "/", .body = std::string(1000, 'x')});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST(HttpClient, ParsesUrls) {
  auto u = ParseHttpUrl("http://10.0.0.1:7547/cr/abc");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "10.0.0.1");
  EXPECT_EQ(u->port, 7547);
  EXPECT_EQ(u->target, "/cr/abc");
  EXPECT_FALSE(ParseHttpUrl("https://x"));
  EXPECT_FALSE(ParseHttpUrl("http://x:99999/"));
}

TEST(HttpClient, UnreachablePeerIsUnavailable) {
  HttpClient client("127.0.0.1", 1, 500);
  auto r = client.Send({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
}

TEST(HttpClient, TimesOutOnAPeerThatNeverAnswers) {
  // The handler keeps the responder and never calls it: the client must give up after its
  // timeout instead of blocking its thread forever.
  std::mutex mu;
  std::vector<Responder> held;
  HttpServer server({.port = 0, .threads = 1}, [&](HttpRequest&&, Responder respond) {
    std::lock_guard lock(mu);
    held.push_back(std::move(respond));
  });
  auto port = server.Start();
  ASSERT_TRUE(port);
  HttpClient client("127.0.0.1", *port, 300);
  auto start = std::chrono::steady_clock::now();
  auto r = client.Send({});
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_LT(waited, std::chrono::seconds(2)) << "one timeout (plus one reconnect), not forever";
  server.Stop();
  held.clear();  // the held sessions go while their io_context still exists
}

}  // namespace
}  // namespace hilo::net
