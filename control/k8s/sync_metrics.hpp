#pragma once
// The Kubernetes sync's families for GET /metrics (sluice_k8s_*): per watched collection its
// lists, watches, events and bookmarks, its errors by cause and its relists by cause (every
// cause, zero or not, so that rate() works from the first scrape), and the status writer's
// outcomes. Causes: k8s/api_error.hpp.

#include "control/admin/exposition.hpp"

namespace sluice::k8s {

class sync;

void sync_metric_families(exposition& e, const sync& s);

} // namespace sluice::k8s
