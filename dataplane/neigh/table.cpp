#include "dataplane/neigh/table.hpp"

#include <bit>

namespace sluice {

neighbour_table::neighbour_table(uint32_t capacity)
    : entries_(std::make_unique<neighbour[]>(std::bit_ceil(capacity))),
      mask_(std::bit_ceil(capacity) - 1) {}

neighbour* neighbour_table::find(uint16_t iface, const ip_addr& addr) noexcept {
  for (uint32_t i = home(iface, addr), n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
    neighbour& e = entries_[i];
    if (e.state == neigh_state::empty) return nullptr;
    if (e.addr == addr && e.iface == iface) return &e;
  }
  return nullptr;
}

neighbour* neighbour_table::probe_or_create(uint16_t iface, const ip_addr& addr) noexcept {
  for (uint32_t i = home(iface, addr), n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
    neighbour& e = entries_[i];
    if (e.state == neigh_state::empty) {
      e = neighbour{};
      e.addr = addr;
      e.iface = iface;
      e.state = neigh_state::incomplete;
      return &e;
    }
    if (e.addr == addr && e.iface == iface) return &e;
  }
  return nullptr;
}

} // namespace sluice
