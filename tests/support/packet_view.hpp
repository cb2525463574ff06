#pragma once
// The parsed IPv4 view of a frame built by packet_builder, for rewrite tests on byte buffers: the
// rewrite functions take what the worker's parser hands them. A frame that does not parse fails
// the calling test.

#include <gtest/gtest.h>

#include <optional>

#include "dataplane/net/parse.hpp"
#include "tests/support/packet_builder.hpp"

namespace sluice::testing {

inline ipv4_packet view(bytes& f) {
  ipv4_packet p;
  EXPECT_EQ(parse_ipv4(f.data() + k_ip, uint32_t(f.size() - k_ip), p), std::nullopt);
  return p;
}

} // namespace sluice::testing
