#include "control/health/probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "control/health/http_status.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice::health {
namespace {

probe_verdict failed(std::string why) { return {false, std::move(why)}; }
probe_verdict errno_failure(const char* what, int err) {
  return failed(std::string(what) + ": " + std::strerror(err));
}

// Enough for any status line worth reading; a longer first line is not HTTP.
constexpr std::size_t k_max_status_bytes = 256;

} // namespace

std::optional<probe_verdict> probe::start(const probe_target& t) {
  close();
  target_ = t;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return errno_failure("socket", errno);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = t.addr;
  sa.sin_port = htons(t.port);
  phase_ = phase::connecting;
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) return connected();
  if (errno == EINPROGRESS) return std::nullopt;
  return errno_failure("connect", errno);
}

std::optional<probe_verdict> probe::on_ready(uint32_t events) {
  switch (phase_) {
  case phase::connecting: {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return errno_failure("connect", err);
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return std::nullopt;
    return connected();
  }
  case phase::sending: return send_some();
  case phase::reading: return receive();
  default: return std::nullopt;
  }
}

std::optional<probe_verdict> probe::connected() {
  if (target_.check.kind == health_check_kind::tcp) return probe_verdict{true, {}};
  // HTTP/1.0 with Host, as keepalived's HTTP_GET sends it: the server closes after one answer.
  request_ = "GET " + target_.check.path + " HTTP/1.0\r\nHost: " + format_ipv4(target_.addr) +
             ":" + std::to_string(target_.port) +
             "\r\nUser-Agent: sluice-health-check\r\nConnection: close\r\n\r\n";
  sent_ = 0;
  received_.clear();
  phase_ = phase::sending;
  return send_some();
}

std::optional<probe_verdict> probe::send_some() {
  while (sent_ < request_.size()) {
    const ssize_t n = ::send(fd_, request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
      return errno_failure("send", errno);
    }
    sent_ += std::size_t(n);
  }
  phase_ = phase::reading;
  return std::nullopt;
}

std::optional<probe_verdict> probe::receive() {
  char buf[k_max_status_bytes];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
      return errno_failure("recv", errno);
    }
    if (n == 0) return failed("closed before a full status line");
    received_.append(buf, std::size_t(n));
    const status_line s = parse_status_line(received_);
    if (s.result == status_line::outcome::invalid) return failed("not an HTTP/1.x response");
    if (s.result == status_line::outcome::done) {
      const int expected = target_.check.expect_status ? int(*target_.check.expect_status) : -1;
      if (status_passes(s.status, expected)) return probe_verdict{true, {}};
      return failed("status " + std::to_string(s.status) +
                    (expected >= 0 ? " (expected " + std::to_string(expected) + ")"
                                   : " (expected 2xx or 3xx)"));
    }
    if (received_.size() >= k_max_status_bytes) return failed("not an HTTP/1.x response");
  }
}

uint32_t probe::wanted_events() const noexcept {
  return phase_ == phase::reading ? EPOLLIN : EPOLLOUT;
}

const char* probe::phase_name() const noexcept {
  switch (phase_) {
  case phase::connecting: return "connecting";
  case phase::sending: return "sending the request";
  case phase::reading: return "waiting for the status line";
  default: return "idle";
  }
}

void probe::close() noexcept {
  if (fd_ < 0) return;
  const linger reset{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd_);
  fd_ = -1;
  phase_ = phase::idle;
}

} // namespace sluice::health
