#include "control/config/yaml_reader.hpp"

#include <charconv>
#include <cstdio>

#include "dataplane/net/ipv4.hpp"
#include "dataplane/net/ipv6.hpp"

namespace sluice {

void yaml_reader::error(const YAML::Node& at, const std::string& field, std::string message) {
  const int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
  errors_.push_back({file_, line, field, std::move(message)});
}

bool yaml_reader::map(const YAML::Node& n, const std::string& field,
                      std::initializer_list<std::string_view> allowed) {
  if (!n.IsMap()) {
    error(n, field, "must be a mapping");
    return false;
  }
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) error(kv.first, field.empty() ? key : field + "." + key, "unknown key");
  }
  return true;
}

bool yaml_reader::sequence(const YAML::Node& n, const std::string& field) {
  if (n.IsSequence()) return true;
  error(n, field, "must be a list");
  return false;
}

std::optional<std::string> yaml_reader::scalar(const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) {
    error(n, field, "must be a single value");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::string> yaml_reader::string(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field);
  if (s && s->empty()) {
    error(n, field, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> yaml_reader::integer(const YAML::Node& n, const std::string& field,
                                            int64_t min, int64_t max) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc{} || ptr != s->data() + s->size() || v < min || v > max) {
    error(n, field,
          "must be an integer in " + std::to_string(min) + ".." + std::to_string(max) +
              " (got \"" + *s + "\")");
    return std::nullopt;
  }
  return v;
}

std::optional<uint32_t> yaml_reader::ipv4(const YAML::Node& n, const std::string& field) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  const auto addr = parse_ipv4(*s);
  if (!addr) error(n, field, "not an IPv4 address: \"" + *s + "\"");
  return addr;
}

std::optional<std::pair<uint32_t, unsigned>> yaml_reader::ipv4_prefix(const YAML::Node& n,
                                                                      const std::string& field) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  const auto slash = s->find('/');
  unsigned len = 0;
  std::optional<uint32_t> addr;
  if (slash != std::string::npos) {
    addr = parse_ipv4(std::string_view(*s).substr(0, slash));
    const char* b = s->data() + slash + 1;
    const char* e = s->data() + s->size();
    const auto [ptr, ec] = std::from_chars(b, e, len);
    if (ec != std::errc{} || ptr != e || b == e || len > 32) addr.reset();
  }
  if (!addr) {
    error(n, field, "not an IPv4 address with prefix length (a.b.c.d/len): \"" + *s + "\"");
    return std::nullopt;
  }
  return std::pair{*addr, len};
}

namespace {
std::optional<ip_addr> address_of(std::string_view text) {
  if (const auto v4 = parse_ipv4(text)) return ip_addr::ipv4(*v4);
  if (const auto v6 = parse_ipv6(text)) return ip_addr::ipv6(*v6);
  return std::nullopt;
}
} // namespace

std::optional<ip_addr> yaml_reader::ip_address(const YAML::Node& n, const std::string& field) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  const auto addr = address_of(*s);
  if (!addr) error(n, field, "not an IPv4 or IPv6 address: \"" + *s + "\"");
  return addr;
}

std::optional<std::pair<ip_addr, unsigned>> yaml_reader::ip_prefix(const YAML::Node& n,
                                                                  const std::string& field) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  const auto slash = s->find('/');
  unsigned len = 0;
  std::optional<ip_addr> addr;
  if (slash != std::string::npos) {
    addr = address_of(std::string_view(*s).substr(0, slash));
    const char* b = s->data() + slash + 1;
    const char* e = s->data() + s->size();
    const auto [ptr, ec] = std::from_chars(b, e, len);
    const unsigned max = addr && addr->family() == addr_family::ipv6 ? 128 : 32;
    if (ec != std::errc{} || ptr != e || b == e || len > max) addr.reset();
  }
  if (!addr) {
    error(n, field,
          "not an address with prefix length (a.b.c.d/len or an IPv6 address/len): \"" + *s +
              "\"");
    return std::nullopt;
  }
  return std::pair{*addr, len};
}

std::optional<std::array<uint8_t, 6>> yaml_reader::mac(const YAML::Node& n,
                                                       const std::string& field) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  std::array<unsigned, 6> b{};
  char tail = 0;
  if (std::sscanf(s->c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
                  &b[5], &tail) != 6) {
    error(n, field, "not a MAC address (aa:bb:cc:dd:ee:ff): \"" + *s + "\"");
    return std::nullopt;
  }
  std::array<uint8_t, 6> out{};
  for (int i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(b[i]);
  return out;
}

std::optional<std::size_t> yaml_reader::choice(const YAML::Node& n, const std::string& field,
                                                std::initializer_list<std::string_view> choices) {
  const auto s = scalar(n, field);
  if (!s) return std::nullopt;
  std::size_t i = 0;
  std::string list;
  for (std::string_view c : choices) {
    if (c == *s) return i;
    list += (i++ ? " | " : "") + std::string(c);
  }
  error(n, field, "must be one of " + list + " (got \"" + *s + "\")");
  return std::nullopt;
}

} // namespace sluice
