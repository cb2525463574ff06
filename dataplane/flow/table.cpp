#include "dataplane/flow/table.hpp"

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sluice {
namespace {

// Index entries per flow slot: two keys per flow at half load. With 10-entry buckets at half
// load a bucket overflows rarely (Poisson(5) > 10: ~1.4% of buckets), so nearly every lookup
// reads one bucket line.
constexpr uint64_t k_entries_per_flow = 4;

constexpr uint16_t k_saturated = 0xffff;

uint32_t encode(uint32_t index, flow_dir dir) noexcept {
  return (index << 1) | static_cast<uint32_t>(dir);
}
flow_hit decode(uint32_t ref) noexcept { return {ref >> 1, static_cast<flow_dir>(ref & 1)}; }

// Bit 2i set when entry i's signature equals `sig` (two bits per entry: the SSE mask's layout).
unsigned matching_entries(const flow_table::bucket& b, uint16_t sig) noexcept {
#if defined(__SSE2__)
  // Two overlapping 16-byte loads cover the 10 signatures (bytes 0..19); movemask yields two
  // bits per 16-bit lane, of which the even one is kept.
  const __m128i s = _mm_set1_epi16(static_cast<short>(sig));
  const auto* p = reinterpret_cast<const uint8_t*>(b.sig);
  const unsigned lo = unsigned(_mm_movemask_epi8(
      _mm_cmpeq_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(p)), s)));
  const unsigned hi = unsigned(_mm_movemask_epi8(
      _mm_cmpeq_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4)), s)));
  return (lo | (hi << 4)) & 0x55555u;
#else
  unsigned m = 0;
  for (unsigned i = 0; i < flow_table::k_bucket_entries; ++i)
    m |= unsigned(b.sig[i] == sig) << (2 * i);
  return m;
#endif
}

unsigned entry_of(unsigned mask) noexcept { return unsigned(__builtin_ctz(mask)) / 2; }

bool same_key(const flow_key& a, const flow_key& b) noexcept {
  uint64_t x[5], y[5];
  std::memcpy(x, &a, sizeof x);
  std::memcpy(y, &b, sizeof y);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}
static_assert(sizeof(flow_key) == 5 * sizeof(uint64_t));

} // namespace

flow_table::flow_table(unsigned worker_id, uint32_t capacity, int socket_id,
                       const flow_timeouts& t)
    : buckets_count_(uint32_t(std::max<uint64_t>(
          1, (k_entries_per_flow * capacity + k_bucket_entries - 1) / k_bucket_entries))),
      // A per-table seed: which tuples share a bucket cannot be worked out from outside.
      seed_(uint32_t(rte_rand())), capacity_(capacity), free_count_(capacity) {
  buckets_ = static_cast<bucket*>(rte_zmalloc_socket(
      "sluice_flow_index", sizeof(bucket) * buckets_count_, RTE_CACHE_LINE_SIZE, socket_id));
  flows_ = static_cast<flow*>(rte_zmalloc_socket("sluice_flow_slots", sizeof(flow) * capacity,
                                                 RTE_CACHE_LINE_SIZE, socket_id));
  free_stack_ = static_cast<uint32_t*>(
      rte_malloc_socket("sluice_flow_free", sizeof(uint32_t) * capacity, 0, socket_id));
  const timer_geometry wheel = timer_geometry::covering(rte_get_tsc_hz(), k_wheel_horizon_seconds);
  timer_links_ = static_cast<timer_link*>(rte_malloc_socket(
      "sluice_flow_timers", sizeof(timer_link) * wheel.links_for(capacity), RTE_CACHE_LINE_SIZE,
      socket_id));
  half_open_links_ = static_cast<half_open_link*>(rte_malloc_socket(
      "sluice_flow_half_open", sizeof(half_open_link) * half_open_list::links_for(capacity),
      RTE_CACHE_LINE_SIZE, socket_id));
  if (buckets_ == nullptr || flows_ == nullptr || free_stack_ == nullptr ||
      timer_links_ == nullptr || half_open_links_ == nullptr) {
    rte_free(buckets_);
    rte_free(flows_);
    rte_free(free_stack_);
    rte_free(timer_links_);
    rte_free(half_open_links_);
    throw std::runtime_error("cannot reserve a flow table of " + std::to_string(capacity) +
                             " flows for worker " + std::to_string(worker_id));
  }
  // Pop order = ascending index, which keeps freshly used slots dense in memory.
  for (uint32_t i = 0; i < capacity; ++i) free_stack_[i] = capacity - 1 - i;
  wheel_.emplace(timer_links_, capacity, wheel, rte_rdtsc());
  half_open_.emplace(half_open_links_, capacity);

  const uint64_t hz = rte_get_tsc_hz();
  auto set = [&](flow_state s, uint32_t seconds) {
    timeout_tsc_[static_cast<std::size_t>(s)] = hz * seconds;
  };
  set(flow_state::udp, t.udp);
  set(flow_state::tcp_syn_recv, t.tcp_syn_recv);
  set(flow_state::tcp_established, t.tcp_established);
  set(flow_state::tcp_fin_wait, t.tcp_fin_wait);
  set(flow_state::tcp_close, t.tcp_close);
}

flow_table::~flow_table() {
  rte_free(buckets_);
  rte_free(flows_);
  rte_free(free_stack_);
  rte_free(timer_links_);
  rte_free(half_open_links_);
}

double flow_table::bytes_per_flow() const noexcept {
  return double(sizeof(bucket)) * buckets_count_ / capacity_ + sizeof(flow) + sizeof(uint32_t) +
         sizeof(timer_link) + sizeof(half_open_link);
}

uint32_t flow_table::span(const bucket& home) const noexcept {
  return home.reach == k_saturated ? buckets_count_ - 1 : home.reach;
}

std::optional<flow_hit> flow_table::find(const flow_key& key, hashed h) const noexcept {
  const bucket& home = buckets_[h.home];
  const uint32_t last = span(home);
  uint32_t b = h.home;
  for (uint32_t d = 0;; ++d, b = next_bucket(b)) {
    const bucket& bk = buckets_[b];
    for (unsigned m = matching_entries(bk, h.sig); m != 0; m &= m - 1) {
      const flow_hit hit = decode(bk.ref[entry_of(m)]);
      if (same_key(flows_[hit.index].key(hit.dir), key)) return hit;
    }
    if (d == last) return std::nullopt;
  }
}

void flow_table::place(hashed h, uint32_t ref) noexcept {
  bucket& home = buckets_[h.home];
  uint32_t b = h.home;
  // Terminates: the index has at least twice as many entries as keys.
  for (uint32_t d = 0;; ++d, b = next_bucket(b)) {
    bucket& bk = buckets_[b];
    const unsigned free_entries = matching_entries(bk, 0);
    if (free_entries == 0) continue;
    const unsigned e = entry_of(free_entries);
    bk.sig[e] = h.sig;
    bk.ref[e] = ref;
    if (d != 0) {
      if (home.displaced != k_saturated) ++home.displaced;
      home.reach = uint16_t(std::max<uint32_t>(home.reach, std::min<uint32_t>(d, k_saturated)));
    }
    return;
  }
}

void flow_table::remove(hashed h, uint32_t ref) noexcept {
  bucket& home = buckets_[h.home];
  const uint32_t last = span(home);
  uint32_t b = h.home;
  for (uint32_t d = 0; d <= last; ++d, b = next_bucket(b)) {
    bucket& bk = buckets_[b];
    for (unsigned m = matching_entries(bk, h.sig); m != 0; m &= m - 1) {
      const unsigned e = entry_of(m);
      if (bk.ref[e] != ref) continue;
      bk.sig[e] = 0;
      // A saturated count is no longer exact: it stays, and so does the reach.
      if (d != 0 && home.displaced != k_saturated && --home.displaced == 0) home.reach = 0;
      return;
    }
  }
}

uint64_t flow_table::lookup_bulk(const flow_key* keys, unsigned n, flow_hit* hits) const noexcept {
  probe p[k_max_bulk];
  for (unsigned i = 0; i < n; ++i) {
    prepare(std::bit_cast<flow_key::words>(keys[i]), p[i]);
    fetch(p[i]);
  }
  for (unsigned i = 0; i < n; ++i) match(p[i]);
  return confirm_bulk(p, n, hits);
}

void flow_table::match(probe& p) const noexcept {
  const bucket& bk = buckets_[p.home];
  const unsigned m = matching_entries(bk, p.sig);
  p.candidate = m != 0;
  if (m != 0) {
    p.ref = bk.ref[entry_of(m)];
    rte_prefetch0(&flows_[p.ref >> 1]);
  }
  p.uncertain = (m & (m - 1)) != 0 || bk.reach != 0;
}

uint64_t flow_table::confirm_bulk(const probe* p, unsigned n, flow_hit* hits) const noexcept {
  uint64_t found = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (!p[i].candidate) continue;
    const flow_hit hit = decode(p[i].ref);
    if (!same_key(flows_[hit.index].key(hit.dir), p[i].key)) continue;
    hits[i] = hit;
    found |= uint64_t{1} << i;
  }
  for (unsigned i = 0; i < n; ++i) {
    if (!p[i].uncertain || (found & (uint64_t{1} << i))) continue;
    if (const auto hit = find(p[i].key, {p[i].home, p[i].sig})) {
      hits[i] = *hit;
      found |= uint64_t{1} << i;
    }
  }
  return found;
}

std::optional<flow_hit> flow_table::lookup(const flow_key& key) const noexcept {
  return find(key, hash(key));
}

int64_t flow_table::insert(const flow& f) noexcept {
  if (free_count_ == 0) return -ENOSPC;
  const bool reply = has_reply_path(f.mode);
  // The forward tuple's home bucket is in cache from the lookup that missed; the reply tuple's
  // is not: start its load first. One probe of it both refuses a reply tuple owned by another
  // flow (same client ip:port reaching one backend through two VIPs, or a full-NAT local port
  // in use towards that backend) and leaves the line in cache for place().
  hashed rev{};
  if (reply) {
    rev = hash(f.reply_key());
    rte_prefetch0(&buckets_[rev.home]);
  }
  const hashed fwd = hash(f.forward_key());
  if (reply && find(f.reply_key(), rev)) return -EEXIST;
  const uint32_t idx = free_stack_[--free_count_];
  flows_[idx] = f;
  place(fwd, encode(idx, flow_dir::forward));
  if (reply) place(rev, encode(idx, flow_dir::reply));
  wheel_->arm(idx, deadline(f));
  if (f.state == flow_state::tcp_syn_recv) half_open_->push(idx);
  return idx;
}

flow_table::tuple_homes flow_table::fetch_homes(const flow& f) const noexcept {
  tuple_homes homes{.forward = hash(f.forward_key()), .reply = {}};
  rte_prefetch0(&buckets_[homes.forward.home]);
  if (has_reply_path(f.mode)) {
    homes.reply = hash(f.reply_key());
    rte_prefetch0(&buckets_[homes.reply.home]);
  }
  return homes;
}

void flow_table::erase(uint32_t index) noexcept {
  // Both home buckets are usually cold (a flow erased outside expiry is one that closed or was
  // flushed): load them together rather than one after the other.
  erase(index, fetch_homes(flows_[index]));
}

void flow_table::erase(uint32_t index, const tuple_homes& homes) noexcept {
  flow& f = flows_[index];
  remove(homes.forward, encode(index, flow_dir::forward));
  if (has_reply_path(f.mode)) remove(homes.reply, encode(index, flow_dir::reply));
  if (f.state == flow_state::tcp_syn_recv) half_open_->remove(index);
  f.state = flow_state::free;
  wheel_->disarm(index);
  free_stack_[free_count_++] = index;
  ++erasures_;
}

} // namespace sluice
