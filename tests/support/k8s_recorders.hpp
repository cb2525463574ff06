#pragma once
// What the Kubernetes tests watch the sync through: a sink that records what a watcher hands
// over, a publish function that keeps the published set, and the fake API server's test
// controls (tests/support/fake_apiserver.py).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "control/k8s/sync.hpp"
#include "control/k8s/watch.hpp"

namespace sluice::test {

using namespace std::chrono_literals;

// Records what a watcher hands over.
struct recording_sink : k8s::watch_sink {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<std::string>> lists; // names per LIST
  std::vector<std::string> events;             // "TYPE name"
  std::vector<std::string> troubles;

  void listed(k8s::resource, std::vector<nlohmann::json> items) override {
    std::vector<std::string> names;
    for (const nlohmann::json& i : items) names.push_back(i["metadata"]["name"]);
    std::lock_guard l(mu);
    lists.push_back(names);
    cv.notify_all();
  }
  void changed(k8s::resource, const std::string& type, const nlohmann::json& o) override {
    std::lock_guard l(mu);
    events.push_back(type + " " + o["metadata"]["name"].get<std::string>());
    cv.notify_all();
  }
  void trouble(k8s::resource, const std::string& what) override {
    std::lock_guard l(mu);
    troubles.push_back(what);
    cv.notify_all();
  }
  template <typename P>
  bool wait(P pred, std::chrono::milliseconds limit = 10s) {
    std::unique_lock l(mu);
    return cv.wait_for(l, limit, [&] { return pred(*this); });
  }
};

// A watcher of Services on a thread of its own, stopped and joined on the way out.
struct running_watcher {
  k8s::watch_counters counters;
  k8s::resource_watcher w;
  std::atomic<bool> stop{false};
  std::thread t;
  running_watcher(k8s::api_client& api, k8s::watch_sink& sink, k8s::watch_options opt)
      : w(api, k8s::resource::services, sink, opt, counters), t([this] { w.run(stop); }) {}
  ~running_watcher() {
    stop = true;
    t.join();
  }
};

// The sync's publish function: `now` is the published set, `calls` the whole set after each
// call.
struct published {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, service_config> now;
  std::vector<std::vector<service_config>> calls;
  bool operator()(k8s::service_changes c) {
    std::lock_guard l(mu);
    if (c.whole) now.clear();
    for (const std::string& n : c.removed) now.erase(n);
    for (service_config& s : c.upserts) now.insert_or_assign(s.name, std::move(s));
    std::vector<service_config> all;
    for (const auto& [n, s] : now) all.push_back(s);
    calls.push_back(std::move(all));
    cv.notify_all();
    return true;
  }
  template <typename P>
  bool wait(P pred, std::chrono::milliseconds limit = 10s) {
    std::unique_lock l(mu);
    return cv.wait_for(l, limit, [&] { return pred(calls); });
  }
};

// POST /fake/WHAT (compact, drop, fault?..., chaos?...).
inline void fake_control(k8s::api_client& api, const std::string& what) {
  EXPECT_EQ(api.send("POST", "/fake/" + what, "", "").status, 200) << what;
}

inline nlohmann::json fake_stats(k8s::api_client& api) {
  return nlohmann::json::parse(api.get("/fake/stats").body, nullptr, false);
}

// Polls `pred` every 20 ms until it holds or `limit` passes; returns its last value.
template <typename P>
bool eventually(P pred, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

} // namespace sluice::test
