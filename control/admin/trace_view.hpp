#pragma once
// The admin API's side of per-packet tracing (api/trace.hpp): a POST's filter checked and turned
// into the workers' trace_filter, and the workers' records turned into entries.

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "control/admin/api/trace.hpp"
#include "dataplane/trace/filter.hpp"
#include "dataplane/trace/record.hpp"

namespace sluice {

// The filter a request asks for, or one problem per bad field ("vip: must be ...").
std::variant<trace_filter, std::vector<std::string>> trace_filter_from(const api::trace_request& r);

// What turns slots and indexes of a record into names.
struct trace_names {
  std::vector<std::string> interfaces;       // by interface index
  std::map<uint32_t, std::string> acl_rules; // by hit slot: "set/rule", "set/default"
  uint64_t start_tsc = 0;                    // the session's arming, on the workers' clock
  uint64_t tsc_hz = 1;
};

api::trace_entry trace_entry_view(const trace_record& r, const trace_names& names);

// "S", "SA", "FA", "R", "PA": the TCP flags a packet carries, in that order of letters.
std::string tcp_flags_text(uint8_t flags);

} // namespace sluice
