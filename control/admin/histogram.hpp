#pragma once
// A Prometheus histogram kept by the control plane: fixed upper bounds chosen where the metric is
// defined, a count per bucket, the sum and the count. Not thread-safe: its owner serialises
// observe() and the read at scrape time (the control plane's lock).

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace sluice {

class histogram {
public:
  // `upper_bounds` ascending; +Inf is implied.
  explicit histogram(std::span<const double> upper_bounds)
      : bounds_(upper_bounds.begin(), upper_bounds.end()), counts_(bounds_.size() + 1, 0) {}

  void observe(double v) noexcept {
    // The first bucket whose bound is >= v (Prometheus buckets are "le"); past the last: +Inf.
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    ++counts_[std::size_t(it - bounds_.begin())];
    sum_ += v;
    ++count_;
  }

  std::span<const double> upper_bounds() const noexcept { return bounds_; }
  // Observations <= upper_bounds()[i] (cumulative, as the exposition lists them); i ==
  // upper_bounds().size() is +Inf, i.e. count().
  uint64_t cumulative(std::size_t i) const noexcept {
    uint64_t n = 0;
    for (std::size_t k = 0; k <= i && k < counts_.size(); ++k) n += counts_[k];
    return n;
  }
  double sum() const noexcept { return sum_; }
  uint64_t count() const noexcept { return count_; }

private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_; // per bucket, not cumulative; the last one is (last bound, +Inf)
  double sum_ = 0;
  uint64_t count_ = 0;
};

} // namespace sluice
