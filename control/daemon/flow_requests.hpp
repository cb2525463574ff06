#pragma once
// The control plane's side of the workers' flow requests (dataplane/worker/flow_command.hpp):
// ask every worker to flush or sample the flows matching a filter, and wait for all of them.

#include <chrono>
#include <cstdint>
#include <vector>

#include "dataplane/worker/flow_command.hpp"

namespace sluice {

struct worker_flow {
  unsigned worker;
  flow_sample sample;
};

struct flow_request_result {
  bool answered = true; // false: some worker did not finish within the timeout
  uint64_t matched = 0; // flows that matched, over every worker that answered
  std::vector<worker_flow> flows; // sample: at most `limit` per worker, worker by worker
};

// Blocks until every worker has walked its table or `timeout` passed. A request a worker has not
// finished is deliberately leaked, since that worker may still write to it. Call from one thread
// at a time (the rings are single-producer).
flow_request_result ask_workers(const command_rings& rings, flow_command::op kind,
                                const flow_filter& filter, uint32_t limit,
                                std::chrono::milliseconds timeout);

} // namespace sluice
