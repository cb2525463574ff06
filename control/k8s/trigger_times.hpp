#pragma once
// Network programming latency, as kube-proxy measures it: the EndpointSlice controller stamps
// each slice it writes with endpoints.kubernetes.io/last-change-trigger-time (when the Pod or
// Service change that caused the write happened); the latency is from then until the change is
// programmed — here, until every worker runs a snapshot that holds it (the publication returned:
// snapshot_publisher::publish waits for every worker's quiescent state).
//
// This keeps the trigger times seen since the last publication. Like kube-proxy it ignores
// times from before the sync started (the first list would report every slice's age, not a
// latency) and counts one slice's trigger time once, however often a relist delivers it again.
// Pure bookkeeping, on the sync's mapping loop only.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "control/k8s/objects.hpp"

namespace sluice::k8s {

inline constexpr const char* k_annotation_trigger_time = "endpoints.kubernetes.io/last-change-trigger-time";

using wall_clock = std::chrono::system_clock;

// RFC 3339 as the API server writes times ("2024-05-01T10:00:00Z", with fractional seconds as
// Go's RFC3339Nano gives them, or a numeric offset); nullopt when it is not one, or when the
// clock cannot hold it (years far from now).
std::optional<wall_clock::time_point> parse_rfc3339(std::string_view s);

class trigger_times {
public:
  explicit trigger_times(wall_clock::time_point since) : since_(since) {}

  // A slice put (watch event or list): remembers its trigger time if it is new.
  void on_slice(const endpoint_slice& s);
  // A slice gone (deleted, or absent from a relist: keep_only).
  void forget(const std::string& slice_key) { last_.erase(slice_key); }
  void keep_only(const std::map<std::string, endpoint_slice>& slices);

  // After a publication every worker runs: the latencies (seconds, at least 0 when the
  // controller's clock is ahead of ours) of the pending trigger times whose Service
  // `programmed` says this gateway programs; all pending ones are then done with.
  std::vector<double> take(wall_clock::time_point now,
                           const std::function<bool(const std::string& service_key)>& programmed);
  // A publication that was not all taken: its changes are not all running, and, as kube-proxy
  // does after a failed sync, their trigger times are not observed.
  void drop() { pending_.clear(); }

  std::size_t pending() const noexcept { return pending_.size(); }

private:
  struct pending_time {
    std::string service_key;
    wall_clock::time_point at;
  };
  wall_clock::time_point since_;
  std::map<std::string, wall_clock::time_point> last_; // slice key → its last trigger time taken
  std::vector<pending_time> pending_;
};

} // namespace sluice::k8s
