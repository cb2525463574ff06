#include "control/config/load_announce.hpp"

#include <cctype>

#include "dataplane/port/port.hpp"

namespace sluice {

std::string linux_ifname_problem(std::string_view name) {
  // IFNAMSIZ is 16 with the terminating NUL; dev_valid_name() refuses the rest.
  if (name.empty()) return "must not be empty";
  if (name.size() > 15) return "is longer than 15 characters (Linux's IFNAMSIZ)";
  if (name == "." || name == "..") return "is not a valid interface name";
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    // ',' and '=' are Linux's to allow, but would end the net_tap devargs the name goes into.
    if (c == '/' || c == ':' || c == ',' || c == '=' || std::isspace(c) || std::iscntrl(c) ||
        c >= 0x80)
      return "may not contain '/', ':', ',', '=', spaces or control characters";
  }
  return "";
}

std::optional<exception_path_config> parse_exception_path(yaml_reader& r, const YAML::Node& n,
                                                          const std::string& f) {
  if (!r.map(n, f, {"tap", "rate_limit_pps"})) return std::nullopt;
  const std::size_t errors_before = r.error_count();
  exception_path_config e;
  if (!n["tap"]) {
    r.error(n, f + ".tap", "is required (the kernel interface name of the tap)");
  } else if (auto name = r.string(n["tap"], f + ".tap")) {
    if (const std::string why = linux_ifname_problem(*name); !why.empty())
      r.error(n["tap"], f + ".tap", "\"" + *name + "\" " + why);
    e.tap = *name;
  }
  if (n["rate_limit_pps"])
    if (auto v = r.integer(n["rate_limit_pps"], f + ".rate_limit_pps", 1, 100'000'000))
      e.rate_limit_pps = uint32_t(*v);
  if (r.error_count() != errors_before) return std::nullopt;
  return e;
}

void check_exception_paths(yaml_reader& r, const YAML::Node& list,
                           const std::vector<interface_config>& ifaces) {
  // The parsed list skips refused interfaces: each is found in `list` by name for the line.
  // (Never assign YAML::Node handles to each other: that writes into the tree.)
  auto index_in_list = [&](const std::string& name) -> std::size_t {
    for (std::size_t k = 0; k < list.size(); ++k)
      if (list[k].IsMap() && list[k]["name"] && list[k]["name"].Scalar() == name) return k;
    return 0;
  };
  for (std::size_t i = 0; i < ifaces.size(); ++i) {
    if (!ifaces[i].exception_path) continue;
    const std::string& tap = ifaces[i].exception_path->tap;
    const std::size_t k = index_in_list(ifaces[i].name);
    const YAML::Node node = list[k]["exception_path"]["tap"];
    const std::string field = "interfaces[" + std::to_string(k) + "].exception_path.tap";
    for (std::size_t o = 0; o < ifaces.size(); ++o) {
      if (o < i && ifaces[o].exception_path && ifaces[o].exception_path->tap == tap)
        r.error(node, field, "tap \"" + tap + "\" is already interface \"" + ifaces[o].name +
                                 "\"'s exception path");
      if (devarg(ifaces[o].device, "iface") == tap)
        r.error(node, field, "\"" + tap + "\" is the kernel interface DPDK device of \"" +
                                 ifaces[o].name + "\" uses (iface=): name a new tap");
    }
  }
}

void parse_l2_announce(yaml_reader& r, const YAML::Node& l2,
                       std::optional<l2_announce_config>& out) {
  l2_announce_config c;
  // `l2: {}` (or `l2:` with nothing) turns the defaults on.
  if (!l2.IsNull()) {
    if (!r.map(l2, "announce.l2", {"garp_count", "garp_interval_ms"})) return;
    if (l2["garp_count"])
      if (auto v = r.integer(l2["garp_count"], "announce.l2.garp_count", 1, 100))
        c.garp_count = uint32_t(*v);
    if (l2["garp_interval_ms"])
      if (auto v = r.integer(l2["garp_interval_ms"], "announce.l2.garp_interval_ms", 10, 600'000))
        c.garp_interval_ms = uint32_t(*v);
  }
  out = c;
}

} // namespace sluice
