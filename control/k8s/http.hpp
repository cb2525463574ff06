#pragma once
// HTTPS to the API server with libcurl: plain requests (LIST pages, status patches, events) and
// streamed responses (WATCH). Credentials come from an api_endpoint; a token file is re-read
// every `token_reread` and after the server answers 401 (rotated service-account tokens).
// Thread-safe: each call uses its own curl handle.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "control/k8s/kubeconfig.hpp"

namespace sluice::k8s {

struct http_response {
  long status = 0;         // 0: no HTTP answer (connection refused, reset, timeout, stopped)
  std::string body;        // empty for streams
  std::string retry_after; // the Retry-After header, if any
  std::string error;       // transport error text when status is 0
};

class api_client {
public:
  api_client(api_endpoint ep, std::chrono::seconds token_reread);

  http_response get(const std::string& path);
  http_response send(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& content_type);
  // GET `path`, handing each piece of the body to on_data as it arrives, until the server ends
  // the response, on_data returns false, or `stop` becomes true. `max_seconds` bounds the whole
  // transfer (a watch also has the server's timeoutSeconds; this catches a silent peer).
  http_response stream(const std::string& path, const std::function<bool(std::string_view)>& on_data,
                       const std::atomic<bool>& stop, long max_seconds);

  // After a 401: the next request re-reads the token file.
  void token_rejected();
  const api_endpoint& endpoint() const noexcept { return ep_; }

  struct transfer; // one request's state, shared with libcurl's callbacks (http.cpp)

private:
  http_response perform(transfer& t);
  std::string bearer();

  api_endpoint ep_;
  std::chrono::seconds reread_;
  std::mutex token_mu_;
  std::string token_;
  std::chrono::steady_clock::time_point token_read_{};
  bool token_stale_ = true;
};

} // namespace sluice::k8s
