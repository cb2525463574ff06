#pragma once
// List-then-watch of one resource collection, as client-go's reflector does it:
//  LIST in pages (limit/continue) → the sink gets the whole collection (it diffs against its
//  cache, so deletions missed while disconnected are noticed) → WATCH from the list's
//  resourceVersion with bookmarks and timeoutSeconds → each event to the sink; the watch is
//  re-opened from the last resourceVersion seen (events and bookmarks advance it; it is an
//  opaque string, never compared).
// 410 Gone, as an HTTP status or as an in-stream ERROR event, means that resourceVersion is
// compacted away: relist. 429 waits for Retry-After. 5xx, resets and refused connections back
// off exponentially with full jitter. 401 makes the client re-read its token.

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "control/k8s/http.hpp"

namespace sluice::k8s {

enum class resource : uint8_t { services, endpoint_slices, nodes };
std::string_view name_of(resource r) noexcept;
std::string collection_path(resource r); // "/api/v1/services", ...

class watch_sink {
public:
  virtual ~watch_sink() = default;
  // The whole collection, after every LIST (the first, and each relist).
  virtual void listed(resource r, std::vector<nlohmann::json> items) = 0;
  // One ADDED / MODIFIED / DELETED event.
  virtual void changed(resource r, const std::string& type, const nlohmann::json& object) = 0;
  // Something went wrong talking to the API server (logged by the sink; state is kept).
  virtual void trouble(resource r, const std::string& what) = 0;
};

struct watch_options {
  uint32_t page_size = 500;
  uint32_t timeout_seconds = 300;
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{30'000};
};

struct watch_counters {
  std::atomic<uint64_t> lists{0};
  std::atomic<uint64_t> watches{0};
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> bookmarks{0};
  std::atomic<uint64_t> expired{0}; // 410s, either kind
  std::atomic<uint64_t> errors{0};
};

class resource_watcher {
public:
  resource_watcher(api_client& api, resource r, watch_sink& sink, watch_options opt)
      : api_(api), r_(r), sink_(sink), opt_(opt) {}

  // Runs until `stop`; never throws.
  void run(const std::atomic<bool>& stop);
  const watch_counters& counters() const noexcept { return counters_; }

private:
  enum class outcome { ok, expired, retry_after, failed, stopped };
  outcome list(const std::atomic<bool>& stop, std::string& rv);
  outcome watch(const std::atomic<bool>& stop, std::string& rv);
  void pause(const std::atomic<bool>& stop, std::chrono::milliseconds d);
  std::chrono::milliseconds next_backoff();

  api_client& api_;
  resource r_;
  watch_sink& sink_;
  watch_options opt_;
  watch_counters counters_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::milliseconds retry_after_{0};
};

} // namespace sluice::k8s
