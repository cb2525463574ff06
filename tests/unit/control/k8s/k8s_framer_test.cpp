#include <gtest/gtest.h>

#include "control/k8s/framer.hpp"

namespace sluice::k8s {
namespace {

// Three events as the API server writes them, with the characters that fool naive framing:
// braces and brackets inside strings, escaped quotes and backslashes, nested lists.
const std::vector<std::string> k_events = {
    R"({"type":"ADDED","object":{"metadata":{"name":"a{b}","annotations":{"x":"q\"}{\\"}},"spec":{"ports":[{"port":80}]}}})",
    R"({"type":"BOOKMARK","object":{"kind":"Service","metadata":{"resourceVersion":"12"}}})",
    R"({"type":"DELETED","object":{"metadata":{"name":"]\\\"["},"x":[[],[{}]]}})",
};

std::string stream() {
  std::string s;
  for (const std::string& e : k_events) s += e + "\n";
  return s;
}

std::vector<std::string> feed_pieces(const std::vector<std::string_view>& pieces) {
  json_framer f;
  std::vector<std::string> out;
  for (std::string_view p : pieces) EXPECT_TRUE(f.feed(p, out));
  EXPECT_FALSE(f.partial());
  return out;
}

TEST(K8sFramer, EverySingleSplitPointYieldsTheSameEvents) {
  const std::string s = stream();
  for (std::size_t i = 0; i <= s.size(); ++i) {
    const std::string_view v(s);
    EXPECT_EQ(feed_pieces({v.substr(0, i), v.substr(i)}), k_events) << "split at " << i;
  }
}

TEST(K8sFramer, EveryPairOfSplitPointsYieldsTheSameEvents) {
  const std::string s = stream();
  const std::string_view v(s);
  for (std::size_t i = 0; i <= s.size(); i += 3)
    for (std::size_t j = i; j <= s.size(); ++j)
      ASSERT_EQ(feed_pieces({v.substr(0, i), v.substr(i, j - i), v.substr(j)}), k_events)
          << "splits at " << i << " and " << j;
}

TEST(K8sFramer, ByteAtATimeYieldsTheSameEvents) {
  const std::string s = stream();
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < s.size(); ++i) bytes.push_back(std::string_view(s).substr(i, 1));
  EXPECT_EQ(feed_pieces(bytes), k_events);
}

TEST(K8sFramer, EventsWithoutNewlinesBetweenAreStillSeparated) {
  std::string s;
  for (const std::string& e : k_events) s += e;
  EXPECT_EQ(feed_pieces({s}), k_events);
}

TEST(K8sFramer, CutEventIsReportedPartial) {
  json_framer f;
  std::vector<std::string> out;
  EXPECT_TRUE(f.feed(k_events[0].substr(0, 20), out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(f.partial());
}

TEST(K8sFramer, GarbageOutsideAnObjectIsRefused) {
  json_framer f;
  std::vector<std::string> out;
  EXPECT_FALSE(f.feed("{\"a\":1}\nHTTP/1.1 200 OK\r\n", out));
  EXPECT_EQ(out.size(), 1u) << "the object before the garbage was complete";
  EXPECT_FALSE(f.partial()) << "the framer resets after refusing";
}

TEST(K8sFramer, OversizedFrameIsRefused) {
  json_framer f(64);
  std::vector<std::string> out;
  EXPECT_FALSE(f.feed("{\"a\":\"" + std::string(100, 'x') + "\"}", out));
  EXPECT_TRUE(out.empty());
}

// Found by k8s_framer_fuzz: a frame one byte over the limit was handed out when its last byte
// was the closing brace.
TEST(K8sFramer, FrameAtTheLimitPassesAndOneByteOverIsRefused) {
  const std::string at_limit = "{\"a\":\"" + std::string(64 - 8, 'x') + "\"}";
  ASSERT_EQ(at_limit.size(), 64u);
  json_framer f(64);
  std::vector<std::string> out;
  EXPECT_TRUE(f.feed(at_limit, out));
  EXPECT_EQ(out, std::vector<std::string>{at_limit});
  json_framer g(63);
  out.clear();
  EXPECT_FALSE(g.feed(at_limit, out));
  EXPECT_TRUE(out.empty());
}

} // namespace
} // namespace sluice::k8s
