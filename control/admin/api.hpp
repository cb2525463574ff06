#pragma once
// The contract between sluiced's admin API and its clients (sluicectl, scripts): HTTP/1.1 with
// JSON bodies over the admin Unix socket. The endpoints, the request and reply structs and their
// JSON live in control/admin/api/ (one library, linked by both sides, so the daemon and the CLI
// cannot drift apart); docs/admin-api.md lists them, checked against the structs by
// tests/unit/control/admin/admin_contract_test.cpp.

#include "control/admin/api/acls.hpp"
#include "control/admin/api/changes.hpp"
#include "control/admin/api/decode.hpp"
#include "control/admin/api/endpoints.hpp"
#include "control/admin/api/flows.hpp"
#include "control/admin/api/lookup.hpp"
#include "control/admin/api/services.hpp"
#include "control/admin/api/stats.hpp"
#include "control/admin/api/trace.hpp"
