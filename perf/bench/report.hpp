#pragma once
// Prints a scenario's runs, its medians beside the ceiling's, and one machine-readable
// RESULT line that perf/run collects into its table.

#include "perf/bench/scenarios.hpp"

namespace sluice::bench {

void print_report(const report& r);

} // namespace sluice::bench
