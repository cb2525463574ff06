#include "control/health/rise_fall.hpp"

namespace sluice::health {

std::string_view name_of(backend_state s) noexcept {
  switch (s) {
  case backend_state::up: return "up";
  case backend_state::down: return "down";
  default: return "unknown";
  }
}

std::optional<backend_state> rise_fall::record(bool passed) noexcept {
  if (passed) {
    failures_ = 0;
    ++passes_;
    if (state_ != backend_state::up && passes_ >= rise_) return state_ = backend_state::up;
  } else {
    passes_ = 0;
    ++failures_;
    if (state_ != backend_state::down && failures_ >= fall_) return state_ = backend_state::down;
  }
  return std::nullopt;
}

} // namespace sluice::health
