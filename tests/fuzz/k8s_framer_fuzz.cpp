// libFuzzer target for the WATCH stream framer (control/k8s/framer.hpp).
//
// Input: the first byte seeds where the rest is cut into chunks (HTTP chunk and TCP segment
// boundaries fall anywhere); the rest is a WATCH response body. Properties:
//  - chunking never changes the result: fed whole or in pieces, the same frames come out and the
//    stream is refused at the same point;
//  - every frame starts with '{', ends with a closing bracket and fits the frame limit;
//  - re-framing the frames (newline-separated, as the API server writes them) gives them back.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "control/k8s/framer.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

constexpr std::size_t k_max_frame = 1024; // small, so the fuzzer reaches the oversize refusal

using sluice::fuzz::require;

struct outcome {
  std::vector<std::string> frames;
  bool ok = true;
};

// Feeds `body` in pieces of 1..`step` bytes (0: whole), stopping at the first refusal.
outcome frame(std::string_view body, unsigned step, uint32_t seed) {
  sluice::k8s::json_framer f(k_max_frame);
  outcome o;
  std::size_t at = 0;
  while (o.ok && at < body.size()) {
    std::size_t n = body.size() - at;
    if (step != 0) {
      seed = seed * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (seed >> 16) % step);
    }
    o.ok = f.feed(body.substr(at, n), o.frames);
    at += n;
  }
  return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const outcome whole = frame(body, 0, 0);
  const outcome pieces = frame(body, 1u + data[0] % 64, data[0]);
  require(whole.ok == pieces.ok, "chunking does not change whether the stream is refused");
  require(whole.frames == pieces.frames, "chunking does not change the frames");

  std::string again;
  for (const std::string& fr : whole.frames) {
    require(!fr.empty() && fr.front() == '{', "a frame starts with '{'");
    require(fr.back() == '}' || fr.back() == ']', "a frame ends with a closing bracket");
    require(fr.size() <= k_max_frame, "a frame fits the limit");
    again += fr;
    again += '\n';
  }
  const outcome reframed = frame(again, 0, 0);
  require(reframed.ok && reframed.frames == whole.frames, "frames re-frame to themselves");
  return 0;
}
