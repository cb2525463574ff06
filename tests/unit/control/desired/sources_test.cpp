// service_sources: a source's update becomes deltas touching only the services it owns, one
// clash rule decides what is left out, and the file's reload wins over the sources.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "control/desired/sources.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

service_config svc(const std::string& name, const char* vip, uint16_t weight = 1) {
  service_config s{.name = name, .vip = *parse_ipv4(vip), .port = htons(80), .proto = IPPROTO_TCP};
  s.backends.push_back({.addr = *parse_ipv4("10.0.1.12"), .port = htons(8080), .weight = weight});
  return s;
}

std::vector<std::string> names(const std::vector<service_config>& services) {
  std::vector<std::string> out;
  for (const service_config& s : services) out.push_back(s.name);
  std::sort(out.begin(), out.end());
  return out;
}

// Applies the plan as the desired state does, then settles ownership.
void apply(service_sources& sources, const std::string& source, std::vector<service_config>& applied,
           source_plan p) {
  config c;
  c.services = applied;
  sort_for_apply(p.deltas);
  for (service_delta& d : p.deltas) apply_delta(c, std::move(d));
  applied = c.services;
  sources.settle(source, p, applied);
}

TEST(ServiceSources, AWholeSetAddsChangesAndRemovesOnlyTheSourcesOwnServices) {
  service_sources sources;
  std::vector<service_config> applied{svc("web", "10.0.0.100")}; // the file's
  apply(sources, "k8s", applied, sources.plan("k8s", applied, {.whole = true, .upserts = {svc("a", "10.0.0.200"), svc("b", "10.0.0.201")}}));
  EXPECT_EQ(names(applied), (std::vector<std::string>{"a", "b", "web"}));
  const source_plan p = sources.plan("k8s", applied, {.whole = true, .upserts = {svc("b", "10.0.0.201", 0), svc("c", "10.0.0.202")}});
  ASSERT_EQ(p.deltas.size(), 3u) << "a removed, b replaced, c added; web untouched";
  apply(sources, "k8s", applied, p);
  EXPECT_EQ(names(applied), (std::vector<std::string>{"b", "c", "web"}));
  EXPECT_EQ(sources.owned_count("k8s"), 2u);
  EXPECT_TRUE(sources.plan("k8s", applied, {.whole = true, .upserts = {svc("b", "10.0.0.201", 0), svc("c", "10.0.0.202")}})
                  .deltas.empty())
      << "an unchanged set is no change";
}

TEST(ServiceSources, AServiceClashingWithAnotherOwnersIsLeftOutAndItsOldCopyRemoved) {
  service_sources sources;
  std::vector<service_config> applied{svc("web", "10.0.0.100")};
  apply(sources, "k8s", applied, sources.plan("k8s", applied, {.upserts = {svc("a", "10.0.0.200")}}));
  // a now claims the file's address, and a second service the file's name.
  const source_plan p = sources.plan("k8s", applied, {.upserts = {svc("a", "10.0.0.100"), svc("web", "10.0.0.210")}});
  ASSERT_EQ(p.left_out.size(), 2u);
  EXPECT_NE(p.left_out[0].find("a: name or address, port and protocol already taken"), std::string::npos);
  apply(sources, "k8s", applied, p);
  EXPECT_EQ(names(applied), std::vector<std::string>{"web"});
  EXPECT_EQ(sources.owned_count("k8s"), 0u);
}

TEST(ServiceSources, AChangeTouchesOnlyTheServicesItNamesAndCannotRemoveOthers) {
  service_sources sources;
  std::vector<service_config> applied{svc("web", "10.0.0.100")};
  apply(sources, "k8s", applied, sources.plan("k8s", applied, {.upserts = {svc("a", "10.0.0.200"), svc("b", "10.0.0.201")}}));
  const source_plan p = sources.plan("k8s", applied, {.upserts = {svc("c", "10.0.0.202")}, .removed = {"a", "web", "zz"}});
  ASSERT_EQ(p.deltas.size(), 2u) << "a removed and c added; b not looked at, web not the source's";
  apply(sources, "k8s", applied, p);
  EXPECT_EQ(names(applied), (std::vector<std::string>{"b", "c", "web"}));
}

TEST(ServiceSources, DeltasInApplyOrderKeepEveryIndexValid) {
  service_sources sources;
  std::vector<service_config> applied;
  std::vector<service_config> many;
  for (int i = 0; i < 6; ++i) many.push_back(svc(std::string{'s', char('0' + i)}, format_ipv4(htonl(0x0a000a00u + uint32_t(i))).c_str()));
  apply(sources, "k8s", applied, sources.plan("k8s", applied, {.whole = true, .upserts = many}));
  // Remove 1 and 4, change 3, add 9: removals from the highest index down after the change.
  std::vector<service_config> next{many[0], many[2], svc("s3", "10.0.10.3", 7), many[5], svc("s9", "10.0.10.9")};
  apply(sources, "k8s", applied, sources.plan("k8s", applied, {.whole = true, .upserts = next}));
  EXPECT_EQ(names(applied), (std::vector<std::string>{"s0", "s2", "s3", "s5", "s9"}));
  for (const service_config& s : applied) {
    if (s.name == "s3") {
      EXPECT_EQ(s.backends[0].weight, 7);
    }
  }
}

TEST(ServiceSources, TheFileWinsAtReloadAndTheSourceGivesUpWhatItLost) {
  service_sources sources;
  std::vector<service_config> applied{svc("web", "10.0.0.100")};
  apply(sources, "k8s", applied, sources.plan("k8s", applied, {.upserts = {svc("a", "10.0.0.200"), svc("b", "10.0.0.201")}}));
  std::vector<service_config> file{svc("web", "10.0.0.100"), svc("new", "10.0.0.200")}; // takes a's address
  std::vector<std::string> left_out;
  sources.keep_beside_file(file, applied, left_out);
  EXPECT_EQ(names(file), (std::vector<std::string>{"b", "new", "web"}));
  ASSERT_EQ(left_out.size(), 1u);
  EXPECT_EQ(sources.owned_count("k8s"), 1u) << "a is no longer the source's";
}

} // namespace
} // namespace sluice
