#include "control/cli/stats_format.hpp"

#include <fmt/format.h>

namespace sluice {
namespace {

// A counter the daemon did not send (an older sluiced) reads "-", never a made-up zero.
std::string counter_text(const std::optional<uint64_t>& n) {
  return n ? fmt::format("{}", *n) : "-";
}

} // namespace

std::string format_stats(const api::stats_report& s) {
  std::string out;
  // ToKernel/FromKernel: the exception path (packets handed to and sent by the kernel twins).
  // Asleep%/Wakeups: an idle worker giving its core back (dataplane.idle: adaptive), since start.
  out += fmt::format("{:<7} {:>14} {:>14} {:>12} {:>8} {:>8} {:>12} {:>12} {:>12}\n", "Worker",
                     "RxPackets", "TxPackets", "FlowsActive", "Busy%", "Asleep%", "Wakeups",
                     "ToKernel", "FromKernel");
  for (const api::worker_report& w : s.workers) {
    const double polls = double(w.polls.value_or(0));
    const double busy = polls > 0 ? 100.0 * double(w.busy_polls.value_or(0)) / polls : 0.0;
    const double running = double(w.running_us.value_or(0));
    const double asleep = running > 0 ? 100.0 * double(w.asleep_us.value_or(0)) / running : 0.0;
    out += fmt::format("{:<7} {:>14} {:>14} {:>12} {:>8.1f} {:>8.1f} {:>12} {:>12} {:>12}\n",
                       w.worker, counter_text(w.rx_packets), counter_text(w.tx_packets),
                       counter_text(w.flows_active), busy, asleep < 100.0 ? asleep : 100.0,
                       counter_text(w.wakeups), w.exception_to_kernel.value_or(0),
                       w.exception_from_kernel.value_or(0));
  }

  out += fmt::format("\n{:<28}", "Counter");
  for (const api::worker_report& w : s.workers) out += fmt::format(" {:>14}", fmt::format("Worker{}", w.worker));
  out += "\n";
  for (std::size_t f = 0; f < k_worker_counter_count; ++f) {
    out += fmt::format("{:<28}", k_worker_counter_infos[f].field);
    for (const api::worker_report& w : s.workers)
      out += fmt::format(" {:>14}", counter_text(w.*api::k_worker_report_counters[f]));
    out += "\n";
  }

  out += fmt::format("\n{:<28} {:>14}  {}\n", "Drop reason", "Packets", "Meaning");
  for (const auto& [reason, count] : s.drops) {
    if (count == 0) continue;
    const auto meaning = s.drop_descriptions.find(reason);
    out += fmt::format("{:<28} {:>14}  {}\n", reason, count,
                       meaning == s.drop_descriptions.end() ? "" : meaning->second);
  }

  // Mbufs out of each pool: a figure that keeps growing under steady traffic is a leak.
  if (!s.mempools.empty()) {
    out += fmt::format("\n{:<28} {:>14} {:>14} {:>8}\n", "Mbuf pool", "Size", "InUse", "InUse%");
    for (const api::mempool_report& p : s.mempools)
      out += fmt::format("{:<28} {:>14} {:>14} {:>8.1f}\n", p.name, p.size, p.in_use,
                         p.size > 0 ? 100.0 * double(p.in_use) / double(p.size) : 0.0);
  }
  return out;
}

} // namespace sluice
