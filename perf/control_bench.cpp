// Control-plane benchmark: compile + publish of a large service set, one runtime change
// end to end (validate against the whole config, compile, publish), and the snapshot's heap size.
// Runs the real control_plane on EAL (for the RCU variable), without ports or workers.
//
//   build/perf/control-bench [--services N] [--backends B] [--runs R]

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "control/admin/api/endpoints.hpp"
#include "control/daemon/control_plane.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/net/ipv4.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// N services on distinct VIPs (10.100.0.0/16 and up), B backends each on the downlink subnet.
sluice::config make_config(unsigned services, unsigned backends) {
  sluice::config c;
  c.dataplane.max_services = services + 16;
  c.dataplane.max_backends = services * backends + 16;
  c.interfaces = {
      {.name = "uplink", .device = "none0", .addr = *sluice::parse_ipv4("10.0.0.2"), .prefix_len = 24},
      {.name = "downlink", .device = "none1", .addr = *sluice::parse_ipv4("10.1.0.2"), .prefix_len = 16},
  };
  for (unsigned s = 0; s < services; ++s) {
    sluice::service_config sc;
    sc.name = "svc" + std::to_string(s);
    sc.vip = htonl(0x0a640000u + s); // 10.100.0.0 + s
    sc.port = htons(80);
    sc.proto = IPPROTO_TCP;
    sc.scheduler = s % 2 ? sluice::scheduler_kind::rr : sluice::scheduler_kind::wlc;
    for (unsigned b = 0; b < backends; ++b)
      sc.backends.push_back({.addr = htonl(0x0a010000u + 16 + (s * backends + b) % 65000),
                             .port = htons(uint16_t(8000 + b)),
                             .weight = 1});
    c.services.push_back(std::move(sc));
  }
  return c;
}

unsigned arg(int argc, char** argv, const char* name, unsigned fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return unsigned(std::strtoul(argv[i + 1], nullptr, 10));
  return fallback;
}

} // namespace

int main(int argc, char** argv) {
  const unsigned services = arg(argc, argv, "--services", 10000);
  const unsigned backends = arg(argc, argv, "--backends", 10);
  const unsigned runs = arg(argc, argv, "--runs", 5);

  const std::string prefix = "--file-prefix=control-bench" + std::to_string(getpid());
  const char* eal[] = {"control-bench", "-l", "0", "--in-memory", "--no-pci", "--no-telemetry",
                       "--log-level=lib.eal:error", prefix.c_str()};
  std::vector<char*> eal_argv;
  for (const char* a : eal) eal_argv.push_back(const_cast<char*>(a));
  if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "control-bench: EAL init failed\n");
    return 1;
  }

  const sluice::config cfg = make_config(services, backends);
  const std::vector<sluice::port_info> ports(2, sluice::port_info{});
  sluice::snapshot_publisher publisher(1);
  sluice::worker_stats stats(cfg.dataplane.max_services, cfg.dataplane.max_backends);

  // Compile + publish of the whole set, as at start or on a reload that rebuilds everything.
  std::vector<double> publish_ms;
  std::size_t snapshot_bytes = 0;
  for (unsigned r = 0; r < runs; ++r) {
    sluice::slot_registries slots{sluice::slot_registry(cfg.dataplane.max_services),
                                  sluice::slot_registry(cfg.dataplane.max_backends)};
    const std::size_t heap_before = mallinfo2().uordblks;
    const auto t0 = clock_type::now();
    auto snap = sluice::compile_snapshot(cfg, ports, slots, r + 1);
    const std::size_t heap_after = mallinfo2().uordblks;
    publisher.publish(std::move(snap));
    publish_ms.push_back(ms_since(t0));
    snapshot_bytes = heap_after - heap_before;
  }

  // One backend weight change through the admin API's path: decode, plan (validate the whole
  // config), compile, publish. When it returns, the new snapshot is the one workers load.
  sluice::control_plane control("", cfg, ports, publisher, {&stats});
  std::vector<double> change_ms;
  for (unsigned r = 0; r < runs; ++r) {
    const std::string body = R"({"service": {"name": "svc7"}, "backend": {"address": ")" +
                             sluice::format_ipv4(cfg.services[7].backends[0].addr) +
                             R"(", "port": 8000, "weight": )" + std::to_string(2 + r % 2) + "}}";
    const auto t0 = clock_type::now();
    const sluice::admin_response res = control.handle({"PATCH", sluice::api::k_backends_path, body});
    change_ms.push_back(ms_since(t0));
    if (res.status != 200) {
      std::fprintf(stderr, "control-bench: change refused: %s\n", res.body.c_str());
      return 1;
    }
  }

  std::printf("services %u x backends %u, %u runs (median)\n", services, backends, runs);
  std::printf("compile+publish: %.1f ms\n", median(publish_ms));
  std::printf("single backend change (validate+compile+publish): %.1f ms\n", median(change_ms));
  std::printf("snapshot heap: %.1f MiB (%.0f bytes per backend)\n", snapshot_bytes / 1048576.0,
              double(snapshot_bytes) / (double(services) * backends));
  rte_eal_cleanup();
  return 0;
}
