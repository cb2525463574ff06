#pragma once
// The desired state and its publication: holds the applied config, compiles it into snapshots,
// publishes them, and answers the admin API. All methods are called from control threads and
// serialised by one mutex; workers never touch this object.

#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "control/admin/http_types.hpp"
#include "control/config/load.hpp"
#include "control/snapshot/compile.hpp"
#include "dataplane/snapshot/publisher.hpp"
#include "dataplane/stats/counters.hpp"

namespace sluice {

class control_plane {
public:
  // Compiles and publishes `initial`. Throws compile_error when it does not fit the dataplane.
  control_plane(std::string config_path, config initial, std::vector<port_info> ports,
                snapshot_publisher& publisher, std::vector<const worker_stats*> stats);

  // Re-reads the config file and applies it whole, or changes nothing and returns the problems
  // (one "file:line: field: message" string each).
  std::vector<std::string> reload();

  admin_response handle(const admin_request& req);

private:
  void apply(config next); // requires mu_

  std::mutex mu_;
  std::string path_;
  config applied_;
  std::vector<port_info> ports_;
  snapshot_publisher& publisher_;
  std::vector<const worker_stats*> stats_;
  slot_registries slots_;
  uint64_t generation_ = 0;
};

} // namespace sluice
