#include "control/admin/query.hpp"

#include <fmt/format.h>

#include <cctype>

namespace sluice {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

request_target parse_target(std::string_view target) {
  request_target t;
  const std::size_t q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    t.params[decoded(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string{} : decoded(pair.substr(eq + 1));
  }
  return t;
}

void append_query(std::string& target, std::string_view key, std::string_view value) {
  target.append(target.find('?') == std::string::npos ? "?" : "&").append(key).append("=");
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '~')
      target += char(c);
    else
      target += fmt::format("%{:02X}", c);
  }
}

} // namespace sluice
