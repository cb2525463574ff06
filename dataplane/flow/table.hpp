#pragma once
// A worker's flow table, with no locks (only its worker reads or writes it) and nothing allocated
// after start. Both the forward and the reply tuple of every flow (only the forward tuple of DR
// and TUN flows, whose replies bypass the gateway) lead to the flow's slot in a preallocated
// array of one-line flow records.
//
// The index is an array of 64-byte buckets of 10 entries: a 16-bit signature of the key's hash
// and a 32-bit reference (slot << 1 | direction). There is no key store: a signature match is
// confirmed against the key the flow record itself yields (forward_key()/reply_key()), so a
// found flow costs one bucket line and the record's line, which forwarding reads anyway.
//
// Overflow: a key lives in its home bucket (hash -> bucket) when that has a free entry, else in
// the first later bucket (wrapping) that has one; the home bucket counts such displaced keys and
// remembers how far the farthest went, and lookups look past the home bucket only while it has
// displaced keys. An insert therefore never fails while a flow slot is free: the index has more
// entries than keys. Sized at about half load, a key is in its home bucket all but rarely.

#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "dataplane/flow/flow.hpp"
#include "dataplane/flow/timeouts.hpp"
#include "dataplane/flow/timer_wheel.hpp"

namespace sluice {

struct flow_hit {
  uint32_t index;
  flow_dir dir;
};

class flow_table {
public:
  static constexpr unsigned k_max_bulk = 64;
  static constexpr unsigned k_bucket_entries = 10;

  // Throws std::runtime_error when memory cannot be reserved (init time only).
  flow_table(unsigned worker_id, uint32_t capacity, int socket_id, const flow_timeouts& timeouts);
  ~flow_table();
  flow_table(const flow_table&) = delete;
  flow_table& operator=(const flow_table&) = delete;

  // One key's way through a bulk lookup, in stages, each run over the whole burst before the
  // next so that the burst's loads are in flight together: prepare() (hash), fetch() (start the
  // bucket's load), match() (read the bucket, start the candidate record's load), then
  // confirm_bulk() (compare keys with the records).
  struct probe {
    flow_key key;
    uint32_t home; // bucket
    uint16_t sig;
    bool candidate; // match(): `ref` is the home bucket's first entry with the signature
    bool uncertain; // match(): a failed candidate needs the full search (more matches, displaced keys)
    uint32_t ref;
  };
  // Hashes the key from registers. Written word by word into `out`: a probe built elsewhere and
  // copied in would be assembled on the stack and moved with 16-byte loads that wait for the
  // 8-byte stores before them.
  void prepare(const flow_key::words& key, probe& out) const noexcept {
    const hashed h = hash(key);
    auto* words = reinterpret_cast<unsigned char*>(&out.key);
    for (std::size_t i = 0; i < key.size(); ++i)
      std::memcpy(words + i * sizeof(uint64_t), &key[i], sizeof(uint64_t));
    out.home = h.home;
    out.sig = h.sig;
  }
  // Not one packet's fetch() and match() between other work: see pipeline::process_burst().
  void fetch(const probe& p) const noexcept { rte_prefetch0(&buckets_[p.home]); }
  void match(probe& p) const noexcept;
  // Returns a bit mask of the probes found; hits[i] is valid for set bits only. Leaves the
  // records of the hits in cache.
  uint64_t confirm_bulk(const probe* probes, unsigned n, flow_hit* hits) const noexcept;

  // All stages for n <= k_max_bulk keys at once.
  uint64_t lookup_bulk(const flow_key* keys, unsigned n, flow_hit* hits) const noexcept;
  std::optional<flow_hit> lookup(const flow_key& key) const noexcept;

  // Inserts both tuples of `f`, whose forward tuple the caller has just looked up in vain.
  // Returns the new index, or -ENOSPC when every flow slot is taken, -EEXIST when the reply
  // tuple already belongs to another flow.
  int64_t insert(const flow& f) noexcept;
  // Starts the loads of the home buckets of f's tuples, for its insert() a while later.
  void prefetch_homes(const flow& f) const noexcept { fetch_homes(f); }
  void erase(uint32_t index) noexcept;

  flow& at(uint32_t index) noexcept { return flows_[index]; }
  const flow& at(uint32_t index) const noexcept { return flows_[index]; }
  uint32_t size() const noexcept { return capacity_ - free_count_; }
  // Flows erased so far: a hit found before an erase may name a slot another flow took since.
  uint64_t erasures() const noexcept { return erasures_; }
  uint32_t capacity() const noexcept { return capacity_; }
  // Idle time after which a flow in state `s` expires.
  uint64_t timeout_tsc(flow_state s) const noexcept {
    return timeout_tsc_[static_cast<std::size_t>(s)];
  }

  // When `f` expires: its last packet plus its state's timeout (TSC).
  uint64_t deadline(const flow& f) const noexcept { return f.last_seen + timeout_tsc(f.state); }

  // Erases the flows whose timers came due and that have been idle past their state's timeout
  // at `now`, calling on_expire(flow&) before each erase; a flow seen since its timer was armed
  // is re-armed at its real deadline instead. At most `budget` units of wheel work per call
  // (timer_wheel::advance), resuming where the last call stopped: the worker loop's latency
  // stays flat however large the table is, and no flow is read before its timer is due.
  // Returns the number of flows erased.
  //
  // Due flows are taken k_expire_batch at a time and their loads overlapped: the records first,
  // then the home buckets of those that expire — one at a time, each erase would wait for two
  // cold buckets in turn, a cost a table churning new flows pays on every expiry.
  template <typename OnExpire>
  unsigned expire(uint64_t now, unsigned budget, OnExpire&& on_expire) noexcept {
    unsigned erased = 0;
    for (;;) {
      uint32_t due[k_expire_batch];
      unsigned n = 0;
      for (uint32_t index; n < k_expire_batch && (index = wheel_->take_due(now, budget)) !=
                                                      timer_wheel::k_none;) {
        rte_prefetch0(&flows_[index]);
        due[n++] = index;
      }
      if (n == 0) return erased;
      tuple_homes homes[k_expire_batch];
      unsigned expiring = 0;
      for (unsigned i = 0; i < n; ++i) {
        const flow& f = flows_[due[i]];
        const uint64_t at = deadline(f);
        if (now < at) {
          wheel_->arm(due[i], at); // seen since its timer was armed
          continue;
        }
        homes[expiring] = fetch_homes(f);
        due[expiring++] = due[i];
      }
      for (unsigned i = 0; i < expiring; ++i) {
        on_expire(flows_[due[i]]);
        erase(due[i], homes[i]);
      }
      erased += expiring;
    }
  }
  static constexpr unsigned k_expire_batch = 16;
  // Moves the flow's timer to its deadline after a state change that shortened its timeout
  // (FIN, RST, an ACL reset); a longer timeout needs nothing (found when the old timer is due).
  void rearm(const flow& f) noexcept { wheel_->rearm(uint32_t(&f - flows_), deadline(f)); }

  // Bytes reserved per flow slot: record, index share, free-list entry and timer link.
  double bytes_per_flow() const noexcept;

  struct alignas(64) bucket {
    uint16_t sig[k_bucket_entries]; // 0: free entry (signatures are never 0)
    uint16_t displaced;             // keys whose home this is, stored in later buckets (saturates)
    uint16_t reach;                 // how many buckets after this one they may be (saturates)
    uint32_t ref[k_bucket_entries]; // slot << 1 | direction
  };
  static_assert(sizeof(bucket) == 64);

private:
  struct hashed {
    uint32_t home;
    uint16_t sig;
  };
  // Inlined: it is most of the work per key of a bulk lookup over a table that fits the cache.
  [[gnu::always_inline]] hashed hash(const flow_key::words& key) const noexcept {
    uint32_t h = seed_;
    for (const uint64_t x : key) h = crc32c_u64(h, x);
    // The high bits choose the bucket (any count, not only powers of two), the low 16 the
    // signature; 0 marks a free entry, so a zero signature becomes 1.
    const auto sig = uint16_t(h);
    return {uint32_t((uint64_t{h} * buckets_count_) >> 32), uint16_t(sig + (sig == 0))};
  }
  hashed hash(const flow_key& key) const noexcept {
    return hash(std::bit_cast<flow_key::words>(key));
  }
  static uint32_t crc32c_u64(uint32_t h, uint64_t x) noexcept {
#if defined(__SSE4_2__)
    return uint32_t(_mm_crc32_u64(h, x));
#else
    return rte_hash_crc_8byte(x, h);
#endif
  }
  // The hashes of a flow's tuples, whose home buckets' loads fetch_homes() has started.
  struct tuple_homes {
    hashed forward;
    hashed reply; // unused for a flow without a reply path
  };
  tuple_homes fetch_homes(const flow& f) const noexcept;
  void erase(uint32_t index, const tuple_homes& homes) noexcept;
  std::optional<flow_hit> find(const flow_key& key, hashed h) const noexcept;
  void place(hashed h, uint32_t ref) noexcept;
  void remove(hashed h, uint32_t ref) noexcept;
  uint32_t next_bucket(uint32_t b) const noexcept { return b + 1 == buckets_count_ ? 0 : b + 1; }
  uint32_t span(const bucket& home) const noexcept;

  bucket* buckets_ = nullptr;
  uint32_t buckets_count_;
  uint32_t seed_;
  flow* flows_ = nullptr;
  uint32_t* free_stack_ = nullptr;
  uint32_t capacity_;
  uint32_t free_count_;
  uint64_t erasures_ = 0;
  timer_link* timer_links_ = nullptr; // the wheel's, by flow slot then wheel slot
  std::optional<timer_wheel> wheel_;  // constructed once its links are reserved
  std::array<uint64_t, static_cast<std::size_t>(flow_state::count_)> timeout_tsc_{};
};

} // namespace sluice
