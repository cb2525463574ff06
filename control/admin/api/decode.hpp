#pragma once
// Decoding of the admin contract's JSON: each body is read once into its struct, and a body
// that does not fit is refused whole with the field named ("service.port: must be an integer
// in 0..65535 (got \"x\")"), so the client learns what to fix. Encoding is nlohmann's to_json;
// each struct's from_json (found by ADL) throws decode_error.

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::api {

class decode_error : public std::runtime_error {
public:
  // `field` is the path inside the body ("" for the body itself).
  decode_error(std::string field, std::string problem);

  const std::string& field() const noexcept { return field_; }
  const std::string& problem() const noexcept { return problem_; }
  // The same problem seen from the enclosing value: `outer` is "service" or "backends[2]".
  decode_error within(std::string_view outer) const;

private:
  std::string field_;
  std::string problem_;
};

// The value's JSON text, for messages: "\"x\"", "5", "null".
std::string shown(const nlohmann::json& v);

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_string_map : std::false_type {};
template <class T>
struct is_string_map<std::map<std::string, T>> : std::true_type {};

// `v` as T, or decode_error naming `field`.
template <class T>
T decode_value(const nlohmann::json& v, const std::string& field) {
  if constexpr (std::is_same_v<T, nlohmann::json>) {
    return v;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) throw decode_error(field, "must be a string (got " + shown(v) + ")");
    return v.get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) throw decode_error(field, "must be true or false (got " + shown(v) + ")");
    return v.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    // Non-negative numbers parse as unsigned, but one built in C++ (j["port"] = 80) is signed.
    const bool fits =
        v.is_number_integer() &&
        (v.is_number_unsigned()
             ? v.get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max())
             : v.get<int64_t>() >= int64_t(std::numeric_limits<T>::min()) &&
                   (std::is_unsigned_v<T> ||
                    v.get<int64_t>() <= int64_t(std::numeric_limits<T>::max())) &&
                   (!std::is_unsigned_v<T> ||
                    uint64_t(v.get<int64_t>()) <= uint64_t(std::numeric_limits<T>::max())));
    if (!fits) {
      // A full 64-bit range is no range a reader needs spelt out.
      const std::string range = sizeof(T) == 8 && std::is_signed_v<T>
                                    ? std::string()
                                    : " in " + std::to_string(std::numeric_limits<T>::min()) +
                                          ".." + std::to_string(std::numeric_limits<T>::max());
      throw decode_error(field, "must be an integer" + range + " (got " + shown(v) + ")");
    }
    return v.get<T>();
  } else if constexpr (is_vector<T>::value) {
    if (!v.is_array()) throw decode_error(field, "must be a list (got " + shown(v) + ")");
    T out;
    for (std::size_t i = 0; i < v.size(); ++i)
      out.push_back(decode_value<typename T::value_type>(v[i], field + "[" + std::to_string(i) + "]"));
    return out;
  } else if constexpr (is_string_map<T>::value) {
    if (!v.is_object()) throw decode_error(field, "must be an object (got " + shown(v) + ")");
    T out;
    for (const auto& [key, value] : v.items())
      out.emplace(key, decode_value<typename T::mapped_type>(value, field + "." + key));
    return out;
  } else {
    T out;
    try {
      from_json(v, out);
    } catch (const decode_error& e) {
      throw e.within(field);
    }
    return out;
  }
}

// The members of one JSON object, read by name. finish() refuses the members nobody asked for,
// so a misspelt field is an error rather than silently ignored.
class object_reader {
public:
  // Throws decode_error("", `not_an_object`) when `j` is not an object.
  object_reader(const nlohmann::json& j, std::string not_an_object);

  // The member, or nullptr; either way `key` counts as known.
  const nlohmann::json* find(const std::string& key);
  template <class T>
  T required(const std::string& key) {
    const nlohmann::json* v = find(key);
    if (v == nullptr) throw decode_error(key, "is required");
    return decode_value<T>(*v, key);
  }
  template <class T>
  std::optional<T> optional(const std::string& key) {
    const nlohmann::json* v = find(key);
    if (v == nullptr) return std::nullopt;
    return decode_value<T>(*v, key);
  }
  // Refuses a member not read above: "KEY: unknown field (expected: a, b, c)".
  void finish() const;

private:
  const nlohmann::json& j_;
  std::vector<std::string> known_;
};

// Parses `text` and decodes it as T; a body that is not JSON is refused as "body: not valid
// JSON", one of the wrong shape as "body: must be ...".
template <class T>
T decode_text(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw decode_error("body", "not valid JSON");
  try {
    return decode_value<T>(j, "");
  } catch (const decode_error& e) {
    if (e.field().empty()) throw decode_error("body", e.problem());
    throw;
  }
}

} // namespace sluice::api
