// Network programming latency bookkeeping (k8s/trigger_times.hpp): the annotation's time as the
// API server writes it, kube-proxy's rules for which trigger times count, and from when to when.
#include <gtest/gtest.h>

#include "control/k8s/trigger_times.hpp"

namespace sluice::k8s {
namespace {

using namespace std::chrono_literals;

const wall_clock::time_point k_start = *parse_rfc3339("2026-03-01T10:00:00Z");

endpoint_slice slice(const std::string& name, const std::string& service,
                     std::optional<std::string> trigger) {
  endpoint_slice s;
  s.meta.ns = "shop";
  s.meta.name = name;
  s.service_name = service;
  s.address_type = "IPv4";
  if (trigger) s.meta.annotations[k_annotation_trigger_time] = *trigger;
  return s;
}

bool everything(const std::string&) { return true; }

// What a publication at `at` observes for one slice change with trigger time `trigger`.
std::vector<double> latencies_of(const char* trigger, wall_clock::time_point at) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", trigger));
  return t.take(at, everything);
}

TEST(K8sTriggerTimes, Rfc3339ParsesAsTheApiServerWritesIt) {
  EXPECT_EQ(*parse_rfc3339("2026-03-01T10:00:01Z") - k_start, 1s);
  EXPECT_EQ(*parse_rfc3339("2026-03-01T10:00:00.25Z") - k_start, 250ms);
  EXPECT_EQ(*parse_rfc3339("2026-03-01T10:00:00.123456789Z") - k_start, 123456789ns);
  EXPECT_EQ(*parse_rfc3339("2026-03-01T12:30:00+02:30") - k_start, 0s) << "a numeric offset";
  EXPECT_EQ(*parse_rfc3339("2026-03-01T09:00:00-01:00") - k_start, 0s);
  EXPECT_EQ(*parse_rfc3339("2026-02-28T10:00:00Z") - k_start, -24h) << "across a month";
}

TEST(K8sTriggerTimes, Rfc3339RefusesWhatIsNotOne) {
  for (const char* bad : {"", "2026-03-01", "2026-03-01T10:00:00", "2026-03-01 10:00:00Z",
                          "2026-13-01T10:00:00Z", "2026-02-30T10:00:00Z", "2026-03-01T24:00:00Z",
                          "2026-03-01T10:00:00.Z", "2026-03-01T10:00:00Zjunk",
                          "2026-03-01T10:00:00+0200", "yesterday",
                          "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) // beyond the clock
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(K8sTriggerTimes, LatencyRunsFromTheTriggerTimeToThePublication) {
  EXPECT_EQ(latencies_of("2026-03-01T10:00:05Z", k_start + 5250ms), std::vector<double>{0.25});
}

TEST(K8sTriggerTimes, AChangeIsObservedOnce) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:05Z"));
  EXPECT_EQ(t.take(k_start + 6s, everything).size(), 1u);
  EXPECT_TRUE(t.take(k_start + 10s, everything).empty());
}

TEST(K8sTriggerTimes, TimesFromBeforeTheSyncStartedAreNotLatencies) {
  trigger_times t(k_start);
  t.on_slice(slice("old", "web", "2026-03-01T09:59:59Z")); // the first list's history
  EXPECT_EQ(t.pending(), 0u);
}

TEST(K8sTriggerTimes, ASliceDeliveredAgainWithTheSameTimeCountsOnce) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z")); // a relist
  EXPECT_EQ(t.take(k_start + 2s, everything).size(), 1u);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z")); // and another, after publication
  EXPECT_EQ(t.pending(), 0u);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:03Z")); // a new change of the same slice
  EXPECT_EQ(t.pending(), 1u);
}

TEST(K8sTriggerTimes, ASliceDeletedAndRecreatedCountsAgain) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  t.take(k_start + 2s, everything);
  t.forget("shop/web-1");
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  EXPECT_EQ(t.pending(), 1u);
}

TEST(K8sTriggerTimes, OnlyServicesThisGatewayProgramsAreObserved) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  t.on_slice(slice("db-1", "db", "2026-03-01T10:00:01Z")); // a ClusterIP Service, say
  const auto got = t.take(k_start + 2s, [](const std::string& key) { return key == "shop/web"; });
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(t.pending(), 0u) << "the others are done with, not carried to the next publication";
}

TEST(K8sTriggerTimes, APublicationNotAllTakenObservesNothing) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  t.drop();
  EXPECT_TRUE(t.take(k_start + 2s, everything).empty());
}

TEST(K8sTriggerTimes, AControllerClockAheadOfOursGivesZeroNotANegativeLatency) {
  EXPECT_EQ(latencies_of("2026-03-01T10:00:09Z", k_start + 8s), std::vector<double>{0.0});
}

TEST(K8sTriggerTimes, SlicesWithoutAUsableTimeOrServiceAreIgnored) {
  trigger_times t(k_start);
  t.on_slice(slice("none", "web", std::nullopt));
  t.on_slice(slice("bad", "web", "soon"));
  t.on_slice(slice("orphan", "", "2026-03-01T10:00:01Z")); // no kubernetes.io/service-name
  endpoint_slice v6 = slice("v6", "web", "2026-03-01T10:00:01Z");
  v6.address_type = "IPv6";
  t.on_slice(v6);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(K8sTriggerTimes, KeepOnlyForgetsSlicesARelistNoLongerHas) {
  trigger_times t(k_start);
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  t.take(k_start + 2s, everything);
  t.keep_only({}); // gone while the watch was down
  t.on_slice(slice("web-1", "web", "2026-03-01T10:00:01Z"));
  EXPECT_EQ(t.pending(), 1u);
}

} // namespace
} // namespace sluice::k8s
