#pragma once
// Stable counter slots for services and backends. A service keeps its slot (and so its counters
// and scheduler state on every worker) across republications for as long as it exists; a freed
// slot goes to the back of the queue, so a draining backend's flows keep counting into a slot
// that no new backend shares until every other slot has been used.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace sluice {

class slot_registry {
public:
  explicit slot_registry(uint32_t capacity) {
    for (uint32_t i = 0; i < capacity; ++i) free_.push_back(i);
  }

  // The slot of `key`, allocating one if it has none; nullopt when every slot is taken.
  std::optional<uint32_t> acquire(const std::string& key) {
    if (auto it = used_.find(key); it != used_.end()) return it->second;
    if (free_.empty()) return std::nullopt;
    const uint32_t slot = free_.front();
    free_.pop_front();
    used_.emplace(key, slot);
    return slot;
  }

  // Releases the slot of `key`, if it has one.
  void release(const std::string& key) {
    if (auto it = used_.find(key); it != used_.end()) {
      free_.push_back(it->second);
      used_.erase(it);
    }
  }

  std::size_t free_count() const noexcept { return free_.size(); }
  std::optional<uint32_t> find(const std::string& key) const {
    const auto it = used_.find(key);
    return it == used_.end() ? std::nullopt : std::optional(it->second);
  }
  bool holds(const std::string& key) const { return used_.count(key) != 0; }

  // Releases every slot whose key is not in `live`.
  void retain_only(const std::set<std::string>& live) {
    for (auto it = used_.begin(); it != used_.end();) {
      if (live.count(it->first)) {
        ++it;
      } else {
        free_.push_back(it->second);
        it = used_.erase(it);
      }
    }
  }

  std::size_t in_use() const noexcept { return used_.size(); }

private:
  std::map<std::string, uint32_t> used_;
  std::deque<uint32_t> free_;
};

} // namespace sluice
