#pragma once
// Structured log lines on stderr: "2026-11-25T11:40:00.123Z level=info msg=..." followed by
// key=value fields, one event per line, so both people and log shippers can read them.

#include <fmt/format.h>

#include <string_view>

namespace sluice::log {

enum class level { debug, info, warn, error };

void write(level lvl, std::string_view message);

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(level::error, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace sluice::log
