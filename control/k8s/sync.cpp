#include "control/k8s/sync.hpp"

#include <chrono>
#include <ctime>
#include <thread>

#include "control/k8s/decode.hpp"
#include "control/log/log.hpp"

namespace sluice::k8s {
namespace {

template <typename T>
std::optional<T> usable(decoded<T> d, resource r) {
  if (auto* e = std::get_if<std::string>(&d)) {
    log::warn("msg=\"kubernetes object ignored\" resource={} reason=\"{}\"", name_of(r), *e);
    return std::nullopt;
  }
  return std::get<T>(std::move(d));
}

std::optional<std::variant<service, endpoint_slice, node>> decode_as(resource r,
                                                                     const nlohmann::json& j) {
  switch (r) {
  case resource::services:
    if (auto o = usable(decode_service(j), r)) return std::move(*o);
    break;
  case resource::endpoint_slices:
    if (auto o = usable(decode_endpoint_slice(j), r)) return std::move(*o);
    break;
  case resource::nodes:
    if (auto o = usable(decode_node(j), r)) return std::move(*o);
    break;
  }
  return std::nullopt;
}

template <typename T>
std::vector<T> all_of(std::vector<std::variant<service, endpoint_slice, node>>& objects) {
  std::vector<T> out;
  out.reserve(objects.size());
  for (auto& o : objects) out.push_back(std::get<T>(std::move(o)));
  return out;
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
           publish_fn publish, watch_options opt, status_writer_options writer,
           programmed_fn programmed)
    : cfg_(std::move(cfg)), pools_(std::move(pools)), api_(api), publish_(std::move(publish)),
      programmed_(std::move(programmed)), opt_(opt), mapper_(cfg_, pools_), writer_(api, writer) {
  opt_.timeout_seconds = cfg_.watch_timeout_seconds;
  opt_.idle_timeout = std::chrono::seconds(cfg_.watch_idle_seconds);
}

std::vector<resource> sync::watched() const {
  std::vector<resource> kinds{resource::services, resource::endpoint_slices};
  if (cfg_.backends_nodes) kinds.push_back(resource::nodes);
  return kinds;
}

// Watchers decode on their own threads and only queue: the lock is held for a push.
void sync::queue(cache_change c) {
  std::lock_guard lock(mu_);
  if (c.kind == cache_change::op::relist && listed_.insert(c.r).second)
    log::info("msg=\"kubernetes initial list done\" resource={} objects={}", name_of(c.r),
              c.objects.size());
  queue_.push_back(std::move(c));
  cv_.notify_one();
}

void sync::listed(resource r, std::vector<nlohmann::json> items) {
  cache_change c{.kind = cache_change::op::relist, .r = r};
  c.objects.reserve(items.size());
  for (const nlohmann::json& j : items)
    if (auto o = decode_as(r, j)) c.objects.push_back(std::move(*o));
  queue(std::move(c));
}

void sync::changed(resource r, const std::string& type, const nlohmann::json& object) {
  if (type == "DELETED") {
    const auto meta = decode_meta(object);
    if (const auto* m = std::get_if<object_meta>(&meta))
      queue({.kind = cache_change::op::erase, .r = r,
             .key = r == resource::nodes ? m->name : m->key()});
    return;
  }
  if (auto o = decode_as(r, object)) {
    cache_change c{.kind = cache_change::op::put, .r = r};
    c.objects.push_back(std::move(*o));
    queue(std::move(c));
  }
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

void sync::apply(cache_change& c) {
  switch (c.kind) {
  case cache_change::op::put:
    if (const auto* s = std::get_if<endpoint_slice>(&c.objects.front())) triggers_.on_slice(*s);
    std::visit([this](auto& o) { mapper_.put(std::move(o)); }, c.objects.front());
    break;
  case cache_change::op::erase:
    switch (c.r) {
    case resource::services: mapper_.erase_service(c.key); break;
    case resource::endpoint_slices:
      mapper_.erase_slice(c.key);
      triggers_.forget(c.key);
      break;
    case resource::nodes: mapper_.erase_node(c.key); break;
    }
    break;
  case cache_change::op::relist:
    // The listed collection replaces the cached one: whatever was deleted while the watch was
    // down is simply absent from it.
    switch (c.r) {
    case resource::services: mapper_.replace(all_of<service>(c.objects)); break;
    case resource::endpoint_slices:
      for (const auto& o : c.objects) triggers_.on_slice(std::get<endpoint_slice>(o));
      mapper_.replace(all_of<endpoint_slice>(c.objects));
      triggers_.keep_only(mapper_.state().slices);
      break;
    case resource::nodes: mapper_.replace(all_of<node>(c.objects)); break;
    }
    break;
  }
}

void sync::run(const std::atomic<bool>& stop) {
  std::vector<std::unique_ptr<resource_watcher>> watchers;
  std::vector<std::thread> threads;
  for (resource r : watched()) {
    watchers.push_back(std::make_unique<resource_watcher>(api_, r, *this, opt_,
                                                          counters_[std::size_t(r)]));
    threads.emplace_back([w = watchers.back().get(), &stop] { w->run(stop); });
  }
  while (!stop.load()) {
    std::vector<cache_change> batch;
    bool ready_now = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100),
                   [&] { return !queue_.empty() || stop.load(); });
      batch.swap(queue_);
      ready_now = ready();
    }
    // Applied even before both lists are in (the cache fills); mapped only once they are.
    for (cache_change& c : batch) apply(c);
    if (!ready_now || !mapper_.pending()) continue;
    try {
      reconcile();
    } catch (const std::exception& e) {
      log::error("msg=\"kubernetes reconcile failed\" reason=\"{}\"", e.what());
    }
  }
  for (std::thread& t : threads) t.join();
}

void sync::reconcile() {
  mapping_delta d = mapper_.remap();
  for (const std::string& p : d.new_problems)
    log::warn("msg=\"kubernetes service not fully programmed\" problem=\"{}\"", p);
  bool running = true; // every change of this remap runs on the workers
  if (publish_whole_ || !d.empty()) {
    service_changes c;
    c.whole = publish_whole_;
    if (c.whole) {
      c.upserts = mapper_.services();
    } else {
      c.upserts = std::move(d.upserts);
      c.removed = std::move(d.removed);
    }
    const bool whole = c.whole;
    const std::size_t upserts = c.upserts.size(), removed = c.removed.size();
    running = publish_(std::move(c));
    publish_whole_ = !running;
    log::info("msg=\"kubernetes services published\" whole={} upserts={} removed={} "
              "remapped={} services_k8s={} lb_addresses={}",
              whole, upserts, removed,
              d.remapped, mapper_.state().services.size(), mapper_.allocations().size());
  }
  if (running) {
    const std::vector<double> latencies = triggers_.take(
        wall_clock::now(), [this](const std::string& key) { return mapper_.programs(key); });
    if (!latencies.empty() && programmed_) programmed_(latencies);
  } else {
    triggers_.drop();
  }
  for (const std::string& key : d.deleted) writer_.forget(key);
  for (const status_patch& p : d.patches) writer_.want(p);
  post_events(d.new_events);
}

void sync::post_events(const std::vector<service_event>& events) {
  for (const service_event& e : events) {
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
}

} // namespace sluice::k8s
