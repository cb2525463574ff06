// The admin contract (control/admin/api/): every request and reply survives encode → decode
// unchanged; the exact JSON the daemon emitted before the contract was code (admin_answers.json)
// decodes and re-encodes to itself; bad bodies are refused whole, naming the field; and
// docs/admin-api.md lists exactly the fields the structs encode.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "control/admin/api.hpp"
#include "control/admin/query.hpp"

namespace sluice::api {
namespace {

using json = nlohmann::json;

// Every optional set, every list non-empty: the samples exercise every field.
traffic sample_traffic() { return {.conns = 1, .in_packets = 2, .in_bytes = 3, .out_packets = 4, .out_bytes = 5}; }

service_list sample_services() {
  backend_status b{.address = "10.0.1.11", .port = 8080, .weight = 0, .configured_weight = 3,
                   .active_conns = 7, .inactive_conns = 8, .stats = sample_traffic(),
                   .health = backend_health{.state = "down", .check = "http", .port = 8081,
                                            .streak = 2, .checks_passed = 10, .checks_failed = 3,
                                            .transitions = 1, .last_detail = "status 503"}};
  return {.services = {{.name = "web", .protocol = "tcp", .address = "10.0.0.100", .port = 80,
                        .forwarding = "nat", .scheduler = "wrr", .persistence_timeout = 300,
                        .stats = sample_traffic(), .backends = {b}}}};
}

stats_report sample_stats() {
  worker_report w{.worker = 1, .drops = {{"no_service", 4}}, .running_us = 9000, .asleep_us = 8000};
  uint64_t n = 0;
  for (auto counter : k_worker_report_counters) w.*counter = ++n;
  return {.workers = {w},
          .drops = {{"no_service", 4}},
          .drop_descriptions = {{"no_service", "no service at this address"}},
          .mempools = {{.name = "sluice_mbufs", .size = 8191, .in_use = 1050}}};
}

flow_sample_list sample_flows() {
  return {.flows = {{.worker = 1, .protocol = "tcp", .state = "ESTABLISHED",
                     .client = "10.0.0.1:40000", .virtual_ = "10.0.0.100:80",
                     .backend = "10.0.1.11:8080", .forwarding = "nat", .service = "web",
                     .expires_in_ms = 899000}},
          .matched = 3,
          .truncated = true};
}

acl_report sample_acls() {
  return {.acls = {{.name = "office", .default_action = "deny", .default_hits = 5,
                    .rules = {{.name = "office", .action = "allow", .reply = "none",
                               .payload = true, .hits = 9}}}},
          .global_acls = {"edge"},
          .services = {{"web", {"office"}}}};
}

service_selector sample_selector() { return {.protocol = "udp", .address = "10.0.0.100", .port = 53}; }
backend_spec sample_backend() {
  return {.address = "10.0.1.11", .port = 8080, .weight = 2, .forwarding = "nat"};
}
service_edit sample_edit() {
  return {.service = {.name = "web"}, .set = {{"scheduler", "wlc"}}, .flush = false};
}
service_removal sample_removal() { return {.service = sample_selector(), .flush = true}; }
backend_change sample_backend_change() {
  return {.service = sample_selector(), .backend = sample_backend(), .flush = true};
}
change_reply sample_change_reply() {
  return {.generation = 7, .flows_flushed = 12, .errors = std::vector<std::string>{"flush: late"}};
}
lookup_reply sample_lookup() {
  return {.protocol = "tcp", .client = "10.0.0.1:40000", .virtual_ = "10.0.0.100:80",
          .service = "web", .forwarding = "nat", .flow = sample_flows().flows[0],
          .if_new = {.scheduler = "wrr", .backend = "", .decided_at_arrival = true,
                     .candidates = {"10.0.1.11:8080"}, .affinity_seconds = 300, .acl = "allow"}};
}
lookup_query sample_lookup_query() {
  return {.protocol = "tcp", .client = "10.0.0.1:40000", .virtual_ = "10.0.0.100:80"};
}
trace_request sample_trace_request() {
  return {.vip = "10.0.0.100:80", .client = "10.0.0.0/24", .backend = "10.0.1.11:8080",
          .drops = true, .count = 20, .seconds = 5};
}
trace_batch sample_trace_batch() {
  return {.id = 3,
          .records = {{.at_us = 2500, .worker = 1, .interface = "uplink", .handed_in = true,
                       .protocol = "tcp", .tcp_flags = "S", .source = "10.0.0.1:40000",
                       .destination = "10.0.0.100:80", .local = false, .flow = "opened",
                       .direction = "forward", .acl = "allowed", .acl_rule = "edge/web",
                       .service = "10.0.0.100:80", .scheduler = "rr", .backend = "10.0.1.11:8080",
                       .forwarding = "nat", .outcome = "forwarded", .handoff_to = 0,
                       .rewritten_source = "10.0.0.1:40000",
                       .rewritten_destination = "10.0.1.11:8080", .egress = "downlink",
                       .next_hop = "10.0.1.11", .drop = ""}},
          .done = true,
          .lost = 2};
}
flows_query sample_query() {
  return {.name = "my web", .address = "10.0.0.100", .port = "80", .protocol = "tcp",
          .backend = "10.0.1.11:8080", .client = "10.0.0.1", .limit = "5"};
}

template <class T>
void expect_round_trip(const T& v) {
  const json j = v;
  EXPECT_EQ(decode_value<T>(j, ""), v) << j.dump();
  EXPECT_EQ(decode_text<T>(j.dump()), v) << j.dump();
}

TEST(AdminContract, EveryReplyRoundTrips) {
  expect_round_trip(sample_services());
  expect_round_trip(sample_stats());
  expect_round_trip(sample_flows());
  expect_round_trip(sample_acls());
  expect_round_trip(sample_change_reply());
  expect_round_trip(change_reply{.generation = 1});
  expect_round_trip(reload_reply{});
  expect_round_trip(error_reply{{"service.port: must be an integer"}});
  expect_round_trip(service_list{});
  expect_round_trip(acl_report{});
  expect_round_trip(sample_lookup());
  expect_round_trip(lookup_reply{.service = "web", .if_new = {.scheduler = "mh", .acl = "deny"}});
  expect_round_trip(trace_started{.id = 9});
  expect_round_trip(sample_trace_batch());
  expect_round_trip(trace_batch{});
}

TEST(AdminContract, EveryRequestRoundTrips) {
  expect_round_trip(service_definition{{{"address", "10.0.0.100"}, {"port", 80}}});
  expect_round_trip(sample_edit());
  expect_round_trip(sample_removal());
  expect_round_trip(service_removal{.service = {.name = "web"}});
  expect_round_trip(sample_backend_change());
  expect_round_trip(backend_change{.service = {.address = "10.0.0.100"}, .backend = {.address = "10.0.1.11"}});
  const flows_query q = sample_query();
  EXPECT_EQ(flows_query_from(parse_target(to_target(q)).params), q) << to_target(q);
  EXPECT_EQ(to_target(flows_query{}), k_flows_path);
  const lookup_query l = sample_lookup_query();
  EXPECT_EQ(lookup_query_from(parse_target(to_target(l)).params), l) << to_target(l);
  expect_round_trip(sample_trace_request());
  expect_round_trip(trace_request{});
  const trace_query t{.id = "4"};
  EXPECT_EQ(trace_query_from(parse_target(to_target(t)).params), t) << to_target(t);
}

// `j` decoded as the contract's `shape` and encoded again.
json reencoded(const std::string& shape, const json& j) {
  static const std::map<std::string, json (*)(const json&)> by_shape{
      {"service_list", [](const json& v) { return json(decode_value<service_list>(v, "")); }},
      {"stats_report", [](const json& v) { return json(decode_value<stats_report>(v, "")); }},
      {"acl_report", [](const json& v) { return json(decode_value<acl_report>(v, "")); }},
      {"lookup_reply", [](const json& v) { return json(decode_value<lookup_reply>(v, "")); }},
      {"trace_request", [](const json& v) { return json(decode_value<trace_request>(v, "")); }},
      {"trace_started", [](const json& v) { return json(decode_value<trace_started>(v, "")); }},
      {"trace_batch", [](const json& v) { return json(decode_value<trace_batch>(v, "")); }},
      {"reload_reply", [](const json& v) { return json(decode_value<reload_reply>(v, "")); }},
      {"change_reply", [](const json& v) { return json(decode_value<change_reply>(v, "")); }},
      {"error_reply", [](const json& v) { return json(decode_value<error_reply>(v, "")); }},
      {"flow_sample_list", [](const json& v) { return json(decode_value<flow_sample_list>(v, "")); }},
      {"service_definition", [](const json& v) { return json(decode_value<service_definition>(v, "")); }},
      {"service_edit", [](const json& v) { return json(decode_value<service_edit>(v, "")); }},
      {"service_removal", [](const json& v) { return json(decode_value<service_removal>(v, "")); }},
      {"backend_change", [](const json& v) { return json(decode_value<backend_change>(v, "")); }},
  };
  const auto it = by_shape.find(shape);
  if (it == by_shape.end()) {
    ADD_FAILURE() << "no decoder for " << shape;
    return nullptr;
  }
  return it->second(j);
}

// The recorded exchanges: each request that was applied, and each reply, decodes into its struct
// and encodes back to the very JSON recorded.
TEST(AdminContract, TheDaemonsRecordedJsonDecodesAndEncodesToItself) {
  std::ifstream in(SLUICE_ADMIN_ANSWERS);
  ASSERT_TRUE(in) << SLUICE_ADMIN_ANSWERS;
  const json answers = json::parse(in);
  std::set<std::string> replies_seen;
  for (const json& a : answers) {
    const std::string method = a["method"], target = a["target"];
    const request_target t = parse_target(target);
    const int status = a["status"];
    const json& body = a["body"];
    SCOPED_TRACE(method + " " + target + " " + a["request"].get<std::string>());
    if (status != 200) {
      EXPECT_EQ(reencoded("error_reply", body), body);
      replies_seen.insert("error_reply");
      continue;
    }
    const endpoint* e = nullptr;
    for (const endpoint& c : k_endpoints)
      if (c.method == method && c.path == t.path) e = &c;
    ASSERT_NE(e, nullptr);
    if (e->response == "text") continue; // the Prometheus exposition: metrics_test's
    replies_seen.insert(std::string(e->response));
    EXPECT_EQ(reencoded(std::string(e->response), body), body);
    if (!e->request.empty() && e->method != "GET") { // a GET's request is its query
      const json request = json::parse(a["request"].get<std::string>());
      EXPECT_EQ(reencoded(std::string(e->request), request), request);
    }
  }
  std::ifstream flows(SLUICE_FLOWS_ANSWER);
  ASSERT_TRUE(flows) << SLUICE_FLOWS_ANSWER;
  const json f = json::parse(flows);
  EXPECT_EQ(reencoded("flow_sample_list", f), f);
  replies_seen.insert("flow_sample_list");
  for (const endpoint& e : k_endpoints) {
    if (e.response != "text") {
      EXPECT_TRUE(replies_seen.contains(std::string(e.response))) << e.response;
    }
  }
}

struct refusal_case {
  const char* what;
  std::string (*decode)(const std::string&);
  const char* body;
  const char* message;
};

template <class T>
std::string refusal_of(const std::string& body) {
  try {
    decode_text<T>(body);
  } catch (const decode_error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(AdminContract, BadBodiesAreRefusedWholeNamingTheField) {
  const refusal_case cases[] = {
      {"not JSON", refusal_of<service_removal>, "{nope", "body: not valid JSON"},
      {"not an object", refusal_of<service_removal>, "[1]", "body: must be an object {service, flush}"},
      {"definition not an object", refusal_of<service_definition>, "\"web\"",
       "body: must be a service object, as in the config file's services list"},
      {"missing member", refusal_of<service_removal>, "{}", "service: is required"},
      {"misspelt member", refusal_of<service_removal>, R"({"service": {"name": "web"}, "flsh": true})",
       "flsh: unknown field (expected: service, flush)"},
      {"selector not an object", refusal_of<service_removal>, R"({"service": "web"})",
       R"(service: must be {"name"} or {"protocol", "address", "port"})"},
      {"bad protocol", refusal_of<service_removal>, R"({"service": {"protocol": "icmp", "address": "10.0.0.1"}})",
       "service.protocol: must be one of tcp | udp (got \"icmp\")"},
      {"port out of range", refusal_of<service_removal>, R"({"service": {"address": "10.0.0.1", "port": 99999}})",
       "service.port: must be an integer in 0..65535 (got 99999)"},
      {"address not text", refusal_of<service_removal>, R"({"service": {"address": 5}})",
       "service.address: not an IPv4 address: 5"},
      {"flush not a bool", refusal_of<service_removal>, R"({"service": {"name": "web"}, "flush": "yes"})",
       "flush: must be true or false (got \"yes\")"},
      {"set missing", refusal_of<service_edit>, R"({"service": {"name": "web"}})", "set: is required"},
      {"set empty", refusal_of<service_edit>, R"({"service": {"name": "web"}, "set": {}})",
       "set: must be an object with the fields to change"},
      {"set backends", refusal_of<service_edit>, R"({"service": {"name": "web"}, "set": {"backends": []}})",
       "set.backends: change backends with the backend requests"},
      {"backend not an object", refusal_of<backend_change>, R"({"service": {"name": "web"}, "backend": "10.0.1.1"})",
       "backend: must be an object {address, port, weight}"},
      {"backend address missing", refusal_of<backend_change>, R"({"service": {"name": "web"}, "backend": {"port": 80}})",
       "backend.address: is required"},
      {"weight not a number", refusal_of<backend_change>,
       R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.1", "weight": "heavy"}})",
       "backend.weight: must be an integer (got \"heavy\")"},
      {"backend unknown member", refusal_of<backend_change>,
       R"({"service": {"name": "web"}, "backend": {"address": "10.0.1.1", "wieght": 1}})",
       "backend.wieght: unknown field (expected: address, port, weight, forwarding)"},
      {"reply list element", refusal_of<service_list>, R"({"services": [{"name": 1}]})",
       "services[0].name: must be a string (got 1)"},
  };
  for (const refusal_case& c : cases) EXPECT_EQ(c.decode(c.body), c.message) << c.what;
  EXPECT_THROW(flows_query_from({{"limt", "5"}}), decode_error);
  EXPECT_EQ(backend_from_text("10.0.1.1:8080", "backend"), (backend_spec{.address = "10.0.1.1", .port = 8080}));
  EXPECT_EQ(backend_from_text("10.0.1.1", "backend"), backend_spec{.address = "10.0.1.1"});
  try {
    backend_from_text("10.0.1.1:http", "backend");
    ADD_FAILURE() << "a port that is no number was accepted";
  } catch (const decode_error& e) {
    EXPECT_STREQ(e.what(), "backend.port: must be an integer in 0..65535 (got \"http\")");
  }
}

// docs/admin-api.md: "### `shape`" sections with "| `field` |" rows, and the endpoint table.
std::map<std::string, std::set<std::string>> documented_fields(const std::string& doc) {
  std::map<std::string, std::set<std::string>> out;
  std::istringstream in(doc);
  std::string line, section;
  static const std::regex heading("^### `([a-z_]+)`");
  static const std::regex row("^\\| `([a-z_]+)` \\|");
  for (std::smatch m; std::getline(in, line);) {
    if (std::regex_search(line, m, heading)) section = m[1], out[section];
    else if (line.starts_with("## ")) section.clear();
    else if (!section.empty() && std::regex_search(line, m, row)) out[section].insert(m[1]);
  }
  return out;
}

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

// The worker counters are documented once, in docs/metrics.md (worker_counters_test checks it).
std::set<std::string> without_counters(std::set<std::string> fields) {
  for (const worker_counter_info& c : k_worker_counter_infos) {
    EXPECT_EQ(fields.erase(std::string(c.field)), 1u) << "worker_report lacks " << c.field;
  }
  return fields;
}

std::set<std::string> keys(const json& a, const json& b) {
  std::set<std::string> out = keys(a);
  out.merge(keys(b));
  return out;
}

TEST(AdminContract, TheDocumentListsExactlyTheFieldsTheStructsEncode) {
  const std::string path = std::string(SLUICE_SOURCE_ROOT) + "/docs/admin-api.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto documented = documented_fields(doc);
  const service_list services = sample_services();
  std::set<std::string> query_keys;
  for (const auto& [k, v] : parse_target(to_target(sample_query())).params) query_keys.insert(k);
  std::set<std::string> lookup_keys;
  for (const auto& [k, v] : parse_target(to_target(sample_lookup_query())).params) lookup_keys.insert(k);
  std::set<std::string> trace_keys;
  for (const auto& [k, v] : parse_target(to_target(trace_query{.id = "1"})).params) trace_keys.insert(k);
  const std::map<std::string, std::set<std::string>> encoded{
      {"service_edit", keys(sample_edit())},
      {"service_removal", keys(sample_removal())},
      {"backend_change", keys(sample_backend_change())},
      {"service_selector", keys(service_selector{.name = "web"}, sample_selector())},
      {"backend_spec", keys(sample_backend())},
      {"flows_query", query_keys},
      {"change_reply", keys(sample_change_reply())},
      {"reload_reply", keys(reload_reply{})},
      {"error_reply", keys(error_reply{})},
      {"service_list", keys(services)},
      {"service_status", keys(services.services[0])},
      {"backend_status", keys(services.services[0].backends[0])},
      {"backend_health", keys(*services.services[0].backends[0].health)},
      {"traffic", keys(sample_traffic())},
      {"stats_report", keys(sample_stats())},
      {"worker_report", without_counters(keys(sample_stats().workers[0]))},
      {"mempool_report", keys(sample_stats().mempools[0])},
      {"flow_sample_list", keys(sample_flows())},
      {"flow_entry", keys(sample_flows().flows[0])},
      {"lookup_query", lookup_keys},
      {"lookup_reply", keys(sample_lookup())},
      {"new_connection", keys(sample_lookup().if_new)},
      {"acl_report", keys(sample_acls())},
      {"acl_set_report", keys(sample_acls().acls[0])},
      {"acl_rule_report", keys(sample_acls().acls[0].rules[0])},
      {"trace_request", keys(sample_trace_request())},
      {"trace_started", keys(trace_started{})},
      {"trace_query", trace_keys},
      {"trace_batch", keys(sample_trace_batch())},
      {"trace_entry", keys(sample_trace_batch().records[0])},
  };
  for (const auto& [shape, fields] : encoded) {
    ASSERT_TRUE(documented.contains(shape)) << "docs/admin-api.md has no section for " << shape;
    EXPECT_EQ(documented.at(shape), fields) << shape;
  }
  for (const auto& [shape, fields] : documented) {
    if (shape != "service_definition") {
      EXPECT_TRUE(encoded.contains(shape)) << "documented only: " << shape;
    }
  }
  for (const endpoint& e : k_endpoints) {
    const std::string row = "| " + std::string(e.method) + " | `" + std::string(e.path) + "` |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/admin-api.md lacks the endpoint " << row;
    for (std::string_view shape : {e.request, e.response}) {
      if (!shape.empty() && shape != "text") {
        EXPECT_TRUE(documented.contains(std::string(shape))) << shape;
      }
    }
  }
}

} // namespace
} // namespace sluice::api
