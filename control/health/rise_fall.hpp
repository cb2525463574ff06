#pragma once
// One backend's health as keepalived and HAProxy decide it: `fall` consecutive failed checks take
// it out of scheduling, `rise` consecutive passes bring it back; anything in between changes
// nothing, so a flapping backend keeps its state.
//
// Initial state: unknown, which schedules like up (keepalived without `alpha`, HAProxy's
// default): starting or reloading sluiced never empties a service while its first checks run.
// A backend that is dead from the start leaves after `fall` failures, like one that dies later;
// one that passes `rise` checks is reported up.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::health {

enum class backend_state : uint8_t { unknown, up, down };

std::string_view name_of(backend_state s) noexcept;

// True when the scheduler may pick the backend (up or unknown).
constexpr bool in_service(backend_state s) noexcept { return s != backend_state::down; }

class rise_fall {
public:
  rise_fall(uint32_t rise, uint32_t fall) noexcept : rise_(rise), fall_(fall) {}

  // Counts one check; returns the new state when this check changed it.
  std::optional<backend_state> record(bool passed) noexcept;

  // New thresholds (the check was edited): the state and streak stay; they apply from the next
  // check on.
  void set_thresholds(uint32_t rise, uint32_t fall) noexcept { rise_ = rise, fall_ = fall; }

  backend_state state() const noexcept { return state_; }
  // Consecutive passes or failures, whichever the last check was.
  uint32_t streak() const noexcept { return passes_ != 0 ? passes_ : failures_; }

private:
  uint32_t rise_;
  uint32_t fall_;
  uint32_t passes_ = 0;
  uint32_t failures_ = 0;
  backend_state state_ = backend_state::unknown;
};

} // namespace sluice::health
