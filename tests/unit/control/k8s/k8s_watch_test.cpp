// The API client (list/watch, 410 both ways, 429, dropped streams, bookmarks, token rotation)
// and the sync (nothing published before both lists; last state kept when the server goes
// away; status and Events written back) against the protocol-faithful fake API server.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <thread>

#include "control/k8s/sync.hpp"
#include "control/k8s/watch.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/fake_apiserver.hpp"
#include "tests/support/k8s_objects.hpp"
#include "tests/support/k8s_recorders.hpp"

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;
using namespace sluice::test;
using nlohmann::json;

class K8sWatch : public ::testing::Test {
protected:
  void SetUp() override { fake.start(); }

  json post(const json& obj, const std::string& collection) {
    const http_response r = api.send("POST", collection, obj.dump(), "application/json");
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body);
  }
  void create_service(const std::string& name) {
    post(k8s_service("shop", name, "NodePort", {k8s_port("http", 80, 30080)}),
         "/api/v1/namespaces/shop/services");
  }
  void control(const std::string& what) { fake_control(api, what); }
  // The watcher opens its WATCH only after the LIST it has just reported: a control that acts
  // on open watches must wait for the fake to have one, or it acts on nothing.
  bool watch_opened(std::chrono::milliseconds limit = 10s) {
    return eventually([&] { return fake_stats(api).value("watches", 0) >= 1; }, limit);
  }

  fake_apiserver fake{{"--bookmark-interval", "0.2"}};
  api_client api{api_endpoint{.server = fake.url()}, 60s};
  recording_sink sink;
  watch_options opt{.page_size = 3, .timeout_seconds = 30, .backoff_min = 400ms};
};

TEST_F(K8sWatch, ListFollowsContinueTokensThenWatchDeliversEventsInOrder) {
  for (char c = '0'; c < '7'; ++c) create_service(std::string{'s', c});
  running_watcher w(api, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  EXPECT_EQ(sink.lists[0].size(), 7u) << "three pages of at most 3";
  create_service("late");
  api.send("DELETE", "/api/v1/namespaces/shop/services/s0", "", "");
  ASSERT_TRUE(sink.wait([](auto& s) { return s.events.size() >= 2; }));
  EXPECT_EQ(sink.events, (std::vector<std::string>{"ADDED late", "DELETED s0"}));
  EXPECT_EQ(w.counters.lists, 1u);
}

TEST_F(K8sWatch, BookmarksArriveAndDroppedStreamsResumeWithoutARelist) {
  create_service("a");
  running_watcher w(api, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  std::this_thread::sleep_for(600ms);
  EXPECT_GT(w.counters.bookmarks, 0u);
  control("drop");
  create_service("after-drop");
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.events.empty(); }));
  EXPECT_EQ(sink.events, std::vector<std::string>{"ADDED after-drop"});
  EXPECT_EQ(w.counters.lists, 1u) << "the watch resumed from its resourceVersion";
  EXPECT_GE(w.counters.watches, 2u);
}

TEST_F(K8sWatch, HttpGoneRelistsAndNoticesADeletionMadeWhileDisconnected) {
  create_service("keep");
  create_service("gone");
  // The deletion and the compaction must both happen before the watcher reconnects, or it
  // would read the deletion from the watch history: hold its reconnect back for 1.5–3 s.
  watch_options slow_reconnect = opt;
  slow_reconnect.backoff_min = 3s;
  running_watcher w(api, sink, slow_reconnect);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  ASSERT_TRUE(watch_opened());
  control("drop");
  api.send("DELETE", "/api/v1/namespaces/shop/services/gone", "", "");
  control("compact?mode=http");
  ASSERT_TRUE(sink.wait([](auto& s) { return s.lists.size() >= 2; }));
  EXPECT_EQ(sink.lists.back(), std::vector<std::string>{"keep"});
  EXPECT_GE(w.counters.error(api_error::expired), 1u);
}

TEST_F(K8sWatch, InStreamGoneErrorRelists) {
  create_service("a");
  running_watcher w(api, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  control("compact?mode=stream");
  ASSERT_TRUE(sink.wait([](auto& s) { return s.lists.size() >= 2; }));
  EXPECT_GE(w.counters.error(api_error::expired), 1u);
  bool said = false;
  for (const std::string& t : sink.troubles) said = said || t.find("ERROR event 410") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(K8sWatch, ThrottledListWaitsForRetryAfter) {
  create_service("a");
  control("fault?name=429-retry&on=list");
  const auto start = std::chrono::steady_clock::now();
  running_watcher w(api, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms) << "Retry-After: 1";
  ASSERT_FALSE(sink.troubles.empty());
  EXPECT_NE(sink.troubles[0].find("429"), std::string::npos);
}

TEST(K8sWatchToken, RotatedTokenIsReReadAfterA401) {
  std::string dir = ::testing::TempDir();
  dir.append("/k8s-token-").append(std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string server_tok = dir + "/server", client_tok = dir + "/client";
  std::ofstream(server_tok) << "one\n";
  std::ofstream(client_tok) << "one\n";
  fake_apiserver fake({"--token-file", server_tok});
  fake.start();
  api_client api(api_endpoint{.server = fake.url(), .token_file = client_tok}, 3600s);
  EXPECT_EQ(api.get("/api/v1/services").status, 200);
  std::ofstream(server_tok) << "two\n"; // the issuer rotates the token...
  std::ofstream(client_tok) << "two\n"; // ...and the kubelet rewrites the projected file
  EXPECT_EQ(api.get("/api/v1/services").status, 401) << "the cached token is used until a 401";
  EXPECT_EQ(api.get("/api/v1/services").status, 200);
  std::filesystem::remove_all(dir);
}

TEST(K8sSync, NothingIsPublishedUntilTheServerAnswersAndTheLastStateOutlivesIt) {
  fake_apiserver fake({"--bookmark-interval", "0.2"});
  api_client api(api_endpoint{.server = fake.url()}, 60s);
  published pub;
  kubernetes_config cfg{.enabled = true, .in_cluster = true};
  sync s(cfg, {{.name = "p", .ranges = {{0xC000020A, 0xC000020A}}}}, api,
         [&](service_changes c) { return pub(std::move(c)); }, {.backoff_min = 200ms, .backoff_max = 400ms});
  std::atomic<bool> stop{false};
  std::thread t([&] { s.run(stop); });
  std::this_thread::sleep_for(800ms);
  EXPECT_TRUE(pub.calls.empty()) << "no API server yet: nothing is published";
  fake.start();
  api_client admin(api_endpoint{.server = fake.url()}, 60s);
  admin.send("POST", "/api/v1/namespaces/shop/services",
             k8s_service("shop", "web", "LoadBalancer", {k8s_port("http", 80, 30080)}).dump(),
             "application/json");
  admin.send("POST", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices",
             k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}}, {k8s_slice_port("http", 8080)}).dump(),
             "application/json");
  ASSERT_TRUE(pub.wait([](auto& c) { return !c.empty() && !c.back().empty() && !c.back()[0].backends.empty(); }));
  EXPECT_EQ(pub.calls.back()[0].vip, *parse_ipv4("192.0.2.10"));
  // The status was merge-patched onto the Service.
  for (int i = 0; i < 50; ++i) {
    const auto svc = json::parse(admin.get("/api/v1/namespaces/shop/services/web").body);
    if (svc["status"]["loadBalancer"].contains("ingress")) {
      EXPECT_EQ(svc["status"]["loadBalancer"]["ingress"][0]["ip"], "192.0.2.10");
      EXPECT_EQ(svc["status"]["loadBalancer"]["ingress"][0]["ipMode"], "VIP");
      break;
    }
    std::this_thread::sleep_for(100ms);
    ASSERT_LT(i, 49) << "no status written";
  }
  // Exhaustion: a second LoadBalancer has no address left; a Warning Event says so.
  admin.send("POST", "/api/v1/namespaces/shop/services",
             k8s_service("shop", "two", "LoadBalancer", {k8s_port("http", 80, 30081)}).dump(),
             "application/json");
  for (int i = 0; i < 50; ++i) {
    const auto evs = json::parse(admin.get("/api/v1/namespaces/shop/events").body);
    if (!evs["items"].empty()) {
      EXPECT_EQ(evs["items"][0]["reason"], "AllocationFailed");
      EXPECT_EQ(evs["items"][0]["involvedObject"]["name"], "two");
      EXPECT_EQ(evs["items"][0]["type"], "Warning");
      break;
    }
    std::this_thread::sleep_for(100ms);
    ASSERT_LT(i, 49) << "no Event posted";
  }
  const std::size_t before = pub.calls.size();
  fake.kill();
  std::this_thread::sleep_for(1500ms);
  {
    std::lock_guard l(pub.mu);
    EXPECT_EQ(pub.calls.size(), before) << "a lost API server publishes nothing";
  }
  stop = true;
  t.join();
}

// kube-proxy's network programming latency: from the trigger time the EndpointSlice carries (the
// fake stamps it as the EndpointSlice controller does) until the publication has returned, i.e.
// every worker runs the change. The publication here takes at least 100 ms.
TEST(K8sSync, ProgrammingLatencyRunsFromTheSlicesTriggerTimeUntilThePublicationReturns) {
  fake_apiserver fake({"--bookmark-interval", "0.2"});
  fake.start();
  api_client api(api_endpoint{.server = fake.url()}, 60s);
  published pub;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<double> observed;
  kubernetes_config cfg{.enabled = true, .in_cluster = true};
  sync s(
      cfg, {{.name = "p", .ranges = {{0xC000020A, 0xC000020A}}}}, api,
      [&](service_changes c) {
        std::this_thread::sleep_for(100ms);
        return pub(std::move(c));
      },
      {}, {},
      [&](const std::vector<double>& seconds) {
        std::lock_guard l(mu);
        observed.insert(observed.end(), seconds.begin(), seconds.end());
        cv.notify_all();
      });
  struct running { // stopped and joined however the test ends
    sync& target;
    std::atomic<bool> stop{false};
    std::thread t{[this] { target.run(stop); }};
    ~running() {
      stop = true;
      t.join();
    }
  } run{s};
  api.send("POST", "/api/v1/namespaces/shop/services",
           k8s_service("shop", "web", "LoadBalancer", {k8s_port("http", 80, 30080)}).dump(),
           "application/json");
  api.send("POST", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices",
           k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}}, {k8s_slice_port("http", 8080)}).dump(),
           "application/json");
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, 20s, [&] { return !observed.empty(); })) << "no latency observed";
  }
  const auto slice = json::parse(api.get("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-1").body);
  EXPECT_TRUE(slice["metadata"]["annotations"].contains("endpoints.kubernetes.io/last-change-trigger-time"));
  {
    std::lock_guard l(mu);
    ASSERT_EQ(observed.size(), 1u) << "one slice change, one observation";
    EXPECT_GE(observed[0], 0.1) << "the publication's own 100 ms are part of it";
    EXPECT_LT(observed[0], 60.0) << "a latency, not the slice's age since some epoch";
  }
  // A Service this gateway does not program (ClusterIP): its slice's change is not a latency.
  api.send("POST", "/api/v1/namespaces/shop/services",
           k8s_service("shop", "db", "ClusterIP", {k8s_port("sql", 5432)}).dump(), "application/json");
  api.send("POST", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices",
           k8s_slice("shop", "db", "db-1", {{"10.1.0.9"}}, {k8s_slice_port("sql", 5432)}).dump(),
           "application/json");
  // ...while a second change of web's slice is, once more.
  api.send("PUT", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-1",
           k8s_slice("shop", "web", "web-1", {{"10.1.0.5"}, {"10.1.0.6"}}, {k8s_slice_port("http", 8080)}).dump(),
           "application/json");
  {
    std::unique_lock l(mu);
    EXPECT_TRUE(cv.wait_for(l, 20s, [&] { return observed.size() >= 2; }));
  }
  std::this_thread::sleep_for(300ms); // room for a wrong extra observation to show
  {
    std::lock_guard l(mu);
    EXPECT_EQ(observed.size(), 2u);
  }
}

} // namespace
} // namespace sluice::k8s
