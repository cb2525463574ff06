// dataplane.max_half_open: defaulted to a share of the flow table, loaded, and refused by name
// when it is no cap (0) or more than the table holds.

#include <gtest/gtest.h>

#include "control/config/load.hpp"
#include "tests/support/config_test_helpers.hpp"

namespace sluice {
namespace {

dataplane_config loaded(const std::string& text) {
  const load_result r = parse_config(text, "t.yaml");
  if (!r.cfg) ADD_FAILURE() << (r.errors.empty() ? "no config" : r.errors[0].to_string());
  return r.cfg ? r.cfg->dataplane : dataplane_config{};
}

TEST(HalfOpenConfig, WithoutTheKeyAQuarterOfTheFlowTableMayBeHalfOpen) {
  EXPECT_EQ(loaded(k_minimal_config).half_open_limit(), (1u << 20) / 4);
  EXPECT_EQ(loaded(with_dataplane("  flows_per_worker: 65536\n")).half_open_limit(), 16384u);
}

TEST(HalfOpenConfig, AnExplicitCapLoadsUpToTheFlowTableSize) {
  EXPECT_EQ(loaded(with_dataplane("  max_half_open: 1000\n")).half_open_limit(), 1000u);
  EXPECT_EQ(loaded(with_dataplane("  max_half_open: 1\n")).half_open_limit(), 1u);
  // Equal to the table: half-open flows may take all of it.
  EXPECT_EQ(loaded(with_dataplane("  flows_per_worker: 4096\n  max_half_open: 4096\n"))
                .half_open_limit(),
            4096u);
}

TEST(HalfOpenConfig, ZeroIsRefusedNamingTheField) {
  EXPECT_EQ(only_error(with_dataplane("  max_half_open: 0\n")).field, "dataplane.max_half_open");
}

TEST(HalfOpenConfig, MoreThanTheFlowTableHoldsIsRefusedNamingBothKeys) {
  const config_error e =
      only_error(with_dataplane("  max_half_open: 70000\n  flows_per_worker: 65536\n"));
  EXPECT_EQ(e.field, "dataplane.max_half_open");
  EXPECT_NE(e.message.find("dataplane.flows_per_worker (65536)"), std::string::npos)
      << e.to_string();
}

TEST(HalfOpenConfig, ANonNumberIsRefusedNamingTheField) {
  EXPECT_EQ(only_error(with_dataplane("  max_half_open: lots\n")).field, "dataplane.max_half_open");
  EXPECT_EQ(only_error(with_dataplane("  max_half_open: -5\n")).field, "dataplane.max_half_open");
}

} // namespace
} // namespace sluice
