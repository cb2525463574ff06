#include "control/k8s/status_writer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "control/k8s/retry.hpp"
#include "control/log/log.hpp"

namespace sluice::k8s {

status_writer::status_writer(api_client& api, status_writer_options opt) : api_(api), opt_(opt) {
  for (unsigned i = 0; i < std::max(1u, opt_.writers); ++i) threads_.emplace_back([this] { run(); });
}

status_writer::~status_writer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void status_writer::enqueue(const std::string& key, entry& e, clock::time_point at) {
  if (e.queued) queue_.erase({*e.queued, key});
  e.queued = at;
  queue_.insert({at, key});
  cv_.notify_one();
}

void status_writer::want(const status_patch& p) {
  const std::string key = p.ns + "/" + p.name;
  std::string body = p.body();
  std::lock_guard lock(mu_);
  auto [it, fresh] = entries_.try_emplace(key);
  entry& e = it->second;
  if (fresh) {
    e.ns = p.ns;
    e.name = p.name;
  }
  e.forgotten = false;
  const bool already = e.wanted ? *e.wanted == body
                       : e.sending ? *e.sending == body
                                   : e.written == body && (p.observed_version == e.written_base ||
                                                           p.observed_version == e.written_version);
  if (already) {
    ++counters_.coalesced;
    return;
  }
  if (e.wanted) ++counters_.coalesced; // replaced before it was sent
  e.wanted = std::move(body);
  e.wanted_base = p.observed_version;
  // Behind a write in flight, or in its backoff: it goes when that ends.
  if (!e.sending && !e.queued) enqueue(key, e, clock::now());
}

void status_writer::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.wanted || it->second.sending) ++counters_.dropped;
  if (it->second.queued) queue_.erase({*it->second.queued, key});
  if (it->second.sending) {
    it->second.forgotten = true; // finish() erases it
    it->second.wanted.reset();
    it->second.queued.reset();
  } else {
    entries_.erase(it);
  }
}

std::size_t status_writer::backlog() {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [key, e] : entries_) n += (e.wanted || e.sending) ? 1 : 0;
  return n;
}

void status_writer::finish(const std::string& key, const http_response& r) {
  entry& e = entries_.at(key);
  std::string body = std::move(*e.sending);
  e.sending.reset();
  if (e.forgotten) {
    entries_.erase(key);
    return;
  }
  if (r.status == 200) {
    const auto obj = nlohmann::json::parse(r.body, nullptr, false);
    e.written = body;
    e.written_base = e.sending_base;
    e.written_version = obj.is_object() && obj.contains("metadata")
                            ? obj["metadata"].value("resourceVersion", std::string())
                            : std::string();
    e.failures = 0;
    ++counters_.written;
    log::info("msg=\"kubernetes status written\" service={} body={}", key, body);
    if (e.wanted) enqueue(key, e, clock::now());
    return;
  }
  if (r.status == 404) {
    ++counters_.dropped;
    log::info("msg=\"kubernetes status not written: the Service is gone\" service={}", key);
    if (e.queued) queue_.erase({*e.queued, key});
    entries_.erase(key);
    return;
  }
  ++counters_.failed;
  ++e.failures;
  if (!e.wanted) { // nothing newer: this one again
    e.wanted = std::move(body);
    e.wanted_base = e.sending_base;
  }
  const auto wait = retry_delay(e.failures, opt_.backoff_min, opt_.backoff_max, r.retry_after);
  log::warn("msg=\"kubernetes status patch failed\" service={} status={} error=\"{}\" "
            "failures={} retry_in_ms={}",
            key, r.status, r.error, e.failures, wait.count());
  enqueue(key, e, clock::now() + wait);
}

void status_writer::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto [due, key] = *queue_.begin();
    if (due > clock::now()) {
      cv_.wait_until(lock, due);
      continue;
    }
    queue_.erase(queue_.begin());
    entry& e = entries_.at(key);
    e.queued.reset();
    e.sending = std::move(e.wanted);
    e.sending_base = e.wanted_base;
    e.wanted.reset();
    const std::string path = "/api/v1/namespaces/" + e.ns + "/services/" + e.name + "/status";
    const std::string body = *e.sending;
    lock.unlock();
    const http_response r = api_.send("PATCH", path, body, "application/merge-patch+json");
    lock.lock();
    finish(key, r);
  }
}

} // namespace sluice::k8s
