#include "control/admin/api/decode.hpp"

namespace sluice::api {

decode_error::decode_error(std::string field, std::string problem)
    : std::runtime_error(field.empty() ? problem : field + ": " + problem),
      field_(std::move(field)), problem_(std::move(problem)) {}

decode_error decode_error::within(std::string_view outer) const {
  if (outer.empty()) return *this;
  std::string path(outer);
  if (!field_.empty()) path += field_.front() == '[' ? field_ : "." + field_;
  return decode_error(std::move(path), problem_);
}

std::string shown(const nlohmann::json& v) { return v.dump(); }

object_reader::object_reader(const nlohmann::json& j, std::string not_an_object) : j_(j) {
  if (!j.is_object()) throw decode_error("", std::move(not_an_object));
}

const nlohmann::json* object_reader::find(const std::string& key) {
  known_.push_back(key);
  const auto it = j_.find(key);
  return it == j_.end() ? nullptr : &*it;
}

void object_reader::finish() const {
  for (const auto& [key, value] : j_.items()) {
    bool known = false;
    for (const std::string& k : known_) known = known || k == key;
    if (known) continue;
    std::string expected;
    for (const std::string& k : known_) expected += (expected.empty() ? "" : ", ") + k;
    throw decode_error(key, "unknown field (expected: " + expected + ")");
  }
}

} // namespace sluice::api
