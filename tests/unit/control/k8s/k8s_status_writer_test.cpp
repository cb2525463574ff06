// The status writer (k8s/status_writer.hpp) against the fake API server: the latest wanted
// status wins over ones not yet sent, failures are retried with backoff, a deleted Service's
// writes are dropped, and a status already written is not written again until someone else
// writes over it.
#include <gtest/gtest.h>

#include <thread>

#include "control/k8s/status_writer.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/fake_apiserver.hpp"
#include "tests/support/k8s_objects.hpp"

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;
using namespace sluice::test;
using nlohmann::json;

class K8sStatusWriter : public ::testing::Test {
protected:
  void SetUp() override {
    fake.start();
    const http_response r =
        api.send("POST", "/api/v1/namespaces/shop/services",
                 k8s_service("shop", "web", "LoadBalancer", {k8s_port("http", 80, 30080)}).dump(),
                 "application/json");
    ASSERT_EQ(r.status, 201);
  }

  void control(const std::string& what) {
    ASSERT_EQ(api.send("POST", "/fake/" + what, "", "").status, 200) << what;
  }
  uint64_t stat(const char* name) {
    return json::parse(api.get("/fake/stats").body).value(name, uint64_t(0));
  }
  std::string ingress() { // the first ingress IP the server holds, or ""
    const json s = json::parse(api.get("/api/v1/namespaces/shop/services/web").body);
    const json& lb = s["status"]["loadBalancer"];
    return lb.contains("ingress") && !lb["ingress"].empty() ? lb["ingress"][0]["ip"].get<std::string>() : "";
  }
  template <typename P>
  static bool eventually(P pred, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return pred();
  }
  static status_patch patch(const char* ip, std::string version = "100", const char* name = "web") {
    return {"shop", name, {*parse_ipv4(ip)}, std::move(version)};
  }

  fake_apiserver fake;
  api_client api{api_endpoint{.server = fake.url()}, 60s};
};

TEST_F(K8sStatusWriter, LatestWantedStatusWinsOverOnesNotYetSent) {
  control("fail-patches?n=1");
  status_writer w(api, {.writers = 1, .backoff_min = 600ms, .backoff_max = 600ms});
  w.want(patch("192.0.2.1"));
  ASSERT_TRUE(eventually([&] { return stat("patch_failures") == 1; }));
  // While the first waits for its retry, two newer statuses arrive: only the last is written.
  w.want(patch("192.0.2.2"));
  w.want(patch("192.0.2.3"));
  ASSERT_TRUE(eventually([&] { return ingress() == "192.0.2.3"; }));
  EXPECT_TRUE(eventually([&] { return w.backlog() == 0; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(stat("patches"), 1u) << "192.0.2.1 and .2 were never written";
  EXPECT_EQ(w.counters().written.load(), 1u);
  EXPECT_EQ(w.counters().failed.load(), 1u);
  // .2 replaced .1 (or waited behind its failing attempt), then .3 replaced .2.
  EXPECT_GE(w.counters().coalesced.load(), 1u);
}

TEST_F(K8sStatusWriter, FailedWritesAreRetriedWithGrowingBackoffUntilAccepted) {
  control("fail-patches?n=3&code=503");
  status_writer w(api, {.writers = 2, .backoff_min = 100ms, .backoff_max = 10s});
  const auto start = std::chrono::steady_clock::now();
  w.want(patch("192.0.2.7"));
  ASSERT_TRUE(eventually([&] { return w.counters().written.load() == 1; }));
  EXPECT_EQ(ingress(), "192.0.2.7");
  // Equal jitter waits at least half of 100, 200 and 400 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 350ms);
  EXPECT_EQ(stat("patch_failures"), 3u);
  EXPECT_EQ(stat("patches"), 1u);
  EXPECT_EQ(w.counters().failed.load(), 3u);
  EXPECT_EQ(w.counters().written.load(), 1u);
}

TEST_F(K8sStatusWriter, WritesOfADeletedServiceAreDropped) {
  control("fail-patches?n=1");
  status_writer w(api, {.writers = 1, .backoff_min = 400ms, .backoff_max = 400ms});
  w.want(patch("192.0.2.1"));
  ASSERT_TRUE(eventually([&] { return stat("patch_failures") == 1; }));
  w.forget("shop/web"); // the sync saw it deleted while the retry waited
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(stat("patches"), 0u);
  EXPECT_EQ(w.backlog(), 0u);
  EXPECT_EQ(w.counters().dropped.load(), 1u);

  // Deleted before the sync knew: the server's 404 ends it, with no retry.
  w.want(patch("192.0.2.1", "100", "ghost"));
  ASSERT_TRUE(eventually([&] { return w.counters().dropped.load() == 2; }));
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(w.counters().failed.load(), 1u) << "only the injected failure";
  EXPECT_EQ(w.backlog(), 0u);
}

TEST_F(K8sStatusWriter, AWrittenStatusIsNotWrittenAgainUntilSomeoneWritesOverIt) {
  status_writer w(api, {.writers = 2});
  w.want(patch("192.0.2.5", "100"));
  ASSERT_TRUE(eventually([&] { return w.counters().written.load() == 1; }));
  // Mapped again before our write's MODIFIED came back (same version), and after (the version
  // our write produced): nothing to write.
  w.want(patch("192.0.2.5", "100"));
  const std::string ours = json::parse(api.get("/api/v1/namespaces/shop/services/web").body)["metadata"]["resourceVersion"];
  w.want(patch("192.0.2.5", ours));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(stat("patches"), 1u);
  EXPECT_EQ(w.counters().coalesced.load(), 2u);
  // Someone cleared it (a newer version that still differs): written again.
  ASSERT_EQ(api.send("PATCH", "/api/v1/namespaces/shop/services/web/status",
                     R"({"status":{"loadBalancer":{"ingress":[]}}})", "application/merge-patch+json")
                .status,
            200);
  const std::string theirs = json::parse(api.get("/api/v1/namespaces/shop/services/web").body)["metadata"]["resourceVersion"];
  w.want(patch("192.0.2.5", theirs));
  // (The counter moves once the writer has read the answer, after the server applied it.)
  ASSERT_TRUE(eventually([&] { return w.counters().written.load() == 2; }));
  EXPECT_EQ(ingress(), "192.0.2.5");
}

} // namespace
} // namespace sluice::k8s
