// libFuzzer target for the health check's HTTP status-line parser (control/health/http_status.hpp).
//
// Input: whatever a backend sends first. Properties: a parsed status has three digits and is what
// the bytes say; feeding more bytes never changes a decision (need_more only ever becomes done or
// invalid, done stays done with the same status, invalid stays invalid).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/health/http_status.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

using sluice::health::parse_status_line;
using outcome = sluice::health::status_line::outcome;

using sluice::fuzz::require;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto whole = parse_status_line(all);
  if (whole.result == outcome::done) {
    require(whole.status >= 100 && whole.status <= 999, "a status has three digits");
    require(all.substr(0, 5) == "HTTP/", "a status comes from an HTTP/ line");
    require(whole.status == (all[9] - '0') * 100 + (all[10] - '0') * 10 + (all[11] - '0'),
            "the status is the one on the line");
  }
  // Every prefix decides no differently from the whole, once it has decided.
  for (std::size_t n = 0; n <= size && n <= 16; ++n) {
    const auto part = parse_status_line(all.substr(0, n));
    if (part.result == outcome::need_more) continue;
    require(part.result == whole.result, "more bytes never change a decision");
    require(part.status == whole.status, "more bytes never change the status");
  }
  return 0;
}
