// sluice-bench: the real worker (worker::poll_once) on DPDK vdevs, one pinned lcore, beside an
// io-forward ceiling on the same source and sink. Usage in perf/README section of RESULTS.md.

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <fmt/core.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "perf/bench/report.hpp"
#include "perf/bench/scenarios.hpp"

namespace {

using sluice::bench::options;

constexpr const char* k_usage =
    "usage: sluice-bench MODE-established|MODE-new (MODE: nat dr tun fnat)\n"
    "                    [--flows N] [--capacity N] [--size 64|1500]\n"
    "                    [--runs 5] [--seconds 2] [--order random|sequential]\n"
    "                    [--source inline|lcore] [--acl-rules N] [--acl-patterns N]\n"
    "                    [--scheduler rr|wrr|lc|wlc|sh|dh|mh|random] [--backends 4]\n"
    "                    [--workers 1|2]\n"
    "                    [--eal \"-l 0-1 --in-memory --no-pci\"]\n"
    "  N takes K/M suffixes (binary: 1K = 1024, 4M = 4194304). --size is the frame size on the\n"
    "  wire with FCS. The worker (or the io forwarder) runs on the first worker lcore; the\n"
    "  source ring is refilled between polls on that lcore (inline, untimed) or continuously\n"
    "  from the main lcore (lcore). --acl-rules/--acl-patterns put a global ACL set of that many\n"
    "  address rules / payload patterns in front of the service (none match the traffic).\n"
    "  --scheduler and --backends (1..64, equal weights) shape the one service. --workers 2\n"
    "  (MODE-new, inline source): worker 0 polls on the main lcore, worker 1 on the worker\n"
    "  lcore, each with its own source queue, handing packets over as sluiced's workers do.\n";

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

options parse(int argc, char** argv, std::string& eal) {
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
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value for " + a);
    const std::string v = argv[++i];
    if (a == "--flows") o.flows = parse_count(v);
    else if (a == "--capacity") o.capacity = parse_count(v);
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
    else if (a == "--eal") eal = v;
    else throw std::invalid_argument("unknown option " + a);
  }
  if (o.size < 64 || o.size > 1518) throw std::invalid_argument("--size must be 64..1518");
  // The rig's config holds 64 backend slots.
  if (o.backends == 0 || o.backends > 64) throw std::invalid_argument("--backends must be 1..64");
  if (o.workers != 1 && o.workers != 2) throw std::invalid_argument("--workers must be 1 or 2");
  if (o.workers == 2 && (kind != "new" || o.source != sluice::bench::source_mode::inline_refill))
    throw std::invalid_argument("--workers 2 runs MODE-new with the inline source only");
  if (o.flows == 0 || o.runs == 0) throw std::invalid_argument("--flows and --runs must be > 0");
  return o;
}

} // namespace

int main(int argc, char** argv) {
  std::string eal = "-l 0-1 --in-memory --no-pci --log-level=*:warning";
  options o;
  try {
    o = parse(argc, argv, eal);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sluice-bench: {}\n{}", e.what(), k_usage);
    return 2;
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
    // Without hugepages the numbers are a third of the real ones (LAB-NOTES): refuse them.
    fmt::print(stderr, "sluice-bench: refusing to benchmark without hugepages (--no-huge)\n");
    rc = 1;
  } else if ((o.worker_lcore = rte_get_next_lcore(-1, 1, 0)) >= RTE_MAX_LCORE) {
    fmt::print(stderr, "sluice-bench: needs a worker lcore besides the main one (-l 0-1)\n");
    rc = 1;
  } else {
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
