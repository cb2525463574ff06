// The prober against real listening sockets on 127.0.0.1: TCP connect, HTTP status checks,
// refused connections, silent servers (timeout), and targets stopped mid-check.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "control/health/prober.hpp"

namespace sluice::health {
namespace {

using namespace std::chrono_literals;

// A listening socket on 127.0.0.1 (ephemeral port). With a `reply`, a thread accepts each
// connection, reads the request and sends `reply`; without, connections complete in the backlog
// and nothing is ever answered.
class server {
public:
  explicit server(std::string reply = {}, bool answer = true) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t len = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    if (answer) thread_ = std::thread([this] { serve(); });
  }
  ~server() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return request_;
  }

private:
  void serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[1024];
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, std::size_t(n));
      }
      {
        std::lock_guard lock(mu_);
        request_ = req;
      }
      if (!reply_.empty()) (void)!::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  std::string reply_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string request_;
  std::thread thread_;
};

// A loopback port nothing listens on (a listener's, closed again): connecting is refused.
uint16_t closed_port() {
  server gone({}, /*answer=*/false);
  return gone.port();
}

// Collects what the prober reports.
struct results {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<probe_result> all;

  prober::report_fn sink() {
    return [this](const std::vector<probe_result>& r) {
      std::lock_guard lock(mu);
      all.insert(all.end(), r.begin(), r.end());
      cv.notify_all();
    };
  }
  // Waits for `n` results of `key`; returns them (fewer on timeout).
  std::vector<probe_result> wait_for(const std::string& key, std::size_t n,
                                     std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mu);
    std::vector<probe_result> mine;
    cv.wait_for(lock, limit, [&] {
      mine.clear();
      for (const probe_result& r : all)
        if (r.key == key) mine.push_back(r);
      return mine.size() >= n;
    });
    return mine;
  }
};

probe_target target(const std::string& key, uint16_t port, health_check_kind kind,
                    uint32_t interval_ms = 100, uint32_t timeout_ms = 100) {
  health_check_config c;
  c.kind = kind;
  c.interval_ms = interval_ms;
  c.timeout_ms = timeout_ms;
  return {.key = key, .addr = htonl(INADDR_LOOPBACK), .port = port, .check = c};
}

TEST(Prober, TcpConnectToAListenerPasses) {
  server s;
  results r;
  prober p(r.sink());
  p.update({.added = {target("t", s.port(), health_check_kind::tcp)}});
  const auto got = r.wait_for("t", 3);
  ASSERT_EQ(got.size(), 3u) << "checks repeat every interval";
  for (const probe_result& x : got) EXPECT_TRUE(x.passed) << x.detail;
}

TEST(Prober, RefusedConnectionFailsNamingTheError) {
  results r;
  prober p(r.sink());
  p.update({.added = {target("t", closed_port(), health_check_kind::tcp)}});
  const auto got = r.wait_for("t", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].passed);
  EXPECT_NE(got[0].detail.find("refused"), std::string::npos) << got[0].detail;
}

TEST(Prober, HttpCheckSendsTheConfiguredPathAndPassesOnTheExpectedStatus) {
  server s("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
  results r;
  prober p(r.sink());
  probe_target t = target("h", s.port(), health_check_kind::http);
  t.check.path = "/healthz?deep=1";
  t.check.expect_status = 204;
  p.update({.added = {t}});
  const auto got = r.wait_for("h", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].passed) << got[0].detail;
  EXPECT_EQ(s.last_request().rfind("GET /healthz?deep=1 HTTP/1.0\r\nHost: 127.0.0.1:", 0), 0u)
      << s.last_request();
}

TEST(Prober, HttpStatusMismatchFailsWithBothStatuses) {
  server s("HTTP/1.1 503 Service Unavailable\r\n\r\n");
  results r;
  prober p(r.sink());
  probe_target t = target("h", s.port(), health_check_kind::http);
  t.check.expect_status = 200;
  p.update({.added = {t}});
  const auto got = r.wait_for("h", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].passed);
  EXPECT_EQ(got[0].detail, "status 503 (expected 200)");
}

TEST(Prober, ANonHttpAnswerFails) {
  server s("SSH-2.0-OpenSSH_9.2\r\n");
  results r;
  prober p(r.sink());
  p.update({.added = {target("h", s.port(), health_check_kind::http)}});
  const auto got = r.wait_for("h", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].passed);
  EXPECT_EQ(got[0].detail, "not an HTTP/1.x response");
}

TEST(Prober, SilentServerTimesOutWithinTheTimeout) {
  server s({}, /*answer=*/false); // the kernel completes the handshake; nobody ever replies
  results r;
  prober p(r.sink());
  const auto start = std::chrono::steady_clock::now();
  p.update({.added = {target("h", s.port(), health_check_kind::http, 1000, 150)}});
  const auto got = r.wait_for("h", 1);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].passed);
  EXPECT_EQ(got[0].detail, "timeout after 150 ms (waiting for the status line)");
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 150ms + 1000ms + 500ms) << "first check within a second, then 150 ms";
}

TEST(Prober, AStoppedTargetIsNeverReportedAgain) {
  server s({}, /*answer=*/false);
  results r;
  prober p(r.sink());
  p.update({.added = {target("h", s.port(), health_check_kind::http, 1000, 800)}});
  std::this_thread::sleep_for(50ms);
  p.update({.removed = {"h"}});
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(r.wait_for("h", 1, 10ms).empty());
}

TEST(Prober, AReplacedTargetRunsWithItsNewSettings) {
  server ok;
  results r;
  prober p(r.sink());
  p.update({.added = {target("t", closed_port(), health_check_kind::tcp)}});
  ASSERT_EQ(r.wait_for("t", 1).size(), 1u);
  p.update({.added = {target("t", ok.port(), health_check_kind::tcp)}});
  std::this_thread::sleep_for(300ms);
  const auto got = r.wait_for("t", 1);
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(got.back().passed) << got.back().detail;
}

} // namespace
} // namespace sluice::health
