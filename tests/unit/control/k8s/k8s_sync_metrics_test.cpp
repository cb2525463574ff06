// The sync's GET /metrics families (k8s/sync_metrics.hpp): every cause of every watched
// collection from the first scrape, and docs/metrics.md describing each cause.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "control/k8s/sync.hpp"
#include "control/k8s/sync_metrics.hpp"

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;

std::string render(bool backends_nodes) {
  api_client api(api_endpoint{.server = "http://127.0.0.1:1"}, 60s); // never asked: not run
  sync s(kubernetes_config{.enabled = true, .in_cluster = true, .backends_nodes = backends_nodes},
         {}, api, [](service_changes) { return true; });
  exposition e;
  sync_metric_families(e, s);
  return e.take();
}

TEST(K8sSyncMetrics, EveryCauseOfEveryWatchedCollectionIsExposedFromTheStart) {
  const std::string m = render(false);
  for (const char* r : {"services", "endpointslices"}) {
    for (std::string_view c : k_api_error_names)
      EXPECT_NE(m.find(fmt::format("sluice_k8s_sync_errors_total{{resource=\"{}\",cause=\"{}\"}} 0\n",
                                   r, c)),
                std::string::npos) << r << " " << c << "\n" << m;
    for (std::string_view c : k_relist_cause_names)
      EXPECT_NE(m.find(fmt::format("sluice_k8s_relists_total{{resource=\"{}\",cause=\"{}\"}} 0\n",
                                   r, c)),
                std::string::npos) << r << " " << c;
    EXPECT_NE(m.find(fmt::format("sluice_k8s_lists_total{{resource=\"{}\"}} 0\n", r)),
              std::string::npos);
  }
  EXPECT_EQ(m.find("resource=\"nodes\""), std::string::npos) << "nodes are not watched";
  EXPECT_NE(m.find("sluice_k8s_status_writes_total{result=\"failed\"} 0\n"), std::string::npos);
  EXPECT_NE(render(true).find("sluice_k8s_watches_total{resource=\"nodes\"} 0\n"),
            std::string::npos);
}

TEST(K8sSyncMetrics, TheMetricsPageDescribesEveryCauseAndFamily) {
  std::ifstream in(std::string(SLUICE_SOURCE_ROOT) + "/docs/metrics.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  ASSERT_FALSE(doc.empty());
  for (std::size_t c = 0; c < k_api_error_count; ++c) {
    const std::string row =
        fmt::format("| `{}` | {} |\n", k_api_error_names[c], k_api_error_descriptions[c]);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/metrics.md needs the row:\n" << row;
  }
  for (std::size_t c = 0; c < k_relist_cause_count; ++c) {
    const std::string row =
        fmt::format("| `{}` | {} |\n", k_relist_cause_names[c], k_relist_cause_descriptions[c]);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/metrics.md needs the row:\n" << row;
  }
  const std::string m = render(true);
  for (std::size_t at = m.find("# TYPE "); at != std::string::npos; at = m.find("# TYPE ", at + 1)) {
    const std::string family = m.substr(at + 7, m.find(' ', at + 7) - at - 7);
    EXPECT_NE(doc.find("`" + family + "`"), std::string::npos) << family << " is not documented";
  }
}

} // namespace
} // namespace sluice::k8s
