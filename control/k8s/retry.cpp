#include "control/k8s/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <string>

namespace sluice::k8s {

std::optional<milliseconds> parse_retry_after(std::string_view value, std::time_t now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  // A wait in seconds as milliseconds, saturating: a header may name any number or year.
  const auto in_ms = [](int64_t seconds) {
    return seconds >= milliseconds::max().count() / 1000 ? milliseconds::max()
                                                         : milliseconds(seconds * 1000);
  };
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  const bool digits_only = end == value.data() + value.size();
  if (ec == std::errc() && digits_only)
    return seconds < 0 ? std::nullopt : std::optional(in_ms(seconds));
  if (ec == std::errc::result_out_of_range && digits_only) return milliseconds::max();
  const std::time_t at = curl_getdate(std::string(value).c_str(), nullptr); // RFC 9110 date
  if (at == -1) return std::nullopt;
  return at <= now ? milliseconds(0) : in_ms(int64_t(at) - int64_t(now));
}

milliseconds retry_delay(unsigned failures, milliseconds min, milliseconds max,
                         std::string_view retry_after) {
  const int64_t step = std::min<int64_t>(
      max.count(), min.count() << std::min(std::max(failures, 1u) - 1, 20u));
  thread_local std::minstd_rand rng{std::random_device{}()};
  milliseconds d(step / 2 + int64_t(rng() % uint64_t(step / 2 + 1)));
  if (const auto ra = parse_retry_after(retry_after, std::time(nullptr)))
    d = std::max(d, std::min(*ra, max));
  return d;
}

} // namespace sluice::k8s
