#include "dataplane/frag/reassembly.hpp"

namespace sluice {

reassembly_table::reassembly_table(uint32_t slots, uint32_t max_payload, uint64_t timeout)
    : slots_(slots), max_payload_(max_payload), timeout_(timeout) {}

// A linear scan: the table is small (tens of slots) and only fragments, a rare path, come here;
// a hash would cost more in code than it saves in cycles.
std::optional<uint32_t> reassembly_table::find(const frag_key& key) const noexcept {
  for (uint32_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].in_use && slots_[i].key == key) return i;
  return std::nullopt;
}

std::optional<uint32_t> reassembly_table::open(const frag_key& key, uint64_t now) noexcept {
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    slot& s = slots_[i];
    if (s.in_use) continue;
    s.key = key;
    s.first_seen = now;
    s.total = s.received = s.max_end = 0;
    s.largest = 0;
    s.count = 0;
    s.header_len = 0;
    s.in_use = true;
    ++used_;
    return i;
  }
  return std::nullopt;
}

void reassembly_table::release(uint32_t i) noexcept {
  if (!slots_[i].in_use) return;
  slots_[i].in_use = false;
  --used_;
}

frag_outcome reassembly_table::discard(uint32_t i, drop_reason why) noexcept {
  const uint16_t fragments = uint16_t(slots_[i].count + 1);
  release(i);
  return {.what = frag_outcome::kind::discarded, .reason = why, .slot = i, .fragments = fragments};
}

frag_outcome reassembly_table::add(const frag_key& key, const frag_piece& p,
                                   uint64_t now) noexcept {
  const auto refuse = [](drop_reason why) {
    return frag_outcome{.what = frag_outcome::kind::refused, .reason = why};
  };
  const uint32_t end = p.offset + p.len;
  // Every fragment but the last carries a multiple of 8 bytes (RFC 791), and none is empty.
  const bool malformed = p.len == 0 || (p.more && p.len % 8 != 0);
  auto found = find(key);
  if (!found) {
    if (malformed) return refuse(drop_reason::ip_frag_malformed);
    if (end > max_payload_) return refuse(drop_reason::ip_frag_too_big);
    found = open(key, now);
    if (!found) return refuse(drop_reason::ip_frag_table_full);
  } else {
    if (malformed) return discard(*found, drop_reason::ip_frag_malformed);
    if (end > max_payload_) return discard(*found, drop_reason::ip_frag_too_big);
  }
  const uint32_t i = *found;
  slot& s = slots_[i];
  const bool opened = s.count == 0;
  // The last fragment fixes the length: it must not fall short of data already seen, a second
  // last fragment must agree, and no later fragment may reach beyond it.
  if (!p.more) {
    if ((s.total != 0 && end != s.total) || end < s.max_end) {
      return discard(i, drop_reason::ip_frag_malformed);
    }
    s.total = end;
  } else if (s.total != 0 && end > s.total) {
    return discard(i, drop_reason::ip_frag_malformed);
  }
  for (uint16_t k = 0; k < s.count; ++k)
    if (p.offset < s.pieces[k].end && s.pieces[k].begin < end)
      return discard(i, drop_reason::ip_frag_overlap);
  if (s.count == k_max_fragments) return discard(i, drop_reason::ip_frag_too_many);

  s.pieces[s.count++] = {p.offset, end};
  s.received += p.len;
  if (end > s.max_end) s.max_end = end;
  if (p.header_len + p.len > s.largest) s.largest = uint16_t(p.header_len + p.len);
  if (p.offset == 0) s.header_len = p.header_len;
  // Without overlaps, as many bytes as the total means every byte is there.
  if (s.total != 0 && s.received == s.total)
    return {.what = frag_outcome::kind::complete, .slot = i, .opened = opened,
            .total = s.total, .header_len = s.header_len, .largest = s.largest};
  return {.what = frag_outcome::kind::held, .slot = i, .opened = opened};
}

} // namespace sluice
