#pragma once
// The ACL lab the golden tests and the benchmarks share: the NAT lab's interfaces, a global
// "edge" set with one rule of each kind (address deny, deny with RST, deny with ICMP, payload
// deny with RST over TCP, payload deny over UDP), an "office" allow-list on the web service and
// an `allowed_sources:` allow-list (its implicit set) on the admin service.

#include <map>
#include <string>

#include "dataplane/acl/tables.hpp"
#include "tests/golden/nat_lab.hpp"

namespace sluice::testing {

inline std::string acl_config_yaml() {
  return lab_yaml_head() + R"(  - { name: web, address: 10.0.0.100, port: 80, protocol: tcp, acls: [office],
      backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }] }
  - { name: echo, address: 10.0.0.100, port: 53, protocol: udp,
      backends: [{ address: 10.0.1.11, port: 5353 }] }
  - { name: admin, address: 10.0.0.100, port: 8443, protocol: tcp, allowed_sources: [10.5.0.0/16],
      backends: [{ address: 10.0.1.12, port: 8443 }] }
acls:
  - name: edge
    default: allow
    rules:
      - { name: blocked-net, action: deny, src: 10.9.0.0/16 }
      - { name: reset-net, action: deny, reply: rst, protocol: tcp, src: 10.8.0.0/16 }
      - { name: prohibited-net, action: deny, reply: icmp, src: 10.7.0.0/16 }
      - name: no-admin
        action: deny
        reply: rst
        protocol: tcp
        ports: 80
        payload: [{ pattern: "^GET /admin", flags: [caseless] }]
      - { name: evil-udp, action: deny, protocol: udp, payload: ["^EVIL"] }
  - name: office
    default: deny
    rules:
      - { name: office-net, action: allow, src: [10.0.0.0/24, 10.5.0.0/16], ports: "80-90" }
global_acls: [edge]
)";
}

// Flows each rule (or, with rule "", the set's default) decided on worker `w`, by "set/rule".
inline std::map<std::string, uint64_t> acl_hits(const dataplane_harness& h, unsigned w = 0) {
  std::map<std::string, uint64_t> out;
  const snapshot& s = h.published();
  if (!s.acl) return out;
  const acl_tables& t = *s.acl->tables;
  const worker_stats& st = h.stats(w);
  for (std::size_t i = 0; i < t.sets.size(); ++i) {
    const acl_set& set = t.sets[i];
    out[t.set_names[i] + "/"] = st.acl_hits[set.default_hit_slot].get();
    for (uint32_t r = 0; r < set.rule_count; ++r)
      out[t.set_names[i] + "/" + t.rule_names[set.first_rule + r]] =
          st.acl_hits[t.rules[set.first_rule + r].hit_slot].get();
  }
  return out;
}

} // namespace sluice::testing
