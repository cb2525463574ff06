#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <regex>
#include <set>
#include <sstream>

#include "control/admin/metrics.hpp"
#include "control/snapshot/compile.hpp"

namespace sluice {
namespace {

// One service with one backend, two workers whose counters are set by hand.
struct fixture {
  config cfg;
  snapshot snap;
  worker_stats w0{4, 4}, w1{4, 4};

  fixture() {
    service_config s{.name = "web\"1", .vip = htonl(0x0a000064), .port = htons(80),
                     .proto = IPPROTO_TCP};
    s.backends.push_back({.addr = htonl(0x0a00010b), .port = htons(8080), .weight = 2});
    cfg.services.push_back(s);
    auto block = std::make_shared<service_block>();
    block->backends.push_back({.addr = s.backends[0].addr, .port = s.backends[0].port,
                               .weight = 2, .slot = 3});
    snap.services.push_back({.vip = s.vip, .port = s.port, .proto = s.proto,
                             .mode = forwarding::nat, .scheduler = scheduler_kind::rr, .slot = 1,
                             .backend_count = 1, .block = block.get()});
    snap.blocks.push_back(std::move(block));
    w0.services[1].conns.add(5);
    w1.services[1].conns.add(7);
    w0.backends[3].in_bytes.add(1000);
    w1.backends[3].active.add(2);
    w0.worker.rx_packets.add(10);
    w1.worker.drop(drop_reason::no_service, 4);
    w1.worker.polls.add(4);
    w1.worker.busy_polls.add(1);
  }

  std::string render() {
    const worker_stats* workers[] = {&w0, &w1};
    return render_metrics(cfg, snap, workers,
                          {.generation = 3, .publishes = 3, .publish_seconds_sum = 0.25}) +
           render_mempool_metrics(pools);
  }
  std::vector<api::mempool_report> pools{{.name = "sluice_mbufs", .size = 8191, .in_use = 1050},
                                         {.name = "sl_frag_0_0", .size = 63, .in_use = 2}};
};

const std::string k_service_labels =
    R"(service="web\"1",vip="10.0.0.100",port="80",protocol="tcp")";

TEST(Metrics, ServiceCountersAreSummedOverWorkers) {
  const std::string m = fixture().render();
  EXPECT_NE(m.find("sluice_service_connections_total{" + k_service_labels + "} 12\n"),
            std::string::npos)
      << m;
}

TEST(Metrics, BackendSamplesCarryTheBackendLabelAndDirection) {
  const std::string m = fixture().render();
  const std::string labels = k_service_labels + R"(,backend="10.0.1.11:8080")";
  EXPECT_NE(m.find("sluice_backend_bytes_total{" + labels + ",direction=\"in\"} 1000\n"),
            std::string::npos) << m;
  EXPECT_NE(m.find("sluice_backend_active_connections{" + labels + "} 2\n"), std::string::npos);
  EXPECT_NE(m.find("sluice_backend_weight{" + labels + "} 2\n"), std::string::npos);
}

TEST(Metrics, EveryDropReasonIsListedForEveryWorker) {
  const std::string m = fixture().render();
  for (int w = 0; w < 2; ++w)
    for (std::string_view r : k_drop_reason_names)
      EXPECT_NE(m.find("sluice_drops_total{worker=\"" + std::to_string(w) + "\",reason=\"" +
                       std::string(r) + "\"} "),
                std::string::npos) << r;
  EXPECT_NE(m.find(R"(sluice_drops_total{worker="1",reason="no_service"} 4)"), std::string::npos);
}

TEST(Metrics, WorkerAndControlGaugesAreExposed) {
  const std::string m = fixture().render();
  EXPECT_NE(m.find(R"(sluice_worker_busy_ratio{worker="1"} 0.25)"), std::string::npos) << m;
  EXPECT_NE(m.find(R"(sluice_worker_rx_packets_total{worker="0"} 10)"), std::string::npos);
  EXPECT_NE(m.find("sluice_control_publishes_total 3\n"), std::string::npos);
  EXPECT_NE(m.find("sluice_control_publish_duration_seconds_sum 0.25\n"), std::string::npos);
}

TEST(Metrics, BgpFamiliesOnlyWhenBgpIsConfigured) {
  fixture f;
  EXPECT_EQ(f.render().find("sluice_bgp_"), std::string::npos);
  const worker_stats* workers[] = {&f.w0, &f.w1};
  const std::string m =
      render_metrics(f.cfg, f.snap, workers,
                     {.bgp_enabled = true, .bgp_announced = {htonl(0x0a000564)},
                      .bgp_apply_failures = 2});
  EXPECT_NE(m.find("sluice_bgp_announced{vip=\"10.0.5.100\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_bgp_apply_failures_total 2\n"), std::string::npos) << m;
}

// The text format's rules that promtool checks too: every sample belongs to the family whose
// HELP and TYPE came last, each family appears once, names start with sluice_, counters end in
// _total, and every line is a comment or `name{labels} value`.
TEST(Metrics, TextFormatIsWellFormed) {
  std::istringstream in(fixture().render());
  const std::regex sample(R"(^(sluice_[a-z_]+)(\{[^}]*\})? -?[0-9.e+-]+$)");
  const std::regex help(R"(^# HELP (sluice_[a-z_]+) .+$)");
  const std::regex type(R"(^# TYPE (sluice_[a-z_]+) (counter|gauge|summary|histogram)$)");
  std::set<std::string> seen;
  std::string line, family, family_type;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      family = m[1];
      EXPECT_TRUE(seen.insert(family).second) << "family twice: " << family;
      ASSERT_TRUE(std::getline(in, line));
      ASSERT_TRUE(std::regex_match(line, m, type)) << line;
      EXPECT_EQ(m[1], family);
      family_type = m[2];
      if (family_type == "counter") {
        EXPECT_TRUE(family.ends_with("_total")) << family;
      }
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    const std::string name = m[1];
    if (family_type == "summary") {
      EXPECT_TRUE(name == family + "_sum" || name == family + "_count") << name;
    } else if (family_type == "histogram") {
      EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" || name == family + "_count")
          << name;
    } else {
      EXPECT_EQ(name, family) << line;
    }
  }
  EXPECT_GT(seen.size(), 20u);
}

TEST(Metrics, PublishDurationIsAHistogramWithCumulativeBuckets) {
  fixture f;
  control_metrics c;
  for (double s : {0.0003, 0.002, 10.0}) c.publish_seconds.observe(s);
  const worker_stats* workers[] = {&f.w0, &f.w1};
  const std::string m = render_metrics(f.cfg, f.snap, workers, c);
  const std::string h = "sluice_snapshot_publish_duration_seconds";
  EXPECT_NE(m.find("# TYPE " + h + " histogram\n"), std::string::npos) << m;
  for (const char* line : {R"(_bucket{le="0.0001"} 0)", R"(_bucket{le="0.00025"} 0)",
                           R"(_bucket{le="0.0005"} 1)", R"(_bucket{le="0.0025"} 2)",
                           R"(_bucket{le="5"} 2)", R"(_bucket{le="+Inf"} 3)", "_count 3"})
    EXPECT_NE(m.find(h + line + "\n"), std::string::npos) << line;
  EXPECT_NE(m.find(h + "_sum 10.0023"), std::string::npos) << m;
}

TEST(Metrics, ReloadFamiliesSayTheResultsAndWhenTheFileWasLastApplied) {
  fixture f;
  const worker_stats* workers[] = {&f.w0, &f.w1};
  const std::string m = render_metrics(f.cfg, f.snap, workers,
                                       {.reloads_applied = 4, .reloads_refused = 2,
                                        .last_reload_successful = false,
                                        .last_reload_success_unix = 1772359200.5});
  EXPECT_NE(m.find("sluice_config_reloads_total{result=\"success\"} 4\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_config_reloads_total{result=\"failure\"} 2\n"), std::string::npos);
  EXPECT_NE(m.find("sluice_config_last_reload_successful 0\n"), std::string::npos);
  EXPECT_NE(m.find("sluice_config_last_reload_success_timestamp_seconds 1772359200.5\n"),
            std::string::npos);
}

TEST(Metrics, MbufPoolGaugesCarryEachPoolsSizeAndUseByName) {
  const std::string m = fixture().render();
  EXPECT_NE(m.find("# TYPE sluice_mbuf_pool_size gauge\n"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE sluice_mbuf_pool_in_use gauge\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_mbuf_pool_size{pool=\"sluice_mbufs\"} 8191\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_mbuf_pool_in_use{pool=\"sluice_mbufs\"} 1050\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_mbuf_pool_size{pool=\"sl_frag_0_0\"} 63\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_mbuf_pool_in_use{pool=\"sl_frag_0_0\"} 2\n"), std::string::npos) << m;
}

TEST(Metrics, NoMbufPoolFamilyWithoutPools) {
  EXPECT_EQ(render_mempool_metrics({}), "");
}

TEST(Metrics, ProgrammingLatencyOnlyWhenKubernetesIsConfigured) {
  fixture f;
  EXPECT_EQ(f.render().find("sluice_network_programming"), std::string::npos);
  control_metrics c{.kubernetes_enabled = true};
  c.programming_seconds.observe(0.02);
  const worker_stats* workers[] = {&f.w0, &f.w1};
  const std::string m = render_metrics(f.cfg, f.snap, workers, c);
  const std::string h = "sluice_network_programming_duration_seconds";
  EXPECT_NE(m.find(h + R"(_bucket{le="0.01"} 0)" + "\n"), std::string::npos) << m;
  EXPECT_NE(m.find(h + R"(_bucket{le="0.025"} 1)" + "\n"), std::string::npos) << m;
  EXPECT_NE(m.find(h + "_count 1\n"), std::string::npos) << m;
}

TEST(Metrics, HealthFamiliesShowABackendHeldDownAndItsChecks) {
  fixture f;
  f.cfg.services[0].health_check = health_check_config{.kind = health_check_kind::tcp, .rise = 1, .fall = 2};
  health::health_table t;
  t.sync(f.cfg.services);
  const std::string key = backend_identity(f.cfg.services[0], f.cfg.services[0].backends[0]);
  const std::string labels = k_service_labels + R"(,backend="10.0.1.11:8080")";
  const worker_stats* workers[] = {&f.w0, &f.w1};
  auto render = [&] { return render_metrics(f.cfg, f.snap, workers, {}, &t); };

  EXPECT_NE(render().find("sluice_backend_up{" + labels + "} 1\n"), std::string::npos)
      << "unknown schedules like up";
  t.record({.key = key, .passed = true});
  t.record({.key = key, .passed = false});
  t.record({.key = key, .passed = false});
  const std::string m = render();
  EXPECT_NE(m.find("sluice_backend_up{" + labels + "} 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_backend_health_checks_total{" + labels + R"(,result="passed"} 1)"),
            std::string::npos);
  EXPECT_NE(m.find("sluice_backend_health_checks_total{" + labels + R"(,result="failed"} 2)"),
            std::string::npos);
  EXPECT_NE(m.find("sluice_backend_health_transitions_total{" + labels + "} 2\n"),
            std::string::npos) << "unknown to up, up to down";
}

} // namespace
} // namespace sluice
