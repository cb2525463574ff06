// Every worker counter reaches every place an operator reads it: /metrics, /v1/stats,
// `sluicectl stats` and docs/metrics.md — all derived from worker_counter_list.hpp.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "control/admin/api/decode.hpp"
#include "control/admin/metrics.hpp"
#include "control/admin/views.hpp"
#include "control/cli/stats_format.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {
namespace {

// Worker 1's counter f holds 1000 + f: a value no other counter has, so a counter read from the
// wrong member (or left at zero) shows.
uint64_t value_of(std::size_t f) { return 1000 + f; }

struct two_workers {
  worker_stats w0{1, 1}, w1{1, 1};
  two_workers() {
    for (std::size_t f = 0; f < k_worker_counter_count; ++f)
      (w1.worker.*k_worker_counter_members[f]).add(value_of(f));
  }
  std::vector<const worker_stats*> all() const { return {&w0, &w1}; }
};

TEST(WorkerCounters, NamesAreUniqueAndFollowPrometheusConventions) {
  std::set<std::string_view> fields, metrics;
  for (const worker_counter_info& c : k_worker_counter_infos) {
    EXPECT_TRUE(fields.insert(c.field).second) << c.field;
    EXPECT_TRUE(metrics.insert(c.metric).second) << c.metric;
    EXPECT_TRUE(c.metric.starts_with("sluice_")) << c.metric;
    EXPECT_EQ(c.type == "counter", c.metric.ends_with("_total")) << c.metric;
    EXPECT_TRUE(c.type == "counter" || c.type == "gauge") << c.field;
    EXPECT_FALSE(c.help.empty()) << c.field;
  }
}

TEST(WorkerCounters, EveryCounterIsAMetricFamilyWithEachWorkersValue) {
  const two_workers w;
  const std::string m = render_metrics(config{}, snapshot{}, w.all(), control_metrics{});
  for (std::size_t f = 0; f < k_worker_counter_count; ++f) {
    const worker_counter_info& c = k_worker_counter_infos[f];
    EXPECT_NE(m.find(fmt::format("# TYPE {} {}\n", c.metric, c.type)), std::string::npos)
        << c.metric;
    EXPECT_NE(m.find(fmt::format("{}{{worker=\"0\"}} 0\n", c.metric)), std::string::npos)
        << c.metric;
    EXPECT_NE(m.find(fmt::format("{}{{worker=\"1\"}} {}\n", c.metric, value_of(f))),
              std::string::npos)
        << c.metric;
  }
}

TEST(WorkerCounters, EveryCounterIsAJsonStatsFieldWithItsValue) {
  const two_workers w;
  const nlohmann::json s = stats_view(w.all());
  ASSERT_EQ(s.at("workers").size(), 2u);
  for (std::size_t f = 0; f < k_worker_counter_count; ++f) {
    const std::string field(k_worker_counter_infos[f].field);
    EXPECT_EQ(s["workers"][0].at(field).get<uint64_t>(), 0u) << field;
    EXPECT_EQ(s["workers"][1].at(field).get<uint64_t>(), value_of(f)) << field;
  }
}

TEST(WorkerCounters, EveryCounterIsARowOfTheSluicectlStatsTable) {
  const two_workers w;
  const std::string table = format_stats(stats_view(w.all()));
  for (std::size_t f = 0; f < k_worker_counter_count; ++f) {
    const std::string row = fmt::format("{:<28} {:>14} {:>14}\n", k_worker_counter_infos[f].field,
                                        0, value_of(f));
    EXPECT_NE(table.find(row), std::string::npos) << "missing row: " << row << table;
  }
}

TEST(WorkerCounters, TheStatsTableShowsACounterTheDaemonDidNotSendAsUnknown) {
  const two_workers w;
  nlohmann::json s = stats_view(w.all());
  s["workers"][1].erase("garps_sent");
  const std::string table = format_stats(api::decode_value<api::stats_report>(s, ""));
  EXPECT_NE(table.find(fmt::format("{:<28} {:>14} {:>14}\n", "garps_sent", 0, "-")),
            std::string::npos)
      << table;
}

std::string read_doc(const char* relative) {
  std::ifstream in(std::string(SLUICE_SOURCE_ROOT) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(WorkerCounters, TheMetricsPageListsEveryCounterAndDropReason) {
  const std::string doc = read_doc("docs/metrics.md");
  ASSERT_FALSE(doc.empty()) << "docs/metrics.md not found under " << SLUICE_SOURCE_ROOT;
  for (const worker_counter_info& c : k_worker_counter_infos) {
    const std::string row =
        fmt::format("| `{}` | `{}` | {} | {} |\n", c.field, c.metric, c.type, c.help);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/metrics.md needs the row:\n" << row;
  }
  for (std::size_t r = 0; r < k_drop_reason_count; ++r) {
    const std::string row =
        fmt::format("| `{}` | {} |\n", k_drop_reason_names[r], k_drop_reason_descriptions[r]);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/metrics.md needs the row:\n" << row;
  }
}

} // namespace
} // namespace sluice
