// Health verdicts without sockets: rise/fall thresholds, flapping, the table that follows the
// config, the status-line parser and the availability the announcers read.

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "control/announce/eligible_vips.hpp"
#include "control/config/load.hpp"
#include "control/health/health_state.hpp"
#include "control/health/http_status.hpp"
#include "control/snapshot/compile.hpp"

namespace sluice::health {
namespace {

// Feeds `checks` ('p' pass, 'f' fail) and returns the state after each: '?' unknown, 'u' up,
// 'd' down.
std::string run(rise_fall& rf, std::string_view checks) {
  std::string states;
  for (char c : checks) {
    rf.record(c == 'p');
    states += rf.state() == backend_state::unknown ? '?' : name_of(rf.state())[0];
  }
  return states;
}

TEST(RiseFall, StartsUnknownAndSchedulable) {
  rise_fall rf(2, 3);
  EXPECT_EQ(rf.state(), backend_state::unknown);
  EXPECT_TRUE(in_service(rf.state()));
}

TEST(RiseFall, FallConsecutiveFailuresTakeItDownAndRisePassesBringItBack) {
  rise_fall rf(2, 3);
  EXPECT_EQ(run(rf, "pp"), "?u");
  EXPECT_EQ(run(rf, "fff"), "uud");
  EXPECT_FALSE(in_service(rf.state()));
  EXPECT_EQ(run(rf, "pp"), "du");
}

TEST(RiseFall, TransitionIsReportedOnceOnTheThresholdCheck) {
  rise_fall rf(2, 3);
  EXPECT_FALSE(rf.record(false));
  EXPECT_FALSE(rf.record(false));
  EXPECT_EQ(rf.record(false), backend_state::down);
  EXPECT_FALSE(rf.record(false)) << "already down: no second transition";
  EXPECT_FALSE(rf.record(true));
  EXPECT_EQ(rf.record(true), backend_state::up);
  EXPECT_FALSE(rf.record(true));
}

TEST(RiseFall, FlappingBelowTheThresholdsChangesNothing) {
  rise_fall up(2, 3);
  run(up, "pp");
  EXPECT_EQ(run(up, "ffpffpffp"), "uuuuuuuuu") << "never 3 failures in a row";
  rise_fall down(2, 3);
  run(down, "fff");
  EXPECT_EQ(run(down, "pfpfpf"), "dddddd") << "never 2 passes in a row";
}

TEST(RiseFall, DeadFromTheStartLeavesAfterFallFailures) {
  rise_fall rf(2, 3);
  EXPECT_EQ(run(rf, "fff"), "??d");
}

TEST(RiseFall, NewThresholdsKeepTheStateAndApplyFromTheNextCheck) {
  rise_fall rf(5, 3);
  run(rf, "fff");
  rf.set_thresholds(1, 3);
  EXPECT_EQ(rf.record(true), backend_state::up);
}

TEST(HttpStatus, StatusLineIsParsedOnceComplete) {
  EXPECT_EQ(parse_status_line("HTTP/1.1 200 OK\r\n").result, status_line::outcome::done);
  EXPECT_EQ(parse_status_line("HTTP/1.0 503 Service Unavailable\r\n").status, 503);
  EXPECT_EQ(parse_status_line("HTTP/1.1 204\r\n").status, 204) << "reason phrase may be empty";
  EXPECT_EQ(parse_status_line("HTTP/1.1 20").result, status_line::outcome::need_more);
  EXPECT_EQ(parse_status_line("").result, status_line::outcome::need_more);
  EXPECT_EQ(parse_status_line("SSH-2.0-OpenSSH").result, status_line::outcome::invalid);
  EXPECT_EQ(parse_status_line("HTTP/1.1 2x0 OK").result, status_line::outcome::invalid);
  EXPECT_EQ(parse_status_line("HTTP/1.1 2000 OK").result, status_line::outcome::invalid);
  EXPECT_EQ(parse_status_line("HTTP/1.1 099 OK").result, status_line::outcome::invalid);
}

TEST(HttpStatus, ExpectedStatusMustMatchElseAny2xxOr3xxPasses) {
  EXPECT_TRUE(status_passes(200, 200));
  EXPECT_FALSE(status_passes(204, 200)) << "expect_status is exact";
  EXPECT_FALSE(status_passes(200, 204));
  EXPECT_TRUE(status_passes(204, -1));
  EXPECT_TRUE(status_passes(302, -1));
  EXPECT_FALSE(status_passes(404, -1));
  EXPECT_FALSE(status_passes(500, -1));
}

constexpr const char* k_file = R"(interfaces: [{ name: up, device: d, address: 10.0.0.2/24 }]
services:
  - name: web
    address: 10.0.0.100
    port: 80
    health_check: { type: http, path: /healthz, interval_ms: 500, timeout_ms: 200, rise: 2, fall: 2 }
    backends: [{ address: 10.0.1.11, port: 8080 }, { address: 10.0.1.12, port: 8080 }]
  - name: plain
    address: 10.0.0.101
    port: 80
    backends: [{ address: 10.0.1.13, port: 8080 }]
)";

config load() {
  load_result r = parse_config(k_file, "t.yaml");
  EXPECT_TRUE(r.cfg) << r.errors.at(0).to_string();
  return *r.cfg;
}

std::string key(const config& c, std::size_t s, std::size_t b) {
  return backend_identity(c.services[s], c.services[s].backends[b]);
}

void fail_n(health_table& t, const std::string& k, int n) {
  for (int i = 0; i < n; ++i) t.record({.key = k, .passed = false, .detail = "connect: refused"});
}

TEST(HealthTable, OnlyServicesWithACheckGetTargets) {
  const config c = load();
  health_table t;
  t.sync(c.services);
  const health_table::changes ch = t.take_changes();
  ASSERT_EQ(ch.added.size(), 2u);
  EXPECT_TRUE(ch.removed.empty());
  EXPECT_EQ(ch.added[0].key, key(c, 0, 0));
  EXPECT_EQ(ch.added[0].port, 8080) << "no port in the check: the backend's";
  EXPECT_EQ(ch.added[0].check.path, "/healthz");
  EXPECT_TRUE(t.take_changes().added.empty()) << "changes are taken once";
}

TEST(HealthTable, FallFailuresPutTheBackendInTheDownSetAndRisePassesTakeItOut) {
  const config c = load();
  health_table t;
  t.sync(c.services);
  const std::string k = key(c, 0, 1);
  EXPECT_FALSE(t.record({.key = k, .passed = false, .detail = "x"}));
  const auto down = t.record({.key = k, .passed = false, .detail = "timeout after 200 ms"});
  ASSERT_TRUE(down);
  EXPECT_EQ(down->service, "web");
  EXPECT_EQ(down->backend, "10.0.1.12:8080");
  EXPECT_EQ(down->from, backend_state::unknown);
  EXPECT_EQ(down->to, backend_state::down);
  EXPECT_EQ(down->detail, "timeout after 200 ms");
  EXPECT_TRUE(t.down().contains(k));
  t.record({.key = k, .passed = true});
  const auto up = t.record({.key = k, .passed = true});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->to, backend_state::up);
  EXPECT_FALSE(t.down().contains(k));
  const backend_health* h = t.find(k);
  EXPECT_EQ(h->checks_failed, 2u);
  EXPECT_EQ(h->checks_passed, 2u);
  EXPECT_EQ(h->transitions, 2u);
}

TEST(HealthTable, ResultsForForgottenBackendsAreIgnored) {
  config c = load();
  health_table t;
  t.sync(c.services);
  const std::string k = key(c, 0, 1);
  fail_n(t, k, 2);
  c.services[0].backends.pop_back();
  t.sync(c.services);
  EXPECT_FALSE(t.down().contains(k)) << "a removed backend leaves the down set";
  EXPECT_FALSE(t.record({.key = k, .passed = false}));
  EXPECT_EQ(t.take_changes().removed, std::vector<std::string>{k});
}

TEST(HealthTable, KeptBackendsKeepTheirStateAcrossAReloadAndAnEditedCheck) {
  config c = load();
  health_table t;
  t.sync(c.services);
  t.take_changes();
  const std::string k = key(c, 0, 0);
  fail_n(t, k, 2);
  t.sync(c.services);
  EXPECT_TRUE(t.take_changes().added.empty()) << "nothing changed: the prober is left alone";
  EXPECT_TRUE(t.down().contains(k));

  c.services[0].health_check->interval_ms = 1000;
  t.sync_service(&c.services[0], &c.services[0]);
  const auto ch = t.take_changes();
  ASSERT_EQ(ch.added.size(), 2u) << "the prober restarts targets whose check changed";
  EXPECT_EQ(ch.added[0].check.interval_ms, 1000u);
  EXPECT_TRUE(t.down().contains(k)) << "but the verdict stays";
}

TEST(HealthTable, ACheckRemovedFromTheServiceForgetsItsVerdicts) {
  config c = load();
  health_table t;
  t.sync(c.services);
  fail_n(t, key(c, 0, 0), 2);
  const service_config old = c.services[0];
  c.services[0].health_check.reset();
  t.sync_service(&old, &c.services[0]);
  EXPECT_TRUE(t.down().empty());
  EXPECT_EQ(t.size(), 0u);
}

TEST(HealthTable, RemovedThenReaddedInOneBatchEndsRunning) {
  config c = load();
  health_table t;
  t.sync(c.services);
  t.take_changes();
  const service_config old = c.services[0];
  t.sync_service(&old, nullptr);
  t.sync_service(nullptr, &old);
  const auto ch = t.take_changes();
  EXPECT_EQ(ch.added.size(), 2u);
  EXPECT_TRUE(ch.removed.empty());
}

TEST(Availability, AServiceIsAvailableWhileOneBackendIsEligible) {
  config c = load();
  health_table t;
  t.sync(c.services);
  availability_tracker a;
  std::vector<std::pair<std::string, bool>> changed;
  a.update_all(c.services, t, changed);
  EXPECT_EQ(changed.size(), 2u) << "first sight counts as a change";
  EXPECT_TRUE(a.available("web"));
  EXPECT_TRUE(a.available("plain"));

  changed.clear();
  fail_n(t, key(c, 0, 0), 2);
  a.update(c.services[0], t, changed);
  EXPECT_TRUE(changed.empty()) << "one of two backends still eligible";
  fail_n(t, key(c, 0, 1), 2);
  a.update(c.services[0], t, changed);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0], std::make_pair(std::string("web"), false));

  changed.clear();
  c.services[1].backends[0].weight = 0;
  a.update(c.services[1], t, changed);
  EXPECT_EQ(changed, (std::vector<std::pair<std::string, bool>>{{"plain", false}}))
      << "weight 0 everywhere: nothing to announce";

  changed.clear();
  c.services.erase(c.services.begin());
  a.update_all(c.services, t, changed);
  EXPECT_TRUE(changed.empty()) << "web was already unavailable: no second report";
  EXPECT_FALSE(a.available("web"));
  EXPECT_EQ(a.all().size(), 1u);
}

TEST(Availability, AnnouncedVipsLeaveOutAServiceWhoseBackendsAreAllDown) {
  config c = load();
  health_table t;
  t.sync(c.services);
  const uint32_t web = c.services[0].vip, plain = c.services[1].vip;
  EXPECT_EQ(eligible_vips(c, &t), (std::vector<uint32_t>{web, plain}));
  fail_n(t, key(c, 0, 0), 2);
  EXPECT_EQ(eligible_vips(c, &t), (std::vector<uint32_t>{web, plain})) << "one backend left";
  fail_n(t, key(c, 0, 1), 2);
  EXPECT_EQ(eligible_vips(c, &t), std::vector<uint32_t>{plain});
  EXPECT_EQ(eligible_vips(c), (std::vector<uint32_t>{web, plain})) << "without health: weights only";
  t.record({.key = key(c, 0, 1), .passed = true});
  t.record({.key = key(c, 0, 1), .passed = true});
  EXPECT_EQ(eligible_vips(c, &t), (std::vector<uint32_t>{web, plain})) << "back after rise passes";
}

} // namespace
} // namespace sluice::health
