#include "control/k8s/watch.hpp"

#include <curl/curl.h>

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
  if (!r.retry_after.empty()) msg += " (Retry-After: " + r.retry_after + ")";
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

resource_watcher::attempt resource_watcher::list(const std::atomic<bool>& stop, std::string& rv) {
  std::vector<nlohmann::json> items;
  std::string cont, list_rv;
  do {
    if (stop.load()) return {.stopped = true};
    std::string path = collection_path(r_) + "?limit=" + std::to_string(opt_.page_size);
    if (!cont.empty()) path += "&continue=" + escaped(cont);
    const http_response resp = api_.get(path);
    if (stop.load()) return {.stopped = true};
    // Whatever fails, the pages read so far are dropped: a 410 on a continue page means the
    // snapshot they came from is gone, and half a collection would delete the rest.
    if (resp.status != 200)
      return {.error = cause_of(resp), .retry_after = resp.retry_after,
              .what = (cont.empty() ? "list failed: " : "list page failed: ") + status_text(resp)};
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (!j.is_object() || !j.contains("items") || !j["items"].is_array())
      return {.error = api_error::bad_answer, .what = "list answer is not a List object"};
    for (auto& it : j["items"]) items.push_back(std::move(it));
    const auto& meta = j.value("metadata", nlohmann::json::object());
    cont = meta.is_object() ? meta.value("continue", "") : "";
    if (list_rv.empty() && meta.is_object()) list_rv = meta.value("resourceVersion", "");
  } while (!cont.empty());
  rv = list_rv;
  counters_.lists++;
  sink_.listed(r_, std::move(items));
  return {};
}

resource_watcher::attempt resource_watcher::watch(const std::atomic<bool>& stop,
                                                  std::string& rv) {
  const std::string path = collection_path(r_) + "?watch=1&allowWatchBookmarks=true" +
                           "&resourceVersion=" + escaped(rv) +
                           "&timeoutSeconds=" + std::to_string(opt_.timeout_seconds);
  json_framer framer;
  std::vector<std::string> frames;
  std::optional<attempt> in_stream;
  bool got_any = false;
  auto on_data = [&](std::string_view bytes) {
    frames.clear();
    if (!framer.feed(bytes, frames)) {
      in_stream = attempt{.error = api_error::bad_answer,
                          .what = "watch stream is not a sequence of JSON objects"};
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
        in_stream = attempt{.error = cause_of_status(code),
                            .what = "watch ERROR event " + std::to_string(code) + ": " +
                                    obj->value("message", std::string())};
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
  const auto started = std::chrono::steady_clock::now();
  const http_response resp =
      api_.stream(path, on_data, stop, std::chrono::seconds(opt_.timeout_seconds + 30),
                  opt_.idle_timeout);
  if (stop.load()) return {.stopped = true};
  attempt a;
  if (in_stream)
    a = std::move(*in_stream);
  else if (resp.status != 200)
    a = {.error = cause_of(resp), .retry_after = resp.retry_after,
         .what = "watch failed: " + status_text(resp)};
  else if (!got_any && std::chrono::steady_clock::now() - started < opt_.short_watch)
    a = {.error = api_error::empty_watch, .what = "watch ended at once with nothing in it"};
  // else: timeoutSeconds ran out; watch again from rv.
  a.progress = got_any || !a.error;
  return a;
}

void resource_watcher::run(const std::atomic<bool>& stop) {
  std::string rv;
  bool need_list = true;
  while (!stop.load()) {
    attempt a;
    try {
      a = need_list ? list(stop, rv) : watch(stop, rv);
    } catch (const std::exception& e) {
      a = {.error = api_error::bad_answer, .what = std::string("unexpected: ") + e.what()};
    }
    if (a.stopped) return;
    if (a.progress) backoff_.reset();
    if (!a.error) {
      need_list = false;
      continue;
    }
    counters_.errors[std::size_t(*a.error)]++;
    std::chrono::milliseconds wait{0};
    if (*a.error == api_error::expired) {
      counters_.relists[std::size_t(need_list ? relist_cause::list_expired
                                              : relist_cause::watch_expired)]++;
      need_list = true;
      // The first relist after the server delivered goes at once: the server is fine, only its
      // history is gone, and the cache is stale until the list is in. Another 410 before
      // anything else is delivered waits like any failure.
      if (backoff_.failures() == 0)
        backoff_.next();
      else
        wait = backoff_.next(a.retry_after);
    } else {
      wait = backoff_.next(a.retry_after);
    }
    sink_.trouble(r_, a.what + " [" + std::string(name_of(*a.error)) + "]; " +
                          (wait.count() == 0 ? std::string(need_list ? "listing again now"
                                                                     : "retrying now")
                                             : (need_list ? "listing again in " : "retrying in ") +
                                                   std::to_string(wait.count()) + " ms"));
    pause(stop, wait);
  }
}

} // namespace sluice::k8s
