// libFuzzer target for IPv4 reassembly bookkeeping (dataplane/frag/reassembly.hpp): arbitrary
// fragment sequences of a few datagrams, with time moving forward, against a shadow copy of what
// each slot was given. Beyond "no crash", a datagram reported complete must have been given
// exactly the bytes [0, total) once each, by pieces the table accepted, and the table never holds
// more datagrams than its slots.
//
// Input: 8-byte records: datagram (low 2 bits), offset / 8 (13 bits) and MF (top bit) as two
// bytes, payload length (two bytes), header length (a byte), time advance (two bytes).

#include <cstdint>
#include <vector>

#include "dataplane/frag/reassembly.hpp"
#include "tests/fuzz/fuzz_require.hpp"

namespace {

struct shadow_piece {
  uint32_t begin, end;
};

using sluice::fuzz::fail;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr uint32_t k_slots = 3;
  sluice::reassembly_table table(k_slots, 9000, 500);
  std::vector<std::vector<shadow_piece>> given(k_slots);
  uint64_t now = 0;
  for (size_t at = 0; at + 8 <= size; at += 8) {
    const uint8_t* r = data + at;
    const uint16_t frag = uint16_t(r[1] << 8 | r[2]);
    const sluice::frag_key key{.src = 1, .dst = 2, .id = uint16_t(r[0] & 3), .proto = 17};
    const sluice::frag_piece p{.offset = uint32_t(frag & 0x1fff) * 8u,
                               .len = uint32_t(r[3] << 8 | r[4]),
                               .more = (frag & 0x8000) != 0,
                               .header_len = uint8_t(20 + (r[5] & 0x0f) * 4)};
    now += uint16_t(r[6] << 8 | r[7]);
    table.expire(now, [&](uint32_t slot, uint16_t n) {
      if (n != given[slot].size()) fail("an expired datagram reports another fragment count");
      given[slot].clear();
    });
    const sluice::frag_outcome o = table.add(key, p, now);
    using kind = sluice::frag_outcome::kind;
    if (o.what == kind::refused) continue;
    if (o.slot >= k_slots) fail("slot out of range");
    if (o.what == kind::discarded) {
      if (o.fragments != given[o.slot].size() + 1) fail("a discarded datagram miscounts");
      given[o.slot].clear();
      continue;
    }
    if (o.opened != given[o.slot].empty()) fail("opened disagrees with the slot's history");
    given[o.slot].push_back({p.offset, p.offset + p.len});
    if (o.what == kind::complete) {
      std::vector<uint8_t> seen(o.total, 0);
      for (const shadow_piece& s : given[o.slot]) {
        if (s.end > o.total) fail("a piece lies beyond the total");
        for (uint32_t b = s.begin; b < s.end; ++b)
          if (seen[b]++) fail("a byte was given twice");
      }
      for (uint8_t v : seen)
        if (v != 1) fail("a complete datagram has a hole");
      table.release(o.slot);
      given[o.slot].clear();
    }
    if (table.in_use() > k_slots) fail("more datagrams than slots");
  }
  return 0;
}
