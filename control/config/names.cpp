#include "control/config/model.hpp"

namespace sluice {

std::string_view name_of(forwarding f) noexcept {
  switch (f) {
  case forwarding::nat: return "nat";
  case forwarding::dr: return "dr";
  case forwarding::tun: return "tun";
  case forwarding::fnat: return "fnat";
  }
  return "?";
}

std::string_view name_of(scheduler_kind s) noexcept {
  switch (s) {
  case scheduler_kind::rr: return "rr";
  case scheduler_kind::wrr: return "wrr";
  case scheduler_kind::lc: return "lc";
  case scheduler_kind::wlc: return "wlc";
  case scheduler_kind::sh: return "sh";
  case scheduler_kind::dh: return "dh";
  case scheduler_kind::mh: return "mh";
  case scheduler_kind::random: return "random";
  }
  return "?";
}

std::string_view ipvsadm_forward_name(forwarding f) noexcept {
  switch (f) {
  case forwarding::nat: return "Masq";
  case forwarding::dr: return "Route";
  case forwarding::tun: return "Tunnel";
  case forwarding::fnat: return "FullNat";
  }
  return "?";
}

} // namespace sluice
