#include "control/daemon/service_manager.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <string>

#include "control/log/log.hpp"

namespace sluice::service_manager {
namespace {

void send(const std::string& state) {
  // unset_environment = 0: BIRD, which sluiced starts, never notifies, and systemd only accepts
  // the main process's messages (NotifyAccess=main) anyway.
  const int rc = sd_notify(0, state.c_str());
  if (rc < 0) log::warn("msg=\"service manager notification failed\" errno={}", -rc);
}

} // namespace

void ready(std::string_view status) {
  send("READY=1\nSTATUS=" + std::string(status));
}

void reloading() {
  // MONOTONIC_USEC lets systemd (Type=notify-reload, 253 and later) tell this reload from an
  // earlier one; older managers ignore it.
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  const uint64_t usec = uint64_t(t.tv_sec) * 1'000'000 + uint64_t(t.tv_nsec) / 1000;
  send("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" + std::to_string(usec));
}

void stopping() {
  send("STOPPING=1\nSTATUS=stopping");
}

void status(std::string_view status) {
  send("STATUS=" + std::string(status));
}

} // namespace sluice::service_manager
