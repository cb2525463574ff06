#pragma once
// Announces VIPs by BGP through a BIRD daemon that sluiced owns (bgp_bird_process.hpp): BIRD's
// main config is written once at start, the announced VIPs live in an include file that is
// replaced atomically (write, then rename) and applied with `configure` on BIRD's control socket,
// exactly what `birdc -s SOCKET configure` does.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "control/announce/bgp_bird_config.hpp"
#include "control/announce/bgp_bird_control.hpp"
#include "control/announce/bgp_bird_process.hpp"
#include "control/announce/bgp_config.hpp"

namespace sluice {

class bgp_announcer {
public:
  // Writes BIRD's configuration with no VIP and starts BIRD. Throws std::runtime_error when the
  // files cannot be written or BIRD cannot be started (or exits at once).
  explicit bgp_announcer(const bgp_announce_config& c);
  // Stops BIRD: its sessions close and the peers drop whatever it still announced.
  ~bgp_announcer();

  // Makes BIRD announce exactly `vips` (network byte order). Cheap when nothing changed. When
  // BIRD is not reachable yet (just started) or refuses, the change is logged and retried at
  // the next call; a BIRD that exited is restarted (at most once a second). Returns true when
  // BIRD runs with `vips`.
  bool announce(std::vector<uint32_t> vips);

  // The graceful stop: withdraw every VIP, then wait withdraw_delay_ms (the caller's workers keep
  // forwarding meanwhile) so that routers have moved the traffic before it stops being served.
  void withdraw_and_wait();

  // What BIRD announces now (empty until the first change is applied), and how many changes
  // could not be applied so far: for metrics.
  std::vector<uint32_t> announced() const { return applied_.value_or(std::vector<uint32_t>{}); }
  uint64_t failures() const noexcept { return failures_; }

private:
  // Starts BIRD and waits (at most 3 s) until its control socket answers.
  void start_bird();
  bool apply(const std::vector<uint32_t>& vips);

  bgp_announce_config cfg_;
  bird_files files_;
  bird_control control_;
  std::unique_ptr<bird_process> bird_;
  std::chrono::steady_clock::time_point started_; // of the running (or last) BIRD
  std::optional<std::vector<uint32_t>> applied_; // what BIRD runs with; nullopt: unknown
  bool failing_ = false;                         // the last attempt failed (logged once)
  uint64_t failures_ = 0;
};

} // namespace sluice
