#pragma once
// Bookkeeping for IPv4 reassembly on one worker: which fragments of which datagrams have
// arrived, and whether they make a whole. Pure logic on offsets and lengths, no mbufs: the worker
// copies each fragment's payload into the buffer it keeps for the slot (pipeline/reassemble.cpp), so
// no fragment mbuf is ever held and the RX pool cannot be drained by incomplete datagrams.
//
// Policy (Linux net/ipv4/ip_fragment.c after the FragmentSmack fixes, RFC 5722's rule applied to
// IPv4): a fragment that overlaps another of its datagram, even an exact duplicate, discards the
// whole datagram — overlap is never needed by an honest sender and is how the tiny-fragment and
// overlap attacks of RFC 1858 rewrite a header the first fragment showed. A datagram waits at most
// `timeout` from its first fragment. The table holds a fixed number of datagrams (slots) and a
// fixed number of fragments per datagram; nothing is allocated after construction.

#include <cstdint>
#include <optional>
#include <vector>

#include "dataplane/stats/drop_reason.hpp"

namespace sluice {

// What identifies the fragments of one datagram (RFC 791): addresses, protocol, IP id.
struct frag_key {
  uint32_t src; // network byte order
  uint32_t dst; // network byte order
  uint16_t id;  // as on the wire
  uint8_t proto;
  bool operator==(const frag_key&) const = default;
};

// One fragment as its IPv4 header describes it.
struct frag_piece {
  uint32_t offset;     // bytes from the start of the datagram's payload
  uint32_t len;        // payload bytes
  bool more;           // MF set
  uint8_t header_len;  // its IPv4 header length (the first fragment's becomes the datagram's)
};

struct frag_outcome {
  enum class kind : uint8_t {
    held,      // stored: the caller copies the payload into the slot's buffer
    complete,  // stored and the datagram is whole: copy, then take the datagram and release()
    refused,   // this fragment alone is dropped (`reason`); no slot changed
    discarded, // the slot's datagram is dropped with this fragment (`reason`, `fragments` of it)
  };
  kind what;
  drop_reason reason = drop_reason::ip_frag_malformed; // refused / discarded
  uint32_t slot = 0;
  bool opened = false;    // held/complete: the slot is new, the caller attaches a buffer to it
  uint16_t fragments = 0; // discarded: fragments of the datagram dropped, this one included
  uint32_t total = 0;     // complete: payload bytes of the whole datagram
  uint8_t header_len = 0; // complete: the first fragment's IPv4 header length
  uint16_t largest = 0;   // complete: IPv4 total length of the datagram's biggest fragment
};

class reassembly_table {
public:
  // A datagram of more fragments than this is refused (ip_frag_too_many): 64 covers a 64 KiB
  // datagram cut for a 1500-byte MTU (45 fragments) with room to spare.
  static constexpr unsigned k_max_fragments = 64;

  // `max_payload`: largest reassembled payload the caller's buffers hold (ip_frag_too_big
  // beyond). `timeout`: in the caller's time unit (TSC cycles on workers).
  reassembly_table(uint32_t slots, uint32_t max_payload, uint64_t timeout);

  // Records `piece` of the datagram `key` at time `now`.
  frag_outcome add(const frag_key& key, const frag_piece& piece, uint64_t now) noexcept;

  // Frees `slot` (after the caller took a complete datagram, or could not attach a buffer).
  void release(uint32_t slot) noexcept;

  // Frees every slot whose datagram is older than the timeout; `on_expired(slot, fragments)` is
  // called first so the caller can free the slot's buffer and count the fragments.
  template <class F>
  unsigned expire(uint64_t now, F&& on_expired) noexcept {
    unsigned n = 0;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      slot& s = slots_[i];
      if (!s.in_use || now - s.first_seen < timeout_) continue;
      on_expired(i, uint16_t(s.count));
      release(i);
      ++n;
    }
    return n;
  }

  uint32_t capacity() const noexcept { return uint32_t(slots_.size()); }
  uint32_t in_use() const noexcept { return used_; }

private:
  struct range {
    uint32_t begin, end; // [begin, end) in payload bytes
  };
  struct slot {
    frag_key key;
    uint64_t first_seen;
    uint32_t total;    // payload length, known once the last fragment arrived (else 0)
    uint32_t received; // payload bytes stored
    uint32_t max_end;  // furthest byte any fragment reached
    uint16_t largest;  // IPv4 total length of the biggest fragment
    uint16_t count;
    uint8_t header_len; // of the first fragment, 0 until it arrived
    bool in_use;
    range pieces[k_max_fragments];
  };

  std::optional<uint32_t> find(const frag_key& key) const noexcept;
  std::optional<uint32_t> open(const frag_key& key, uint64_t now) noexcept;
  frag_outcome discard(uint32_t slot, drop_reason why) noexcept;

  std::vector<slot> slots_;
  uint32_t max_payload_;
  uint64_t timeout_;
  uint32_t used_ = 0;
};

} // namespace sluice
