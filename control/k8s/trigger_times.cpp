#include "control/k8s/trigger_times.hpp"

#include <algorithm>
#include <cctype>

#include "control/k8s/mapping.hpp"

namespace sluice::k8s {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> number(std::string_view s, std::size_t pos, std::size_t digits) {
  if (pos + digits > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

} // namespace

std::optional<wall_clock::time_point> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS
  const auto y = number(s, 0, 4), mo = number(s, 5, 2), d = number(s, 8, 2), h = number(s, 11, 2),
             mi = number(s, 14, 2), se = number(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !se || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  const year_month_day date{year{*y}, month{unsigned(*mo)}, day{unsigned(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  std::size_t pos = 19;
  nanoseconds frac{0};
  if (pos < s.size() && s[pos] == '.') {
    std::size_t digits = 0;
    int64_t ns = 0;
    for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, ++digits)
      if (digits < 9) ns = ns * 10 + (s[pos] - '0');
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 9; ++i) ns *= 10;
    frac = nanoseconds{ns};
  }
  minutes offset{0};
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const auto oh = number(s, pos + 1, 2), om = number(s, pos + 4, 2);
    if (!oh || !om || s[pos + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = minutes{(*oh * 60 + *om) * (s[pos] == '-' ? -1 : 1)};
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // In whole seconds first: any four-digit year fits, while the clock's ticks (nanoseconds on
  // Linux) hold only 1678..2262 and a conversion beyond them would overflow.
  const sys_seconds at = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*se} - offset;
  const auto lo = ceil<seconds>(wall_clock::time_point::min()) + seconds{1};
  const auto hi = floor<seconds>(wall_clock::time_point::max()) - seconds{1};
  if (at < lo || at > hi) return std::nullopt;
  return time_point_cast<wall_clock::duration>(at) + duration_cast<wall_clock::duration>(frac);
}

void trigger_times::on_slice(const endpoint_slice& s) {
  if (!feeds_a_service(s)) return;
  const auto a = s.meta.annotations.find(k_annotation_trigger_time);
  if (a == s.meta.annotations.end()) return;
  const auto at = parse_rfc3339(a->second);
  if (!at || *at < since_) return;
  const std::string key = s.meta.key();
  auto [it, fresh] = last_.try_emplace(key, *at);
  if (!fresh) {
    if (*at <= it->second) return; // seen already (a relist, or an update without a new trigger)
    it->second = *at;
  }
  pending_.push_back({service_key_of(s), *at});
}

void trigger_times::keep_only(const std::map<std::string, endpoint_slice>& slices) {
  std::erase_if(last_, [&](const auto& e) { return !slices.contains(e.first); });
}

std::vector<double> trigger_times::take(
    wall_clock::time_point now, const std::function<bool(const std::string&)>& programmed) {
  std::vector<double> out;
  for (const pending_time& p : pending_)
    if (programmed(p.service_key))
      out.push_back(std::max(0.0, std::chrono::duration<double>(now - p.at).count()));
  pending_.clear();
  return out;
}

} // namespace sluice::k8s
