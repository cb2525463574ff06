#include "dataplane/assembly/assembly.hpp"

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include <stdexcept>
#include <string>

#include "dataplane/trace/hub.hpp"
#include "dataplane/worker/flow_command.hpp"
#include "dataplane/worker/handoff.hpp"
#include "dataplane/worker/worker.hpp"

namespace sluice {
namespace {

unsigned worker_count(const dataplane_setup& s) {
  if (s.workers.empty()) throw std::invalid_argument("a dataplane needs at least one worker");
  if (s.lcores.size() != s.workers.size())
    throw std::invalid_argument(std::to_string(s.workers.size()) + " workers but " +
                                std::to_string(s.lcores.size()) + " lcores");
  return unsigned(s.workers.size());
}

} // namespace

dataplane_assembly::dataplane_assembly(dataplane_setup setup)
    : lcores_(setup.lcores), publisher_(worker_count(setup)) {
  const unsigned n = unsigned(setup.workers.size());
  const int socket = int(rte_socket_id());
  for (unsigned i = 0; i < n; ++i)
    stats_.push_back(std::make_unique<worker_stats>(setup.slots.services, setup.slots.backends,
                                                    setup.slots.acl_rules));
  if (n > 1) mesh_ = std::make_unique<handoff_mesh>(n, socket);
  commands_ = std::make_unique<command_rings>(n, socket);
  trace_ = std::make_unique<trace_hub>(n, socket, publisher_.qsbr());
  for (unsigned i = 0; i < n; ++i) {
    worker_setup& w = setup.workers[i];
    w.id = i;
    w.socket_id = int(rte_lcore_to_socket_id(lcores_[i]));
    w.mesh = mesh_.get();
    w.commands = commands_.get();
    w.trace = trace_.get();
    workers_.push_back(std::make_unique<worker>(w, publisher_, *stats_[i]));
  }
  launch_args_.resize(n);
  launched_.reserve(n); // launch() must not fail to record a worker it started
}

dataplane_assembly::~dataplane_assembly() { stop(); }

std::vector<const worker_stats*> dataplane_assembly::stats_view() const {
  std::vector<const worker_stats*> out;
  for (const auto& s : stats_) out.push_back(s.get());
  return out;
}

unsigned dataplane_assembly::handoff_backlog() const noexcept {
  unsigned n = 0;
  for (unsigned from = 0; mesh_ != nullptr && from < workers(); ++from)
    for (unsigned to = 0; to < workers(); ++to)
      if (from != to) n += rte_ring_count(mesh_->packets(from, to));
  return n;
}

int dataplane_assembly::run_worker(void* arg) {
  const auto* a = static_cast<const launch_arg*>(arg);
  a->w->run(*a->stop);
  return 0;
}

void dataplane_assembly::launch() {
  if (!launched_.empty()) throw std::logic_error("the workers are running already");
  stop_.store(false, std::memory_order_relaxed);
  for (unsigned i = 0; i < workers(); ++i) {
    launch_args_[i] = {workers_[i].get(), &stop_};
    if (rte_eal_remote_launch(run_worker, &launch_args_[i], lcores_[i]) != 0)
      throw std::runtime_error("cannot launch worker " + std::to_string(i) + " on lcore " +
                               std::to_string(lcores_[i]));
    launched_.push_back(lcores_[i]);
  }
}

void dataplane_assembly::stop() noexcept {
  stop_.store(true, std::memory_order_relaxed);
  for (unsigned lcore : launched_) rte_eal_wait_lcore(lcore);
  launched_.clear();
}

} // namespace sluice
