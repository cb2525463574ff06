#include "control/acl/patterns.hpp"

#include <vector>

namespace sluice {
namespace {

// Every pattern reports a rule at most once per scan (the verdict only needs "matched"), which
// also lets Hyperscan stop tracking a pattern once it has matched.
constexpr unsigned k_always = HS_FLAG_SINGLEMATCH;

struct compile_error_deleter {
  void operator()(hs_compile_error_t* e) const noexcept { hs_free_compile_error(e); }
};
using compile_error_ptr = std::unique_ptr<hs_compile_error_t, compile_error_deleter>;

} // namespace

std::optional<unsigned> pattern_flag(std::string_view name) noexcept {
  if (name == "caseless") return HS_FLAG_CASELESS;
  if (name == "dotall") return HS_FLAG_DOTALL;
  if (name == "multiline") return HS_FLAG_MULTILINE;
  if (name == "utf8") return HS_FLAG_UTF8;
  if (name == "ucp") return HS_FLAG_UCP;
  return std::nullopt;
}

std::string_view pattern_flag_names() noexcept { return "caseless, dotall, multiline, utf8, ucp"; }

std::optional<std::string> pattern_error(const payload_pattern& p) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw = nullptr;
  if (hs_compile(p.regex.c_str(), p.flags | k_always, HS_MODE_BLOCK, nullptr, &db, &raw) ==
      HS_SUCCESS) {
    hs_free_database(db);
    return std::nullopt;
  }
  const compile_error_ptr err(raw);
  return std::string(err && err->message ? err->message : "refused by Hyperscan");
}

hs_database_ptr compile_payload_database(const acl_set_config& set, std::string& error) {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (std::size_t r = 0; r < set.rules.size(); ++r)
    for (const payload_pattern& p : set.rules[r].payload) {
      exprs.push_back(p.regex.c_str());
      flags.push_back(p.flags | k_always);
      ids.push_back(unsigned(r));
    }
  if (exprs.empty()) return nullptr;
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), unsigned(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &raw) == HS_SUCCESS)
    return hs_database_ptr(db);
  const compile_error_ptr err(raw);
  const std::string msg = err && err->message ? err->message : "refused by Hyperscan";
  if (err && err->expression >= 0 && std::size_t(err->expression) < ids.size())
    error = "rule " + set.rules[ids[std::size_t(err->expression)]].name + ": " + msg;
  else
    error = "set " + set.name + ": " + msg;
  return nullptr;
}

} // namespace sluice
