#pragma once
// A runtime change written as the admin API's JSON body, decoded as the admin routes decode it
// (control/admin/routes.cpp) and planned: the config tests state changes the way clients send
// them. A body that does not decode is a 422 plan with the decoder's message.

#include <string_view>

#include "control/admin/api/decode.hpp"
#include "control/config/change.hpp"

namespace sluice {

inline change_plan plan_change(const config& applied, change_kind kind, std::string_view body) {
  try {
    switch (kind) {
    case change_kind::add_service:
      return plan_change(applied, {kind, api::decode_text<api::service_definition>(body)});
    case change_kind::edit_service:
      return plan_change(applied, {kind, api::decode_text<api::service_edit>(body)});
    case change_kind::delete_service:
      return plan_change(applied, {kind, api::decode_text<api::service_removal>(body)});
    default:
      return plan_change(applied, {kind, api::decode_text<api::backend_change>(body)});
    }
  } catch (const api::decode_error& e) {
    return {.status = 422, .errors = {e.what()}};
  }
}

} // namespace sluice
