#include "control/acl/parse.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

#include "control/acl/cidr.hpp"
#include "control/acl/patterns.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

std::string at(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

// A scalar or a list of scalars, each read by `one` with its own field path.
template <typename F>
void each_item(yaml_reader& r, const YAML::Node& n, const std::string& field, F one) {
  if (n.IsSequence()) {
    if (n.size() == 0) r.error(n, field, "must not be an empty list (leave the key out for any)");
    for (std::size_t i = 0; i < n.size(); ++i) one(n[i], at(field, i));
  } else if (n.IsScalar()) {
    one(n, field);
  } else {
    r.error(n, field, "must be a value or a list of values");
  }
}

std::optional<uint16_t> port_number(std::string_view s) {
  unsigned v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty() || v < 1 || v > 65535)
    return std::nullopt;
  return uint16_t(v);
}

class acl_parser {
public:
  explicit acl_parser(yaml_reader& r) : r_(r) {}

  void parse_set(const YAML::Node& n, const std::string& f, std::vector<acl_set_config>& out) {
    if (!r_.map(n, f, {"name", "default", "rules"})) return;
    acl_set_config s;
    if (!n["name"]) r_.error(n, f + ".name", "is required");
    else if (auto v = r_.string(n["name"], f + ".name")) s.name = *v;
    if (!n["default"])
      r_.error(n, f + ".default", "is required: allow or deny, the verdict when no rule matches");
    else if (auto a = r_.choice(n["default"], f + ".default", {"allow", "deny"}))
      s.default_action = static_cast<acl_action>(*a);
    if (n["rules"] && r_.sequence(n["rules"], f + ".rules"))
      for (std::size_t i = 0; i < n["rules"].size(); ++i)
        parse_rule(n["rules"][i], at(f + ".rules", i), s);
    for (const acl_set_config& other : out)
      if (!s.name.empty() && other.name == s.name)
        r_.error(n["name"], f + ".name", "duplicate ACL set name \"" + s.name + "\"");
    // Kept even when invalid (the config is refused anyway), so references to it raise no
    // follow-up "no ACL set named" errors.
    out.push_back(std::move(s));
  }

  // A CIDR or a list of them; `who` starts each message (the rule it belongs to, or empty).
  void prefixes(const YAML::Node& n, const std::string& f, const std::string& who,
                std::vector<ip_prefix>& out) {
    each_item(r_, n, f, [&](const YAML::Node& item, const std::string& field) {
      if (!item.IsScalar()) return r_.error(item, field, who + "must be a CIDR (a.b.c.d/len)");
      const std::string& text = item.Scalar();
      if (text.find(':') != std::string::npos)
        return r_.error(item, field, who + "IPv6 rules are not supported yet: \"" + text + "\"");
      const auto cidr = parse_ipv4_cidr(text);
      if (!cidr)
        return r_.error(item, field,
                        who + "not an IPv4 CIDR (a.b.c.d/len, len 0..32): \"" + text + "\"");
      if (cidr->had_host_bits)
        return r_.error(item, field,
                        who + "\"" + text + "\" has host bits set (did you mean " +
                            format_ipv4(cidr->prefix.addr) + "/" +
                            std::to_string(cidr->prefix.len) + "?)");
      out.push_back(cidr->prefix);
    });
  }

private:
  void parse_rule(const YAML::Node& n, const std::string& f, acl_set_config& set) {
    if (!r_.map(n, f, {"name", "action", "reply", "src", "dst", "ports", "protocol", "payload"}))
      return;
    acl_rule_config rule;
    if (!n["name"]) r_.error(n, f + ".name", "is required");
    else if (auto v = r_.string(n["name"], f + ".name")) rule.name = *v;
    // Every later message names the rule: operators search rules by name, not by position.
    const std::string who = "rule \"" + rule.name + "\": ";
    if (!n["action"])
      r_.error(n, f + ".action", who + "is required: allow or deny");
    else if (auto a = r_.choice(n["action"], f + ".action", {"allow", "deny"}))
      rule.action = static_cast<acl_action>(*a);
    if (n["protocol"])
      if (auto p = r_.choice(n["protocol"], f + ".protocol", {"tcp", "udp", "any"}))
        rule.proto = *p == 0 ? IPPROTO_TCP : *p == 1 ? IPPROTO_UDP : 0;
    if (n["src"]) prefixes(n["src"], f + ".src", who, rule.src);
    if (n["dst"]) prefixes(n["dst"], f + ".dst", who, rule.dst);
    if (n["ports"]) ports(n["ports"], f + ".ports", who, rule.dst_ports);
    if (n["reply"])
      if (auto v = r_.choice(n["reply"], f + ".reply", {"none", "rst", "icmp"})) {
        rule.reply = static_cast<acl_reply>(*v);
        if (rule.action == acl_action::allow && rule.reply != acl_reply::none)
          r_.error(n["reply"], f + ".reply", who + "only a deny rule sends a reply");
        if (rule.reply == acl_reply::rst && rule.proto != IPPROTO_TCP)
          r_.error(n["reply"], f + ".reply",
                   who + "rst needs protocol: tcp (a UDP flow cannot be reset; use icmp)");
      }
    if (n["payload"]) payload(n["payload"], f + ".payload", who, rule.payload);
    for (const acl_rule_config& other : set.rules)
      if (!rule.name.empty() && other.name == rule.name)
        r_.error(n["name"], f + ".name", "duplicate rule name \"" + rule.name + "\" in the set");
    set.rules.push_back(std::move(rule));
  }

  void ports(const YAML::Node& n, const std::string& f, const std::string& who,
             std::vector<port_range>& out) {
    each_item(r_, n, f, [&](const YAML::Node& item, const std::string& field) {
      const std::string text = item.IsScalar() ? item.Scalar() : "";
      const auto dash = text.find('-');
      const auto lo = port_number(std::string_view(text).substr(0, dash));
      const auto hi = dash == std::string::npos ? lo : port_number(std::string_view(text).substr(dash + 1));
      if (!lo || !hi)
        return r_.error(item, field,
                        who + "must be a port (1..65535) or a range LO-HI (got \"" + text + "\")");
      if (*lo > *hi)
        return r_.error(item, field, who + "range \"" + text + "\" ends before it starts");
      out.push_back({*lo, *hi});
    });
  }

  void payload(const YAML::Node& n, const std::string& f, const std::string& who,
               std::vector<payload_pattern>& out) {
    if (!n.IsSequence() || n.size() == 0)
      return r_.error(n, f, who + "must be a non-empty list of patterns");
    for (std::size_t i = 0; i < n.size(); ++i) {
      const YAML::Node item = n[i];
      const std::string field = at(f, i);
      payload_pattern p;
      YAML::Node where = item;
      if (item.IsScalar()) {
        p.regex = item.Scalar();
      } else {
        if (!r_.map(item, field, {"pattern", "flags"})) continue;
        if (!item["pattern"]) {
          r_.error(item, field + ".pattern", who + "is required");
          continue;
        }
        where.reset(item["pattern"]); // rebind: operator= would write into `item`
        if (auto v = r_.string(item["pattern"], field + ".pattern")) p.regex = *v;
        if (item["flags"] && r_.sequence(item["flags"], field + ".flags"))
          for (std::size_t k = 0; k < item["flags"].size(); ++k) {
            const YAML::Node fl = item["flags"][k];
            const auto bit = fl.IsScalar() ? pattern_flag(fl.Scalar()) : std::nullopt;
            if (!bit)
              r_.error(fl, at(field + ".flags", k),
                       who + "unknown pattern flag (one of " + std::string(pattern_flag_names()) +
                           ")");
            else
              p.flags |= *bit;
          }
      }
      if (p.regex.empty()) {
        // A mapping's empty `pattern` was reported by r_.string() already.
        if (item.IsScalar()) r_.error(where, field, who + "an empty pattern matches every payload");
        continue;
      }
      if (const auto e = pattern_error(p))
        r_.error(where, field, who + "Hyperscan refuses the pattern: " + *e);
      out.push_back(std::move(p));
    }
  }

  yaml_reader& r_;
};

} // namespace

void parse_acl_sets(yaml_reader& r, const YAML::Node& list, std::vector<acl_set_config>& out) {
  if (!r.sequence(list, "acls")) return;
  acl_parser p(r);
  for (std::size_t i = 0; i < list.size(); ++i) p.parse_set(list[i], at("acls", i), out);
}

void parse_acl_prefixes(yaml_reader& r, const YAML::Node& n, const std::string& field,
                        std::vector<ip_prefix>& out) {
  acl_parser(r).prefixes(n, field, "", out);
}

void parse_acl_refs(yaml_reader& r, const YAML::Node& list, const std::string& field,
                    const std::vector<acl_set_config>& sets, std::vector<std::string>& out) {
  if (!r.sequence(list, field)) return;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto name = r.string(list[i], at(field, i));
    if (!name) continue;
    bool known = false;
    for (const acl_set_config& s : sets) known = known || s.name == *name;
    if (!known) {
      r.error(list[i], at(field, i), "no ACL set named \"" + *name + "\" in acls");
      continue;
    }
    for (const std::string& seen : out)
      if (seen == *name) r.error(list[i], at(field, i), "set \"" + *name + "\" listed twice");
    out.push_back(*name);
  }
}

} // namespace sluice
