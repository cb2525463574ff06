#pragma once
// List-then-watch of one resource collection, as client-go's reflector does it:
//  LIST in pages (limit/continue) → the sink gets the whole collection (it diffs against its
//  cache, so deletions missed while disconnected are noticed) → WATCH from the list's
//  resourceVersion with bookmarks and timeoutSeconds → each event to the sink; the watch is
//  re-opened from the last resourceVersion seen (events and bookmarks advance it; it is an
//  opaque string, never compared).
// 410 Gone — as the status of a WATCH, as an in-stream ERROR event, or on a LIST page whose
// continue token expired — means that resourceVersion is gone: the collection is listed again
// from the start (a half-read list is never handed over). Every other failure (unreachable,
// timeouts, cut streams, 401/403, 429, 5xx, answers that do not parse, a watch ended at once
// with nothing in it) waits with exponential backoff and jitter, at least the server's
// Retry-After (k8s/retry.hpp), and retries what failed; a 401 also makes the client re-read its
// token. The backoff starts over once the server delivers again. The first relist after a 410
// goes at once; a server answering 410 again before anything else is asked with backoff too,
// so no answer of the server's makes the watcher ask in a loop.

#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "control/k8s/api_error.hpp"
#include "control/k8s/http.hpp"
#include "control/k8s/retry.hpp"

namespace sluice::k8s {

enum class resource : uint8_t { services, endpoint_slices, nodes };
inline constexpr std::size_t k_resource_count = 3;
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
  // A watch silent this long is given up and re-opened from its resourceVersion (kube-apiserver
  // sends a watch that asks for bookmarks one about every minute).
  std::chrono::milliseconds idle_timeout{90'000};
  // A watch the server ends sooner than this with nothing in it is a failure, not a
  // timeoutSeconds that ran out: re-opening it at once would ask in a loop.
  std::chrono::milliseconds short_watch{1'000};
};

struct watch_counters {
  std::atomic<uint64_t> lists{0};   // complete LISTs: the first and each relist
  std::atomic<uint64_t> watches{0}; // WATCH requests
  std::atomic<uint64_t> events{0};  // ADDED, MODIFIED and DELETED
  std::atomic<uint64_t> bookmarks{0};
  std::array<std::atomic<uint64_t>, k_api_error_count> errors{};
  std::array<std::atomic<uint64_t>, k_relist_cause_count> relists{};

  uint64_t error(api_error e) const noexcept { return errors[std::size_t(e)].load(); }
  uint64_t relisted(relist_cause c) const noexcept { return relists[std::size_t(c)].load(); }
};

class resource_watcher {
public:
  resource_watcher(api_client& api, resource r, watch_sink& sink, watch_options opt,
                   watch_counters& counters)
      : api_(api), r_(r), sink_(sink), opt_(opt), counters_(counters),
        backoff_(opt.backoff_min, opt.backoff_max) {}

  // Runs until `stop`; never throws.
  void run(const std::atomic<bool>& stop);

private:
  // What one LIST (all its pages) or one WATCH came to.
  struct attempt {
    bool stopped = false;
    bool progress = false; // the server delivered: the backoff starts over
    std::optional<api_error> error;
    std::string retry_after;
    std::string what; // for the log
  };
  attempt list(const std::atomic<bool>& stop, std::string& rv);
  attempt watch(const std::atomic<bool>& stop, std::string& rv);
  void pause(const std::atomic<bool>& stop, std::chrono::milliseconds d);

  api_client& api_;
  resource r_;
  watch_sink& sink_;
  watch_options opt_;
  watch_counters& counters_;
  retry_backoff backoff_;
};

} // namespace sluice::k8s
