#pragma once
// The IPVS forwarding modes. A service's mode is compiled into the snapshot and copied into each
// of its flows, so the worker dispatches on the flow alone.

#include <cstdint>

namespace sluice {

enum class forwarding : uint8_t { nat, dr, tun, fnat };

// NAT and full-NAT replies come back through the gateway and must be matched to their flow; DR
// and TUN backends answer the client directly, so those flows have no reply tuple.
constexpr bool has_reply_path(forwarding f) noexcept {
  return f == forwarding::nat || f == forwarding::fnat;
}

} // namespace sluice
