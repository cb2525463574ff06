#pragma once
// Why a request to the API server failed, and why a watcher listed a collection again. The two
// lists are the single source of the enums, the metric label values
// (sluice_k8s_sync_errors_total{cause}, sluice_k8s_relists_total{cause}) and docs/metrics.md.

#include <array>
#include <cstdint>
#include <string_view>

#include "control/k8s/http.hpp"

namespace sluice::k8s {

// From LIST (an X-macro of name, description): enum class TYPE and k_TYPE_names,
// k_TYPE_descriptions and k_TYPE_count.
#define SLUICE_K8S_ENUM(name, desc) name,
#define SLUICE_K8S_NAME(name, desc) std::string_view(#name),
#define SLUICE_K8S_DESC(name, desc) std::string_view(desc),
#define SLUICE_K8S_CAUSE_LIST(type, list)                                                          \
  enum class type : uint8_t { list(SLUICE_K8S_ENUM) };                                             \
  inline constexpr std::array k_##type##_names = {list(SLUICE_K8S_NAME)};                          \
  inline constexpr std::array k_##type##_descriptions = {list(SLUICE_K8S_DESC)};                   \
  inline constexpr std::size_t k_##type##_count = k_##type##_names.size();

// X(name, description)
#define SLUICE_K8S_ERROR_CAUSES(X)                                                                 \
  X(unreachable, "no connection to the API server: refused, unroutable, name not resolved")        \
  X(timeout, "no answer within the request timeout, or a watch silent past its idle timeout")      \
  X(connection_lost, "the connection closed or reset before the answer ended (a stream cut mid-event)") \
  X(tls, "TLS handshake or certificate verification failed")                                       \
  X(unauthorized, "401: the credentials were refused (a token file is re-read before the next request)") \
  X(forbidden, "403: the service account may not do this (RBAC)")                                  \
  X(expired, "410 Gone: a watch's resourceVersion or a list's continue token is too old (relisted)") \
  X(throttled, "429 Too Many Requests")                                                            \
  X(server_error, "5xx from the API server")                                                       \
  X(empty_watch, "a WATCH the server ended at once with nothing in it (a server shutting down)")   \
  X(bad_answer, "an answer that is not what was asked: another status, a body or stream that does not parse")

SLUICE_K8S_CAUSE_LIST(api_error, SLUICE_K8S_ERROR_CAUSES)

// X(name, description)
#define SLUICE_K8S_RELIST_CAUSES(X)                                                                \
  X(watch_expired, "the watch's resourceVersion is gone (410: compacted, or a restarted API server)") \
  X(list_expired, "a list page's continue token expired (410): the list started over")

SLUICE_K8S_CAUSE_LIST(relist_cause, SLUICE_K8S_RELIST_CAUSES)

inline std::string_view name_of(api_error e) noexcept { return k_api_error_names[std::size_t(e)]; }
inline std::string_view name_of(relist_cause c) noexcept {
  return k_relist_cause_names[std::size_t(c)];
}

// The cause of an HTTP status that is not a success (also the `code` of a watch ERROR event).
api_error cause_of_status(long status) noexcept;
// The cause of a failed request: its transport failure, else its status.
api_error cause_of(const http_response& r) noexcept;

} // namespace sluice::k8s
