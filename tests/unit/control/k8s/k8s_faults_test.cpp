// The watchers and the sync against an API server that misbehaves in every way the fake's fault
// injection knows (tests/support/fake_apiserver.py, FAULTS): streams and list pages cut halfway,
// 410 on watches and on list pages, 429/500/503 with and without Retry-After, a server that
// accepts and never answers or goes silent mid-watch, watches ended at once, expired tokens and
// restarts with newer resourceVersions. Each converges to the cluster's state, waits with
// growing, jittered backoff (never a loop of requests), counts the failure under its cause, and
// the sync never withdraws a service that the cluster still has.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "control/k8s/mapping.hpp"
#include "control/k8s/sync_metrics.hpp"
#include "dataplane/net/ipv4.hpp"
#include "tests/support/fake_apiserver.hpp"
#include "tests/support/k8s_objects.hpp"
#include "tests/support/k8s_recorders.hpp"

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;
using namespace sluice::test;
using nlohmann::json;

class K8sFaults : public ::testing::Test {
protected:
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The fake with `args`; `admin` (the test's own requests) and `client` (the watchers': short
  // deadlines, so that a silent server costs a second) talk to it.
  void start(std::vector<std::string> args = {"--bookmark-interval", "0.2"},
             std::string token_file = "") {
    fake = std::make_unique<fake_apiserver>(std::move(args));
    fake->start();
    const api_endpoint ep{.server = fake->url(), .token_file = token_file};
    admin = std::make_unique<api_client>(ep, 0s); // re-reads a token file at every request
    client = std::make_unique<api_client>(
        ep, client_options{.token_reread = 3600s, .answer_timeout = 1s});
  }
  std::string temp_dir() {
    dir_ = ::testing::TempDir() + "/k8s-faults-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    return dir_;
  }

  void create(const json& obj, const std::string& collection) {
    const http_response r = admin->send("POST", collection, obj.dump(), "application/json");
    EXPECT_EQ(r.status, 201) << r.body;
  }
  void create_service(const std::string& name, int node_port = 30080) {
    create(k8s_service("shop", name, "NodePort", {k8s_port("http", 80, node_port)}),
           "/api/v1/namespaces/shop/services");
  }
  // PUT: creates or replaces.
  void put_service(const std::string& name, int node_port) {
    const http_response r = admin->send(
        "PUT", "/api/v1/namespaces/shop/services/" + name,
        k8s_service("shop", name, "NodePort", {k8s_port("http", 80, node_port)}).dump(),
        "application/json");
    EXPECT_TRUE(r.status == 200 || r.status == 201) << r.status << " " << r.body;
  }
  void put_slice(const std::string& service, const std::vector<std::string>& addresses) {
    std::vector<k8s_ep> eps;
    for (const std::string& a : addresses) eps.push_back({.addr = a});
    const http_response r = admin->send(
        "PUT", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/" + service + "-1",
        k8s_slice("shop", service, service + "-1", eps, {k8s_slice_port("http", 8080)}).dump(),
        "application/json");
    EXPECT_TRUE(r.status == 200 || r.status == 201) << r.status << " " << r.body;
  }
  void control(const std::string& what) { fake_control(*admin, what); }
  uint64_t injected(const std::string& fault) {
    const json s = fake_stats(*admin);
    return s.is_object() ? s["injected"].value(fault, uint64_t(0)) : 0;
  }
  bool watch_opened() {
    return eventually([&] { return fake_stats(*admin).value("watches", 0) >= 1; });
  }
  // When the fake received each request `verb` ("list" or "watch"), in seconds.
  std::vector<double> times_of(const std::string& verb) {
    std::vector<double> out;
    for (const json& r : json::parse(admin->get("/fake/requests").body))
      if (r["verb"] == verb) out.push_back(r["t"].get<double>());
    return out;
  }

  // Seven Services listed three at a time, the second page's request failing with `fault`: the
  // watcher hands over the whole collection, once. Returns its counters once it watches.
  const watch_counters& list_with_failing_second_page(const std::string& fault) {
    start();
    for (char c = '0'; c < '7'; ++c) create_service(std::string{'s', c}, 30080 + c);
    control("fault?on=list&after=1&name=" + fault);
    watcher = std::make_unique<running_watcher>(*client, sink, opt);
    EXPECT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
    EXPECT_TRUE(watch_opened());
    std::lock_guard l(sink.mu);
    EXPECT_EQ(sink.lists.size(), 1u);
    EXPECT_EQ(sink.lists.empty() ? 0u : sink.lists[0].size(), 7u);
    EXPECT_EQ(injected(fault), 1u);
    return watcher->counters;
  }

  std::unique_ptr<fake_apiserver> fake;
  std::unique_ptr<api_client> admin, client;
  recording_sink sink;
  watch_options opt{.page_size = 3, .timeout_seconds = 30, .backoff_min = 50ms,
                    .backoff_max = 1600ms};
  std::unique_ptr<running_watcher> watcher; // last: stopped before what it uses goes

private:
  std::string dir_;
};

// Each wait of a failure streak is at least half its step (equal jitter) and the step doubles:
// gap k (0-based, after the (k+1)-th failure in a row) is at least min·2^k / 2. Lower bounds
// only: a loaded machine makes gaps longer, never shorter.
void expect_backoff_growth(const std::vector<double>& times, std::size_t first_gap,
                           std::chrono::milliseconds min, unsigned first_failure) {
  for (std::size_t k = first_gap; k + 1 < times.size(); ++k) {
    const unsigned failure = first_failure + unsigned(k - first_gap);
    const double floor_s = 0.9 * double(min.count() << (failure - 1)) / 2 / 1000;
    EXPECT_GE(times[k + 1] - times[k], floor_s) << "gap " << k << " after failure " << failure;
  }
}

TEST_F(K8sFaults, StreamCutMidEventIsResumedFromItsResourceVersionWithoutARelist) {
  start({"--bookmark-interval", "30"}); // nothing on the stream but the event that gets cut
  create_service("a");
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  ASSERT_TRUE(watch_opened());
  control("fault?name=cut&on=watch");
  control("drop"); // the next watch is the one cut in the middle of its first event
  create_service("late", 30081);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.events.empty(); }));
  std::this_thread::sleep_for(300ms); // a duplicate would show by now
  EXPECT_EQ(injected("cut"), 1u);
  std::lock_guard l(sink.mu);
  EXPECT_EQ(sink.events, std::vector<std::string>{"ADDED late"}) << "the half event is not handed over";
  EXPECT_EQ(w.counters.lists, 1u) << "the watch resumed from its resourceVersion";
  EXPECT_GE(w.counters.error(api_error::connection_lost), 2u) << "the drop and the cut";
}

TEST_F(K8sFaults, ListPageGoneStartsTheListOverAndNeverHandsOverAPart) {
  const watch_counters& c = list_with_failing_second_page("gone");
  EXPECT_EQ(c.error(api_error::expired), 1u);
  EXPECT_EQ(c.relisted(relist_cause::list_expired), 1u);
  EXPECT_EQ(times_of("list").size(), 5u) << "two pages, then three from the start";
}

TEST_F(K8sFaults, ListPageCutHalfwayIsListedAgainWhole) {
  const watch_counters& c = list_with_failing_second_page("cut");
  EXPECT_EQ(c.error(api_error::connection_lost), 1u);
  EXPECT_EQ(c.relisted(relist_cause::list_expired), 0u) << "a retry, not a relist";
}

TEST_F(K8sFaults, ServerThatAcceptsAndNeverAnswersIsGivenUpAfterTheRequestTimeout) {
  start();
  create_service("a");
  control("fault?name=hang&n=2"); // the first LIST, then the first WATCH
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  create_service("b", 30081);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.events.empty(); }));
  EXPECT_EQ(injected("hang"), 2u);
  EXPECT_EQ(w.counters.error(api_error::timeout), 2u);
  EXPECT_EQ(w.counters.lists, 1u);
}

TEST_F(K8sFaults, SilentWatchIsReopenedAfterItsIdleTimeout) {
  start({"--bookmark-interval", "30"}); // answered, then not a byte: no event, no bookmark
  create_service("a");
  opt.idle_timeout = 1s;
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  ASSERT_TRUE(eventually([&] { return w.counters.watches >= 3; }));
  create_service("b", 30081);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.events.empty(); }));
  EXPECT_GE(w.counters.error(api_error::timeout), 2u);
  EXPECT_EQ(w.counters.lists, 1u) << "re-opened from its resourceVersion";
}

TEST_F(K8sFaults, RetryAfterIsWaitedOutOnThrottlingAndServerErrors) {
  start();
  create_service("a");
  for (const char* f : {"429-retry", "503-retry", "500-retry"})
    control(std::string("fault?on=list&name=") + f);
  running_watcher w(*client, sink, opt); // backoff alone would wait 25–400 ms
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  const std::vector<double> t = times_of("list");
  ASSERT_EQ(t.size(), 4u);
  for (std::size_t i = 0; i + 1 < t.size(); ++i)
    EXPECT_GE(t[i + 1] - t[i], 0.95) << "Retry-After: 1 after list " << i;
  EXPECT_EQ(w.counters.error(api_error::throttled), 1u);
  EXPECT_EQ(w.counters.error(api_error::server_error), 2u);
}

TEST_F(K8sFaults, FailuresWithoutRetryAfterBackOffExponentially) {
  start();
  create_service("a");
  for (const char* f : {"429", "500", "503", "500", "unauthorized"})
    control(std::string("fault?on=list&name=") + f);
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  const std::vector<double> t = times_of("list");
  ASSERT_EQ(t.size(), 6u);
  expect_backoff_growth(t, 0, opt.backoff_min, 1);
  EXPECT_EQ(w.counters.error(api_error::throttled), 1u);
  EXPECT_EQ(w.counters.error(api_error::server_error), 3u);
  EXPECT_EQ(w.counters.error(api_error::unauthorized), 1u);
}

TEST_F(K8sFaults, GoneOverAndOverIsRelistedWithBackoffNotInALoop) {
  start();
  create_service("a");
  control("fault?name=gone&on=watch&n=3");
  control("fault?name=gone-stream&n=2");
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(eventually([&] { return w.counters.lists >= 6 && w.counters.watches >= 6; }));
  EXPECT_EQ(w.counters.relisted(relist_cause::watch_expired), 5u);
  EXPECT_EQ(w.counters.error(api_error::expired), 5u);
  // The first relist goes at once; each one after it, with nothing delivered between, waits.
  expect_backoff_growth(times_of("list"), 1, opt.backoff_min, 2);
}

TEST_F(K8sFaults, WatchEndedAtOnceIsRetriedWithBackoffNotInALoop) {
  start({"--bookmark-interval", "30"});
  create_service("a");
  control("fault?name=empty&n=4");
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(eventually([&] { return w.counters.watches >= 5; }));
  EXPECT_EQ(w.counters.error(api_error::empty_watch), 4u);
  EXPECT_EQ(w.counters.lists, 1u);
  expect_backoff_growth(times_of("watch"), 0, opt.backoff_min, 1);
}

TEST_F(K8sFaults, ExpiredTokenIsReadAgainAndTheWatchGoesOn) {
  const std::string dir = temp_dir();
  const std::string server_tok = dir + "/server", client_tok = dir + "/client";
  std::ofstream(server_tok) << "one\n";
  std::ofstream(client_tok) << "one\n";
  start({"--bookmark-interval", "0.2", "--token-file", server_tok}, client_tok);
  create_service("a");
  running_watcher w(*client, sink, opt);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.lists.empty(); }));
  ASSERT_TRUE(watch_opened());
  std::ofstream(server_tok) << "two\n"; // the old token expires...
  control("drop");
  ASSERT_TRUE(eventually([&] { return w.counters.error(api_error::unauthorized) >= 1; }));
  std::ofstream(client_tok) << "two\n"; // ...and the kubelet writes the new one
  create_service("b", 30081);
  ASSERT_TRUE(sink.wait([](auto& s) { return !s.events.empty(); }));
  EXPECT_EQ(w.counters.lists, 1u) << "the watch resumed from its resourceVersion";
}

TEST_F(K8sFaults, PersistentFaultsAreRetriedAtTheBackoffsPaceNotInALoop) {
  start();
  create_service("a");
  control("chaos?faults=all&every=1"); // every LIST and WATCH fails, one fault after another
  opt.backoff_max = 800ms;
  {
    running_watcher w(*client, sink, opt);
    std::this_thread::sleep_for(4s);
  }
  const std::size_t requests = times_of("list").size() + times_of("watch").size();
  // Waits of 25–50, 50–100, ... up to 400–800 ms: about ten requests in 4 s; a loop makes
  // thousands.
  EXPECT_LE(requests, 25u);
  EXPECT_GE(requests, 4u) << "it keeps trying";
}

// ---- The sync under chaos.

std::string identity(const service_config& s) {
  std::string out = s.name + " vip=" + std::to_string(s.vip) + " port=" + std::to_string(s.port);
  std::vector<std::string> backends;
  for (const backend_config& b : s.backends)
    backends.push_back(std::to_string(b.addr) + ":" + std::to_string(b.port) + "/" +
                       std::to_string(b.weight));
  std::sort(backends.begin(), backends.end());
  for (const std::string& b : backends) out += " " + b;
  return out;
}

std::set<std::string> identities(const std::vector<service_config>& services) {
  std::set<std::string> out;
  for (const service_config& s : services) out.insert(identity(s));
  return out;
}

TEST_F(K8sFaults, UnderChaosTheSyncConvergesToTheClusterAndNeverWithdrawsALiveService) {
  const std::string dir = temp_dir();
  const std::string server_tok = dir + "/server", client_tok = dir + "/client";
  std::ofstream(server_tok) << "one\n";
  std::ofstream(client_tok) << "one\n";
  start({"--bookmark-interval", "0.2", "--state", dir + "/etcd.json", "--token-file", server_tok},
        client_tok);
  // Five Services that stay as they are throughout: they must never leave the published set.
  for (int i = 0; i < 5; ++i) {
    put_service("steady-" + std::to_string(i), 30100 + i);
    put_slice("steady-" + std::to_string(i), {"10.1.0." + std::to_string(10 + i)});
  }
  const kubernetes_config cfg{.enabled = true, .in_cluster = true,
                              .node_addresses = {*parse_ipv4("192.0.2.1")},
                              .watch_timeout_seconds = 5, .watch_idle_seconds = 2};
  published pub;
  std::set<std::string> steady;    // the steady Services' identities, once published
  std::vector<std::string> losses; // publications that lacked one of them
  sync s(cfg, {}, *client,
         [&](service_changes c) {
           const bool ok = pub(std::move(c));
           std::lock_guard l(pub.mu);
           std::set<std::string> now;
           for (const auto& [n, svc] : pub.now)
             if (n.find("steady-") != std::string::npos) now.insert(identity(svc));
           if (steady.empty() && now.size() == 5) steady = now;
           for (const std::string& id : steady)
             if (!now.contains(id)) losses.push_back(id);
           return ok;
         },
         {.page_size = 3, .backoff_min = 50ms, .backoff_max = 800ms});
  std::atomic<bool> stop{false};
  std::thread t([&] { s.run(stop); });
  struct joined {
    std::atomic<bool>& stop;
    std::thread& t;
    ~joined() {
      stop = true;
      t.join();
    }
  } join_on_exit{stop, t};
  ASSERT_TRUE(eventually([&] {
    std::lock_guard l(pub.mu);
    return steady.size() == 5;
  }));

  // Every fault in turn on every other LIST and WATCH, two list-page faults on top, while
  // Services come and go, the token expires and the API server restarts.
  control("chaos?faults=all&every=2");
  control("fault?name=gone&on=list&after=1");
  control("fault?name=cut&on=list&after=2");
  const auto churn = [&](int round) {
    const std::string name = "churn-" + std::to_string(round % 4);
    if (round % 3 == 2) {
      admin->send("DELETE", "/api/v1/namespaces/shop/services/" + name, "", "");
    } else {
      put_service(name, 30200 + round % 4);
      put_slice(name, {"10.2.0." + std::to_string(round % 50 + 1), "10.2.1.1"});
    }
  };
  int round = 0;
  for (; round < 15; ++round, std::this_thread::sleep_for(100ms)) churn(round);
  // The token expires; the kubelet writes the new one half a second later (no writes between:
  // the test's own requests carry the same token).
  std::ofstream(server_tok) << "two\n";
  std::this_thread::sleep_for(500ms);
  std::ofstream(client_tok) << "two\n";
  for (; round < 30; ++round, std::this_thread::sleep_for(100ms)) churn(round);
  std::this_thread::sleep_for(500ms); // the fake persists its state every 0.2 s
  fake->kill();                       // down for 2 s, back with newer resourceVersions
  std::this_thread::sleep_for(2s);
  fake->start();
  control("chaos?faults=all&every=2"); // a new process: chaos again
  for (; round < 45; ++round, std::this_thread::sleep_for(100ms)) churn(round);
  // Until every fault has happened at least once since the restart, or 20 s.
  eventually(
      [&] {
        const json st = fake_stats(*admin);
        return st.is_object() && st["injected"].size() == 13;
      },
      20s);
  const json st = fake_stats(*admin);
  control("chaos?faults=");

  // The cluster as the fake holds it, mapped by the reference mapper.
  cluster_state cluster;
  for (const auto& [path, kind] : {std::pair{"/api/v1/services", "Service"},
                                   {"/apis/discovery.k8s.io/v1/endpointslices", "EndpointSlice"}}) {
    const json list = json::parse(admin->get(path).body);
    for (json item : list["items"]) {
      item["kind"] = kind; // a List's items carry no kind
      put(cluster, item);
    }
  }
  const std::set<std::string> want = identities(map_cluster(cluster, cfg, {}, {}).services);
  std::set<std::string> got;
  EXPECT_TRUE(eventually(
      [&] {
        std::lock_guard l(pub.mu);
        std::vector<service_config> all;
        for (const auto& [n, svc] : pub.now) all.push_back(svc);
        got = identities(all);
        return got == want;
      },
      15s))
      << "the published set did not converge to the cluster's:\nwant " << json(want).dump(1)
      << "\ngot " << json(got).dump(1);
  {
    std::lock_guard l(pub.mu);
    EXPECT_TRUE(losses.empty()) << losses.size() << " publications lacked a live Service, e.g. "
                                << losses.front();
  }
  EXPECT_EQ(st["injected"].size(), 13u) << st.dump();

  // Every cause these faults produce was counted, and GET /metrics would say so.
  uint64_t by_cause[k_api_error_count]{};
  uint64_t relists[k_relist_cause_count]{};
  for (resource r : s.watched())
    for (std::size_t c = 0; c < k_api_error_count; ++c) by_cause[c] += s.counters(r).errors[c];
  for (resource r : s.watched())
    for (std::size_t c = 0; c < k_relist_cause_count; ++c) relists[c] += s.counters(r).relists[c];
  for (api_error e : {api_error::unreachable, api_error::timeout, api_error::connection_lost,
                      api_error::unauthorized, api_error::expired, api_error::throttled,
                      api_error::server_error, api_error::empty_watch})
    EXPECT_GT(by_cause[std::size_t(e)], 0u) << name_of(e);
  EXPECT_GT(relists[std::size_t(relist_cause::watch_expired)], 0u);
  EXPECT_GT(relists[std::size_t(relist_cause::list_expired)], 0u);
  exposition e;
  sync_metric_families(e, s);
  std::istringstream text(e.take());
  std::set<std::string> exposed; // causes with a non-zero sample
  for (std::string line; std::getline(text, line);) {
    const auto cause = line.find("cause=\"");
    if (line.starts_with("sluice_k8s_sync_errors_total{") && cause != std::string::npos &&
        !line.ends_with(" 0"))
      exposed.insert(line.substr(cause + 7, line.find('"', cause + 7) - cause - 7));
  }
  for (const char* c : {"unreachable", "timeout", "connection_lost", "unauthorized", "expired",
                        "throttled", "server_error", "empty_watch"})
    EXPECT_TRUE(exposed.contains(c)) << c << " is not in GET /metrics";
}

} // namespace
} // namespace sluice::k8s
