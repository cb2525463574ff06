#include "control/config/load_bgp.hpp"

#include <charconv>

#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

std::string at(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

// RFC 4893 reserves 23456 (AS_TRANS) for 2-byte speakers; 0 is never an AS.
std::optional<uint32_t> asn(yaml_reader& r, const YAML::Node& n, const std::string& field) {
  const auto v = r.integer(n, field, 1, 4294967295);
  if (v && *v == 23456) {
    r.error(n, field, "23456 is AS_TRANS (RFC 6793), reserved; use the real 4-byte AS number");
    return std::nullopt;
  }
  return v ? std::optional<uint32_t>(uint32_t(*v)) : std::nullopt;
}

bool boolean(yaml_reader& r, const YAML::Node& n, const std::string& field, bool& out) {
  if (auto c = r.choice(n, field, {"false", "true"})) {
    out = *c == 1;
    return true;
  }
  return false;
}

std::optional<bgp_community> community(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto part = [](std::string_view s) -> std::optional<uint16_t> {
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > 65535)
      return std::nullopt;
    return uint16_t(v);
  };
  const auto high = part(text.substr(0, colon));
  const auto low = part(text.substr(colon + 1));
  if (!high || !low) return std::nullopt;
  return bgp_community{*high, *low};
}

const interface_config* link_of(const std::vector<interface_config>& ifaces, uint32_t addr) {
  for (const interface_config& i : ifaces) {
    if (!i.has_ipv4()) continue;
    const uint32_t mask = prefix_mask(i.prefix_len);
    if ((addr & mask) == (i.addr & mask)) return &i;
  }
  return nullptr;
}

void parse_peer(yaml_reader& r, const YAML::Node& n, const std::string& f,
                const std::vector<interface_config>& ifaces, bgp_announce_config& b) {
  if (!r.map(n, f, {"address", "asn", "hold_time", "bfd", "password"})) return;
  bgp_peer_config p;
  if (!n["address"]) {
    r.error(n, f + ".address", "is required");
  } else if (auto a = r.ipv4(n["address"], f + ".address")) {
    p.addr = *a;
    // Sessions are direct (single-hop eBGP over the exception path): the router must be on a
    // link of the appliance, and not the appliance itself.
    if (!link_of(ifaces, p.addr))
      r.error(n["address"], f + ".address",
              "is in no interface's subnet: BGP peers must be directly connected routers");
    for (const interface_config& i : ifaces)
      if (i.has_ipv4() && i.addr == p.addr)
        r.error(n["address"], f + ".address", "is interface \"" + i.name + "\"'s own address");
    for (const bgp_peer_config& other : b.peers)
      if (other.addr == p.addr)
        r.error(n["address"], f + ".address", "duplicate peer " + format_ipv4(p.addr));
  }
  if (!n["asn"])
    r.error(n, f + ".asn", "is required");
  else if (auto v = asn(r, n["asn"], f + ".asn"))
    p.asn = *v;
  if (n["hold_time"])
    if (auto v = r.integer(n["hold_time"], f + ".hold_time", 0, 65535)) {
      if (*v == 1 || *v == 2)
        r.error(n["hold_time"], f + ".hold_time", "must be 0 (no keepalives) or 3..65535 seconds "
                                                  "(RFC 4271 §4.2)");
      p.hold_time = uint16_t(*v);
    }
  // Without its own `bfd`, a peer is protected exactly when announce.bgp.bfd is present.
  p.bfd = b.bfd.has_value();
  if (n["bfd"]) boolean(r, n["bfd"], f + ".bfd", p.bfd);
  if (n["password"])
    if (auto s = r.string(n["password"], f + ".password")) {
      // It goes into BIRD's config as a quoted string, which has no escapes; TCP MD5 keys are at
      // most 80 bytes (TCP_MD5SIG_MAXKEYLEN).
      bool printable = true;
      for (unsigned char ch : *s) printable = printable && ch >= 0x20 && ch != 0x7f;
      if (s->find_first_of("\"\\") != std::string::npos || !printable)
        r.error(n["password"], f + ".password",
                "must not contain quotes, backslashes or control characters");
      else if (s->size() > 80)
        r.error(n["password"], f + ".password", "is longer than 80 bytes (TCP MD5 key limit)");
      else
        p.password = *s;
    }
  b.peers.push_back(std::move(p));
}

// `bfd: {}` (or `bfd:` with nothing) takes the defaults.
void parse_bfd(yaml_reader& r, const YAML::Node& n, const std::string& f,
               std::optional<bgp_bfd_timers>& out) {
  bgp_bfd_timers t;
  if (!n.IsNull()) {
    if (!r.map(n, f, {"interval_ms", "multiplier"})) return;
    // Below 10 ms a control-plane BIRD behind a rate-limited exception path cannot keep up;
    // above 10 s the hold time detects sooner anyway.
    if (n["interval_ms"])
      if (auto v = r.integer(n["interval_ms"], f + ".interval_ms", 10, 10'000))
        t.interval_ms = uint32_t(*v);
    // Detect Mult is one byte on the wire and 0 is invalid (RFC 5880 §4.1).
    if (n["multiplier"])
      if (auto v = r.integer(n["multiplier"], f + ".multiplier", 1, 255))
        t.multiplier = uint32_t(*v);
  }
  out = t;
}

} // namespace

void parse_bgp_announce(yaml_reader& r, const YAML::Node& n,
                        const std::vector<interface_config>& ifaces, bgp_announce_config& b) {
  const std::string f = "announce.bgp";
  if (!r.map(n, f,
             {"router_id", "local_asn", "bird_socket", "peers", "communities",
              "withdraw_delay_ms", "bfd"}))
    return;
  b.enabled = true;
  // Like BIRD's own default (the lowest address) but predictable: the first interface's IPv4
  // address.
  for (const interface_config& i : ifaces)
    if (i.has_ipv4()) {
      b.router_id = i.addr;
      break;
    }
  if (n["router_id"])
    if (auto a = r.ipv4(n["router_id"], f + ".router_id")) {
      if (*a == 0)
        r.error(n["router_id"], f + ".router_id", "must not be 0.0.0.0");
      b.router_id = *a;
    }
  if (!n["local_asn"])
    r.error(n, f + ".local_asn", "is required");
  else if (auto v = asn(r, n["local_asn"], f + ".local_asn"))
    b.local_asn = *v;
  if (n["bird_socket"])
    if (auto s = r.string(n["bird_socket"], f + ".bird_socket")) {
      if (s->front() != '/' || s->back() == '/' || s->find('"') != std::string::npos)
        r.error(n["bird_socket"], f + ".bird_socket",
                "must be an absolute file path without quotes (BIRD's control socket)");
      else
        b.bird_socket = *s;
    }
  // Before the peers: it sets their `bfd` default.
  if (n["bfd"]) parse_bfd(r, n["bfd"], f + ".bfd", b.bfd);
  if (!n["peers"]) {
    r.error(n, f + ".peers", "is required (at least one router to announce to)");
  } else if (r.sequence(n["peers"], f + ".peers")) {
    if (n["peers"].size() == 0) r.error(n["peers"], f + ".peers", "needs at least one peer");
    for (std::size_t i = 0; i < n["peers"].size(); ++i)
      parse_peer(r, n["peers"][i], at(f + ".peers", i), ifaces, b);
  }
  if (n["communities"] && r.sequence(n["communities"], f + ".communities"))
    for (std::size_t i = 0; i < n["communities"].size(); ++i) {
      const YAML::Node c = n["communities"][i];
      const std::string cf = at(f + ".communities", i);
      if (auto text = r.string(c, cf)) {
        if (auto v = community(*text))
          b.communities.push_back(*v);
        else
          r.error(c, cf, "must be \"ASN:VALUE\" with both parts 0..65535 (got \"" + *text + "\")");
      }
    }
  if (n["withdraw_delay_ms"])
    if (auto v = r.integer(n["withdraw_delay_ms"], f + ".withdraw_delay_ms", 0, 600000))
      b.withdraw_delay_ms = uint32_t(*v);
}

} // namespace sluice
