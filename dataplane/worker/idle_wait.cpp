#include "dataplane/worker/idle_wait.hpp"

#include <rte_ethdev.h>
#include <rte_interrupts.h>

#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sluice {

idle_waiter::idle_waiter(const std::vector<rx_wakeup>& wakeups) {
  if (wakeups.empty()) return;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0)
    throw std::runtime_error(std::string("idle wake-ups: epoll_create1: ") + std::strerror(errno));
  sockets_events_ = std::make_unique<rte_epoll_event[]>(wakeups.size());
  for (const rx_wakeup& w : wakeups) {
    if (w.how == rx_wakeup::kind::interrupt) {
      // DPDK registers the queue's interrupt descriptor edge-triggered, with the callback that
      // acknowledges it; it stays disabled (no interrupt raised) until a sleep enables it.
      if (rte_eth_dev_rx_intr_ctl_q(w.port, w.queue, epoll_fd_, RTE_INTR_EVENT_ADD, nullptr) != 0)
        continue;
      interrupts_.push_back({w.port, w.queue});
    } else {
      // Level-triggered: the socket is readable for as long as a frame waits in its ring.
      rte_epoll_event& ev = sockets_events_[sockets_.size()];
      ev = {};
      ev.epdata.event = EPOLLIN;
      if (rte_epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, w.fd, &ev) != 0) continue;
      sockets_.push_back(w.fd);
    }
  }
  for (const queue_ref& q : interrupts_) rte_eth_dev_rx_intr_disable(q.port, q.queue);
}

idle_waiter::~idle_waiter() {
  for (const queue_ref& q : interrupts_)
    rte_eth_dev_rx_intr_ctl_q(q.port, q.queue, epoll_fd_, RTE_INTR_EVENT_DEL, nullptr);
  for (std::size_t i = 0; i < sockets_.size(); ++i)
    rte_epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, sockets_[i], &sockets_events_[i]);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void idle_waiter::wait(uint64_t ns) noexcept {
  const timespec span{.tv_sec = time_t(ns / 1'000'000'000), .tv_nsec = long(ns % 1'000'000'000)};
  if (epoll_fd_ < 0) {
    ::clock_nanosleep(CLOCK_MONOTONIC, 0, &span, nullptr);
    return;
  }
  // A packet that arrived between the worker's last poll and this enable raises no interrupt:
  // it is seen when the sleep ends, within the bound.
  for (const queue_ref& q : interrupts_) rte_eth_dev_rx_intr_enable(q.port, q.queue);
  epoll_event ev{};
  if (::epoll_pwait2(epoll_fd_, &ev, 1, &span, nullptr) == 1) {
    // What rte_epoll_wait() does for each event: an interrupt's callback acknowledges it (reads
    // its counter); a socket has none.
    auto* rev = static_cast<rte_epoll_event*>(ev.data.ptr);
    if (rev != nullptr && rev->epdata.cb_fun != nullptr)
      rev->epdata.cb_fun(rev->fd, rev->epdata.cb_arg);
  }
  for (const queue_ref& q : interrupts_) rte_eth_dev_rx_intr_disable(q.port, q.queue);
}

} // namespace sluice
