#pragma once
// The ACL state a flow record carries in one byte (flow::acl_hold), so that once a flow is
// decided its packets cost one compare:
//   0                 decided and allowed (or no ACL applies)
//   k_acl_denied      denied: every later packet is dropped without another look
//   1..k_acl_denied-1 pending: waiting for the first payload; a payload-less client packet
//                     passes while the value is above 1 (and lowers it), at 1 the flow is
//                     decided without payload

#include <cstdint>

namespace sluice {

inline constexpr uint8_t k_acl_allowed = 0;
inline constexpr uint8_t k_acl_denied = 0xff;

// The hold a flow opens with: the opening packet and dataplane.acl_pending_packets more pass
// undecided; the next payload-less one decides.
constexpr uint8_t acl_initial_hold(uint32_t pending_packets) noexcept {
  return uint8_t(pending_packets + 2 < k_acl_denied ? pending_packets + 2 : k_acl_denied - 1);
}

} // namespace sluice
