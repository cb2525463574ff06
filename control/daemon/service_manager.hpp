#pragma once
// What sluiced tells its service manager (systemd's Type=notify protocol, sd_notify(3)): ready
// once the ports are started and every worker polls, reloading around a SIGHUP, stopping on the
// way out, and a one-line status for `systemctl status`. Started without $NOTIFY_SOCKET (by hand,
// by the tests) every call does nothing. Control thread only; the dataplane never calls here.

#include <string_view>

namespace sluice::service_manager {

// READY=1 with STATUS=`status`: the unit leaves "activating" (or "reloading").
void ready(std::string_view status);
// RELOADING=1: a SIGHUP reload started; ready() ends it, whatever the reload's outcome.
void reloading();
// STOPPING=1: the workers are about to stop.
void stopping();
// STATUS=`status` alone (e.g. why start-up failed, before the non-zero exit).
void status(std::string_view status);

} // namespace sluice::service_manager
