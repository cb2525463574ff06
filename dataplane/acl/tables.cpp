#include "dataplane/acl/tables.hpp"

#include <arpa/inet.h>

#include <hs/hs.h>

namespace sluice {

bool acl_term::matches(const acl_key& k) const noexcept {
  const uint16_t port = ntohs(k.dst_port);
  return (proto == 0 || proto == k.proto) && (k.src & src_mask) == src &&
         (k.dst & dst_mask) == dst && port >= port_lo && port <= port_hi;
}

acl_tables::~acl_tables() {
  for (hs_scratch_t* s : scratch) hs_free_scratch(s);
  for (acl_set& s : sets) {
    rte_acl_free(s.ctx);
    hs_free_database(s.db);
  }
}

} // namespace sluice
