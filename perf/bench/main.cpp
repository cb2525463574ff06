// sluice-bench: the real worker (worker::poll_once) on DPDK vdevs, one pinned lcore, beside an
// io-forward ceiling on the same source and sink. Usage: perf/RESULTS.md, Reproduce.

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf_core.h>

#include <fmt/core.h>

#include <arpa/inet.h>
#include <sched.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "dataplane/net/ipv4.hpp"
#include "perf/bench/report.hpp"
#include "perf/bench/scenarios.hpp"

namespace {

using sluice::bench::options;

constexpr const char* k_usage =
    "usage: sluice-bench MODE-established|MODE-new (MODE: nat dr tun fnat)\n"
    "                    [--flows N] [--capacity N] [--max-half-open N] [--size 64|1500]\n"
    "                    [--runs 5] [--seconds 2] [--order random|sequential]\n"
    "                    [--source inline|lcore] [--acl-rules N] [--acl-patterns N]\n"
    "                    [--scheduler rr|wrr|lc|wlc|sh|dh|mh|random] [--backends 4]\n"
    "                    [--workers 1|2] [--steer owner|any] [--ports-per-client 16384]\n"
    "                    [--rx-checksums none|good] [--idle poll|adaptive]\n"
    "                    [--trace-vip ADDR:PORT]\n"
    "                    [--eal \"-l 0-1 --in-memory --no-pci\"]\n"
    "  N takes K/M suffixes (binary: 1K = 1024, 4M = 4194304). --size is the frame size on the\n"
    "  wire with FCS. The worker (or the io forwarder) runs on the first worker lcore; the\n"
    "  source ring is refilled between polls on that lcore (inline, untimed) or continuously\n"
    "  from the main lcore (lcore). --acl-rules/--acl-patterns put a global ACL set of that many\n"
    "  address rules / payload patterns in front of the service (none match the traffic).\n"
    "  --scheduler and --backends (1..64, equal weights) shape the one service.\n"
    "  --max-half-open: dataplane.max_half_open (default a quarter of the capacity); below the\n"
    "  SYN_RECV flows MODE-new keeps live, every new flow evicts the oldest half-open one.\n"
    "  --ports-per-client (a power of two, 1..16384): flows per client address. --workers 2: two\n"
    "  workers, each with its own source queue, handing packets over as sluiced's workers do;\n"
    "  flows are owned by client address, so give MODE-established enough clients (e.g.\n"
    "  --ports-per-client 16). Its warm-up opens each flow on its owner. --steer owner (default\n"
    "  for MODE-established) sends each worker's queue only flows it owns (RSS by client\n"
    "  address); --steer any (default for MODE-new) all flows, so half cross to the other.\n"
    "  Inline source: worker 0 polls on the main lcore, worker 1 on the next. --source lcore\n"
    "  with --workers 2 needs three lcores (the generator on the main lcore, one per worker):\n"
    "  refused on a machine with fewer than 3 CPUs; on one with 3 or more, -l 0-2 is the default.\n"
    "  --rx-checksums good simulates a NIC that verifies checksums on receive: every generated\n"
    "  mbuf is marked IPv4 header and L4 checksum GOOD, so the worker trusts them instead of\n"
    "  summing; none (default) is what net_ring gives: no verdict, checked in software.\n"
    "  --idle adaptive: the workers rest after empty polls as sluiced's default does\n"
    "  (dataplane.idle); poll (default) polls flat out.\n"
    "  --trace-vip: a trace session (sluicectl trace --vip) armed on the workers for the whole run,\n"
    "  without count or deadline; a VIP other than the rig's 192.0.2.100:80 prices a filter that\n"
    "  matches nothing (the report notes how many records it took).\n";

uint64_t parse_count(const std::string& s) {
  std::size_t end = 0;
  uint64_t v = std::stoull(s, &end);
  if (end < s.size()) {
    const char suffix = char(std::toupper(static_cast<unsigned char>(s[end])));
    if (suffix == 'K') v <<= 10;
    else if (suffix == 'M') v <<= 20;
    else throw std::invalid_argument("bad count " + s);
  }
  return v;
}

sluice::scheduler_kind parse_scheduler(const std::string& s) {
  for (auto k = sluice::scheduler_kind::rr; k <= sluice::scheduler_kind::random;
       k = sluice::scheduler_kind(uint8_t(k) + 1))
    if (sluice::name_of(k) == s) return k;
  throw std::invalid_argument("unknown scheduler " + s);
}

sluice::bench::steering parse_steering(const std::string& s) {
  if (s == "owner") return sluice::bench::steering::owner;
  if (s == "any") return sluice::bench::steering::any;
  throw std::invalid_argument("--steer must be owner or any");
}

// log2 of a power of two in [1, max].
unsigned parse_power_of_two(const std::string& s, uint64_t max, const std::string& option) {
  const uint64_t v = parse_count(s);
  if (v == 0 || v > max || (v & (v - 1)) != 0)
    throw std::invalid_argument(option + " must be a power of two from 1 to " + std::to_string(max));
  return unsigned(__builtin_ctzll(v));
}

uint64_t parse_rx_checksums(const std::string& s) {
  if (s == "none") return 0;
  if (s == "good") return RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  throw std::invalid_argument("--rx-checksums must be none or good");
}

unsigned usable_cpus() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? unsigned(CPU_COUNT(&set)) : 1;
}

sluice::idle_mode parse_idle(const std::string& s) {
  if (s == "poll") return sluice::idle_mode::poll;
  if (s == "adaptive") return sluice::idle_mode::adaptive;
  throw std::invalid_argument("--idle must be poll or adaptive");
}

// --trace-vip ADDR:PORT: a trace session armed for that VIP (to price one matching nothing).
sluice::trace_filter parse_trace_vip(const std::string& v) {
  const auto colon = v.rfind(':');
  const auto addr = colon == std::string::npos ? std::nullopt : sluice::parse_ipv4(v.substr(0, colon));
  if (!addr) throw std::invalid_argument("--trace-vip must be ADDRESS:PORT");
  sluice::trace_filter f;
  f.by_vip = true;
  f.vip = *addr;
  f.vip_port = htons(uint16_t(std::stoul(v.substr(colon + 1))));
  return f;
}

options parse(int argc, char** argv, std::string& eal, bool& eal_given) {
  if (argc < 2) throw std::invalid_argument("no scenario");
  options o;
  o.scenario = argv[1];
  const auto dash = o.scenario.find('-');
  const std::string mode = o.scenario.substr(0, dash);
  const std::string kind = dash == std::string::npos ? "" : o.scenario.substr(dash + 1);
  if (mode == "nat") o.mode = sluice::forwarding::nat;
  else if (mode == "dr") o.mode = sluice::forwarding::dr;
  else if (mode == "tun") o.mode = sluice::forwarding::tun;
  else if (mode == "fnat") o.mode = sluice::forwarding::fnat;
  else throw std::invalid_argument("unknown scenario " + o.scenario);
  if (kind != "established" && kind != "new") throw std::invalid_argument("unknown scenario " + o.scenario);
  std::optional<sluice::bench::steering> steer;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value for " + a);
    const std::string v = argv[++i];
    if (a == "--flows") o.flows = parse_count(v);
    else if (a == "--capacity") o.capacity = parse_count(v);
    else if (a == "--max-half-open") o.max_half_open = uint32_t(parse_count(v));
    else if (a == "--size") o.size = unsigned(std::stoul(v));
    else if (a == "--runs") o.runs = unsigned(std::stoul(v));
    else if (a == "--seconds") o.seconds = std::stod(v);
    else if (a == "--order") o.order = v == "sequential" ? sluice::bench::flow_order::sequential
                                                         : sluice::bench::flow_order::random;
    else if (a == "--source") o.source = v == "lcore" ? sluice::bench::source_mode::lcore
                                                     : sluice::bench::source_mode::inline_refill;
    else if (a == "--acl-rules") o.acl_rules = unsigned(std::stoul(v));
    else if (a == "--acl-patterns") o.acl_patterns = unsigned(std::stoul(v));
    else if (a == "--scheduler") o.scheduler = parse_scheduler(v);
    else if (a == "--backends") o.backends = unsigned(std::stoul(v));
    else if (a == "--workers") o.workers = unsigned(std::stoul(v));
    else if (a == "--steer") steer = parse_steering(v);
    else if (a == "--ports-per-client") o.port_bits = parse_power_of_two(v, 1u << sluice::bench::k_default_port_bits, a);
    else if (a == "--rx-checksums") o.rx_flags = parse_rx_checksums(v);
    else if (a == "--idle") o.idle = parse_idle(v);
    else if (a == "--trace-vip") o.trace = parse_trace_vip(v);
    else if (a == "--eal") eal = v, eal_given = true;
    else throw std::invalid_argument("unknown option " + a);
  }
  if (o.size < 64 || o.size > 1518) throw std::invalid_argument("--size must be 64..1518");
  // The rig's config holds 64 backend slots.
  if (o.backends == 0 || o.backends > 64) throw std::invalid_argument("--backends must be 1..64");
  if (o.workers != 1 && o.workers != 2) throw std::invalid_argument("--workers must be 1 or 2");
  if (steer && o.workers == 1) throw std::invalid_argument("--steer needs --workers 2");
  // New flows: `any` by default, the shape measured first (perf/JOURNAL.md, 2026-11-26 10:04).
  o.steer = steer.value_or(kind == "new" ? sluice::bench::steering::any : sluice::bench::steering::owner);
  if (o.flows == 0 || o.runs == 0) throw std::invalid_argument("--flows and --runs must be > 0");
  return o;
}

bool shared_cpu(unsigned a, unsigned b) {
  rte_cpuset_t x = rte_lcore_cpuset(a), y = rte_lcore_cpuset(b);
  for (unsigned c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &x) && CPU_ISSET(c, &y)) return true;
  return false;
}

} // namespace

int main(int argc, char** argv) {
  std::string eal = "-l 0-1 --in-memory --no-pci --log-level=*:warning";
  bool eal_given = false;
  options o;
  try {
    o = parse(argc, argv, eal, eal_given);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sluice-bench: {}\n{}", e.what(), k_usage);
    return 2;
  }
  const bool two_fed = o.workers == 2 && o.source == sluice::bench::source_mode::lcore;
  if (two_fed && !eal_given) {
    if (usable_cpus() < 3) {
      fmt::print(stderr, "sluice-bench: --source lcore with --workers 2 needs three cores (the generator "
                         "on the main lcore, one per worker); this machine gives {}: use --source inline "
                         "(the default) or a machine with 3 or more cores\n", usable_cpus());
      return 2;
    }
    eal = "-l 0-2 --in-memory --no-pci --log-level=*:warning";
  }
  std::vector<std::string> args{"sluice-bench"};
  std::istringstream split(eal);
  for (std::string w; split >> w;) args.push_back(w);
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(a.data());
  if (rte_eal_init(int(cargv.size()), cargv.data()) < 0) {
    fmt::print(stderr, "sluice-bench: EAL init failed: {}\n", rte_strerror(rte_errno));
    return 1;
  }
  int rc = 0;
  if (!rte_eal_has_hugepages()) {
    // Without hugepages the numbers are a third of the real ones (docs/LAB.md): refuse them.
    fmt::print(stderr, "sluice-bench: refusing to benchmark without hugepages (--no-huge)\n");
    rc = 1;
  } else if ((o.worker_lcore = rte_get_next_lcore(-1, 1, 0)) >= RTE_MAX_LCORE) {
    fmt::print(stderr, "sluice-bench: needs a worker lcore besides the main one (-l 0-1)\n");
    rc = 1;
  } else if (two_fed && (o.second_worker_lcore = rte_get_next_lcore(o.worker_lcore, 1, 0)) >= RTE_MAX_LCORE) {
    fmt::print(stderr, "sluice-bench: --source lcore with --workers 2 needs three lcores in --eal (-l 0-2)\n");
    rc = 1;
  } else {
    const unsigned main_lcore = rte_get_main_lcore();
    if (two_fed && (shared_cpu(o.worker_lcore, o.second_worker_lcore) || shared_cpu(main_lcore, o.worker_lcore) ||
                    shared_cpu(main_lcore, o.second_worker_lcore)))
      fmt::print(stderr, "sluice-bench: warning: the generator's and workers' lcores ({}, {}, {}) share a CPU: "
                         "the figures are not a measurement\n", main_lcore, o.worker_lcore, o.second_worker_lcore);
    try {
      if (o.scenario.ends_with("-established")) print_report(sluice::bench::run_established(o));
      else print_report(sluice::bench::run_new(o));
    } catch (const std::exception& e) {
      fmt::print(stderr, "sluice-bench: {}\n", e.what());
      rc = 1;
    }
  }
  rte_eal_cleanup();
  return rc;
}
