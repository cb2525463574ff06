#pragma once
// Backend health as the control plane keeps it, and the contract with the VIP announcers.
//
// ── Contract with the announcers (BGP, L2) ───────────────────────────────────────────────────
// A service is *available* when at least one of its backends is eligible: configured weight > 0
// and not taken out by its health check (state up or unknown: see rise_fall.hpp for why unknown
// counts). A service without `health_check` is available when any backend has weight > 0. The
// control plane answers
//     bool control_plane::service_available(const std::string& service_name);
//     void control_plane::watch_availability(health::availability_callback cb);
// watch_availability() first calls cb once for every current service (its present state), then
// once per service each time its availability changes, whatever changed it: a health transition,
// a reload, an admin API change, the Kubernetes sync; a removed service that was available is
// reported unavailable once. cb runs on the thread that made the change while the control plane holds its lock: it
// must return quickly and must not call back into control_plane (post to your own thread).
// Calls for one service come in the order the changes were published.
// The BGP announcer (control/announce) polls control_plane::eligible_vips(), which applies the
// same rule per VIP (health::eligible() below): a VIP whose services all lack an eligible backend
// is withdrawn.
// ──────────────────────────────────────────────────────────────────────────────────────────────

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "control/config/model.hpp"
#include "control/health/rise_fall.hpp"

namespace sluice::health {

using availability_callback = std::function<void(const std::string& service, bool available)>;

// One backend to probe.
struct probe_target {
  std::string key;   // backend_identity(): "VIP:PORT/PROTO>ADDR:PORT"
  uint32_t addr = 0; // network byte order
  uint16_t port = 0; // host byte order: the check's port, else the backend's
  health_check_config check;

  bool operator==(const probe_target&) const = default;
};

struct probe_result {
  std::string key;
  bool passed = false;
  std::string detail; // why it failed: "connect: Connection refused", "timeout after 1000 ms"...
};

struct transition {
  std::string key;     // backend_identity()
  std::string service; // name
  std::string backend; // "ADDR:PORT"
  backend_state from;
  backend_state to;
  std::string detail;  // the last check's
};

// What the table knows about one checked backend.
struct backend_health {
  probe_target target;
  std::string service; // name, for logs and views
  std::string backend; // "ADDR:PORT"
  rise_fall counter;
  uint64_t checks_passed = 0;
  uint64_t checks_failed = 0;
  uint64_t transitions = 0;
  std::string last_detail;
};

// The checked backends of every service with a `health_check`. Control thread, under the
// control plane's lock.
class health_table {
public:
  // Targets added (or changed) and removed since the last take_changes(): what the prober must
  // start and stop.
  struct changes {
    std::vector<probe_target> added;
    std::vector<std::string> removed;
  };

  // Brings the table in line with `services` (a whole config). A backend that stays (same key)
  // keeps its state even if its check changed — new thresholds apply from the next check;
  // new ones start unknown; the rest are forgotten.
  void sync(std::span<const service_config> services);
  // The same for one service: `old` (or none) became `now` (or none).
  void sync_service(const service_config* old, const service_config* now);

  changes take_changes();

  // Counts one check. Returns the transition it caused, if any; results for keys the table no
  // longer holds (a probe finishing after its backend left) are ignored.
  std::optional<transition> record(const probe_result& r);

  // Keys (backend_identity()) of the backends whose state is down.
  const std::unordered_set<std::string>& down() const noexcept { return down_; }
  const backend_health* find(const std::string& key) const;
  std::size_t size() const noexcept { return entries_.size(); }
  // Every entry, in key order (metrics, views).
  std::vector<const backend_health*> entries() const;

private:
  void add(const service_config& s, const backend_config& b);
  void remove(const std::string& key);

  std::unordered_map<std::string, backend_health> entries_;
  std::unordered_set<std::string> down_;
  // Key → what the prober must run for it (nullopt: stop it); the last word for a key wins.
  std::map<std::string, std::optional<probe_target>> pending_;
};

// True when the scheduler may pick `b` of `s` given the table (configured weight > 0 and not
// down).
bool eligible(const service_config& s, const backend_config& b, const health_table& t);

// Per service name: available or not, and which changed.
class availability_tracker {
public:
  // Recomputes `s`; appends {name, now} to `changed` when it differs from what was known (a
  // service seen for the first time counts as changed).
  void update(const service_config& s, const health_table& t,
              std::vector<std::pair<std::string, bool>>& changed);
  // `name` is gone: reported unavailable if it was available.
  void forget(const std::string& name, std::vector<std::pair<std::string, bool>>& changed);
  // Recomputes every service of `services` and forgets the ones no longer there.
  void update_all(std::span<const service_config> services, const health_table& t,
                  std::vector<std::pair<std::string, bool>>& changed);

  bool available(const std::string& name) const;
  const std::map<std::string, bool>& all() const noexcept { return known_; }

private:
  std::map<std::string, bool> known_;
};

} // namespace sluice::health
