#pragma once
// A gtest fixture whose test program starts EAL once, without hugepages, PCI or shared files:
// for tests that need DPDK objects (mempools, snapshots' memory) but no ports or workers.

#include <gtest/gtest.h>

#include <errno.h>
#include <rte_eal.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace sluice::test {

class eal_test : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    static const std::string prefix =
        std::string("--file-prefix=").append(program_invocation_short_name).append(std::to_string(getpid()));
    const char* args[] = {program_invocation_short_name, "--no-huge", "-m", "128", "--no-pci",
                          "--no-shconf", "--no-telemetry", "--log-level=lib.eal:error",
                          prefix.c_str()};
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    ASSERT_GE(rte_eal_init(int(argv.size()), argv.data()), 0);
  }
};

} // namespace sluice::test
