#pragma once
// Every packet the dataplane drops is counted under exactly one of these reasons. The list is the
// single source of the enum, the metric label values and the admin API field names.

#include <array>
#include <cstdint>
#include <string_view>

namespace sluice {

// X(name, description)
#define SLUICE_DROP_REASONS(X)                                                                     \
  X(frame_truncated, "Ethernet frame shorter than its header")                                    \
  X(not_our_mac, "unicast frame addressed to another MAC")                                        \
  X(ethertype_unsupported, "neither IPv4, IPv6 nor ARP")                                          \
  X(arp_malformed, "ARP packet that is not Ethernet/IPv4 or is truncated")                        \
  X(arp_not_for_us, "ARP request for an address this appliance does not own")                     \
  X(ip_truncated, "IPv4 header longer than the frame")                                            \
  X(ip_bad_version, "IP version field is not 4")                                                  \
  X(ip_bad_ihl, "IPv4 header length below 20 bytes or beyond the total length")                   \
  X(ip_bad_total_length, "IPv4 total length larger than the frame")                               \
  X(ip_bad_checksum, "IPv4 header checksum mismatch")                                             \
  X(ip_fragment, "IPv4 fragment of a protocol other than TCP/UDP (only those are reassembled), not for the kernel")  \
  X(ip_frag_malformed, "IPv4 fragment that is empty, not a multiple of 8 bytes before the last, or inconsistent with the datagram's length (the datagram is dropped)") \
  X(ip_frag_overlap, "IPv4 fragment overlapping or duplicating another of its datagram (the datagram is dropped)") \
  X(ip_frag_too_many, "IPv4 datagram in more than 64 fragments (the datagram is dropped)")      \
  X(ip_frag_too_big, "IPv4 fragment reaching beyond 65,333 payload bytes, the reassembly buffer") \
  X(ip_frag_timeout, "IPv4 fragment of a datagram not complete within the reassembly timeout (2 s)") \
  X(ip_frag_table_full, "IPv4 fragment of a new datagram while the worker's reassembly table (64 datagrams) is full") \
  X(ip_df_too_big, "reassembled datagram with DF set whose biggest fragment is over the egress link MTU")                \
  X(fragment_no_mbuf, "no mbuf for the copy of a reassembled datagram or the fragments of one over the egress MTU")      \
  X(ip6_truncated, "IPv6 header longer than the frame")                                          \
  X(ip6_bad_version, "IP version field is not 6 in an IPv6 frame")                               \
  X(ip6_bad_payload_length, "IPv6 payload length beyond the frame, or zero (jumbograms are not supported)") \
  X(ip6_ext_truncated, "IPv6 extension header running past the payload")                        \
  X(ip6_ext_chain_too_long, "more than 8 IPv6 extension headers before the transport header")   \
  X(ip6_ext_misplaced, "IPv6 hop-by-hop options header anywhere but first (RFC 8200)")           \
  X(ip6_routing_type0, "IPv6 routing header of type 0, deprecated as an amplifier (RFC 5095)")  \
  X(ip6_routing_unsupported, "IPv6 routing header with segments left (source routing through the appliance)") \
  X(ip6_fragment, "IPv6 fragment (IPv6 is not reassembled yet)")                               \
  X(ip6_too_big, "IPv6 packet over the egress link MTU (routers never fragment IPv6; Packet Too Big is not sent yet)") \
  X(ip6_multicast_unsupported, "IPv6 multicast other than a Neighbor Solicitation to the solicited-node group") \
  X(ip6_not_local, "IPv6 packet to an address the appliance does not own (IPv6 is not forwarded yet)") \
  X(ndp_bad_hop_limit, "Neighbor Discovery message whose hop limit is not 255 (sent from off-link)") \
  X(ndp_bad_code, "Neighbor Discovery message with an ICMPv6 code other than 0")                 \
  X(ndp_malformed, "Neighbor Discovery message too short, with a zero-length option, or an unspecified source carrying a link-layer option") \
  X(ndp_target_multicast, "Neighbor Solicitation or Advertisement whose target is a multicast address") \
  X(ndp_not_for_us, "Neighbor Solicitation for an address this appliance does not own on that link") \
  X(ndp_unsolicited, "Neighbor Advertisement for an address the appliance is not resolving")   \
  X(ip_ttl_exceeded, "TTL would reach zero when forwarded (ICMP time exceeded sent, rate-limited)")                                       \
  X(l4_truncated, "TCP/UDP/ICMP/ICMPv6 header longer than the IP payload")                      \
  X(l4_malformed, "TCP data offset or UDP length inconsistent with the packet")                   \
  X(l4_bad_checksum, "TCP/UDP/ICMP/ICMPv6 checksum mismatch")                                    \
  X(icmp_unsupported, "ICMP or ICMPv6 to a local address other than an echo request (or Neighbor Discovery)") \
  X(icmp_error_malformed, "ICMP error quoting no complete IPv4 TCP/UDP header and 8 bytes")    \
  X(icmp_rate_limited, "echo request (ICMP or ICMPv6) over the worker's ICMP rate limit (1000/s, burst 50)") \
  X(proto_unsupported, "IP protocol other than TCP/UDP/ICMP/ICMPv6 to a local address")         \
  X(local_delivery_unsupported, "TCP/UDP to an interface address without an exception path")     \
  X(exception_to_kernel_limited, "for the kernel over the exception path's rate limit (per worker)") \
  X(exception_from_kernel_limited, "sent by the kernel over the exception path's rate limit")     \
  X(exception_tap_full, "the exception path's tap did not accept the packet for the kernel")     \
  X(no_service, "TCP/UDP to a VIP port that has no service")                                      \
  X(no_flow, "transit packet that belongs to no tracked flow")                                    \
  X(no_backend, "new flow for a service without an eligible backend")                             \
  X(tcp_not_syn, "TCP segment without SYN for a flow that is not tracked")                      \
  X(flow_table_full, "new flow while the worker's flow table is full")                            \
  X(flow_key_conflict, "new flow whose reply tuple is already tracked for another flow")         \
  X(fnat_no_local_port, "full-NAT: no free local address:port on this worker for the backend")  \
  X(proxy_no_room, "PROXY v2: first data segment too big (or no tailroom) for the header")     \
  X(no_route, "no interface or gateway reaches the destination")                                  \
  X(neighbour_queue_full, "too many packets waiting for one ARP or Neighbor Discovery resolution") \
  X(neighbour_unresolved, "next hop did not answer ARP or Neighbor Solicitation in time")        \
  X(tun_frag_needed, "TUN: encapsulated packet over the link MTU with DF set (ICMP sent back)")   \
  X(no_headroom, "no mbuf headroom for an encapsulation header")                                  \
  X(acl_denied, "packet of a flow an ACL denies (its rule's hit counter says which)")             \
  X(handoff_full, "the owning worker's hand-off ring was full")                                  \
  X(tx_full, "transmit queue did not accept the packet")

enum class drop_reason : uint8_t {
#define SLUICE_X(name, desc) name,
  SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
      count_
};

inline constexpr std::size_t k_drop_reason_count = static_cast<std::size_t>(drop_reason::count_);

inline constexpr std::array<std::string_view, k_drop_reason_count> k_drop_reason_names = {
#define SLUICE_X(name, desc) #name,
    SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
};

inline constexpr std::array<std::string_view, k_drop_reason_count> k_drop_reason_descriptions = {
#define SLUICE_X(name, desc) desc,
    SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
};

constexpr std::string_view name_of(drop_reason r) noexcept {
  return k_drop_reason_names[static_cast<std::size_t>(r)];
}

} // namespace sluice
