// dataplane.idle, idle_spin_us and idle_max_sleep_us: loaded, defaulted, and refused by name.

#include <gtest/gtest.h>

#include "control/config/load.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

TEST(IdleConfig, AdaptiveIsTheDefault) {
  const load_result r = parse_config(k_minimal_config, "t.yaml");
  ASSERT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
  EXPECT_EQ(r.cfg->dataplane.idle, idle_mode::adaptive);
  EXPECT_EQ(r.cfg->dataplane.idle_spin_us, 20u);
  EXPECT_EQ(r.cfg->dataplane.idle_max_sleep_us, 1000u);
}

TEST(IdleConfig, PollSpinAndSleepBoundLoad) {
  const load_result r = parse_config(
      with_dataplane("  idle: poll\n  idle_spin_us: 0\n  idle_max_sleep_us: 250\n"), "t.yaml");
  ASSERT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
  EXPECT_EQ(r.cfg->dataplane.idle, idle_mode::poll);
  EXPECT_EQ(r.cfg->dataplane.idle_spin_us, 0u);
  EXPECT_EQ(r.cfg->dataplane.idle_max_sleep_us, 250u);
}

TEST(IdleConfig, UnknownModeIsRefusedNamingTheField) {
  const config_error e = only_error(with_dataplane("  idle: sometimes\n"));
  EXPECT_EQ(e.field, "dataplane.idle");
  EXPECT_NE(e.message.find("adaptive"), std::string::npos) << e.to_string();
}

TEST(IdleConfig, SpinOutsideItsRangeIsRefusedNamingTheField) {
  EXPECT_EQ(only_error(with_dataplane("  idle_spin_us: 1001\n")).field, "dataplane.idle_spin_us");
  EXPECT_EQ(only_error(with_dataplane("  idle_spin_us: -1\n")).field, "dataplane.idle_spin_us");
}

TEST(IdleConfig, SleepBoundOutsideItsRangeIsRefusedNamingTheField) {
  EXPECT_EQ(only_error(with_dataplane("  idle_max_sleep_us: 5\n")).field,
            "dataplane.idle_max_sleep_us");
  EXPECT_EQ(only_error(with_dataplane("  idle_max_sleep_us: 60000\n")).field,
            "dataplane.idle_max_sleep_us");
  EXPECT_EQ(only_error(with_dataplane("  idle_max_sleep_us: soon\n")).field,
            "dataplane.idle_max_sleep_us");
}

} // namespace
} // namespace sluice
