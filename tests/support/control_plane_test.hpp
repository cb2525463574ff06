#pragma once
// A gtest fixture with sluiced's control plane and no ports or workers: EAL started once per
// test program (eal_test.hpp; snapshots and ACL contexts are allocated from it), the config
// written to a temporary file the control plane loads and reloads.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "control/config/load.hpp"
#include "control/daemon/control_plane.hpp"
#include "tests/support/eal_test.hpp"

namespace sluice::test {

class control_plane_test : public eal_test {
protected:
  // Writes `yaml` to the config file and starts the control plane on it, reading `stats` as the
  // one worker's counters.
  void start(const char* yaml, const worker_stats& stats) {
    std::ofstream(path_) << yaml;
    load_result r = load_config_file(path_);
    ASSERT_TRUE(r.cfg) << (r.errors.empty() ? "" : r.errors[0].to_string());
    control_ = std::make_unique<control_plane>(path_, *r.cfg, std::vector<port_info>(2, port_info{}),
                                               publisher_, std::vector<const worker_stats*>{&stats});
  }
  void TearDown() override {
    control_.reset();
    std::remove(path_.c_str());
  }

  std::string path_ = std::string(::testing::TempDir())
                          .append(program_invocation_short_name)
                          .append("-")
                          .append(std::to_string(getpid()))
                          .append(".yaml");
  snapshot_publisher publisher_{1};
  std::unique_ptr<control_plane> control_;
};

} // namespace sluice::test
