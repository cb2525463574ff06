#pragma once
// One health check's socket: a non-blocking TCP connect and, for http, "GET path" and its
// status line. The prober owns the epoll set and the timers; this file owns the protocol.

#include <cstdint>
#include <optional>
#include <string>

#include "control/health/health_state.hpp"

namespace sluice::health {

struct probe_verdict {
  bool passed;
  std::string detail; // why it failed; empty when passed
};

class probe {
public:
  probe() = default;
  probe(const probe&) = delete; // owns its socket
  probe& operator=(const probe&) = delete;

  // Starts connecting to `t`. Returns a verdict at once when the check already ended (connect
  // refused synchronously, or a TCP check connected at once); else fd() is to be watched for
  // wanted_events().
  std::optional<probe_verdict> start(const probe_target& t);
  // Called when fd() is ready; a verdict when the check ended.
  std::optional<probe_verdict> on_ready(uint32_t epoll_events);

  int fd() const noexcept { return fd_; }
  uint32_t wanted_events() const noexcept;
  // "connecting", "sending the request", "waiting for the status line": for timeout details.
  const char* phase_name() const noexcept;

  // Closes the socket with a reset (no TIME_WAIT left behind per check).
  void close() noexcept;
  ~probe() { close(); }

private:
  enum class phase : uint8_t { idle, connecting, sending, reading };
  std::optional<probe_verdict> connected();
  std::optional<probe_verdict> send_some();
  std::optional<probe_verdict> receive();

  probe_target target_;
  int fd_ = -1;
  phase phase_ = phase::idle;
  std::string request_;
  std::size_t sent_ = 0;
  std::string received_;
};

} // namespace sluice::health
