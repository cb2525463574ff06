#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <fstream>
#include <functional>

#include "control/k8s/decode.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/k8s_objects.hpp"

namespace sluice::k8s {
namespace {

using nlohmann::json;
using namespace sluice::test;

json fixture(const std::string& file) {
  std::ifstream in(std::string(SLUICE_K8S_FIXTURES) + "/" + file);
  EXPECT_TRUE(in) << "fixture " << file << " (tests/unit/control/k8s/fixtures)";
  return json::parse(in);
}

uint32_t ip(const char* s) { return *parse_ipv4(s); }

// Decodes `j` as every kind; none may throw, whatever j holds.
void decode_all(const json& j) {
  (void)decode_service(j);
  (void)decode_endpoint_slice(j);
  (void)decode_node(j);
  (void)decode_meta(j);
}

// Every leaf and subtree of `root` replaced by each of a set of wrong-typed values.
void for_each_mutation(const json& root, const std::function<void(const json&)>& f) {
  const json replacements[] = {nullptr,  json::array(), json::object(), "text", -1,
                               1u << 31, 1e300,         true,           json::array({1, "x"}),
                               json(18446744073709551615ull)};
  const json flat = root.flatten();
  std::vector<std::string> paths;
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    // every prefix of each leaf's pointer: the subtrees too
    std::string p = it.key();
    while (!p.empty()) {
      paths.push_back(p);
      p = p.substr(0, p.rfind('/'));
    }
  }
  for (const std::string& p : paths)
    for (const json& r : replacements) {
      json m = root;
      m[json::json_pointer(p)] = r;
      f(m);
    }
}

TEST(K8sDecode, EveryFieldServiceFixtureDecodes) {
  const auto d = decode_service(fixture("core.v1.Service.every-field.json"));
  ASSERT_TRUE(std::holds_alternative<service>(d)) << std::get<std::string>(d);
  const service& s = std::get<service>(d);
  EXPECT_EQ(s.meta.key(), "namespaceValue/nameValue");
  ASSERT_EQ(s.ports.size(), 1u);
  EXPECT_EQ(s.ports[0].protocol, l4_protocol::unknown) << "placeholder protocol is not TCP";
  EXPECT_EQ(s.ports[0].node_port, 5);
  EXPECT_TRUE(s.ingress.empty()) << "\"ipValue\" is no IPv4 address";
  EXPECT_EQ(s.load_balancer_class, "loadBalancerClassValue");
  EXPECT_EQ(s.health_check_node_port, 12);
}

TEST(K8sDecode, EveryFieldEndpointSliceAndNodeFixturesDecode) {
  const auto es = decode_endpoint_slice(fixture("discovery.k8s.io.v1.EndpointSlice.every-field.json"));
  ASSERT_TRUE(std::holds_alternative<endpoint_slice>(es)) << std::get<std::string>(es);
  EXPECT_TRUE(std::get<endpoint_slice>(es).endpoints.at(0).addresses.empty());
  const auto n = decode_node(fixture("core.v1.Node.every-field.json"));
  ASSERT_TRUE(std::holds_alternative<node>(n)) << std::get<std::string>(n);
  EXPECT_EQ(std::get<node>(n).internal_ip, 0u);
}

TEST(K8sDecode, EveryFixtureWithAnyFieldRetypedNeverThrows) {
  for (const char* f : {"core.v1.Service.every-field.json",
                        "discovery.k8s.io.v1.EndpointSlice.every-field.json",
                        "core.v1.Node.every-field.json", "core.v1.WatchEvent.every-field.json"}) {
    SCOPED_TRACE(f);
    for_each_mutation(fixture(f), [](const json& m) { EXPECT_NO_THROW(decode_all(m)); });
  }
}

TEST(K8sDecode, WrongTypedFieldIsNamedInTheError) {
  json s = k8s_service("default", "web", "NodePort", {k8s_port("http", 80, 30080)});
  s["spec"]["ports"][0]["port"] = "80";
  const auto d = decode_service(s);
  ASSERT_TRUE(std::holds_alternative<std::string>(d));
  EXPECT_EQ(std::get<std::string>(d), "spec.ports[0].port: must be an integer");
  s["spec"]["ports"][0]["port"] = 70000;
  EXPECT_EQ(std::get<std::string>(decode_service(s)), "spec.ports[0].port: out of range 1..65535");
}

TEST(K8sDecode, AbsentConditionsMeanReadyServingNotTerminating) {
  json sl = k8s_slice("default", "web", "web-1", {{"10.1.0.5"}}, {k8s_slice_port("http", 8080)});
  sl["endpoints"][0].erase("conditions");
  const endpoint e = must(decode_endpoint_slice(sl)).endpoints.at(0);
  EXPECT_TRUE(e.ready);
  EXPECT_TRUE(e.serving);
  EXPECT_FALSE(e.terminating);
  sl["endpoints"][0]["conditions"] = {{"ready", false}};
  const endpoint f = must(decode_endpoint_slice(sl)).endpoints.at(0);
  EXPECT_FALSE(f.serving) << "serving nil takes ready's value";
}

TEST(K8sDecode, SliceLabelNamesItsServiceAndIPv6AddressesAreSkipped) {
  json sl = k8s_slice("default", "web", "web-abc", {{"10.1.0.5"}}, {k8s_slice_port("", 8080)});
  sl["endpoints"][0]["addresses"] = {"fd00::5", "10.1.0.6"};
  const endpoint_slice es = must(decode_endpoint_slice(sl));
  EXPECT_EQ(es.service_name, "web");
  EXPECT_EQ(es.endpoints.at(0).addresses, std::vector<uint32_t>{ip("10.1.0.6")});
}

TEST(K8sDecode, NodeAddressPrefersInternalIpAndSeesTheExclusionLabel) {
  json n = k8s_node("node-a", "192.168.5.1", true);
  const json external = {{"type", "ExternalIP"}, {"address", "203.0.113.1"}};
  n["status"]["addresses"] = json::array({external, n["status"]["addresses"][1]});
  const node d = must(decode_node(n));
  EXPECT_EQ(d.internal_ip, ip("192.168.5.1"));
  EXPECT_TRUE(d.exclude_from_lb);
  n["status"]["addresses"] = json::array({external});
  EXPECT_EQ(must(decode_node(n)).internal_ip, ip("203.0.113.1"));
}

TEST(K8sDecode, ObjectWithoutNameIsRefused) {
  json s = k8s_service("default", "web", "NodePort", {});
  s["metadata"].erase("name");
  EXPECT_EQ(std::get<std::string>(decode_service(s)), "metadata.name: is required");
  EXPECT_EQ(std::get<std::string>(decode_service(json::array())),
            "object: must be a JSON object");
}

} // namespace
} // namespace sluice::k8s
