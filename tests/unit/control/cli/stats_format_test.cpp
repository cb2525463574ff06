#include <gtest/gtest.h>

#include "control/cli/stats_format.hpp"

namespace sluice {
namespace {

TEST(StatsFormat, EachMbufPoolShowsItsSizeUseAndShare) {
  const api::stats_report s{.mempools = {{.name = "sluice_mbufs", .size = 8191, .in_use = 1024},
                                         {.name = "sl_frag_0_0", .size = 63, .in_use = 0}}};
  const std::string table = format_stats(s);
  EXPECT_NE(table.find("Mbuf pool                              Size          InUse   InUse%\n"
                       "sluice_mbufs                           8191           1024     12.5\n"
                       "sl_frag_0_0                              63              0      0.0\n"),
            std::string::npos)
      << table;
}

TEST(StatsFormat, NoPoolTableFromADaemonThatSendsNone) {
  EXPECT_EQ(format_stats(api::stats_report{}).find("Mbuf pool"), std::string::npos);
}

} // namespace
} // namespace sluice
