// announce.bgp: every key loads, and each invalid value is refused whole, naming its field.
#include <gtest/gtest.h>

#include "control/config/load.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

const std::string k_base = R"(interfaces:
  - { name: up, device: "net_null0", address: 10.0.0.2/24 }
  - { name: down, device: "net_null1", address: 10.0.1.2/24 }
)";

load_result load(const std::string& extra) { return parse_config(k_base + extra, "b.yaml"); }

std::vector<std::string> errors(const std::string& extra) { return rendered_errors(load(extra)); }

// A valid announce.bgp block with `line` (a "key: value" at peer or bgp level) appended.
std::string bgp_with(const std::string& bgp_line, const std::string& peer_line = "") {
  return "announce:\n  bgp:\n    local_asn: 65001\n" + bgp_line +
         "    peers:\n      - address: 10.0.0.1\n        asn: 65000\n" + peer_line;
}

TEST(BgpConfig, EveryKeyLoads) {
  const load_result r = load(R"(announce:
  bgp:
    router_id: 192.0.2.7
    local_asn: 4200000001
    bird_socket: /run/a/bird.ctl
    peers:
      - { address: 10.0.0.1, asn: 65000, hold_time: 30, bfd: true, password: "s3cret key" }
      - { address: 10.0.1.1, asn: 65002 }
    communities: ["65000:100", "0:65535"]
    withdraw_delay_ms: 500
    bfd: { interval_ms: 50, multiplier: 4 }
)");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const bgp_announce_config& b = r.cfg->announce.bgp;
  EXPECT_TRUE(b.enabled);
  EXPECT_EQ(format_ipv4(b.router_id), "192.0.2.7");
  EXPECT_EQ(b.local_asn, 4200000001u);
  EXPECT_EQ(b.bird_socket, "/run/a/bird.ctl");
  ASSERT_EQ(b.peers.size(), 2u);
  EXPECT_EQ(format_ipv4(b.peers[0].addr), "10.0.0.1");
  EXPECT_EQ(b.peers[0].asn, 65000u);
  EXPECT_EQ(b.peers[0].hold_time, 30);
  EXPECT_TRUE(b.peers[0].bfd);
  EXPECT_EQ(b.peers[0].password, "s3cret key");
  EXPECT_EQ(b.peers[1].hold_time, 9) << "hold_time defaults to 9 s";
  EXPECT_TRUE(b.peers[1].bfd) << "announce.bgp.bfd protects a peer that does not say otherwise";
  ASSERT_EQ(b.communities.size(), 2u);
  EXPECT_EQ(b.communities[0], (bgp_community{65000, 100}));
  EXPECT_EQ(b.communities[1], (bgp_community{0, 65535}));
  EXPECT_EQ(b.withdraw_delay_ms, 500u);
  EXPECT_EQ(b.bfd, (bgp_bfd_timers{.interval_ms = 50, .multiplier = 4}));
}

TEST(BgpConfig, DefaultsAreTheFirstInterfaceAndTheRunSocket) {
  const load_result r = load(bgp_with(""));
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const bgp_announce_config& b = r.cfg->announce.bgp;
  EXPECT_EQ(format_ipv4(b.router_id), "10.0.0.2");
  EXPECT_EQ(b.bird_socket, "/run/sluice/bird.ctl");
  EXPECT_EQ(b.withdraw_delay_ms, 2000u);
  EXPECT_TRUE(b.communities.empty());
  EXPECT_FALSE(b.bfd);
  EXPECT_FALSE(b.peers.at(0).bfd) << "no BFD unless asked for";
}

TEST(BgpConfig, BfdProtectsEveryPeerUnlessOneOptsOut) {
  const load_result r = load(R"(announce:
  bgp:
    local_asn: 65001
    bfd: {}
    peers:
      - { address: 10.0.0.1, asn: 65000 }
      - { address: 10.0.1.1, asn: 65002, bfd: false }
)");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const bgp_announce_config& b = r.cfg->announce.bgp;
  EXPECT_EQ(b.bfd, (bgp_bfd_timers{.interval_ms = 100, .multiplier = 3})) << "`bfd: {}` defaults";
  EXPECT_TRUE(b.peers.at(0).bfd);
  EXPECT_FALSE(b.peers.at(1).bfd);
}

TEST(BgpConfig, AbsentKeyStartsNoBgp) {
  const load_result r = load("");
  ASSERT_TRUE(r.cfg);
  EXPECT_FALSE(r.cfg->announce.bgp.enabled);
}

TEST(BgpConfig, InvalidValuesAreRefusedNamingTheField) {
  struct row {
    std::string yaml;
    std::string error;
  };
  const std::vector<row> rows = {
      {"announce:\n  bgp:\n    peers:\n      - { address: 10.0.0.1, asn: 1 }\n",
       "b.yaml:6: announce.bgp.local_asn: is required"},
      {"announce:\n  bgp:\n    local_asn: 0\n    peers:\n      - { address: 10.0.0.1, asn: 1 }\n",
       "b.yaml:6: announce.bgp.local_asn: must be an integer in 1..4294967295 (got \"0\")"},
      {bgp_with("", "        hold_time: 2\n"),
       "b.yaml:10: announce.bgp.peers[0].hold_time: must be 0 (no keepalives) or 3..65535 "
       "seconds (RFC 4271 §4.2)"},
      {bgp_with("", "        bfd: maybe\n"),
       "b.yaml:10: announce.bgp.peers[0].bfd: must be one of false | true (got \"maybe\")"},
      {bgp_with("", "        password: 'a\"b'\n"),
       "b.yaml:10: announce.bgp.peers[0].password: must not contain quotes, backslashes or "
       "control characters"},
      {bgp_with("", "        password: " + std::string(81, 'x') + "\n"),
       "b.yaml:10: announce.bgp.peers[0].password: is longer than 80 bytes (TCP MD5 key limit)"},
      {bgp_with("    router_id: 10.0.0\n"),
       "b.yaml:7: announce.bgp.router_id: not an IPv4 address: \"10.0.0\""},
      {bgp_with("    bird_socket: run/bird.ctl\n"),
       "b.yaml:7: announce.bgp.bird_socket: must be an absolute file path without quotes "
       "(BIRD's control socket)"},
      {bgp_with("    communities: [\"65536:1\"]\n"),
       "b.yaml:7: announce.bgp.communities[0]: must be \"ASN:VALUE\" with both parts 0..65535 "
       "(got \"65536:1\")"},
      {bgp_with("    withdraw_delay_ms: -1\n"),
       "b.yaml:7: announce.bgp.withdraw_delay_ms: must be an integer in 0..600000 (got \"-1\")"},
      {bgp_with("    holdtime: 9\n"), "b.yaml:7: announce.bgp.holdtime: unknown key"},
      {bgp_with("    bfd: { interval_ms: 9 }\n"),
       "b.yaml:7: announce.bgp.bfd.interval_ms: must be an integer in 10..10000 (got \"9\")"},
      {bgp_with("    bfd: { interval_ms: 10001 }\n"),
       "b.yaml:7: announce.bgp.bfd.interval_ms: must be an integer in 10..10000 (got \"10001\")"},
      {bgp_with("    bfd: { multiplier: 0 }\n"),
       "b.yaml:7: announce.bgp.bfd.multiplier: must be an integer in 1..255 (got \"0\")"},
      {bgp_with("    bfd: { multiplier: 256 }\n"),
       "b.yaml:7: announce.bgp.bfd.multiplier: must be an integer in 1..255 (got \"256\")"},
      {bgp_with("    bfd: { interval: 100 }\n"), "b.yaml:7: announce.bgp.bfd.interval: unknown key"},
      {bgp_with("    bfd: true\n"), "b.yaml:7: announce.bgp.bfd: must be a mapping"},
      {"announce:\n  bgp:\n    local_asn: 65001\n    peers:\n      - { address: 192.0.2.1, asn: 1 }\n",
       "b.yaml:8: announce.bgp.peers[0].address: is in no interface's subnet: BGP peers must be "
       "directly connected routers"},
      {"announce:\n  bgp:\n    local_asn: 65001\n    peers:\n      - { address: 10.0.0.2, asn: 1 }\n",
       "b.yaml:8: announce.bgp.peers[0].address: is interface \"up\"'s own address"},
      {"announce:\n  bgp:\n    local_asn: 23456\n    peers:\n      - { address: 10.0.0.1, asn: 1 }\n",
       "b.yaml:6: announce.bgp.local_asn: 23456 is AS_TRANS (RFC 6793), reserved; use the real "
       "4-byte AS number"},
      {"announce:\n  bgp:\n    local_asn: 65001\n    peers:\n      - { address: 10.0.0.1 }\n",
       "b.yaml:8: announce.bgp.peers[0].asn: is required"},
      {"announce:\n  bgp:\n    local_asn: 65001\n    peers: []\n",
       "b.yaml:7: announce.bgp.peers: needs at least one peer"},
      {"announce:\n  bgp:\n    local_asn: 65001\n",
       "b.yaml:6: announce.bgp.peers: is required (at least one router to announce to)"},
      {"announce:\n  arp: {}\n", "b.yaml:5: announce.arp: unknown key"},
  };
  for (const row& r : rows) {
    const load_result l = load(r.yaml);
    EXPECT_FALSE(l.cfg) << r.yaml;
    EXPECT_EQ(errors(r.yaml), std::vector<std::string>{r.error}) << r.yaml;
  }
}

TEST(BgpConfig, DuplicatePeerIsRefused) {
  EXPECT_EQ(errors(bgp_with("") + "      - { address: 10.0.0.1, asn: 65003 }\n"),
            std::vector<std::string>{
                "b.yaml:10: announce.bgp.peers[1].address: duplicate peer 10.0.0.1"});
}

} // namespace
} // namespace sluice
