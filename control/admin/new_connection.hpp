#pragma once
// What a new connection would get from a snapshot, computed by the code the workers' miss path
// runs on it: the scheduler dispatcher (dataplane/sched/pick.hpp) for the hash schedulers, whose
// answer is a function of the tuple and the snapshot alone, and the ACL evaluation
// (dataplane/acl/evaluate.hpp) for the verdict. The other schedulers depend on per-worker state
// at the moment the SYN arrives (a cursor, connection counts, a random draw): for them the answer
// is the set of candidates.

#include "control/admin/api/lookup.hpp"
#include "dataplane/sched/pick.hpp"
#include "dataplane/snapshot/snapshot.hpp"

namespace sluice {

// `svc` is the service of `s` that `t` reaches (snapshot::find_vip_service).
api::new_connection new_connection_view(const snapshot& s, const snapshot_service& svc,
                                        const sched_tuple& t);

} // namespace sluice
