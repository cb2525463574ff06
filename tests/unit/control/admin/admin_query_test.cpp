#include <gtest/gtest.h>

#include "control/admin/query.hpp"

namespace sluice {
namespace {

TEST(AdminQuery, PathWithoutQueryHasNoParameters) {
  const request_target t = parse_target("/v1/flows");
  EXPECT_EQ(t.path, "/v1/flows");
  EXPECT_TRUE(t.params.empty());
}

TEST(AdminQuery, ParametersAreSplitAndDecoded) {
  const request_target t = parse_target("/v1/flows?name=my%20web&client=10.0.0.1&limit=5&x+y=a+b");
  EXPECT_EQ(t.path, "/v1/flows");
  EXPECT_EQ(t.params.at("name"), "my web");
  EXPECT_EQ(t.params.at("client"), "10.0.0.1");
  EXPECT_EQ(t.params.at("limit"), "5");
  EXPECT_EQ(t.params.at("x y"), "a b");
}

TEST(AdminQuery, MalformedEscapesAndEmptyPairsAreKeptOrSkippedNotFatal) {
  const request_target t = parse_target("/v1/flows?&a=%zz&b&c=%4&&d=%41");
  EXPECT_EQ(t.params.at("a"), "%zz");
  EXPECT_EQ(t.params.at("b"), "");
  EXPECT_EQ(t.params.at("c"), "%4");
  EXPECT_EQ(t.params.at("d"), "A");
  EXPECT_EQ(t.params.size(), 4u);
}

} // namespace
} // namespace sluice
