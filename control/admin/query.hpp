#pragma once
// An HTTP request target split into its path and query parameters ("/v1/flows?client=10.0.0.1").
// Percent-escapes and '+' are decoded; a malformed escape is kept as typed, so the handler
// refuses the value by name rather than the parser failing the whole request.

#include <map>
#include <string>
#include <string_view>

namespace sluice {

struct request_target {
  std::string path;
  std::map<std::string, std::string> params; // the last value wins for a repeated key
};

request_target parse_target(std::string_view target);

// Appends "?key=value", or "&key=value" once the target has a query, the value percent-encoded
// (letters, digits and ".-_:~" kept as they are).
void append_query(std::string& target, std::string_view key, std::string_view value);

} // namespace sluice
