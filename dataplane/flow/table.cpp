#include "dataplane/flow/table.hpp"

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace sluice {
namespace {

// The hash stores the slot index and the direction in the data pointer: (index << 1) | dir.
void* encode(uint32_t index, flow_dir dir) noexcept {
  return reinterpret_cast<void*>((uintptr_t{index} << 1) | static_cast<uintptr_t>(dir));
}
flow_hit decode(void* data) noexcept {
  const auto v = reinterpret_cast<uintptr_t>(data);
  return {static_cast<uint32_t>(v >> 1), static_cast<flow_dir>(v & 1)};
}

} // namespace

flow_table::flow_table(unsigned worker_id, uint32_t capacity, int socket_id,
                       const flow_timeouts& t)
    : capacity_(capacity), free_count_(capacity) {
  const std::string name = "sluice_flows_" + std::to_string(worker_id);
  rte_hash_parameters params{};
  params.name = name.c_str();
  params.entries = 2 * capacity; // forward and reply tuple of every flow
  params.key_len = sizeof(flow_key);
  params.hash_func = rte_hash_crc;
  params.socket_id = socket_id;
  // Extendable buckets: an insert fails only when the table is really full, never because a
  // cuckoo path could not be found.
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  hash_ = rte_hash_create(&params);
  flows_ = static_cast<flow*>(
      rte_zmalloc_socket("sluice_flow_slots", sizeof(flow) * capacity, RTE_CACHE_LINE_SIZE,
                         socket_id));
  free_stack_ = static_cast<uint32_t*>(
      rte_malloc_socket("sluice_flow_free", sizeof(uint32_t) * capacity, 0, socket_id));
  if (hash_ == nullptr || flows_ == nullptr || free_stack_ == nullptr) {
    rte_hash_free(hash_);
    rte_free(flows_);
    rte_free(free_stack_);
    throw std::runtime_error("cannot reserve a flow table of " + std::to_string(capacity) +
                             " flows for worker " + std::to_string(worker_id));
  }
  // Pop order = ascending index, which keeps freshly used slots dense in memory.
  for (uint32_t i = 0; i < capacity; ++i) free_stack_[i] = capacity - 1 - i;

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
  rte_hash_free(hash_);
  rte_free(flows_);
  rte_free(free_stack_);
}

uint64_t flow_table::lookup_bulk(const flow_key* keys, unsigned n, flow_hit* hits) const noexcept {
  const void* key_ptrs[k_max_bulk];
  void* data[k_max_bulk];
  for (unsigned i = 0; i < n; ++i) key_ptrs[i] = &keys[i];
  uint64_t mask = 0;
  rte_hash_lookup_bulk_data(hash_, key_ptrs, n, &mask, data);
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(m));
    hits[i] = decode(data[i]);
  }
  return mask;
}

std::optional<flow_hit> flow_table::lookup(const flow_key& key) const noexcept {
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &key, &data) < 0) return std::nullopt;
  return decode(data);
}

int64_t flow_table::insert(const flow& f) noexcept {
  if (free_count_ == 0) return -ENOSPC;
  const flow_key fwd = f.forward_key();
  const flow_key rev = f.reply_key();
  const bool reply = has_reply_path(f.mode);
  // rte_hash_add_key_data() overwrites an existing key; a reply tuple owned by another flow
  // (same client ip:port reaching one backend through two VIPs) must not be stolen.
  if (reply && rte_hash_lookup(hash_, &rev) >= 0) return -EEXIST;
  const uint32_t idx = free_stack_[free_count_ - 1];
  if (rte_hash_add_key_data(hash_, &fwd, encode(idx, flow_dir::forward)) != 0) return -ENOSPC;
  if (reply && rte_hash_add_key_data(hash_, &rev, encode(idx, flow_dir::reply)) != 0) {
    rte_hash_del_key(hash_, &fwd);
    return -ENOSPC;
  }
  --free_count_;
  flows_[idx] = f;
  return idx;
}

void flow_table::erase(uint32_t index) noexcept {
  flow& f = flows_[index];
  const flow_key fwd = f.forward_key();
  const flow_key rev = f.reply_key();
  rte_hash_del_key(hash_, &fwd);
  if (has_reply_path(f.mode)) rte_hash_del_key(hash_, &rev);
  f.state = flow_state::free;
  free_stack_[free_count_++] = index;
}

} // namespace sluice
