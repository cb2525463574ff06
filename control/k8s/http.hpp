#pragma once
// HTTPS to the API server with libcurl: plain requests (LIST pages, status patches, events) and
// streamed responses (WATCH). Credentials come from an api_endpoint; a token file is re-read
// every `token_reread` and after the server answers 401 (rotated service-account tokens).
// Every request has deadlines, so a server that accepts and never answers (or a stream that
// goes silent) is abandoned instead of holding its caller: the status line must come within
// `answer_timeout`, and once it has, the body may pause at most `answer_timeout` (a watch: its
// own idle limit). Thread-safe: each call uses its own curl handle.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "control/k8s/kubeconfig.hpp"

namespace sluice::k8s {

// Why a request got no complete HTTP answer.
enum class transport_failure : uint8_t {
  none,        // a complete answer (any status)
  unreachable, // no connection: refused, unroutable, name not resolved
  timed_out,   // connect, answer or idle deadline passed
  cut,         // the connection closed or reset before the answer ended
  tls,         // handshake or certificate verification failed
  stopped,     // the caller's stop flag, or its on_data refused the bytes
  other,       // anything else libcurl reports (the error text says what)
};

struct http_response {
  long status = 0;         // 0: no HTTP answer (see failure)
  std::string body;        // empty for streams
  std::string retry_after; // the Retry-After header, if any
  transport_failure failure = transport_failure::none;
  std::string error;       // transport error text when failure is not none
};

struct client_options {
  std::chrono::seconds token_reread{60};
  std::chrono::milliseconds connect_timeout{5'000}; // TCP and TLS handshake
  std::chrono::milliseconds answer_timeout{15'000}; // until the status line; body pauses
  std::chrono::seconds request_timeout{120};        // a whole plain request
};

class api_client {
public:
  api_client(api_endpoint ep, client_options opt);
  api_client(api_endpoint ep, std::chrono::seconds token_reread)
      : api_client(std::move(ep), client_options{.token_reread = token_reread}) {}

  http_response get(const std::string& path);
  http_response send(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& content_type);
  // GET `path`, handing each piece of the body to on_data as it arrives, until the server ends
  // the response, on_data returns false, or `stop` becomes true. `max` bounds the whole transfer
  // (a watch also has the server's timeoutSeconds); `idle`, the longest silence once answered.
  http_response stream(const std::string& path, const std::function<bool(std::string_view)>& on_data,
                       const std::atomic<bool>& stop, std::chrono::seconds max,
                       std::chrono::milliseconds idle);

  // After a 401: the next request re-reads the token file.
  void token_rejected();
  const api_endpoint& endpoint() const noexcept { return ep_; }

  struct transfer; // one request's state, shared with libcurl's callbacks (http.cpp)

private:
  http_response perform(transfer& t);
  std::string bearer();

  api_endpoint ep_;
  client_options opt_;
  std::mutex token_mu_;
  std::string token_;
  std::chrono::steady_clock::time_point token_read_{};
  bool token_stale_ = true;
};

} // namespace sluice::k8s
