#include "control/log/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace sluice::log {

void write(level lvl, std::string_view message) {
  static constexpr const char* k_names[] = {"debug", "info", "warn", "error"};
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  const std::string line = fmt::format("{}.{:03}Z level={} {}\n", stamp, ms,
                                       k_names[static_cast<int>(lvl)], message);
  // One fwrite per line keeps lines from different threads whole.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace sluice::log
