// The worker's flow table on its own: EAL without hugepages (the table reserves its memory with
// rte_malloc), random keys, properties checked against single lookups and a std::unordered_map.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataplane/flow/table.hpp"

namespace sluice {
namespace {

void start_eal() {
  static const bool started = [] {
    const std::string prefix = "--file-prefix=flowtab" + std::to_string(getpid());
    const char* args[] = {"flow_table_test", "--no-huge", "-m", "768", "--no-pci", "--no-shconf",
                          "--no-telemetry", "--log-level=lib.eal:error", prefix.c_str()};
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    if (rte_eal_init(int(argv.size()), argv.data()) < 0) throw std::runtime_error("EAL init");
    return true;
  }();
  (void)started;
}

class FlowTable : public ::testing::Test {
protected:
  static void SetUpTestSuite() { start_eal(); }
};

constexpr uint32_t k_vip = 0x0a00000a;
constexpr uint32_t k_backend = 0x0a000101;

// A flow whose tuples are all distinct for distinct n: client address n scrambled by a bijection.
flow flow_for(uint32_t n, forwarding mode = forwarding::nat, uint32_t vip = k_vip) {
  return flow{
      .client_addr = (n * 0x9e3779b1u) ^ 0x5bd1e995u,
      .vip = vip,
      .backend_addr = k_backend,
      .client_port = uint16_t(1024 + n % 50000),
      .vip_port = 80,
      .backend_port = 8080,
      .proto = IPPROTO_TCP,
      .state = flow_state::tcp_established,
      .service_slot = 0,
      .backend_slot = 0,
      .mode = mode,
      .last_seen = 0,
      .local_addr = mode == forwarding::fnat ? 0x0a0001feu : 0,
      .local_port = mode == forwarding::fnat ? uint16_t(n % 60000 + 1) : uint16_t(0),
  };
}

void expect_hit(const flow_table& t, const flow_key& k, uint32_t index, flow_dir dir) {
  const auto hit = t.lookup(k);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->index, index);
  EXPECT_EQ(hit->dir, dir);
}

TEST_F(FlowTable, BothDirectionsOfANatFlowAreFindableAndDrFlowsOnlyForward) {
  flow_table t(0, 1024, SOCKET_ID_ANY, {});
  const flow nat = flow_for(1);
  const flow fnat = flow_for(2, forwarding::fnat);
  const flow dr = flow_for(3, forwarding::dr);
  const int64_t a = t.insert(nat), b = t.insert(fnat), c = t.insert(dr);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_GE(c, 0);
  expect_hit(t, nat.forward_key(), uint32_t(a), flow_dir::forward);
  expect_hit(t, nat.reply_key(), uint32_t(a), flow_dir::reply);
  expect_hit(t, fnat.forward_key(), uint32_t(b), flow_dir::forward);
  expect_hit(t, fnat.reply_key(), uint32_t(b), flow_dir::reply);
  expect_hit(t, dr.forward_key(), uint32_t(c), flow_dir::forward);
  EXPECT_FALSE(t.lookup(dr.reply_key()));
  EXPECT_EQ(t.size(), 3u);
}

TEST_F(FlowTable, EraseFreesBothTuplesAndTheSlot) {
  flow_table t(0, 1024, SOCKET_ID_ANY, {});
  const flow f = flow_for(7);
  const int64_t i = t.insert(f);
  ASSERT_GE(i, 0);
  t.erase(uint32_t(i));
  EXPECT_FALSE(t.lookup(f.forward_key()));
  EXPECT_FALSE(t.lookup(f.reply_key()));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.at(uint32_t(i)).state, flow_state::free);
  EXPECT_EQ(t.insert(f), i) << "the freed slot is the next one handed out";
}

// The table keeps its half-open list itself on insert and erase (expiry, flush and eviction all
// erase), so that a slot freed and taken again is never offered for eviction by a stale entry.
TEST_F(FlowTable, OnlyFlowsStillInSynRecvAreHalfOpenOldestFirst) {
  flow_table t(0, 1024, SOCKET_ID_ANY, {});
  auto half_open = [](uint32_t n) {
    flow f = flow_for(n);
    f.state = flow_state::tcp_syn_recv;
    return f;
  };
  const int64_t a = t.insert(half_open(1));
  const int64_t established = t.insert(flow_for(2));
  const int64_t b = t.insert(half_open(3));
  const int64_t c = t.insert(half_open(4));
  ASSERT_GE(a, 0);
  ASSERT_GE(established, 0);
  ASSERT_GE(b, 0);
  ASSERT_GE(c, 0);
  EXPECT_EQ(t.half_open(), 3u) << "an established flow is never half-open";
  EXPECT_EQ(t.oldest_half_open(), uint32_t(a));

  // a's handshake completes: b is the oldest still half-open.
  t.leaves_half_open(t.at(uint32_t(a)));
  t.at(uint32_t(a)).state = flow_state::tcp_established;
  EXPECT_EQ(t.half_open(), 2u);
  EXPECT_EQ(t.oldest_half_open(), uint32_t(b));

  // b ends (expired or flushed) and a new half-open flow takes its slot: the newest, not the
  // oldest.
  t.erase(uint32_t(b));
  EXPECT_EQ(t.half_open(), 1u);
  EXPECT_EQ(t.insert(half_open(5)), b);
  EXPECT_EQ(t.half_open(), 2u);
  EXPECT_EQ(t.oldest_half_open(), uint32_t(c));

  // Erasing established flows leaves the half-open ones alone.
  t.erase(uint32_t(a));
  t.erase(uint32_t(established));
  EXPECT_EQ(t.half_open(), 2u);
  t.erase(uint32_t(c));
  EXPECT_EQ(t.oldest_half_open(), uint32_t(b));
  t.erase(uint32_t(b));
  EXPECT_EQ(t.half_open(), 0u);
  EXPECT_EQ(t.oldest_half_open(), half_open_list::k_none);
}

TEST_F(FlowTable, AReplyTupleOwnedByAnotherFlowIsEexistAndLeftAlone) {
  flow_table t(0, 1024, SOCKET_ID_ANY, {});
  // Same client ip:port reaching the same backend through two VIPs: one reply tuple.
  const flow first = flow_for(9, forwarding::nat, k_vip);
  const flow second = flow_for(9, forwarding::nat, k_vip + 1);
  ASSERT_EQ(first.reply_key(), second.reply_key());
  const int64_t i = t.insert(first);
  ASSERT_GE(i, 0);
  EXPECT_EQ(t.insert(second), -EEXIST);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_FALSE(t.lookup(second.forward_key()));
  expect_hit(t, first.reply_key(), uint32_t(i), flow_dir::reply);
}

TEST_F(FlowTable, IPv4KeysAreStoredIPv4MappedAndNeverEqualAnIPv6Key) {
  const flow_key k = flow_key::ipv4(0x0100000a, 0x0200000a, 1, 2, IPPROTO_UDP);
  uint8_t src[16];
  std::memcpy(src, &k.src_addr, 16);
  const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x0a, 0, 0, 1};
  EXPECT_EQ(std::memcmp(src, mapped, 16), 0);
  flow_key v6 = k;
  v6.src_addr.w[2] = 0; // ::10.0.0.1, the deprecated IPv4-compatible form: another address
  EXPECT_NE(k, v6);
}

// Fills with random flows until every slot is taken: no insert may fail before capacity, the
// next one is -ENOSPC, and none of the established flows was displaced by it.
void fill_to_capacity(uint32_t capacity, uint32_t seed) {
  flow_table t(0, capacity, SOCKET_ID_ANY, {});
  std::vector<uint32_t> ids(capacity);
  std::mt19937 rng(seed);
  for (uint32_t i = 0; i < capacity; ++i) {
    ids[i] = uint32_t(rng());
    const int64_t r = t.insert(flow_for(ids[i]));
    if (r == -EEXIST) { // a repeated random id: a distinct one instead
      ids[i] = ids[i - 1] + 0x10000;
      --i;
      continue;
    }
    ASSERT_GE(r, 0) << "insert " << i << " of " << capacity;
  }
  EXPECT_EQ(t.size(), capacity);
  EXPECT_EQ(t.insert(flow_for(uint32_t(rng()) | 1)), -ENOSPC);
  for (uint32_t i = 0; i < capacity; i += 1 + capacity / 4096) {
    const flow f = flow_for(ids[i]);
    const auto fwd = t.lookup(f.forward_key());
    ASSERT_TRUE(fwd.has_value()) << i;
    expect_hit(t, f.reply_key(), fwd->index, flow_dir::reply);
  }
}

TEST_F(FlowTable, FillsToCapacityWithRandomKeysWithoutAFailedInsert) {
  for (const uint32_t capacity : {1024u, 1000u, 4099u, 100003u, 1u << 20})
    fill_to_capacity(capacity, capacity);
}

uint64_t bits(const flow_key& k) {
  uint64_t w[5];
  std::memcpy(w, &k, sizeof w);
  uint64_t h = 0;
  for (const uint64_t x : w) h = (h ^ x) * 0x100000001b3ull;
  return h;
}
struct key_hash {
  std::size_t operator()(const flow_key& k) const { return bits(k); }
};

// Random inserts (NAT, full-NAT, DR), erases and lookups against a model, on a small table kept
// nearly full so that buckets overflow and displaced keys come and go.
TEST_F(FlowTable, RandomOperationsAgreeWithAMapModel) {
  constexpr uint32_t k_capacity = 1000;
  flow_table t(0, k_capacity, SOCKET_ID_ANY, {});
  std::unordered_map<flow_key, flow_hit, key_hash> model;
  std::vector<uint32_t> live;
  std::mt19937 rng(42);
  const forwarding modes[] = {forwarding::nat, forwarding::fnat, forwarding::dr};
  for (int op = 0; op < 300000; ++op) {
    const uint32_t r = rng();
    if (r % 8 < 4 || live.empty()) {
      const flow f = flow_for(rng() % 20000, modes[r % 3]);
      if (model.contains(f.forward_key())) continue;
      const int64_t i = t.insert(f);
      const bool reply = has_reply_path(f.mode);
      if (live.size() == k_capacity) {
        ASSERT_EQ(i, -ENOSPC);
      } else if (reply && model.contains(f.reply_key())) {
        ASSERT_EQ(i, -EEXIST);
      } else {
        ASSERT_GE(i, 0);
        model[f.forward_key()] = {uint32_t(i), flow_dir::forward};
        if (reply) model[f.reply_key()] = {uint32_t(i), flow_dir::reply};
        live.push_back(uint32_t(i));
      }
    } else if (r % 8 < 7) {
      const std::size_t at = rng() % live.size();
      const flow& f = t.at(live[at]);
      model.erase(f.forward_key());
      if (has_reply_path(f.mode)) model.erase(f.reply_key());
      t.erase(live[at]);
      live[at] = live.back();
      live.pop_back();
    } else {
      const flow f = flow_for(rng() % 20000, modes[r % 3]);
      for (const flow_key& k : {f.forward_key(), f.reply_key()}) {
        const auto want = model.find(k);
        const auto got = t.lookup(k);
        ASSERT_EQ(got.has_value(), want != model.end());
        if (got) {
          EXPECT_EQ(got->index, want->second.index);
          EXPECT_EQ(got->dir, want->second.dir);
        }
      }
    }
    ASSERT_EQ(t.size(), live.size());
  }
}

// lookup_bulk() answers exactly what lookup() answers, key by key, on mixes of forward, reply
// and absent keys of every burst size up to the maximum.
TEST_F(FlowTable, BulkLookupEqualsSingleLookupsOnRandomMixes) {
  constexpr uint32_t k_capacity = 4096;
  flow_table t(0, k_capacity, SOCKET_ID_ANY, {});
  std::mt19937 rng(7);
  for (uint32_t i = 0; i < k_capacity; ++i) t.insert(flow_for(i));
  flow_key keys[flow_table::k_max_bulk];
  flow_hit hits[flow_table::k_max_bulk];
  for (int round = 0; round < 2000; ++round) {
    const unsigned n = 1 + rng() % flow_table::k_max_bulk;
    for (unsigned j = 0; j < n; ++j) {
      const flow f = flow_for(rng() % (2 * k_capacity)); // half of them absent
      keys[j] = rng() % 2 ? f.forward_key() : f.reply_key();
    }
    const uint64_t found = t.lookup_bulk(keys, n, hits);
    if (n < 64) {
      EXPECT_EQ(found >> n, 0u) << "bits past the burst";
    }
    for (unsigned j = 0; j < n; ++j) {
      const auto one = t.lookup(keys[j]);
      ASSERT_EQ(one.has_value(), bool(found >> j & 1)) << "key " << j << " of " << n;
      if (one) {
        EXPECT_EQ(hits[j].index, one->index);
        EXPECT_EQ(hits[j].dir, one->dir);
      }
    }
  }
}

} // namespace
} // namespace sluice
