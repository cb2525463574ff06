#include "control/k8s/sync.hpp"

#include <chrono>
#include <ctime>
#include <thread>

#include "control/k8s/decode.hpp"
#include "control/log/log.hpp"

namespace sluice::k8s {
namespace {

template <typename T>
bool store(std::map<std::string, T>& cache, decoded<T> d, resource r) {
  if (auto* e = std::get_if<std::string>(&d)) {
    log::warn("msg=\"kubernetes object ignored\" resource={} reason=\"{}\"", name_of(r), *e);
    return false;
  }
  T& obj = std::get<T>(d);
  std::string key = obj.meta.key();
  if constexpr (std::is_same_v<T, node>) key = obj.meta.name;
  cache[std::move(key)] = std::move(obj);
  return true;
}

std::string rfc3339_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace

sync::sync(kubernetes_config cfg, std::vector<address_pool_config> pools, api_client& api,
           publish_fn publish, watch_options opt)
    : cfg_(std::move(cfg)), pools_(std::move(pools)), api_(api), publish_(std::move(publish)),
      opt_(opt) {
  opt_.timeout_seconds = cfg_.watch_timeout_seconds;
}

void sync::listed(resource r, std::vector<nlohmann::json> items) {
  cluster_state fresh;
  for (nlohmann::json& j : items) {
    switch (r) {
    case resource::services: store(fresh.services, decode_service(j), r); break;
    case resource::endpoint_slices: store(fresh.slices, decode_endpoint_slice(j), r); break;
    case resource::nodes: store(fresh.nodes, decode_node(j), r); break;
    }
  }
  std::lock_guard lock(mu_);
  // Replacing the collection whole is the diff: whatever was deleted while the watch was down
  // is simply absent from the new list.
  switch (r) {
  case resource::services: state_.services = std::move(fresh.services); break;
  case resource::endpoint_slices: state_.slices = std::move(fresh.slices); break;
  case resource::nodes: state_.nodes = std::move(fresh.nodes); break;
  }
  if (listed_.insert(r).second)
    log::info("msg=\"kubernetes initial list done\" resource={} objects={}", name_of(r),
              items.size());
  dirty_ = true;
  cv_.notify_one();
}

void sync::changed(resource r, const std::string& type, const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  if (type == "DELETED") {
    const auto meta = decode_meta(object);
    if (const auto* m = std::get_if<object_meta>(&meta)) {
      switch (r) {
      case resource::services: state_.services.erase(m->key()); break;
      case resource::endpoint_slices: state_.slices.erase(m->key()); break;
      case resource::nodes: state_.nodes.erase(m->name); break;
      }
    }
  } else {
    switch (r) {
    case resource::services: store(state_.services, decode_service(object), r); break;
    case resource::endpoint_slices:
      store(state_.slices, decode_endpoint_slice(object), r);
      break;
    case resource::nodes: store(state_.nodes, decode_node(object), r); break;
    }
  }
  dirty_ = true;
  cv_.notify_one();
}

void sync::trouble(resource r, const std::string& what) {
  log::warn("msg=\"kubernetes API\" resource={} problem=\"{}\" note=\"the last known state keeps "
            "forwarding\"",
            name_of(r), what);
}

bool sync::ready() const {
  return listed_.contains(resource::services) && listed_.contains(resource::endpoint_slices) &&
         (!cfg_.backends_nodes || listed_.contains(resource::nodes));
}

void sync::run(const std::atomic<bool>& stop) {
  std::vector<std::unique_ptr<resource_watcher>> watchers;
  std::vector<std::thread> threads;
  std::vector<resource> kinds{resource::services, resource::endpoint_slices};
  if (cfg_.backends_nodes) kinds.push_back(resource::nodes);
  for (resource r : kinds) {
    watchers.push_back(std::make_unique<resource_watcher>(api_, r, *this, opt_));
    threads.emplace_back([w = watchers.back().get(), &stop] { w->run(stop); });
  }
  while (!stop.load()) {
    cluster_state snapshot;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return dirty_ || stop.load(); });
      if (!dirty_ || !ready()) continue;
      dirty_ = false;
      snapshot = state_; // map outside the lock: watchers keep reading the streams meanwhile
    }
    try {
      reconcile(snapshot);
    } catch (const std::exception& e) {
      log::error("msg=\"kubernetes reconcile failed\" reason=\"{}\"", e.what());
    }
  }
  for (std::thread& t : threads) t.join();
}

void sync::reconcile(const cluster_state& st) {
  mapping_result m = map_cluster(st, cfg_, pools_, allocations_);
  allocations_ = m.allocations;
  std::set<std::string> problems(m.problems.begin(), m.problems.end());
  for (const std::string& p : problems)
    if (!problems_logged_.contains(p))
      log::warn("msg=\"kubernetes service not fully programmed\" problem=\"{}\"", p);
  problems_logged_ = std::move(problems);
  if (!published_once_ || m.services != published_) {
    publish_(m.services);
    log::info("msg=\"kubernetes services published\" services={} services_k8s={} "
              "lb_addresses={}",
              m.services.size(), st.services.size(), m.allocations.size());
    published_ = std::move(m.services);
    published_once_ = true;
  }
  write_status(m.patches);
  post_events(m.events);
}

void sync::write_status(const std::vector<status_patch>& patches) {
  for (const status_patch& p : patches) {
    const std::string key = p.ns + "/" + p.name;
    const std::string body = p.body();
    // The patched Service comes back as MODIFIED with the new status; until it does, the same
    // patch would be computed again: write each body once.
    if (auto it = status_written_.find(key); it != status_written_.end() && it->second == body)
      continue;
    const http_response r =
        api_.send("PATCH", "/api/v1/namespaces/" + p.ns + "/services/" + p.name + "/status", body,
                  "application/merge-patch+json");
    if (r.status == 200) {
      status_written_[key] = body;
      log::info("msg=\"kubernetes status written\" service={} body={}", key, body);
    } else {
      log::warn("msg=\"kubernetes status patch failed\" service={} status={} error=\"{}\"", key,
                r.status, r.error);
    }
  }
}

void sync::post_events(const std::vector<service_event>& events) {
  std::set<service_event> now(events.begin(), events.end());
  for (const service_event& e : now) {
    if (events_sent_.contains(e)) continue;
    const std::string ts = rfc3339_now();
    const nlohmann::json ev{
        {"apiVersion", "v1"},
        {"kind", "Event"},
        {"metadata", {{"generateName", e.name + "."}, {"namespace", e.ns}}},
        {"involvedObject",
         {{"apiVersion", "v1"}, {"kind", "Service"}, {"namespace", e.ns}, {"name", e.name}}},
        {"reason", e.reason},
        {"message", e.message},
        {"type", "Warning"},
        {"source", {{"component", "sluiced"}}},
        {"firstTimestamp", ts},
        {"lastTimestamp", ts},
        {"count", 1}};
    const http_response r = api_.send("POST", "/api/v1/namespaces/" + e.ns + "/events",
                                      ev.dump(), "application/json");
    log::warn("msg=\"kubernetes event\" service={}/{} reason={} message=\"{}\" posted={}", e.ns,
              e.name, e.reason, e.message, r.status == 201 || r.status == 200);
  }
  events_sent_ = std::move(now); // a cleared condition may be reported again if it returns
}

} // namespace sluice::k8s
