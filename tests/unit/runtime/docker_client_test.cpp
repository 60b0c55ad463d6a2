// The Docker Engine client (runtime/docker.cpp) against a fake daemon (fake_daemon.hpp):
// Content-Length and chunked bodies, a stream held open, silence, the container actions.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake_daemon.hpp"
#include "runtime/docker.hpp"

using namespace tocsin::runtime;
using tocsin::test::chunk;
using tocsin::test::FakeDaemon;
using tocsin::test::reply;
using namespace std::chrono_literals;

TEST(DockerClient, NegotiatesTheVersionAndReadsJson) {
  FakeDaemon d([](int fd, const std::string& req, FakeDaemon&) {
    if (req == "GET /_ping HTTP/1.1") FakeDaemon::send(fd, reply("200 OK", "Api-Version: 1.99\r\n", "OK"));
    else if (req == "GET /v1.43/containers/json HTTP/1.1")  // chunked, split inside the JSON
      FakeDaemon::send(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                               chunk(R"([{"Id":)") + chunk(R"("ab"}])") + "0\r\n\r\n");
    else FakeDaemon::send(fd, reply("404 Not Found", "", R"({"message":"page not found"})"));
  });
  DockerClient c(d.host());
  ASSERT_TRUE(c.negotiate());
  EXPECT_EQ(c.api_version(), "1.43");  // capped at the newest we know
  auto j = c.get_json("/containers/json");
  ASSERT_TRUE(j) << j.error().message;
  ASSERT_TRUE(j->is_array());
  EXPECT_EQ((*j)[0]["Id"], "ab");
  std::string head = d.last_head();
  EXPECT_NE(head.find("\r\nHost: docker\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nUser-Agent: tocsin/"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nAccept: application/json\r\n"), std::string::npos) << head;

  auto missing = c.get_json("/nothing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, R"(docker: GET /nothing returned 404: {"message":"page not found"})");
}

TEST(DockerClient, OlderDaemonKeepsItsVersionAndHeadersAreLowercased) {
  FakeDaemon d([](int fd, const std::string&, FakeDaemon&) {
    FakeDaemon::send(fd, reply("200 OK", "API-Version: 1.41\r\nDocker-Experimental: false\r\n", "OK"));
  });
  DockerClient c(d.host());
  ASSERT_TRUE(c.negotiate());
  EXPECT_EQ(c.api_version(), "1.41");
  auto r = c.get("/_ping");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "OK");
  EXPECT_EQ(r->headers["api-version"], "1.41");
  EXPECT_EQ(r->headers["docker-experimental"], "false");
}

TEST(DockerClient, ErrorsSayWhatHappened) {
  DockerClient nowhere("unix:///nonexistent-tocsin/docker.sock");
  auto s = nowhere.negotiate();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "docker: cannot connect to /nonexistent-tocsin/docker.sock: No such file or directory");

  DockerClient too_long("/" + std::string(200, 'x'));
  ASSERT_FALSE(too_long.negotiate());
  EXPECT_EQ(too_long.negotiate().error().message.rfind("docker: socket path too long: /xxx", 0), 0u);

  FakeDaemon silent([](int fd, const std::string&, FakeDaemon& self) { self.hold(fd); });
  DockerClient c(silent.host());
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.get("/_ping", 300);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "docker: timed out waiting for the daemon");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);

  FakeDaemon closes([](int, const std::string&, FakeDaemon&) {});
  auto n = DockerClient(closes.host()).get("/_ping");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message, "docker: connection closed before the response");
}

TEST(DockerClient, EventsArriveAsTheyComeAndTheStreamStops) {
  // Two messages, the first split across chunks and inside a line, then the stream stays open.
  FakeDaemon d([](int fd, const std::string& req, FakeDaemon& self) {
    if (req.rfind("GET /v1.24/events?filters=%7B", 0) != 0) return;
    FakeDaemon::send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(R"({"id":"a",)"));
    std::this_thread::sleep_for(50ms);
    FakeDaemon::send(fd, chunk("\"timeNano\":1}\n{\"id\":\"b\"}\n"));
    self.hold(fd);
  });
  DockerClient c(d.host());
  std::atomic<bool> stop{false};
  std::vector<std::string> ids;
  auto s = c.stream_events(
      "filters=" + url_encode(R"({"type":["container"]})"),
      [&](const nlohmann::json& ev) {
        ids.push_back(ev["id"]);
        if (ids.size() == 2) stop = true;
        return true;
      },
      &stop);
  EXPECT_TRUE(s) << s.error().message;
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));

  // `stop` set from elsewhere while the daemon is silent ends the stream within its poll.
  std::atomic<bool> later{false};
  std::thread setter([&] {
    std::this_thread::sleep_for(200ms);
    later = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  size_t seen = 0;
  s = c.stream_events(
      "filters=%7B%7D", [&](const nlohmann::json&) { return ++seen < 100; }, &later);
  setter.join();
  EXPECT_TRUE(s);
  EXPECT_EQ(seen, 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);

  // The callback returning false ends it too.
  seen = 0;
  s = c.stream_events(
      "filters=%7B%7D", [&](const nlohmann::json&) { return ++seen < 1; }, nullptr);
  EXPECT_TRUE(s);
  EXPECT_EQ(seen, 1u);
}

TEST(DockerClient, EventsStreamEndsAreErrors) {
  FakeDaemon d([](int fd, const std::string& req, FakeDaemon&) {
    if (req.find("since=closed") != std::string::npos)
      FakeDaemon::send(
          fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("{\"id\":\"a\"}\n") + "0\r\n\r\n");
    else if (req.find("since=cut") != std::string::npos)
      FakeDaemon::send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("{\"id\":\"a\"}\n"));
    else FakeDaemon::send(fd, reply("500 Internal Server Error", "", R"({"message":"boom"})"));
  });
  DockerClient c(d.host());
  size_t seen = 0;
  auto count = [&](const nlohmann::json&) { return ++seen > 0; };
  auto s = c.stream_events("since=closed", count, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "docker: the daemon closed the events stream");
  EXPECT_EQ(seen, 1u);
  s = c.stream_events("since=cut", count, nullptr);  // the daemon went away mid-stream
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "docker: the daemon closed the events stream");
  EXPECT_EQ(seen, 2u);
  s = c.stream_events("since=1", count, nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "docker: /events returned 500");
  EXPECT_EQ(seen, 2u);
}

TEST(DockerClient, UrlEncode) {
  EXPECT_EQ(url_encode(R"({"a":["b"]})"), "%7B%22a%22%3A%5B%22b%22%5D%7D");
  EXPECT_EQ(url_encode("Az09-._~ /\xff"), "Az09-._~%20%2F%FF");
  EXPECT_EQ(url_encode(""), "");
}
