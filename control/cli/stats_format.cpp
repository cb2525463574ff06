#include "control/cli/stats_format.hpp"

#include <fmt/format.h>

#include "dataplane/stats/worker_counter_list.hpp"

namespace sluice {
namespace {

// A counter the daemon did not send (an older sluiced) reads "-", never a made-up zero.
std::string counter_text(const nlohmann::json& worker, std::string_view field) {
  const auto it = worker.find(field);
  return it == worker.end() ? "-" : fmt::format("{}", it->get<uint64_t>());
}

} // namespace

std::string format_stats(const nlohmann::json& s) {
  const nlohmann::json& workers = s.at("workers");
  std::string out;
  // ToKernel/FromKernel: the exception path (packets handed to and sent by the kernel twins).
  // Asleep%/Wakeups: an idle worker giving its core back (dataplane.idle: adaptive), since start.
  out += fmt::format("{:<7} {:>14} {:>14} {:>12} {:>8} {:>8} {:>12} {:>12} {:>12}\n", "Worker",
                     "RxPackets", "TxPackets", "FlowsActive", "Busy%", "Asleep%", "Wakeups",
                     "ToKernel", "FromKernel");
  for (const auto& w : workers) {
    const double polls = w.at("polls").get<double>();
    const double busy = polls > 0 ? 100.0 * w.at("busy_polls").get<double>() / polls : 0.0;
    const double running = w.value("running_us", 0.0);
    const double asleep = running > 0 ? 100.0 * w.value("asleep_us", 0.0) / running : 0.0;
    out += fmt::format("{:<7} {:>14} {:>14} {:>12} {:>8.1f} {:>8.1f} {:>12} {:>12} {:>12}\n",
                       w.at("worker").get<int>(), w.at("rx_packets").get<uint64_t>(),
                       w.at("tx_packets").get<uint64_t>(), w.at("flows_active").get<uint64_t>(),
                       busy, asleep < 100.0 ? asleep : 100.0, counter_text(w, "wakeups"),
                       w.value("exception_to_kernel", uint64_t{0}),
                       w.value("exception_from_kernel", uint64_t{0}));
  }

  out += fmt::format("\n{:<28}", "Counter");
  for (const auto& w : workers) out += fmt::format(" {:>14}", fmt::format("Worker{}", w.at("worker").get<int>()));
  out += "\n";
  for (const worker_counter_info& info : k_worker_counter_infos) {
    out += fmt::format("{:<28}", info.field);
    for (const auto& w : workers) out += fmt::format(" {:>14}", counter_text(w, info.field));
    out += "\n";
  }

  out += fmt::format("\n{:<28} {:>14}  {}\n", "Drop reason", "Packets", "Meaning");
  for (const auto& [reason, count] : s.at("drops").items()) {
    if (count.get<uint64_t>() == 0) continue;
    out += fmt::format("{:<28} {:>14}  {}\n", reason, count.get<uint64_t>(),
                       s.at("drop_descriptions").value(reason, ""));
  }
  return out;
}

} // namespace sluice
