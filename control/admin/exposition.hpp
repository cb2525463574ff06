#pragma once
// Builds Prometheus text exposition (format 0.0.4): families of samples, label values escaped.
// Shared by the control plane's metrics (admin/metrics.cpp) and the sources that add families
// of their own (k8s/sync_metrics.cpp).

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace sluice {

// Label values may hold anything an operator typed (service names): escape as the format asks.
inline std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class exposition {
public:
  // Starts a metric family; its samples must follow before the next family begins.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <typename Value>
  void sample(std::string_view name, std::string_view labels, Value v) {
    if (labels.empty())
      out_ += fmt::format("{} {}\n", name, v);
    else
      out_ += fmt::format("{}{{{}}} {}\n", name, labels, v);
  }
  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

} // namespace sluice
