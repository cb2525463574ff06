#pragma once
// Why a request to the API server failed, and why a watcher listed a collection again. The two
// lists are the single source of the enums, the metric label values
// (sluice_k8s_sync_errors_total{cause}, sluice_k8s_relists_total{cause}) and docs/metrics.md.

#include <array>
#include <cstdint>
#include <string_view>

#include "control/k8s/http.hpp"

namespace sluice::k8s {

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

enum class api_error : uint8_t {
#define SLUICE_K8S_ENUM(name, desc) name,
  SLUICE_K8S_ERROR_CAUSES(SLUICE_K8S_ENUM)
#undef SLUICE_K8S_ENUM
};

inline constexpr std::array k_api_error_names = {
#define SLUICE_K8S_NAME(name, desc) std::string_view(#name),
    SLUICE_K8S_ERROR_CAUSES(SLUICE_K8S_NAME)
#undef SLUICE_K8S_NAME
};
inline constexpr std::array k_api_error_descriptions = {
#define SLUICE_K8S_DESC(name, desc) std::string_view(desc),
    SLUICE_K8S_ERROR_CAUSES(SLUICE_K8S_DESC)
#undef SLUICE_K8S_DESC
};
inline constexpr std::size_t k_api_error_count = k_api_error_names.size();

// X(name, description)
#define SLUICE_K8S_RELIST_CAUSES(X)                                                                \
  X(watch_expired, "the watch's resourceVersion is gone (410: compacted, or a restarted API server)") \
  X(list_expired, "a list page's continue token expired (410): the list started over")

enum class relist_cause : uint8_t {
#define SLUICE_K8S_ENUM(name, desc) name,
  SLUICE_K8S_RELIST_CAUSES(SLUICE_K8S_ENUM)
#undef SLUICE_K8S_ENUM
};

inline constexpr std::array k_relist_cause_names = {
#define SLUICE_K8S_NAME(name, desc) std::string_view(#name),
    SLUICE_K8S_RELIST_CAUSES(SLUICE_K8S_NAME)
#undef SLUICE_K8S_NAME
};
inline constexpr std::array k_relist_cause_descriptions = {
#define SLUICE_K8S_DESC(name, desc) std::string_view(desc),
    SLUICE_K8S_RELIST_CAUSES(SLUICE_K8S_DESC)
#undef SLUICE_K8S_DESC
};
inline constexpr std::size_t k_relist_cause_count = k_relist_cause_names.size();

inline std::string_view name_of(api_error e) noexcept { return k_api_error_names[std::size_t(e)]; }
inline std::string_view name_of(relist_cause c) noexcept {
  return k_relist_cause_names[std::size_t(c)];
}

// The cause of an HTTP status that is not a success (also the `code` of a watch ERROR event).
api_error cause_of_status(long status) noexcept;
// The cause of a failed request: its transport failure, else its status.
api_error cause_of(const http_response& r) noexcept;

} // namespace sluice::k8s
