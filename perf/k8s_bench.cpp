// Kubernetes sync benchmark: the real sync (list/watch over HTTP, decode, mapping,
// address allocation) feeding the real control_plane (compile + publish), against the fake API
// server (tests/support/fake_apiserver.py, Debian's python3) on loopback.
//  - initial sync: sync start → N LoadBalancer Services (one EndpointSlice of E endpoints each)
//    published to the dataplane snapshot;
//  - watch event → dataplane: an EndpointSlice replaced on the API server (PUT sent) → the
//    snapshot generation workers load has changed.
//
//   build/perf/k8s-bench [--services N] [--endpoints E] [--events R]

#include <arpa/inet.h>
#include <rte_eal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

#include "control/daemon/control_plane.hpp"
#include "control/k8s/sync.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/fake_apiserver.hpp"
#include "tests/support/k8s_objects.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
using nlohmann::json;

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

json slice_for(unsigned i, unsigned endpoints, unsigned variant) {
  std::vector<sluice::test::k8s_ep> eps;
  for (unsigned e = 0; e < endpoints; ++e)
    eps.push_back({sluice::format_ipv4(htonl(0x0a010000u + 16 + (i * endpoints + e + variant) % 65000))});
  return sluice::test::k8s_slice("bench", "svc" + std::to_string(i), "svc" + std::to_string(i) + "-a",
                                 eps, {sluice::test::k8s_slice_port("http", 8080)});
}

} // namespace

int run(int argc, char** argv);

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int rc = run(argc, argv); // every EAL object is gone before EAL is
  rte_eal_cleanup();
  return rc;
}

int run(int argc, char** argv) {
  unsigned services = 10000, endpoints = 3, events = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--services")) services = unsigned(std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--endpoints")) endpoints = unsigned(std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--events")) events = unsigned(std::atoi(argv[i + 1]));
  }
  std::vector<const char*> eal{"k8s-bench", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
                               "--file-prefix", "k8s-bench", "--log-level", "lib.eal:error"};
  std::vector<char*> eal_argv;
  for (const char* a : eal) eal_argv.push_back(const_cast<char*>(a));
  if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "k8s-bench: EAL init failed\n");
    return 1;
  }

  // The cluster, written as the fake's state file so that it starts with every object.
  const std::string state = "/tmp/k8s-bench-" + std::to_string(getpid()) + ".json";
  {
    json objects{{"services", json::object()}, {"endpointslices", json::object()},
                 {"nodes", json::object()}, {"events", json::object()}};
    for (unsigned i = 0; i < services; ++i) {
      const std::string name = "svc" + std::to_string(i);
      objects["services"]["bench/" + name] = sluice::test::k8s_service(
          "bench", name, "LoadBalancer", {sluice::test::k8s_port("http", 80, 0)});
      objects["endpointslices"]["bench/" + name + "-a"] = slice_for(i, endpoints, 0);
    }
    std::ofstream(state) << json{{"rv", 1000}, {"objects", objects}}.dump();
  }
  sluice::test::fake_apiserver fake({"--state", state, "--bookmark-interval", "5"});
  fake.start();

  sluice::config cfg;
  cfg.dataplane.max_services = services + 16;
  cfg.dataplane.max_backends = services * endpoints + 16;
  cfg.interfaces = {
      {.name = "uplink", .device = "none0", .addr = *sluice::parse_ipv4("10.0.0.2"), .prefix_len = 24},
      {.name = "downlink", .device = "none1", .addr = *sluice::parse_ipv4("10.1.0.2"), .prefix_len = 16},
  };
  cfg.kubernetes = {.enabled = true, .in_cluster = true};
  cfg.address_pools = {{.name = "bench", .ranges = {{0x0a640000u, 0x0a64ffffu}}}}; // 10.100.0.0/16
  const std::vector<sluice::port_info> ports(2, sluice::port_info{});
  sluice::snapshot_publisher publisher(1);
  sluice::worker_stats stats(cfg.dataplane.max_services, cfg.dataplane.max_backends);
  sluice::control_plane control("", cfg, ports, publisher, {&stats});

  std::atomic<std::size_t> published{0};
  sluice::k8s::api_client api(sluice::k8s::api_endpoint{.server = fake.url()}, 60s);
  std::set<std::string> names; // published so far (touched by the sync's thread only)
  sluice::k8s::sync sync(cfg.kubernetes, cfg.address_pools, api, [&](sluice::k8s::service_changes c) {
    if (c.whole) names.clear();
    for (const std::string& n : c.removed) names.erase(n);
    for (const sluice::service_config& s : c.upserts) names.insert(s.name);
    const bool ok = (c.whole ? control.replace_source_services("kubernetes", std::move(c.upserts))
                             : control.change_source_services("kubernetes", std::move(c.upserts),
                                                              std::move(c.removed)))
                        .empty();
    published = names.size();
    return ok;
  });
  std::atomic<bool> stop{false};
  const auto t0 = clock_type::now();
  std::thread t([&] { sync.run(stop); });
  while (published.load() < services) std::this_thread::sleep_for(100us);
  const auto t1 = clock_type::now();
  std::printf("services %u x endpoints %u\n", services, endpoints);
  std::printf("initial sync (list + decode + map + compile + publish): %.0f ms\n", ms_between(t0, t1));

  // Watch event → dataplane.
  sluice::k8s::api_client admin(sluice::k8s::api_endpoint{.server = fake.url()}, 60s);
  // The initial sync writes one status patch per Service (the status writer's threads);
  // measure events once they are all written and their MODIFIED events mapped.
  const auto p0 = clock_type::now();
  for (;;) {
    const auto st = json::parse(admin.get("/fake/stats").body, nullptr, false);
    if (st.is_object() && st.value("patches", 0u) >= services) break;
    std::this_thread::sleep_for(200ms);
  }
  std::printf("status patches written for every Service: %.0f ms after the publish\n",
              ms_between(p0, clock_type::now()) + ms_between(t1, p0));
  std::this_thread::sleep_for(1s);
  std::vector<double> lat;
  for (unsigned r = 0; r < events; ++r) {
    const unsigned i = (r * 7919) % services;
    const json body = slice_for(i, endpoints, r + 1);
    const uint64_t gen = publisher.latest().generation;
    const auto a = clock_type::now();
    admin.send("PUT", "/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices/svc" +
                          std::to_string(i) + "-a", body.dump(), "application/json");
    while (publisher.latest().generation == gen && ms_between(a, clock_type::now()) < 10000)
      std::this_thread::sleep_for(20us);
    lat.push_back(ms_between(a, clock_type::now()));
    std::this_thread::sleep_for(50ms);
  }
  std::sort(lat.begin(), lat.end());
  std::printf("watch event -> new snapshot: median %.1f ms, min %.1f, max %.1f (%u events)\n",
              lat[lat.size() / 2], lat.front(), lat.back(), events);
  stop = true;
  t.join();
  std::remove(state.c_str());
  return 0;
}
