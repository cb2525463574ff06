#include <gtest/gtest.h>

#include "control/admin/api/decode.hpp"
#include "control/cli/lookup_format.hpp"

namespace sluice {
namespace {

api::lookup_reply reply(const char* json) {
  return api::decode_value<api::lookup_reply>(nlohmann::json::parse(json), "");
}

TEST(LookupFormat, ALiveFlowComesFirstThenWhatANewConnectionGets) {
  const auto body = reply(R"({
    "protocol": "tcp", "client": "10.0.0.1:40000", "virtual": "10.0.0.101:443",
    "service": "api", "forwarding": "nat",
    "flow": {"worker": 1, "protocol": "tcp", "state": "ESTABLISHED", "client": "10.0.0.1:40000",
             "virtual": "10.0.0.101:443", "backend": "10.0.1.12:8443", "forwarding": "nat",
             "service": "api", "expires_in_ms": 899500},
    "new_connection": {"scheduler": "mh", "backend": "10.0.1.13:8443",
                       "decided_at_arrival": false,
                       "candidates": ["10.0.1.12:8443", "10.0.1.13:8443"],
                       "affinity_seconds": 0, "acl": "allow"}})");
  EXPECT_EQ(format_lookup(body),
            "tcp 10.0.0.1:40000 -> 10.0.0.101:443  service api (nat, mh)\n"
            "flow:            worker 1, backend 10.0.1.12:8443, ESTABLISHED, expires in 899 s\n"
            "new connection:  backend 10.0.1.13:8443 (mh hashes this tuple)\n"
            "ACL:             allowed\n");
}

TEST(LookupFormat, ArrivalSchedulersListTheirCandidatesAndAffinityIsNamed) {
  const auto body = reply(R"({
    "protocol": "udp", "client": "10.0.0.1:5000", "virtual": "10.0.0.100:53",
    "service": "dns", "forwarding": "dr", "flow": null,
    "new_connection": {"scheduler": "rr", "backend": "", "decided_at_arrival": true,
                       "candidates": ["10.0.1.11:53", "10.0.1.12:53"],
                       "affinity_seconds": 300, "acl": "reset"}})");
  EXPECT_EQ(format_lookup(body),
            "udp 10.0.0.1:5000 -> 10.0.0.100:53  service dns (dr, rr)\n"
            "flow:            none on any worker\n"
            "new connection:  rr decides at arrival among 10.0.1.11:53, 10.0.1.12:53\n"
            "affinity:        300 s; a client with a live affinity keeps its backend\n"
            "ACL:             refused (answered with a TCP reset)\n");
}

TEST(LookupFormat, NoBackendTakingNewConnectionsIsSaid) {
  const auto body = reply(R"({
    "protocol": "tcp", "client": "10.0.0.1:1", "virtual": "10.0.0.103:80",
    "service": "drained", "forwarding": "nat", "flow": null,
    "new_connection": {"scheduler": "mh", "backend": "", "decided_at_arrival": false,
                       "candidates": [], "affinity_seconds": 0, "acl": "payload"}})");
  EXPECT_EQ(format_lookup(body),
            "tcp 10.0.0.1:1 -> 10.0.0.103:80  service drained (nat, mh)\n"
            "flow:            none on any worker\n"
            "new connection:  no backend takes new connections\n"
            "ACL:             decided by a payload rule on the first data\n");
}

} // namespace
} // namespace sluice
