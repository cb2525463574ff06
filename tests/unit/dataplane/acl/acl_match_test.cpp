// ACL rule compilation and matching: the real rte_acl contexts and Hyperscan databases that
// control/acl/compile.cpp builds, decided by the dataplane's evaluator (EAL once, no hugepages).

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <rte_eal.h>

#include <memory>

#include "control/acl/compile.hpp"
#include "control/config/load.hpp"
#include "dataplane/acl/evaluate.hpp"
#include "dataplane/acl/reset.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice {
namespace {

class AclMatch : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    static bool started = false;
    if (started) return;
    // --no-huge implies legacy memory, which --in-memory refuses; --no-shconf leaves no files.
    const char* argv[] = {"acl_match_test", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
                          "--no-telemetry", "--file-prefix=acl_match_test", "--log-level=error"};
    ASSERT_GE(rte_eal_init(int(std::size(argv)), const_cast<char**>(argv)), 0);
    started = true;
  }

  // `sets` is the acls: list body; every service uses `service_sets`, `global` is global_acls.
  void load(const std::string& sets, const std::string& service_sets = "[]",
            const std::string& global = "[]") {
    const std::string yaml = R"(interfaces:
  - { name: up, device: net_null0, address: 10.0.0.2/24 }
acls:
)" + sets + "global_acls: " + global + R"(
services:
  - { name: web, address: 10.0.0.100, port: 80, acls: )" +
                             service_sets + R"(, backends: [{ address: 10.0.0.11 }] }
  - { name: dns, address: 10.0.0.100, port: 53, protocol: udp, backends: [{ address: 10.0.0.11 }] }
)";
    load_result r = parse_config(yaml, "t.yaml");
    ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
    cfg_ = *r.cfg;
    acl_ = compile_acls(cfg_, cache_);
    ASSERT_TRUE(acl_);
  }

  acl_flow_input flow(const char* src, uint16_t dport, uint8_t proto = IPPROTO_TCP,
                      const std::string& payload = "", bool can_wait = false,
                      std::size_t service = 0) {
    payload_ = payload;
    acl_flow_input in{};
    in.key = {.proto = proto, .pad = {}, .src = inet_addr(src), .dst = inet_addr("10.0.0.100"),
              .src_port = htons(40000), .dst_port = htons(dport)};
    in.list = &acl_->by_service.at(service);
    in.payload = reinterpret_cast<const uint8_t*>(payload_.data());
    in.payload_len = uint32_t(payload_.size());
    in.can_wait = can_wait;
    return in;
  }

  acl_outcome decide(const acl_flow_input& in) { return acl_decide_one(*acl_, in, ctx()).outcome; }
  acl_outcome decide(const char* src, uint16_t dport = 80) { return decide(flow(src, dport)); }

  acl_worker_ctx ctx() { return {0, hits_.get(), 1024, &scans_}; }
  uint64_t hits(const std::string& set, const std::string& rule) {
    return hits_[*cache_.hit_slots->acquire(acl_hit_identity(set, rule))].get();
  }

  config cfg_;
  acl_compile_cache cache_;
  std::shared_ptr<const acl_snapshot> acl_;
  std::unique_ptr<counter[]> hits_ = std::make_unique<counter[]>(1024);
  counter scans_;
  std::string payload_;
};

constexpr auto allow = acl_outcome::allow;
constexpr auto deny = acl_outcome::deny;
constexpr auto pending = acl_outcome::pending;

TEST_F(AclMatch, CidrEdgesMatchExactlyThePrefix) {
  load(R"(  - name: s
    default: allow
    rules:
      - { name: net, action: deny, src: 10.1.0.0/16 }
      - { name: host, action: deny, src: 192.0.2.7 }
)", "[s]");
  EXPECT_EQ(decide("10.1.0.0"), deny);
  EXPECT_EQ(decide("10.1.255.255"), deny);
  EXPECT_EQ(decide("10.0.255.255"), allow);
  EXPECT_EQ(decide("10.2.0.0"), allow);
  EXPECT_EQ(decide("192.0.2.7"), deny);
  EXPECT_EQ(decide("192.0.2.6"), allow);
  EXPECT_EQ(decide("192.0.2.8"), allow);
}

TEST_F(AclMatch, SlashZeroMatchesEverySource) {
  load("  - { name: s, default: allow, rules: [{ name: all, action: deny, src: 0.0.0.0/0 }] }\n",
       "[s]");
  EXPECT_EQ(decide("1.2.3.4"), deny);
  EXPECT_EQ(decide("255.255.255.255"), deny);
}

TEST_F(AclMatch, PortRangeEdgesAreInclusive) {
  load(R"(  - name: s
    default: allow
    rules: [{ name: r, action: deny, ports: [22, "8000-8999"] }]
)", "[s]");
  EXPECT_EQ(decide("10.0.0.1", 21), allow);
  EXPECT_EQ(decide("10.0.0.1", 22), deny);
  EXPECT_EQ(decide("10.0.0.1", 23), allow);
  EXPECT_EQ(decide("10.0.0.1", 7999), allow);
  EXPECT_EQ(decide("10.0.0.1", 8000), deny);
  EXPECT_EQ(decide("10.0.0.1", 8999), deny);
  EXPECT_EQ(decide("10.0.0.1", 9000), allow);
}

TEST_F(AclMatch, FirstMatchWinsAmongOverlappingRules) {
  load(R"(  - name: narrow-first
    default: deny
    rules:
      - { name: office, action: allow, src: 10.1.2.0/24 }
      - { name: campus, action: deny, src: 10.1.0.0/16 }
      - { name: everyone, action: allow }
  - name: wide-first
    default: deny
    rules:
      - { name: campus, action: deny, src: 10.1.0.0/16 }
      - { name: office, action: allow, src: 10.1.2.0/24 }
)", "[narrow-first]");
  EXPECT_EQ(decide("10.1.2.3"), allow);
  EXPECT_EQ(decide("10.1.3.3"), deny);
  EXPECT_EQ(decide("10.2.0.1"), allow) << "the third rule";
  EXPECT_EQ(hits("narrow-first", "office"), 1u);
  EXPECT_EQ(hits("narrow-first", "campus"), 1u);
  EXPECT_EQ(hits("narrow-first", "everyone"), 1u);

  load(R"(  - name: wide-first
    default: allow
    rules:
      - { name: campus, action: deny, src: 10.1.0.0/16 }
      - { name: office, action: allow, src: 10.1.2.0/24 }
)", "[wide-first]");
  EXPECT_EQ(decide("10.1.2.3"), deny) << "the earlier, wider rule shadows the office";
}

TEST_F(AclMatch, ProtocolAndDefaultDecide) {
  load(R"(  - name: s
    default: deny
    rules: [{ name: udp-only, action: allow, protocol: udp }]
)", "[s]", "[]");
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP)), deny);
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_UDP)), allow);
  EXPECT_EQ(hits("s", ""), 1u) << "the default's own counter";
}

TEST_F(AclMatch, EverySetThatAppliesMustAllow) {
  load(R"(  - { name: global, default: allow, rules: [{ name: bad, action: deny, src: 10.9.0.0/16 }] }
  - { name: svc, default: deny, rules: [{ name: office, action: allow, src: 10.0.0.0/8 }] }
)", "[svc]", "[global]");
  EXPECT_EQ(decide("10.9.0.1"), deny) << "the global set denies first";
  EXPECT_EQ(hits("svc", "office"), 0u) << "sets after a deny are not evaluated";
  EXPECT_EQ(decide("10.1.0.1"), allow);
  EXPECT_EQ(decide("192.168.0.1"), deny) << "global allows, the service's default denies";
  EXPECT_EQ(decide(flow("192.168.0.1", 53, IPPROTO_UDP, "", false, 1)), allow)
      << "the dns service has the global set only";
}

TEST_F(AclMatch, PayloadRuleWaitsThenDecidesOnThePattern) {
  load(R"(  - name: s
    default: allow
    rules:
      - { name: admin, action: deny, ports: 80, payload: [{ pattern: "^GET /admin", flags: [caseless] }] }
      - { name: lan, action: allow, src: 10.0.0.0/8 }
      - { name: rest, action: deny }
)", "[s]");
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "", true)), pending);
  EXPECT_EQ(scans_.get(), 0u);
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "get /Admin/x HTTP/1.1")), deny);
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "GET /index HTTP/1.1")), allow)
      << "no match: the next rule that matches on addresses decides";
  EXPECT_EQ(decide(flow("172.16.0.1", 80, IPPROTO_TCP, "GET /index HTTP/1.1")), deny);
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "")), allow) << "hold ran out: addresses";
  EXPECT_EQ(scans_.get(), 3u) << "an empty payload is not scanned";
  EXPECT_EQ(decide(flow("10.0.0.1", 81, IPPROTO_TCP, "", true)), allow)
      << "port 81: the payload rule cannot match, no wait";
}

TEST_F(AclMatch, PatternSplitAcrossTcpSegmentsIsNotMatched) {
  // Documented limit: one block-mode scan of the first data segment, no reassembly.
  load(R"(  - name: s
    default: allow
    rules: [{ name: admin, action: deny, payload: ["GET /admin"] }]
)", "[s]");
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "GET /ad")), allow);
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "min HTTP/1.1")), allow);
  EXPECT_EQ(decide(flow("10.0.0.1", 80, IPPROTO_TCP, "GET /admin")), deny);
}

TEST_F(AclMatch, PatternMatchOfARuleWhoseAddressesDoNotMatchIsIgnored) {
  load(R"(  - name: s
    default: allow
    rules:
      - { name: partners-evil-ok, action: allow, src: 10.9.0.0/16, payload: ["evil"] }
      - { name: office-good-bad, action: deny, src: 10.5.0.0/16, payload: ["good"] }
)", "[s]");
  EXPECT_EQ(decide(flow("10.5.1.1", 80, IPPROTO_TCP, "evil good")), deny);
  EXPECT_EQ(decide(flow("10.9.1.1", 80, IPPROTO_TCP, "evil good")), allow);
}

TEST_F(AclMatch, BurstDecidesLikeOneFlowAtATime) {
  load(R"(  - { name: g, default: allow, rules: [{ name: bad, action: deny, src: 10.9.0.0/16 }] }
  - { name: svc, default: deny, rules: [{ name: office, action: allow, src: 10.1.0.0/16 }] }
)", "[svc]", "[g]");
  const acl_flow_input in[] = {flow("10.1.0.1", 80), flow("10.9.0.1", 80),
                               flow("10.2.0.1", 53, IPPROTO_UDP, "", false, 1),
                               flow("10.3.0.1", 80), flow("10.9.0.2", 53, IPPROTO_UDP, "", false, 1)};
  acl_decision out[std::size(in)];
  acl_decide_burst(*acl_, in, unsigned(std::size(in)), out, ctx());
  const acl_outcome expected[] = {allow, deny, allow, deny, deny};
  for (std::size_t i = 0; i < std::size(in); ++i) {
    EXPECT_EQ(out[i].outcome, expected[i]) << i;
    EXPECT_EQ(decide(in[i]), expected[i]) << i;
  }
}

TEST_F(AclMatch, UnchangedSetsAreNotRebuilt) {
  load("  - { name: s, default: allow, rules: [{ name: r, action: deny, src: 10.9.0.0/16 }] }\n",
       "[s]");
  const acl_tables* first = acl_->tables.get();
  cfg_.services.at(0).backends.push_back(cfg_.services[0].backends[0]);
  EXPECT_EQ(compile_acls(cfg_, cache_)->tables.get(), first);
  cfg_.acls[0].rules[0].src[0].len = 24;
  cfg_.acls[0].rules[0].src[0].addr = inet_addr("10.9.9.0");
  EXPECT_NE(compile_acls(cfg_, cache_)->tables.get(), first);
}

TEST(AclReset, AnswersASynWithRstAckAcknowledgingIt) {
  testing::bytes f = testing::packet_builder().eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, 0x02, 1000).build();
  ipv4_packet p;
  ASSERT_FALSE(parse_ipv4(f.data() + 14, uint32_t(f.size() - 14), p));
  const uint16_t len = make_tcp_reset(p);
  f.resize(14 + len);
  const testing::bytes want = testing::packet_builder().eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                         .ipv4("10.0.0.100", "10.0.0.1").tcp(80, 40000, 0x14, 0, 1001).window(0).build();
  EXPECT_EQ(f, want);
}

TEST(AclReset, AnswersADataSegmentWithRstAtItsAckNumber) {
  testing::bytes f = testing::packet_builder().eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv4("10.0.0.1", "10.0.0.100").tcp(40000, 80, 0x18, 1001, 5000)
                .payload("GET /admin HTTP/1.1\r\n\r\n").build();
  ipv4_packet p;
  ASSERT_FALSE(parse_ipv4(f.data() + 14, uint32_t(f.size() - 14), p));
  f.resize(14 + make_tcp_reset(p));
  const testing::bytes want = testing::packet_builder().eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                         .ipv4("10.0.0.100", "10.0.0.1").tcp(80, 40000, 0x04, 5000, 0).window(0).build();
  EXPECT_EQ(f, want);
  EXPECT_TRUE(testing::checksums_valid(f));
}

} // namespace
} // namespace sluice
