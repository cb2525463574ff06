// libFuzzer target for the API server's Retry-After header (control/k8s/retry.hpp).
//
// Input: the header's value as a server sent it. Properties: an understood value is a wait of
// zero or more; digits alone are that many seconds (or the longest wait, past what fits); the
// wait a failure earns lies in the upper half of its backoff step, or at the Retry-After, and
// never beyond the cap, whatever the header says.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/k8s/retry.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

using namespace std::chrono_literals;
using sluice::fuzz::require;
using sluice::k8s::milliseconds;

bool digits_only(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const std::time_t now = 1'445'412'480;
  const auto wait = sluice::k8s::parse_retry_after(value, now);
  if (wait) require(*wait >= 0ms, "a wait is never negative");
  if (digits_only(value)) {
    require(wait.has_value(), "digits are understood");
    std::string_view v = value;
    while (v.front() == ' ') v.remove_prefix(1);
    while (v.back() == ' ') v.remove_suffix(1);
    while (v.size() > 1 && v.front() == '0') v.remove_prefix(1);
    if (v.size() <= 6) {
      int64_t s = 0;
      for (char c : v) s = s * 10 + (c - '0');
      require(*wait == milliseconds(s * 1000), "digits are seconds");
    }
  }
  // retry_delay reads the clock itself: a date is compared at the same clock, less the second
  // that may pass between the two readings.
  const auto wait_now = sluice::k8s::parse_retry_after(value, std::time(nullptr));
  for (unsigned failures : {1u, 3u, 40u}) {
    const milliseconds d = sluice::k8s::retry_delay(failures, 100ms, 30'000ms, value);
    const int64_t step = std::min<int64_t>(30'000, int64_t(100) << std::min(failures - 1, 20u));
    require(d <= 30'000ms, "never beyond the cap");
    require(d.count() >= step / 2, "at least half the step");
    if (wait_now && *wait_now <= 30'000ms)
      require(d >= *wait_now - 1'000ms, "at least the Retry-After");
  }
  return 0;
}
