#include <gtest/gtest.h>

#include "control/admin/api/decode.hpp"
#include "control/cli/ipvsadm_format.hpp"

namespace sluice {
namespace {

template <class T>
T decoded(const nlohmann::json& j) {
  return api::decode_value<T>(j, "");
}

nlohmann::json one_service(uint64_t in_packets = 0) {
  return nlohmann::json::parse(R"({"services":[{"name":"web","protocol":"tcp",
    "address":"10.0.0.100","port":80,"forwarding":"nat","scheduler":"rr",
    "persistence_timeout":0,
    "stats":{"conns":3,"in_packets":)" + std::to_string(in_packets) +
                               R"(,"in_bytes":0,"out_packets":0,"out_bytes":0},
    "backends":[{"address":"10.0.1.11","port":8080,"weight":1,"configured_weight":1,"active_conns":2,
      "inactive_conns":1,"stats":{"conns":3,"in_packets":0,"in_bytes":0,"out_packets":0,
      "out_bytes":0}}]}]})");
}

TEST(IpvsadmFormat, ListMatchesIpvsadmColumns) {
  EXPECT_EQ(format_ipvsadm(decoded<api::service_list>(one_service()), list_format::plain),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  10.0.0.100:80 rr\n"
            "  -> 10.0.1.11:8080               Masq    1      2          1         \n");
}

TEST(IpvsadmFormat, PersistenceShowsInFlags) {
  auto j = one_service();
  j["services"][0]["persistence_timeout"] = 300;
  EXPECT_NE(format_ipvsadm(decoded<api::service_list>(j), list_format::plain).find("TCP  10.0.0.100:80 rr persistent 300\n"),
            std::string::npos);
}

TEST(IpvsadmFormat, StatsColumnsAlignUnderTheirHeadings) {
  const std::string out = format_ipvsadm(decoded<api::service_list>(one_service(1234)), list_format::stats);
  EXPECT_NE(out.find("TCP  10.0.0.100:80                       3     1234        0        0        0\n"),
            std::string::npos)
      << out;
}

TEST(IpvsadmFormat, LargeCountersAreScaledLikeIpvsadm) {
  const std::string out = format_ipvsadm(decoded<api::service_list>(one_service(123456789012ull)), list_format::stats);
  EXPECT_NE(out.find("  123456M"), std::string::npos) << out;
}

TEST(IpvsadmFormat, RateIsPerSecondDeltasInIpvsadmRateColumns) {
  const auto after = decoded<api::service_list>(one_service(3000));
  const auto rates = rate_view(decoded<api::service_list>(one_service(1000)), after, 2.0);
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_EQ(rates[0].service.in_pps, 1000u);
  EXPECT_EQ(rates[0].service.cps, 0u);
  const auto json = with_rates(after, rates);
  EXPECT_EQ(json["services"][0]["rate"]["in_pps"], 1000);
  EXPECT_EQ(json["services"][0]["backends"][0]["rate"]["cps"], 0);
  const std::string out = format_ipvsadm(after, list_format::rate, &rates);
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS");
  EXPECT_NE(out.find("TCP  10.0.0.100:80                       0     1000        0        0        0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  -> 10.0.1.11:8080                      0        0        0        0        0\n"), std::string::npos)
      << out;
}

TEST(IpvsadmFormat, RateOfANewServiceCountsFromZero) {
  const auto rates = rate_view(api::service_list{}, decoded<api::service_list>(one_service(500)), 1.0);
  EXPECT_EQ(rates.at(0).service.in_pps, 500u);
  EXPECT_EQ(rates.at(0).service.cps, 3u);
}

TEST(IpvsadmFormat, RateOfACounterThatWentBackwardsIsZero) {
  const auto rates = rate_view(decoded<api::service_list>(one_service(900)),
                               decoded<api::service_list>(one_service(100)), 1.0);
  EXPECT_EQ(rates.at(0).service.in_pps, 0u);
}

TEST(IpvsadmFormat, ConnsMatchIpvsadmLncColumns) {
  const auto body = decoded<api::flow_sample_list>(nlohmann::json::parse(R"({"flows": [
    {"worker": 0, "protocol": "tcp", "state": "ESTABLISHED", "client": "10.0.0.1:51234",
     "virtual": "10.0.0.100:80", "backend": "10.0.1.11:8080", "forwarding": "nat",
     "service": "web", "expires_in_ms": 899500},
    {"worker": 1, "protocol": "udp", "state": "UDP", "client": "10.0.0.1:5000",
     "virtual": "10.0.0.100:53", "backend": "10.0.1.12:5353", "forwarding": "nat",
     "service": "dns", "expires_in_ms": 5000}], "matched": 2, "truncated": false})"));
  EXPECT_EQ(format_ipvsadm_conns(body),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "TCP 14:59  ESTABLISHED 10.0.0.1:51234     10.0.0.100:80      10.0.1.11:8080\n"
            "UDP 00:05  UDP         10.0.0.1:5000      10.0.0.100:53      10.0.1.12:5353\n");
}

TEST(IpvsadmFormat, TruncatedConnsSayHowManyMatched) {
  const auto body = decoded<api::flow_sample_list>(
      nlohmann::json::parse(R"({"flows": [], "matched": 12, "truncated": true})"));
  EXPECT_NE(format_ipvsadm_conns(body).find("(12 flows matched; raise --limit to see more)\n"),
            std::string::npos);
}

TEST(IpvsadmFormat, HealthViewShowsConfiguredWeightStateAndLastFailure) {
  auto j = one_service();
  auto& b = j["services"][0]["backends"][0];
  b["weight"] = 0; // held down: the scheduler's weight
  b["configured_weight"] = 3;
  b["health"] = {{"state", "down"}, {"check", "http"}, {"port", 8080}, {"streak", 3},
                 {"checks_passed", 10}, {"checks_failed", 3}, {"transitions", 2},
                 {"last_detail", "status 503 (expected 200)"}};
  EXPECT_NE(format_ipvsadm(decoded<api::service_list>(j), list_format::plain)
                .find("  -> 10.0.1.11:8080               Masq    0      2          1         \n"),
            std::string::npos)
      << "ipvsadm's columns: the weight the scheduler uses, 0 while held down";
  EXPECT_EQ(format_ipvsadm(decoded<api::service_list>(j), list_format::health),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight Health  Check Streak LastFailure\n"
            "TCP  10.0.0.100:80 rr\n"
            "  -> 10.0.1.11:8080               Masq    3      down    http  3      status 503 (expected 200)\n");
  j["services"][0]["backends"][0].erase("health");
  EXPECT_NE(format_ipvsadm(decoded<api::service_list>(j), list_format::health).find("Masq    3      -       -     -      \n"),
            std::string::npos)
      << "a service without a check";
}

} // namespace
} // namespace sluice
