// control_plane::replace_source_services and change_source_services: the Kubernetes services
// beside the file's, on EAL
// (the snapshot publisher's RCU variable) without ports or workers.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "control/admin/api.hpp"
#include "control/daemon/control_plane.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/control_plane_test.hpp"

namespace sluice {
namespace {

class K8sControlPlane : public test::control_plane_test {
protected:
  static constexpr const char* k_file = R"(interfaces:
  - { name: up, device: "none0", address: 10.0.0.2/24 }
  - { name: down, device: "none1", address: 10.0.1.2/24 }
services:
  - name: web
    address: 10.0.0.100
    port: 80
    backends: [{ address: 10.0.1.11, port: 8080 }]
)";

  void SetUp() override { start(k_file, stats_); }

  static service_config svc(const std::string& name, const char* vip, uint16_t weight = 1) {
    service_config s{.name = name, .vip = *parse_ipv4(vip), .port = htons(80), .proto = IPPROTO_TCP};
    s.backends.push_back({.addr = *parse_ipv4("10.0.1.12"), .port = htons(8080), .weight = weight});
    return s;
  }
  std::vector<std::string> names() {
    const auto j = nlohmann::json::parse(control_->handle({"GET", api::k_services_path, ""}).body);
    std::vector<std::string> out;
    for (const auto& s : j["services"]) out.push_back(s["name"]);
    std::sort(out.begin(), out.end());
    return out;
  }
  uint64_t generation() { return publisher_.latest().generation; }

  worker_stats stats_{64, 256};
};

TEST_F(K8sControlPlane, SourceServicesAreServedBesideTheFilesAndReplacedWhole) {
  EXPECT_TRUE(control_->replace_source_services("kubernetes", {svc("k8s:a", "10.0.0.200"),
                                                               svc("k8s:b", "10.0.0.201"),
                                                               svc("k8s:c", "10.0.0.202")})
                  .empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:a", "k8s:b", "k8s:c", "web"}));
  const uint64_t before = generation();
  // One changed, one gone, one new, one unchanged: applied service by service.
  EXPECT_TRUE(control_->replace_source_services("kubernetes", {svc("k8s:b", "10.0.0.201", 0),
                                                               svc("k8s:c", "10.0.0.202"),
                                                               svc("k8s:d", "10.0.0.203")})
                  .empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:b", "k8s:c", "k8s:d", "web"}));
  EXPECT_EQ(generation(), before + 3) << "three deltas, three publishes";
  const snapshot& snap = publisher_.latest();
  EXPECT_EQ(snap.generation, generation());
  EXPECT_TRUE(control_->replace_source_services("kubernetes", {}).empty());
  EXPECT_EQ(names(), std::vector<std::string>{"web"});
}

TEST_F(K8sControlPlane, UnchangedSetPublishesNothing) {
  control_->replace_source_services("kubernetes", {svc("k8s:a", "10.0.0.200")});
  const uint64_t g = generation();
  control_->replace_source_services("kubernetes", {svc("k8s:a", "10.0.0.200")});
  EXPECT_EQ(generation(), g);
}

TEST_F(K8sControlPlane, ServiceClashingWithTheFileIsLeftOutAndReported) {
  const auto problems = control_->replace_source_services(
      "kubernetes", {svc("k8s:x", "10.0.0.100"), svc("web", "10.0.0.210"), svc("k8s:ok", "10.0.0.211")});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("k8s:x: name or address, port and protocol already taken"), std::string::npos);
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:ok", "web"}));
}

TEST_F(K8sControlPlane, ManyChangesAtOnceAreOneCompile) {
  std::vector<service_config> many;
  for (int i = 0; i < 40; ++i)
    many.push_back(svc("k8s:" + std::to_string(i), format_ipv4(htonl(0x0a000a00u + uint32_t(i))).c_str()));
  const uint64_t g = generation();
  EXPECT_TRUE(control_->replace_source_services("kubernetes", many).empty());
  EXPECT_EQ(generation(), g + 1);
  EXPECT_EQ(names().size(), 41u);
}

TEST_F(K8sControlPlane, ChangesApplyOnlyWhatTheyNameOneRecompileEach) {
  ASSERT_TRUE(control_->change_source_services("kubernetes", {svc("k8s:a", "10.0.0.200"),
                                                              svc("k8s:b", "10.0.0.201")}, {})
                  .empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:a", "k8s:b", "web"}));
  const uint64_t g = generation();
  // b changed, a gone, c new: three publishes; b's unchanged neighbours are not offered at all.
  EXPECT_TRUE(control_->change_source_services("kubernetes", {svc("k8s:b", "10.0.0.201", 0),
                                                              svc("k8s:c", "10.0.0.202")},
                                               {"k8s:a"})
                  .empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:b", "k8s:c", "web"}));
  EXPECT_EQ(generation(), g + 3);
  // An upsert equal to what is applied publishes nothing; removing an unknown name is no change.
  EXPECT_TRUE(control_->change_source_services("kubernetes", {svc("k8s:c", "10.0.0.202")}, {"k8s:zz"})
                  .empty());
  EXPECT_EQ(generation(), g + 3);
  // The source owns only its services: it cannot remove the file's.
  control_->change_source_services("kubernetes", {}, {"web"});
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:b", "k8s:c", "web"}));
  // A whole replacement afterwards sees the changed set as the source's.
  EXPECT_TRUE(control_->replace_source_services("kubernetes", {svc("k8s:c", "10.0.0.202")}).empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"k8s:c", "web"}));
}

TEST_F(K8sControlPlane, ChangeClashingWithTheFileIsLeftOutAndTheSourcesOldCopyRemoved) {
  control_->change_source_services("kubernetes", {svc("k8s:a", "10.0.0.200")}, {});
  // a moves onto the file's address: refused, and its old address is not served either.
  const auto problems = control_->change_source_services(
      "kubernetes", {svc("k8s:a", "10.0.0.100"), svc("web", "10.0.0.210")}, {});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("k8s:a: name or address, port and protocol already taken"), std::string::npos);
  EXPECT_EQ(names(), std::vector<std::string>{"web"});
  EXPECT_EQ(publisher_.latest().services.size(), 1u);
}

TEST_F(K8sControlPlane, ManyChangesAreOneCompileOfTheSourcesWholeSet) {
  control_->change_source_services("kubernetes", {svc("k8s:keep", "10.0.0.199")}, {});
  std::vector<service_config> many;
  for (int i = 0; i < 40; ++i)
    many.push_back(svc("k8s:" + std::to_string(i), format_ipv4(htonl(0x0a000a00u + uint32_t(i))).c_str()));
  const uint64_t g = generation();
  EXPECT_TRUE(control_->change_source_services("kubernetes", many, {}).empty());
  EXPECT_EQ(generation(), g + 1);
  EXPECT_EQ(names().size(), 42u) << "the 40 new ones beside k8s:keep and the file's web";
}

TEST_F(K8sControlPlane, FileReloadKeepsTheSourcesServices) {
  control_->replace_source_services("kubernetes", {svc("k8s:a", "10.0.0.200")});
  std::ofstream(path_) << k_file << "  - name: api\n    address: 10.0.0.101\n    port: 80\n"
                       << "    backends: [{ address: 10.0.1.13 }]\n";
  EXPECT_TRUE(control_->reload().empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"api", "k8s:a", "web"}));
  // A file that now claims the source's address wins; the source's service is left out.
  std::ofstream(path_) << k_file << "  - name: mine\n    address: 10.0.0.200\n    port: 80\n"
                       << "    backends: [{ address: 10.0.1.13 }]\n";
  EXPECT_TRUE(control_->reload().empty());
  EXPECT_EQ(names(), (std::vector<std::string>{"mine", "web"}));
}

} // namespace
} // namespace sluice
