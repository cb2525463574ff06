#pragma once
// Hyperscan compilation of ACL payload patterns: one pattern at a time to validate a config (so
// an error names the rule), one block-mode database per rule set for the dataplane.

#include <hs/hs.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "control/acl/acl_config.hpp"

namespace sluice {

struct hs_database_deleter {
  void operator()(hs_database_t* db) const noexcept { hs_free_database(db); }
};
using hs_database_ptr = std::unique_ptr<hs_database_t, hs_database_deleter>;

// HS_FLAG_* for an operator's flag name (caseless, dotall, multiline, utf8, ucp); nullopt when
// the name is not one of those.
std::optional<unsigned> pattern_flag(std::string_view name) noexcept;
// The accepted flag names, for error messages.
std::string_view pattern_flag_names() noexcept;

// The compiler's message when Hyperscan refuses `p` in block mode, nullopt when it compiles.
std::optional<std::string> pattern_error(const payload_pattern& p);

// One block-mode database holding every payload pattern of `set`; a pattern's match id is the
// index of its rule in set.rules. Null when the set has no payload rule. On a compiler error
// returns null and sets `error` to "rule NAME: MESSAGE".
hs_database_ptr compile_payload_database(const acl_set_config& set, std::string& error);

} // namespace sluice
