#include "control/k8s/api_error.hpp"

namespace sluice::k8s {

api_error cause_of_status(long status) noexcept {
  if (status == 401) return api_error::unauthorized;
  if (status == 403) return api_error::forbidden;
  if (status == 410) return api_error::expired;
  if (status == 429) return api_error::throttled;
  if (status >= 500 && status <= 599) return api_error::server_error;
  return api_error::bad_answer;
}

api_error cause_of(const http_response& r) noexcept {
  switch (r.failure) {
  case transport_failure::none: return cause_of_status(r.status);
  case transport_failure::unreachable: return api_error::unreachable;
  case transport_failure::timed_out: return api_error::timeout;
  case transport_failure::tls: return api_error::tls;
  case transport_failure::cut:
  case transport_failure::stopped:
  case transport_failure::other: break;
  }
  return api_error::connection_lost;
}

} // namespace sluice::k8s
