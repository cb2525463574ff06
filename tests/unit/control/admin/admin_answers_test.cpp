// Property: the admin API answers every endpoint — listings, runtime changes, their refusals,
// reloads, unknown endpoints — with exactly the status and JSON recorded in
// admin_answers.json. The record was taken from the daemon before its control plane was split
// by role, so any change to a path, a field or a value shows here. To re-record after a
// deliberate change: SLUICE_RECORD_ADMIN_ANSWERS=FILE ./admin_answers_test, and review the diff.
#include <gtest/gtest.h>


#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include <rte_mbuf.h>

#include "control/admin/views.hpp"
#include "control/daemon/control_plane.hpp"
#include "dataplane/net/ipv4.hpp"
#include "dataplane/trace/hub.hpp"
#include "tests/support/control_plane_test.hpp"

namespace sluice {
namespace {

using json = nlohmann::json;

constexpr const char* k_file = R"(interfaces:
  - { name: up, device: "none0", address: 10.0.0.2/24 }
  - { name: down, device: "none1", address: 10.0.1.2/24 }
acls:
  - name: edge
    default: allow
    rules:
      - { name: no-telnet, action: deny, protocol: tcp, ports: 23, reply: rst }
  - name: office
    default: deny
    rules:
      - { name: office, action: allow, src: 10.0.0.1/32 }
global_acls: [edge]
services:
  - name: web
    address: 10.0.0.100
    port: 80
    persistence_timeout: 300
    acls: [office]
    health_check: { type: tcp, port: 8080 }
    backends:
      - { address: 10.0.1.11, port: 8080 }
      - { address: 10.0.1.12, port: 8080, weight: 3 }
  - name: dns
    address: 10.0.0.100
    port: 53
    protocol: udp
    scheduler: wrr
    backends: [{ address: 10.0.1.11, port: 5353 }]
)";

struct exchange {
  const char* method;
  const char* target;
  const char* body;
};

// In order: each change sees the state the ones before it left.
const exchange k_exchanges[] = {
    {"GET", "/v1/services", ""},
    {"GET", "/v1/stats", ""},
    {"GET", "/v1/acls", ""},
    {"GET", "/metrics", ""},
    {"GET", "/v1/flows", ""},
    {"GET", "/v1/flows?name=web&limit=0", ""},
    {"GET", "/v1/lookup?protocol=tcp&client=10.0.0.1:40000&virtual=10.0.0.100:80", ""},
    {"GET", "/v1/lookup?protocol=udp&client=10.0.0.5:5000&virtual=10.0.0.100:53", ""},
    {"GET", "/v1/lookup?protocol=sctp&client=10.0.0.1&virtual=10.0.0.100:80", ""},
    {"POST", "/v1/trace", R"({"vip": "10.0.0.100:80", "client": "10.0.0.0/24", "count": 5})"},
    {"POST", "/v1/trace", R"({"drops": true})"},
    {"GET", "/v1/trace?id=1", ""},
    {"GET", "/v1/trace?id=2", ""},
    {"GET", "/v1/trace?session=1", ""},
    {"POST", "/v1/trace", R"({"vip": "10.0.0.100", "backend": "10.0.1.11:0"})"},
    {"POST", "/v1/trace", R"({"count": 0})"},
    {"POST", "/v1/trace", R"({"vips": "10.0.0.100:80"})"},
    {"POST", "/v1/services",
     R"({"address": "10.0.0.101", "port": 443, "scheduler": "wrr",
         "backends": [{"address": "10.0.1.11", "port": 8443, "weight": 3}]})"},
    {"PATCH", "/v1/services",
     R"({"service": {"name": "web"}, "set": {"scheduler": "wlc", "persistence_timeout": 600}})"},
    {"POST", "/v1/backends",
     R"({"service": {"address": "10.0.0.100", "port": 80},
         "backend": {"address": "10.0.1.13", "port": 8080, "weight": 2}})"},
    {"PATCH", "/v1/backends",
     R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.13", "weight": 0}})"},
    {"PATCH", "/v1/backends",
     R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.13", "port": 8080, "weight": 0, "forwarding": "nat"}})"},
    {"POST", "/v1/backends",
     R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.14", "forwarding": "dr"}})"},
    {"GET", "/v1/services", ""},
    {"DELETE", "/v1/backends",
     R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.13", "port": 8080}})"},
    {"DELETE", "/v1/backends",
     R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.12", "port": 8080}, "flush": true})"},
    {"DELETE", "/v1/services", R"({"service": {"name": "web"}, "flush": "yes"})"},
    {"PATCH", "/v1/services", R"({"service": {"name": "web"}, "set": {}, "flush": true})"},
    {"DELETE", "/v1/services", R"({"service": {"protocol": "tcp", "address": "10.0.0.101", "port": 443}})"},
    {"POST", "/v1/services", "not json"},
    {"POST", "/v1/services", R"(["a list"])"},
    {"POST", "/v1/services", R"({"address": "10.0.0.102", "port": 80, "scheduler": "fastest"})"},
    {"POST", "/v1/services", R"({"address": "10.0.0.100", "port": 80})"},
    {"PATCH", "/v1/services", R"({"service": {"name": "nope"}, "set": {"scheduler": "rr"}})"},
    {"PATCH", "/v1/services", R"({"service": {"name": "web"}})"},
    {"PATCH", "/v1/services", R"({"service": {"name": "web"}, "set": {"backends": []}})"},
    {"PATCH", "/v1/services", R"({"service": {"protocol": "icmp", "address": "10.0.0.100", "port": 80}, "set": {"port": 81}})"},
    {"PATCH", "/v1/services", R"({"service": {"address": "10.0.0.300", "port": 80}, "set": {"port": 81}})"},
    {"PATCH", "/v1/services", R"({"service": {"address": "10.0.0.100", "port": 99999}, "set": {"port": 81}})"},
    {"PATCH", "/v1/services", R"({"service": "web", "set": {"port": 81}})"},
    {"DELETE", "/v1/services", R"({})"},
    {"POST", "/v1/backends", R"({"service": {"name": "web"}})"},
    {"POST", "/v1/backends", R"({"service": {"name": "web"}, "backend": "10.0.1.15"})"},
    {"POST", "/v1/backends", R"({"service": {"name": "web"}, "backend": {"port": 8080}})"},
    {"POST", "/v1/backends", R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.15", "weight": 70000}})"},
    {"DELETE", "/v1/backends", R"({"service": {"name": "dns"}, "backend": {"address": "10.0.1.99"}})"},
    {"GET", "/v1/services", ""},
    {"POST", "/v1/reload", ""},
    {"GET", "/v1/services", ""},
    {"GET", "/v1/nothing", ""},
    {"PUT", "/v1/services", ""},
    {"GET", "/v1/services?verbose=1", ""},
    {"POST", "/v1/stats", ""},
};

// The values that depend on the machine's speed (publish durations: the sums and the buckets they
// fall in) and on the clock (when the file was applied).
std::string without_timings(std::string metrics) {
  static const std::regex seconds(
      "(\n(sluice_control_publish_duration_seconds_sum|sluice_snapshot_publish_duration_seconds_sum|"
      "sluice_snapshot_publish_duration_seconds_bucket\\{[^}]*\\}|"
      "sluice_config_last_reload_success_timestamp_seconds)) [^\n]*");
  return std::regex_replace(metrics, seconds, "$1 <seconds>");
}

json recorded(const admin_request& req, const admin_response& r) {
  json body = r.content_type == "application/json" ? json::parse(r.body, nullptr, false)
                                                    : json(without_timings(r.body));
  return {{"method", req.method}, {"target", req.target}, {"request", req.body},
          {"status", r.status},   {"content_type", r.content_type}, {"body", body}};
}

class AdminAnswers : public test::control_plane_test {
protected:
  void SetUp() override {
    // Counters as workers would leave them: distinct values, so a field read from the wrong
    // counter shows.
    for (uint32_t i = 0; i < 64; ++i) {
      stats_.services[i].conns.add(100 + i);
      stats_.services[i].in_packets.add(200 + i);
      stats_.services[i].out_bytes.add(300 + i);
    }
    for (uint32_t i = 0; i < 256; ++i) {
      stats_.backends[i].in_bytes.add(1000 + i);
      stats_.backends[i].active.add(i % 3);
      stats_.backends[i].inactive.add(i % 5);
    }
    stats_.worker.rx_packets.add(1000);
    stats_.worker.tx_packets.add(990);
    stats_.worker.polls.add(50);
    stats_.worker.busy_polls.add(20);
    stats_.worker.flows_active.add(3);
    stats_.worker.exception_to_kernel.add(4);
    stats_.worker.drop(drop_reason::no_service, 7);
    start(k_file, stats_);
    // Trace sessions are armed on a hub as on the workers'; none polls it, so a session's
    // records stay empty.
    trace_ = std::make_unique<trace_hub>(1, 0, nullptr);
    control_->take_trace(*trace_);
    // A packet pool with some mbufs out, as a running worker leaves it.
    pool_ = rte_pktmbuf_pool_create("answers_mbufs", 511, 32, 0, 256, SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
    ASSERT_EQ(rte_pktmbuf_alloc_bulk(pool_, taken_, std::size(taken_)), 0);
    control_->take_mempools({pool_});
  }
  void TearDown() override {
    control_plane_test::TearDown();
    if (pool_ != nullptr) {
      rte_pktmbuf_free_bulk(taken_, std::size(taken_));
      rte_mempool_free(pool_);
    }
  }

  worker_stats stats_{64, 256, 64};
  std::unique_ptr<trace_hub> trace_;
  rte_mempool* pool_ = nullptr;
  rte_mbuf* taken_[12] = {};
};

TEST_F(AdminAnswers, EveryEndpointAnswersAsRecorded) {
  json answers = json::array();
  for (const exchange& e : k_exchanges) {
    const admin_request req{e.method, e.target, e.body};
    answers.push_back(recorded(req, control_->handle(req)));
  }
  // The metrics listener serves /metrics only.
  for (const char* target : {"/metrics", "/v1/services"}) {
    const admin_request req{"GET", target, ""};
    answers.push_back(recorded(req, control_->handle_metrics(req)));
  }
  // A reload of an invalid file is refused whole, the running services kept.
  std::ofstream(path_) << "services:\n  - name: web\n    address: 10.0.0.300\n    port: 80\n";
  for (const char* target : {"/v1/reload", "/v1/services"}) {
    const admin_request req{target == std::string("/v1/reload") ? "POST" : "GET", target, ""};
    answers.push_back(recorded(req, control_->handle(req)));
  }

  if (const char* out = std::getenv("SLUICE_RECORD_ADMIN_ANSWERS")) {
    std::ofstream(out) << answers.dump(1) << "\n";
    GTEST_SKIP() << "recorded into " << out;
  }
  std::ifstream in(SLUICE_ADMIN_ANSWERS);
  ASSERT_TRUE(in) << "cannot read " << SLUICE_ADMIN_ANSWERS;
  const json want = json::parse(in);
  ASSERT_EQ(answers.size(), want.size());
  // A temporary file's name appears in reload errors: compare without it.
  const std::regex file("/[^\"]*admin_answers_test-[0-9]+\\.yaml");
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(std::regex_replace(answers[i].dump(), file, "FILE"),
              std::regex_replace(want[i].dump(), file, "FILE"))
        << "exchange " << i << ": " << want[i]["method"] << " " << want[i]["target"];
}

// The reload families of /metrics follow the file: an applied reload counts as a success and
// moves the last-success time, a refused one counts as a failure and leaves that time alone.
TEST_F(AdminAnswers, MetricsCountReloadsByResultAndStampTheLastApplied) {
  const auto unix_now = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  const auto value = [&](const std::string& sample) {
    const std::string m = control_->handle_metrics({"GET", "/metrics", ""}).body;
    const auto at = m.find("\n" + sample + " ");
    EXPECT_NE(at, std::string::npos) << sample;
    return at == std::string::npos ? -1.0 : std::stod(m.substr(at + sample.size() + 2));
  };
  const std::string stamp = "sluice_config_last_reload_success_timestamp_seconds";
  const double started = value(stamp);
  EXPECT_GT(started, 0) << "the load at start is the first success";
  EXPECT_EQ(value("sluice_config_last_reload_successful"), 1);

  const double before = unix_now();
  EXPECT_EQ(control_->handle({"POST", "/v1/reload", ""}).status, 200);
  EXPECT_EQ(value(R"(sluice_config_reloads_total{result="success"})"), 1);
  const double applied = value(stamp);
  EXPECT_GE(applied, before);
  EXPECT_LE(applied, unix_now());

  std::ofstream(path_) << "services:\n  - name: web\n    address: 10.0.0.300\n    port: 80\n";
  EXPECT_EQ(control_->handle({"POST", "/v1/reload", ""}).status, 422);
  EXPECT_EQ(value(R"(sluice_config_reloads_total{result="failure"})"), 1);
  EXPECT_EQ(value(R"(sluice_config_reloads_total{result="success"})"), 1);
  EXPECT_EQ(value("sluice_config_last_reload_successful"), 0);
  EXPECT_EQ(value(stamp), applied) << "a refused reload applied nothing";
}

// GET /v1/flows needs running workers; its body is made from what they sample.
TEST(AdminAnswersFlows, SampledFlowsAnswerAsRecorded) {
  flow_request_result r{.matched = 3};
  flow f{};
  f.client_addr = *parse_ipv4("10.0.0.1");
  f.vip = *parse_ipv4("10.0.0.100");
  f.backend_addr = *parse_ipv4("10.0.1.11");
  f.client_port = htons(40000);
  f.vip_port = htons(80);
  f.backend_port = htons(8080);
  f.proto = IPPROTO_TCP;
  f.state = flow_state::tcp_established;
  f.service_slot = 1;
  f.mode = forwarding::nat;
  r.flows.push_back({.worker = 0, .sample = {.record = f, .expires_in_ms = 899000}});
  f.proto = IPPROTO_UDP;
  f.state = flow_state::udp;
  f.service_slot = 2; // its service is gone
  f.mode = forwarding::dr;
  r.flows.push_back({.worker = 1, .sample = {.record = f, .expires_in_ms = 1500}});
  const json got = flows_view(r, {{1, "web"}}, 2);
  if (const char* out = std::getenv("SLUICE_RECORD_FLOWS_ANSWER")) {
    std::ofstream(out) << got.dump(1) << "\n";
    GTEST_SKIP() << "recorded into " << out;
  }
  std::ifstream in(SLUICE_FLOWS_ANSWER);
  ASSERT_TRUE(in) << "cannot read " << SLUICE_FLOWS_ANSWER;
  EXPECT_EQ(got, json::parse(in));
}

} // namespace
} // namespace sluice
