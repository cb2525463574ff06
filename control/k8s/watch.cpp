#include "control/k8s/watch.hpp"

#include <curl/curl.h>

#include <random>
#include <thread>

#include "control/k8s/framer.hpp"

namespace sluice::k8s {
namespace {

std::string escaped(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.c_str(), int(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

std::string status_text(const http_response& r) {
  if (r.status == 0) return "no answer: " + r.error;
  std::string msg = "HTTP " + std::to_string(r.status);
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    msg += ": " + j["message"].get<std::string>();
  return msg;
}

} // namespace

std::string_view name_of(resource r) noexcept {
  switch (r) {
  case resource::services: return "services";
  case resource::endpoint_slices: return "endpointslices";
  case resource::nodes: return "nodes";
  }
  return "?";
}

std::string collection_path(resource r) {
  switch (r) {
  case resource::services: return "/api/v1/services";
  case resource::endpoint_slices: return "/apis/discovery.k8s.io/v1/endpointslices";
  case resource::nodes: return "/api/v1/nodes";
  }
  return {};
}

void resource_watcher::pause(const std::atomic<bool>& stop, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// Full jitter (a uniform draw up to the exponential cap) keeps many gateways that lost the same
// API server from coming back in step.
std::chrono::milliseconds resource_watcher::next_backoff() {
  backoff_ = backoff_.count() == 0 ? opt_.backoff_min : std::min(backoff_ * 2, opt_.backoff_max);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::chrono::milliseconds(
      std::uniform_int_distribution<int64_t>(backoff_.count() / 2, backoff_.count())(rng));
}

resource_watcher::outcome resource_watcher::list(const std::atomic<bool>& stop, std::string& rv) {
  std::vector<nlohmann::json> items;
  std::string cont;
  do {
    if (stop.load()) return outcome::stopped;
    std::string path = collection_path(r_) + "?limit=" + std::to_string(opt_.page_size);
    if (!cont.empty()) path += "&continue=" + escaped(cont);
    const http_response resp = api_.get(path);
    if (resp.status == 410) {
      // The continue token outlived its snapshot: start the list over.
      counters_.expired++;
      sink_.trouble(r_, "list continue token expired (410); listing again");
      items.clear();
      cont.clear();
      continue;
    }
    if (resp.status == 429) {
      retry_after_ = std::chrono::seconds(std::max(1, std::atoi(resp.retry_after.c_str())));
      sink_.trouble(r_, "list throttled (429); retrying after " + resp.retry_after + " s");
      return outcome::retry_after;
    }
    if (resp.status != 200) {
      sink_.trouble(r_, "list failed: " + status_text(resp));
      return outcome::failed;
    }
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
      sink_.trouble(r_, "list answer is not a List object");
      return outcome::failed;
    }
    for (auto& it : j["items"]) items.push_back(std::move(it));
    const auto& meta = j.value("metadata", nlohmann::json::object());
    cont = meta.is_object() ? meta.value("continue", "") : "";
    rv = meta.is_object() ? meta.value("resourceVersion", "") : "";
  } while (!cont.empty());
  counters_.lists++;
  sink_.listed(r_, std::move(items));
  return outcome::ok;
}

resource_watcher::outcome resource_watcher::watch(const std::atomic<bool>& stop,
                                                  std::string& rv) {
  const std::string path = collection_path(r_) + "?watch=1&allowWatchBookmarks=true" +
                           "&resourceVersion=" + escaped(rv) +
                           "&timeoutSeconds=" + std::to_string(opt_.timeout_seconds);
  json_framer framer;
  std::vector<std::string> frames;
  outcome in_stream = outcome::ok;
  bool got_any = false;
  auto on_data = [&](std::string_view bytes) {
    frames.clear();
    if (!framer.feed(bytes, frames)) {
      sink_.trouble(r_, "watch stream is not a sequence of JSON objects; reconnecting");
      in_stream = outcome::failed;
      return false;
    }
    for (const std::string& f : frames) {
      const auto ev = nlohmann::json::parse(f, nullptr, false);
      const std::string type = ev.is_object() ? ev.value("type", "") : "";
      const nlohmann::json* obj = ev.is_object() && ev.contains("object") ? &ev["object"] : nullptr;
      if (obj == nullptr || !obj->is_object()) {
        sink_.trouble(r_, "watch event without an object; ignored");
        continue;
      }
      if (type == "ERROR") {
        const long code = obj->value("code", 0L);
        in_stream = code == 410 ? outcome::expired : outcome::failed;
        sink_.trouble(r_, "watch ERROR event " + std::to_string(code) + ": " +
                              obj->value("message", std::string()));
        return false;
      }
      got_any = true;
      const auto& meta = obj->value("metadata", nlohmann::json::object());
      if (meta.is_object() && meta.contains("resourceVersion") &&
          meta["resourceVersion"].is_string())
        rv = meta["resourceVersion"].get<std::string>();
      if (type == "BOOKMARK") {
        counters_.bookmarks++;
      } else if (type == "ADDED" || type == "MODIFIED" || type == "DELETED") {
        counters_.events++;
        sink_.changed(r_, type, *obj);
      } else {
        sink_.trouble(r_, "unknown watch event type \"" + type + "\"; ignored");
      }
    }
    return !stop.load();
  };
  counters_.watches++;
  const http_response resp = api_.stream(path, on_data, stop, long(opt_.timeout_seconds) + 30);
  if (got_any) backoff_ = {}; // the server answered with data: a later failure starts small
  if (stop.load()) return outcome::stopped;
  if (in_stream != outcome::ok) return in_stream;
  if (resp.status == 410) return outcome::expired;
  if (resp.status == 429) {
    retry_after_ = std::chrono::seconds(std::max(1, std::atoi(resp.retry_after.c_str())));
    sink_.trouble(r_, "watch throttled (429); retrying after " + resp.retry_after + " s");
    return outcome::retry_after;
  }
  if (resp.status == 200) return outcome::ok; // timeoutSeconds ran out: watch again from rv
  sink_.trouble(r_, "watch failed: " + status_text(resp));
  return outcome::failed;
}

void resource_watcher::run(const std::atomic<bool>& stop) {
  std::string rv;
  bool need_list = true;
  while (!stop.load()) {
    outcome o;
    try {
      o = need_list ? list(stop, rv) : watch(stop, rv);
    } catch (const std::exception& e) {
      sink_.trouble(r_, std::string("unexpected: ") + e.what());
      o = outcome::failed;
    }
    switch (o) {
    case outcome::ok:
      if (need_list) backoff_ = {};
      need_list = false;
      break;
    case outcome::expired:
      counters_.expired++;
      need_list = true; // the relist resumes without waiting: nothing is wrong with the server
      break;
    case outcome::retry_after:
      pause(stop, retry_after_);
      break;
    case outcome::failed:
      counters_.errors++;
      pause(stop, next_backoff());
      break;
    case outcome::stopped: return;
    }
  }
}

} // namespace sluice::k8s
