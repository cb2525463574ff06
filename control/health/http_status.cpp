#include "control/health/http_status.hpp"

namespace sluice::health {
namespace {

bool digit(char c) noexcept { return c >= '0' && c <= '9'; }

} // namespace

status_line parse_status_line(std::string_view in) noexcept {
  // "HTTP/" d "." d SP d d d (SP | CR): 13 bytes decide.
  static constexpr std::string_view k_shape = "HTTP/0.0 000 ";
  for (std::size_t i = 0; i < k_shape.size(); ++i) {
    if (i == in.size()) return {status_line::outcome::need_more};
    const char want = k_shape[i];
    const char c = in[i];
    const bool ok = want == '0' ? digit(c) : i == 12 ? (c == ' ' || c == '\r') : c == want;
    if (!ok) return {status_line::outcome::invalid};
  }
  const uint16_t status = uint16_t((in[9] - '0') * 100 + (in[10] - '0') * 10 + (in[11] - '0'));
  if (status < 100) return {status_line::outcome::invalid};
  return {status_line::outcome::done, status};
}

bool status_passes(uint16_t status, int expected) noexcept {
  if (expected >= 0) return status == expected;
  return status >= 200 && status < 400;
}

} // namespace sluice::health
