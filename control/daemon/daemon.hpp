#pragma once
// sluiced's life cycle: EAL, ports, workers, control plane, admin API, signals.

#include <string>

#include "control/config/model.hpp"

namespace sluice {

// Runs until SIGTERM or SIGINT (SIGHUP reloads `config_path`). Returns the process exit code:
// 0 after a clean stop, non-zero when start-up failed (the reason is logged).
int run_daemon(const std::string& config_path, const config& cfg);

} // namespace sluice
