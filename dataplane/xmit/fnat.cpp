#include "dataplane/xmit/fnat.hpp"

namespace sluice {

fnat_port_cursor::fnat_port_cursor(unsigned worker, unsigned workers) noexcept
    : stride_(workers == 0 ? 1 : workers) {
  const uint32_t w = worker % stride_;
  first_ = k_fnat_first_port + (w + stride_ - k_fnat_first_port % stride_) % stride_;
  count_ = first_ > 65535 ? 0 : (65535 - first_) / stride_ + 1;
}

uint16_t fnat_port_cursor::next() noexcept {
  const uint32_t p = first_ + cursor_ * stride_;
  cursor_ = cursor_ + 1 == count_ ? 0 : cursor_ + 1;
  return static_cast<uint16_t>(p);
}

fnat_local_cursor::choice fnat_local_cursor::next(uint32_t addresses) noexcept {
  if (addresses == 0) addresses = 1;
  if (address_ >= addresses) address_ = 0; // the pool shrank: start its cycle afresh
  if (address_ == 0) port_ = ports_.next();
  const choice c{address_, port_};
  address_ = address_ + 1 == addresses ? 0 : address_ + 1;
  return c;
}

void fnat_rewrite_forward(const ipv4_packet& pkt, endpoint local, endpoint backend) noexcept {
  decrement_ttl(pkt.ip);
  rewrite_source_endpoint(pkt, local);
  rewrite_destination_endpoint(pkt, backend);
}

void fnat_rewrite_reply(const ipv4_packet& pkt, endpoint vip, endpoint client) noexcept {
  decrement_ttl(pkt.ip);
  rewrite_source_endpoint(pkt, vip);
  rewrite_destination_endpoint(pkt, client);
}

} // namespace sluice
