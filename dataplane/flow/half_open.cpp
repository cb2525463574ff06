#include "dataplane/flow/half_open.hpp"

namespace sluice {

half_open_list::half_open_list(half_open_link* links, uint32_t capacity) noexcept
    : links_(links), head_(capacity) {
  // Every slot links to itself (not in the list), and so does the head (the list is empty).
  for (uint64_t i = 0; i < links_for(capacity); ++i) links_[i] = {uint32_t(i), uint32_t(i)};
}

} // namespace sluice
