#pragma once
// What an ACL rule does with a flow it matches; shared by the config model and the dataplane.

#include <cstdint>

namespace sluice {

enum class acl_action : uint8_t { allow, deny };
// What a deny sends back to the client besides dropping: nothing, a TCP RST, or ICMP
// destination-unreachable "communication administratively prohibited" (type 3 code 13).
enum class acl_reply : uint8_t { none, rst, icmp };

} // namespace sluice
