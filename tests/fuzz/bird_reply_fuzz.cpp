// libFuzzer target for the BIRD control-socket reply parser (control/announce/bgp_bird_control.hpp).
//
// Input: whatever BIRD (or whatever listens on its socket) sends. Properties: the parser either
// throws bird_error or takes whole replies off the front, each ending with the line whose code is
// followed by a space; what it leaves in the buffer is exactly the unread rest; a buffer without
// a complete reply is left untouched; a reply's code is 0..9999.

#include <cstddef>
#include <cstdint>
#include <string>

#include "control/announce/bgp_bird_control.hpp"
#include "tests/fuzz/fuzz_require.hpp"

using sluice::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string buffer = input;
  std::size_t consumed = 0;
  try {
    while (true) {
      const std::string before = buffer;
      const auto reply = sluice::take_bird_reply(buffer);
      if (!reply) {
        require(buffer == before, "an incomplete reply leaves the buffer untouched");
        break;
      }
      require(reply->code >= 0 && reply->code <= 9999, "a code has four digits");
      require(buffer.size() < before.size(), "a reply consumes input");
      consumed += before.size() - buffer.size();
      require(input.compare(consumed, std::string::npos, buffer) == 0,
              "what is left is the unread rest of the input");
      const std::size_t end = consumed - 1; // the reply's last byte: its final newline
      require(input[end] == '\n', "a reply ends at a newline");
      const std::size_t start = input.rfind('\n', end - 1) == std::string::npos
                                    ? 0
                                    : input.rfind('\n', end - 1) + 1;
      require(end - start >= 5 && input[start + 4] == ' ', "the last line is 'DDDD '");
    }
  } catch (const sluice::bird_error&) {
    // Malformed input is refused, never crashes.
  }
  return 0;
}
