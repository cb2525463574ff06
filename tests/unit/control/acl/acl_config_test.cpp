// The `acls:` section: what loads, and that every refusal names the file, line, field and rule.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <hs/hs.h>
#include <netinet/in.h>

#include "control/acl/effective.hpp"
#include "control/config/emit.hpp"
#include "control/config/load.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

// Line numbers below are those of this text: keep it in step with the tests that check lines.
constexpr const char* k_base = R"(interfaces:
  - name: uplink
    device: "net_null0"
    address: 10.0.0.2/24
acls:
  - name: edge
    default: allow
    rules:
      - name: block-scanner
        action: deny
        reply: rst
        protocol: tcp
        src: 192.0.2.0/24
        ports: [22, "8000-8999"]
      - name: admin-path
        action: deny
        payload:
          - "GET /admin"
          - { pattern: "x-evil: \\d+", flags: [caseless] }
  - name: office-only
    default: deny
    rules:
      - { name: office, action: allow, src: [10.1.0.0/16, 10.2.3.4] }
global_acls: [edge]
services:
  - name: web
    address: 10.0.0.100
    port: 80
    acls: [office-only]
    backends:
      - { address: 10.0.0.11 }
)";

// The tests check that refusals name this file.
config_error only_error(const std::string& yaml) { return sluice::only_error(yaml, "acl.yaml"); }

TEST(AclConfig, SetsRulesAndReferencesLoad) {
  const load_result r = parse_config(k_base, "acl.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const config& c = *r.cfg;
  ASSERT_EQ(c.acls.size(), 2u);
  EXPECT_EQ(c.global_acls, std::vector<std::string>{"edge"});
  EXPECT_EQ(c.services.at(0).acls, std::vector<std::string>{"office-only"});
  const acl_rule_config& scan = c.acls[0].rules.at(0);
  EXPECT_EQ(scan.action, acl_action::deny);
  EXPECT_EQ(scan.reply, acl_reply::rst);
  EXPECT_EQ(scan.proto, IPPROTO_TCP);
  ASSERT_EQ(scan.src.size(), 1u);
  EXPECT_EQ(scan.src[0], (ip_prefix{htonl(0xc0000200), 24}));
  ASSERT_EQ(scan.dst_ports.size(), 2u);
  EXPECT_EQ(scan.dst_ports[0], (port_range{22, 22}));
  EXPECT_EQ(scan.dst_ports[1], (port_range{8000, 8999}));
  const acl_rule_config& admin = c.acls[0].rules.at(1);
  ASSERT_EQ(admin.payload.size(), 2u);
  EXPECT_EQ(admin.payload[0].flags, 0u);
  EXPECT_EQ(admin.payload[1].flags, unsigned(HS_FLAG_CASELESS));
  EXPECT_EQ(admin.proto, 0) << "no protocol: both";
  EXPECT_EQ(c.acls[1].default_action, acl_action::deny);
  EXPECT_EQ(c.acls[1].rules.at(0).src.at(1), (ip_prefix{htonl(0x0a020304), 32}))
      << "a bare address is a /32";
}

TEST(AclConfig, BadCidrNamesLineFieldAndRule) {
  const config_error e = only_error(replace(k_base, "src: 192.0.2.0/24", "src: 192.0.2.0/33"));
  EXPECT_EQ(e.file, "acl.yaml");
  EXPECT_EQ(e.line, 13);
  EXPECT_EQ(e.field, "acls[0].rules[0].src");
  EXPECT_NE(e.message.find("rule \"block-scanner\""), std::string::npos) << e.message;
}

TEST(AclConfig, CidrWithHostBitsIsRefusedWithTheNetworkItMeant) {
  const config_error e = only_error(replace(k_base, "10.1.0.0/16", "10.1.2.0/16"));
  EXPECT_EQ(e.field, "acls[1].rules[0].src[0]");
  EXPECT_NE(e.message.find("did you mean 10.1.0.0/16"), std::string::npos) << e.message;
}

TEST(AclConfig, PatternHyperscanRefusesCarriesTheCompilerMessage) {
  const config_error e = only_error(replace(k_base, "\"GET /admin\"", "\"GET /(admin\""));
  EXPECT_EQ(e.line, 18);
  EXPECT_EQ(e.field, "acls[0].rules[1].payload[0]");
  EXPECT_NE(e.message.find("rule \"admin-path\""), std::string::npos) << e.message;
  // Hyperscan's own words, e.g. "Missing close parenthesis for group started at index 4."
  EXPECT_NE(e.message.find("parenthesis"), std::string::npos) << e.message;
}

TEST(AclConfig, PatternWithBackreferenceIsRefusedByHyperscan) {
  const config_error e = only_error(replace(k_base, "\"GET /admin\"", "\"(a)\\\\1\""));
  EXPECT_EQ(e.field, "acls[0].rules[1].payload[0]");
  EXPECT_NE(e.message.find("Hyperscan refuses the pattern"), std::string::npos) << e.message;
}

TEST(AclConfig, UnknownPatternFlagIsRefused) {
  EXPECT_EQ(only_error(replace(k_base, "flags: [caseless]", "flags: [greedy]")).field,
            "acls[0].rules[1].payload[1].flags[0]");
}

TEST(AclConfig, PortRangeBackwardsOrOutOfRangeIsRefused) {
  EXPECT_EQ(only_error(replace(k_base, "\"8000-8999\"", "\"8999-8000\"")).field,
            "acls[0].rules[0].ports[1]");
  EXPECT_EQ(only_error(replace(k_base, "[22, ", "[0, ")).field, "acls[0].rules[0].ports[0]");
  EXPECT_EQ(only_error(replace(k_base, "\"8000-8999\"", "\"8000-65536\"")).field,
            "acls[0].rules[0].ports[1]");
}

TEST(AclConfig, ServiceReferringToAnUnknownSetIsRefused) {
  const config_error e = only_error(replace(k_base, "acls: [office-only]", "acls: [ofice-only]"));
  EXPECT_EQ(e.field, "services[0].acls[0]");
  EXPECT_EQ(only_error(replace(k_base, "global_acls: [edge]", "global_acls: [edge, edge]")).field,
            "global_acls[1]");
}

TEST(AclConfig, RstReplyNeedsTcpAndOnlyDenyReplies) {
  EXPECT_EQ(only_error(replace(k_base, "protocol: tcp\n        src", "protocol: udp\n        src"))
                .field,
            "acls[0].rules[0].reply");
  EXPECT_EQ(only_error(replace(k_base, "action: deny\n        reply: rst",
                               "action: allow\n        reply: rst"))
                .field,
            "acls[0].rules[0].reply");
}

TEST(AclConfig, DuplicateNamesAndMissingDefaultAreRefused) {
  EXPECT_EQ(only_error(replace(k_base, "name: admin-path", "name: block-scanner")).field,
            "acls[0].rules[1].name");
  EXPECT_EQ(only_error(replace(replace(k_base, "name: office-only\n", "name: edge\n"),
                               "acls: [office-only]", "acls: [edge]"))
                .field,
            "acls[1].name");
  EXPECT_EQ(only_error(replace(k_base, "    default: deny\n", "")).field, "acls[1].default");
}

TEST(AclConfig, Ipv6PrefixIsRefusedAsNotYetSupported) {
  const config_error e = only_error(replace(k_base, "src: 192.0.2.0/24", "src: 2001:db8::/32"));
  EXPECT_NE(e.message.find("IPv6"), std::string::npos);
}

TEST(AclConfig, EveryBadRuleIsReportedAndNothingIsApplied) {
  std::string bad = replace(k_base, "src: 192.0.2.0/24", "src: 192.0.2.0/40");
  bad = replace(bad, "\"GET /admin\"", "\"(\"");
  const load_result r = parse_config(bad, "acl.yaml");
  EXPECT_FALSE(r.cfg.has_value());
  EXPECT_EQ(r.errors.size(), 2u);
}

TEST(AclConfig, ServiceAclsSurviveTheRuntimeChangeRoundTrip) {
  const load_result r = parse_config(k_base, "acl.yaml");
  ASSERT_TRUE(r.cfg);
  const load_result again = with_services(*r.cfg, to_yaml(r.cfg->services));
  ASSERT_TRUE(again.cfg) << again.errors.at(0).to_string();
  EXPECT_EQ(again.cfg->services, r.cfg->services);
}

TEST(AclConfig, AllowedSourcesBecomeTheServicesOwnDenyByDefaultSet) {
  const load_result r = parse_config(
      replace(k_base, "    acls: [office-only]\n", "    acls: [office-only]\n    allowed_sources: [203.0.113.0/24, 198.51.100.7]\n"),
      "acl.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  const service_config& web = r.cfg->services.at(0);
  EXPECT_EQ(web.allowed_sources,
            (std::vector<ip_prefix>{{htonl(0xcb007100), 24}, {htonl(0xc6336407), 32}}));
  const std::vector<acl_set_config> sets = effective_acl_sets(*r.cfg);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[2].name, "web:allowed_sources");
  EXPECT_EQ(sets[2].default_action, acl_action::deny);
  ASSERT_EQ(sets[2].rules.size(), 1u);
  EXPECT_EQ(sets[2].rules[0].action, acl_action::allow);
  EXPECT_EQ(sets[2].rules[0].src, web.allowed_sources);
  // Global sets first, then the allow-list, then the service's own sets.
  EXPECT_EQ(effective_acl_refs(*r.cfg, web),
            (std::vector<std::string>{"edge", "web:allowed_sources", "office-only"}));
  const load_result again = with_services(*r.cfg, to_yaml(r.cfg->services));
  ASSERT_TRUE(again.cfg) << again.errors.at(0).to_string();
  EXPECT_EQ(again.cfg->services, r.cfg->services) << "runtime changes keep the allow-list";
}

TEST(AclConfig, AllowedSourcesWithABadCidrIsRefusedNamingTheField) {
  const config_error e = only_error(replace(
      k_base, "    acls: [office-only]\n", "    acls: [office-only]\n    allowed_sources: [10.0.0.1/8]\n"));
  EXPECT_EQ(e.field, "services[0].allowed_sources[0]");
  EXPECT_NE(e.message.find("did you mean 10.0.0.0/8"), std::string::npos) << e.message;
}

TEST(AclConfig, AllowedSourcesWhoseImplicitSetNameIsTakenIsRefused) {
  const config_error e = only_error(replace(
      replace(k_base, "  - name: office-only\n", "  - name: web:allowed_sources\n"),
      "    acls: [office-only]\n", "    allowed_sources: [10.0.0.0/8]\n"));
  EXPECT_EQ(e.field, "services[0].allowed_sources");
}

} // namespace
} // namespace sluice
