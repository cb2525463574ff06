#include <gtest/gtest.h>

#include "control/admin/api/decode.hpp"
#include "control/cli/acl_format.hpp"

namespace sluice {
namespace {

api::acl_report report(const char* json) {
  return api::decode_value<api::acl_report>(nlohmann::json::parse(json), "");
}

TEST(AclFormat, ListsEachSetWithItsUsersRulesInOrderAndDefaultLast) {
  const auto body = report(R"({
    "acls": [
      {"name": "edge", "default": "allow", "default_hits": 10, "rules": [
        {"name": "no-admin", "action": "deny", "reply": "rst", "payload": true, "hits": 3},
        {"name": "scanners", "action": "deny", "reply": "none", "payload": false, "hits": 0}]},
      {"name": "office", "default": "deny", "default_hits": 2, "rules": []}],
    "global_acls": ["edge"],
    "services": {"web": ["office"], "api": ["office", "edge"]}})");
  EXPECT_EQ(format_acls(body),
            "Set edge (default allow) applies to: every VIP (global), api\n"
            "  Rule      Action Reply Payload Hits\n"
            "  no-admin  deny   rst   yes     3\n"
            "  scanners  deny   none  no      0\n"
            "  (default) allow  -     -       10\n"
            "Set office (default deny) applies to: api, web\n"
            "  Rule      Action Reply Payload Hits\n"
            "  (default) deny   -     -       2\n");
}

TEST(AclFormat, SaysSoWhenThereAreNoSets) {
  EXPECT_EQ(format_acls(report(R"({"acls": [], "global_acls": [], "services": {}})")),
            "no ACL sets configured\n");
}

} // namespace
} // namespace sluice
