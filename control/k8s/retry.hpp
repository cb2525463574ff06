#pragma once
// How long to wait after a failed request, for the watchers and the status writer alike:
// exponential backoff with equal jitter (a uniform draw in the upper half of the step), so that
// gateways which lost the same API server do not come back in step and none retries too soon;
// the server's Retry-After (delta-seconds or an HTTP date) is honoured as a floor, up to the
// backoff's cap, so that a wrong or hostile header cannot stop the sync for hours.

#include <chrono>
#include <ctime>
#include <optional>
#include <string_view>

namespace sluice::k8s {

using std::chrono::milliseconds;

// Retry-After as a wait from `now`; nullopt when absent or not understood. A date in the past
// is a wait of zero.
std::optional<milliseconds> parse_retry_after(std::string_view value, std::time_t now);

// The wait after the `failures`-th failure in a row (1 = the first): min doubling up to max,
// jittered, at least the Retry-After (capped at max).
milliseconds retry_delay(unsigned failures, milliseconds min, milliseconds max,
                         std::string_view retry_after = {});

// The failures in a row of one caller, and the wait each one earns.
class retry_backoff {
public:
  retry_backoff(milliseconds min, milliseconds max) : min_(min), max_(max) {}
  milliseconds next(std::string_view retry_after = {}) {
    return retry_delay(++failures_, min_, max_, retry_after);
  }
  void reset() noexcept { failures_ = 0; }
  unsigned failures() const noexcept { return failures_; }

private:
  milliseconds min_, max_;
  unsigned failures_ = 0;
};

} // namespace sluice::k8s
