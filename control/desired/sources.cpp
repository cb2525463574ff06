#include "control/desired/sources.hpp"

#include <algorithm>
#include <tuple>

namespace sluice {
namespace {

using service_key = std::tuple<uint32_t, uint16_t, uint8_t>; // address, port, protocol

service_key key_of(const service_config& s) { return {s.vip, s.port, s.proto}; }

std::string clash(const std::string& name) {
  return name + ": name or address, port and protocol already taken by a configured service; "
                "left out";
}

} // namespace

source_plan service_sources::plan(const std::string& source,
                                  const std::vector<service_config>& applied,
                                  source_update u) const {
  static const std::set<std::string> none;
  const auto it = owned_.find(source);
  const std::set<std::string>& owned = it == owned_.end() ? none : it->second;

  std::map<std::string, std::size_t> upsert_by_name;
  std::map<service_key, std::size_t> upsert_by_key;
  for (std::size_t i = 0; i < u.upserts.size(); ++i) {
    upsert_by_name.emplace(u.upserts[i].name, i);
    upsert_by_key.emplace(key_of(u.upserts[i]), i);
  }
  const std::set<std::string> gone(u.removed.begin(), u.removed.end());

  // One pass: where the source's services in scope are, and which upserts clash with a service
  // the source does not own.
  std::map<std::string, std::size_t> index_of;
  std::vector<bool> clashes(u.upserts.size(), false);
  for (std::size_t i = 0; i < applied.size(); ++i) {
    const service_config& s = applied[i];
    const auto by_name = upsert_by_name.find(s.name);
    if (owned.contains(s.name)) {
      if (u.whole || by_name != upsert_by_name.end() || gone.contains(s.name))
        index_of.emplace(s.name, i);
      continue;
    }
    if (by_name != upsert_by_name.end()) clashes[by_name->second] = true;
    if (const auto by_key = upsert_by_key.find(key_of(s)); by_key != upsert_by_key.end())
      clashes[by_key->second] = true;
  }

  source_plan p;
  std::set<std::string> leaving;
  auto remove = [&](const std::string& name) {
    if (const auto at = index_of.find(name); at != index_of.end() && leaving.insert(name).second)
      p.deltas.push_back({.kind = service_delta::op::remove, .index = at->second});
  };
  if (u.whole) {
    for (const auto& [name, index] : index_of)
      if (!upsert_by_name.contains(name)) remove(name);
  } else {
    for (const std::string& name : gone) remove(name);
  }
  for (std::size_t i = 0; i < u.upserts.size(); ++i) {
    service_config& s = u.upserts[i];
    const auto at = index_of.find(s.name);
    if (clashes[i]) {
      p.left_out.push_back(clash(s.name));
      remove(s.name);
    } else if (at == index_of.end()) {
      p.arriving.insert(s.name);
      p.deltas.push_back({.kind = service_delta::op::add, .service = std::move(s)});
    } else if (!(applied[at->second] == s)) {
      p.deltas.push_back({.kind = service_delta::op::replace, .index = at->second, .service = std::move(s)});
    }
  }
  return p;
}

void service_sources::settle(const std::string& source, const source_plan& p,
                             const std::vector<service_config>& applied) {
  std::set<std::string>& owned = owned_[source];
  std::set<std::string> now;
  for (const service_config& s : applied)
    if (owned.contains(s.name) || p.arriving.contains(s.name)) now.insert(s.name);
  owned = std::move(now);
}

std::size_t service_sources::owned_count(const std::string& source) const {
  const auto it = owned_.find(source);
  return it == owned_.end() ? 0 : it->second.size();
}

void service_sources::keep_beside_file(std::vector<service_config>& services,
                                       const std::vector<service_config>& applied,
                                       std::vector<std::string>& left_out) {
  std::set<std::string> names;
  std::set<service_key> keys;
  for (const service_config& f : services) {
    names.insert(f.name);
    keys.insert(key_of(f));
  }
  for (auto& [source, owned] : owned_) {
    std::set<std::string> kept;
    for (const service_config& s : applied) {
      if (!owned.contains(s.name)) continue;
      if (names.contains(s.name) || keys.contains(key_of(s))) {
        left_out.push_back(clash(s.name));
        continue;
      }
      kept.insert(s.name);
      services.push_back(s);
    }
    owned = std::move(kept);
  }
}

void sort_for_apply(std::vector<service_delta>& deltas) {
  auto rank = [](const service_delta& d) {
    return d.kind == service_delta::op::replace ? 0 : d.kind == service_delta::op::remove ? 1 : 2;
  };
  std::stable_sort(deltas.begin(), deltas.end(), [&](const auto& a, const auto& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return rank(a) == 1 && a.index > b.index;
  });
}

} // namespace sluice
