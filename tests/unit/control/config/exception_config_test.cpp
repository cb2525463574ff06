// interfaces[].exception_path and announce.l2: what loads, the defaults, and every refusal
// naming its field.
#include <gtest/gtest.h>

#include "control/config/load.hpp"
#include "control/config/load_announce.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

std::string config_with(const std::string& uplink_extra, const std::string& tail = "") {
  return R"(interfaces:
  - name: uplink
    device: "net_af_packet0,iface=gw-up"
    address: 10.0.0.2/24
)" + uplink_extra + R"(
  - name: downlink
    device: "net_af_packet1,iface=gw-down"
    address: 10.0.1.2/24
)" + tail;
}

TEST(ExceptionPathConfig, AbsentMeansNoKernelTwin) {
  const load_result r = parse_config(config_with(""), "test.yaml");
  ASSERT_TRUE(r.cfg);
  EXPECT_FALSE(r.cfg->interfaces[0].exception_path);
  EXPECT_FALSE(r.cfg->announce.l2);
}

TEST(ExceptionPathConfig, TapAndRateLoadWithTheDefaultRate) {
  const load_result r = parse_config(
      config_with("    exception_path: { tap: sl-up }\n"), "test.yaml");
  ASSERT_TRUE(r.cfg) << r.errors.at(0).to_string();
  ASSERT_TRUE(r.cfg->interfaces[0].exception_path);
  EXPECT_EQ(r.cfg->interfaces[0].exception_path->tap, "sl-up");
  EXPECT_EQ(r.cfg->interfaces[0].exception_path->rate_limit_pps, 10000u);
  EXPECT_FALSE(r.cfg->interfaces[1].exception_path);

  const load_result r2 = parse_config(
      config_with("    exception_path: { tap: sl-up, rate_limit_pps: 500 }\n"), "test.yaml");
  ASSERT_TRUE(r2.cfg);
  EXPECT_EQ(r2.cfg->interfaces[0].exception_path->rate_limit_pps, 500u);
}

TEST(ExceptionPathConfig, ZeroRateIsRefusedNamingTheField) {
  const auto e = only_error(config_with("    exception_path: { tap: t0, rate_limit_pps: 0 }\n"));
  EXPECT_EQ(e.field, "interfaces[0].exception_path.rate_limit_pps");
}

TEST(ExceptionPathConfig, BadTapNamesAreRefused) {
  for (const std::string bad : {"\"\"", "a-name-of-16-chr", "\"has space\"", "a/b", "\"a:b\"",
                                "\"..\"", "\"a,b\""}) {
    const auto e = only_error(config_with("    exception_path: { tap: " + bad + " }\n"));
    EXPECT_EQ(e.field, "interfaces[0].exception_path.tap") << bad;
  }
}

TEST(ExceptionPathConfig, MissingTapAndUnknownKeysAreRefused) {
  EXPECT_EQ(only_error(config_with("    exception_path: { rate_limit_pps: 5 }\n")).field,
            "interfaces[0].exception_path.tap");
  EXPECT_EQ(only_error(config_with("    exception_path: { tap: t0, vhost: true }\n")).field,
            "interfaces[0].exception_path.vhost");
}

TEST(ExceptionPathConfig, TapNameTakenTwiceOrOwnedByDpdkIsRefused) {
  const std::string twice = R"(interfaces:
  - { name: a, device: "net_af_packet0,iface=gw-a", address: 10.0.0.2/24, exception_path: { tap: k0 } }
  - { name: b, device: "net_af_packet1,iface=gw-b", address: 10.0.1.2/24, exception_path: { tap: k0 } }
)";
  EXPECT_EQ(only_error(twice).field, "interfaces[1].exception_path.tap");
  EXPECT_EQ(only_error(config_with("    exception_path: { tap: gw-down }\n")).field,
            "interfaces[0].exception_path.tap");
}

TEST(AnnounceConfig, L2LoadsWithDefaultsOrGivenValues) {
  const load_result d = parse_config(config_with("", "announce: { l2: {} }\n"), "test.yaml");
  ASSERT_TRUE(d.cfg) << d.errors.at(0).to_string();
  ASSERT_TRUE(d.cfg->announce.l2);
  EXPECT_EQ(d.cfg->announce.l2->garp_count, 3u);
  EXPECT_EQ(d.cfg->announce.l2->garp_interval_ms, 1000u);
  const load_result g = parse_config(
      config_with("", "announce:\n  l2: { garp_count: 5, garp_interval_ms: 200 }\n"), "test.yaml");
  ASSERT_TRUE(g.cfg);
  EXPECT_EQ(g.cfg->announce.l2->garp_count, 5u);
  EXPECT_EQ(g.cfg->announce.l2->garp_interval_ms, 200u);
}

TEST(AnnounceConfig, OutOfRangeOrUnknownKeysAreRefused) {
  EXPECT_EQ(only_error(config_with("", "announce: { l2: { garp_count: 0 } }\n")).field,
            "announce.l2.garp_count");
  EXPECT_EQ(only_error(config_with("", "announce: { l2: { garp_interval_ms: 1 } }\n")).field,
            "announce.l2.garp_interval_ms");
  EXPECT_EQ(only_error(config_with("", "announce: { l3: {} }\n")).field, "announce.l3");
}

TEST(LinuxIfname, AcceptsWhatTheKernelAccepts) {
  EXPECT_EQ(linux_ifname_problem("tap0"), "");
  EXPECT_EQ(linux_ifname_problem("a-name-of-15chr"), "");
  EXPECT_NE(linux_ifname_problem("."), "");
  EXPECT_NE(linux_ifname_problem("tab\there"), "");
}

} // namespace
} // namespace sluice
