#pragma once
// Writes Services' status.loadBalancer (merge-patch to services/{name}/status) off the mapping
// loop: the loop says what it wants and goes on; a few writer threads do the HTTP.
//  - Coalescing: one entry per Service; a newer wanted status replaces one not yet sent (the
//    latest wins), and one arriving while a write is in flight is sent after it.
//  - Once written, the same status is not written again while the Service still shows the
//    resourceVersion it was computed from or the one our write produced (the MODIFIED event of
//    our own write has not been mapped yet); a Service that moved on and still differs (someone
//    wrote over it) is written again.
//  - A failed write (transport error, 5xx, 429, 409...) is retried with exponential backoff and
//    jitter, at least Retry-After (k8s/retry.hpp); 404 means the Service is gone: dropped, as are
//    the writes of a Service the sync saw deleted (forget).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "control/k8s/http.hpp"
#include "control/k8s/mapping.hpp"

namespace sluice::k8s {

struct status_writer_options {
  unsigned writers = 4; // concurrent PATCH requests
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{30'000};
};

struct status_writer_counters {
  std::atomic<uint64_t> written{0};   // patches the server accepted
  std::atomic<uint64_t> failed{0};    // attempts that failed (each is retried)
  std::atomic<uint64_t> coalesced{0}; // wanted statuses never sent: replaced, or already written
  std::atomic<uint64_t> dropped{0};   // writes given up: Service deleted (forget, or 404)
};

class status_writer {
public:
  status_writer(api_client& api, status_writer_options opt = {});
  ~status_writer(); // stops the writers; what is still pending is not written
  status_writer(const status_writer&) = delete;
  status_writer& operator=(const status_writer&) = delete;

  void want(const status_patch& p);
  void forget(const std::string& key); // "ns/name": the Service is deleted

  const status_writer_counters& counters() const noexcept { return counters_; }
  // Statuses wanted and not yet written (pending, in flight or waiting to retry).
  std::size_t backlog();

private:
  using clock = std::chrono::steady_clock;
  struct entry {
    std::string ns, name;
    std::optional<std::string> wanted; // body not yet sent
    std::string wanted_base;           // the resourceVersion it was computed from
    std::optional<std::string> sending;
    std::string sending_base;
    std::string written, written_base, written_version; // the last accepted write
    unsigned failures = 0;
    std::optional<clock::time_point> queued; // its place in queue_
    bool forgotten = false;
  };

  void run();
  void enqueue(const std::string& key, entry& e, clock::time_point at); // requires mu_
  void finish(const std::string& key, const http_response& r);          // requires mu_

  api_client& api_;
  status_writer_options opt_;
  status_writer_counters counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, entry> entries_;
  std::set<std::pair<clock::time_point, std::string>> queue_; // due time, key
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

} // namespace sluice::k8s
