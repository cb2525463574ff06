#pragma once
// A client of BIRD's control socket — the line protocol birdc speaks. Each reply line is a
// four-digit code then '-' (more lines follow) or ' ' (last line); lines starting with a space
// continue the previous code. Codes 0xxx/1xxx are success and data, 8xxx runtime errors, 9xxx
// command parse errors (BIRD's doc/reply_codes).

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice {

struct bird_reply {
  int code = 0;     // the last line's code: the outcome
  std::string text; // every line's text without codes, newline-separated

  bool ok() const noexcept { return code > 0 && code < 8000; }
};

// Takes one complete reply from the front of `buffer` (what has been read so far), or nullopt
// while the last line has not arrived. Malformed lines throw bird_error.
std::optional<bird_reply> take_bird_reply(std::string& buffer);

struct bird_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class bird_control {
public:
  bird_control(std::string socket_path, std::chrono::milliseconds timeout)
      : path_(std::move(socket_path)), timeout_(timeout) {}

  // Connects, reads the greeting, sends `cmd` (one line) and returns BIRD's reply. Throws
  // bird_error when the socket is absent, BIRD does not answer within the timeout, or the reply
  // is malformed. A reply with an error code is returned, not thrown.
  bird_reply command(std::string_view cmd) const;

private:
  std::string path_;
  std::chrono::milliseconds timeout_;
};

} // namespace sluice
