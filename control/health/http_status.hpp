#pragma once
// The status line of an HTTP/1.x response, as far as a health check needs it: the three-digit
// status. Input is whatever the backend has sent so far.

#include <cstdint>
#include <string_view>

namespace sluice::health {

struct status_line {
  enum class outcome : uint8_t { need_more, invalid, done } result;
  uint16_t status = 0; // done only
};

// "HTTP/1.1 200 OK\r\n..." → done, 200. A prefix of a valid line → need_more; anything that
// cannot become "HTTP/<digit>.<digit> <3 digits><SP or CR>" → invalid.
status_line parse_status_line(std::string_view received) noexcept;

// The check passes with `status`: equal to `expected` when set, else any 2xx or 3xx.
bool status_passes(uint16_t status, int expected) noexcept; // expected < 0: none

} // namespace sluice::health
