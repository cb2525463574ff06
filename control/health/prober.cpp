#include "control/health/prober.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <system_error>
#include <unordered_map>

#include "control/health/probe.hpp"
#include "control/log/log.hpp"

namespace sluice::health {
namespace {

using clock = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

// The prober thread's state; nothing here is touched by another thread.
class schedule {
public:
  schedule(int epoll_fd, std::vector<probe_result>& out) : epoll_fd_(epoll_fd), out_(out) {}

  void apply(health_table::changes c, clock::time_point now) {
    for (const std::string& key : c.removed) stop(key);
    for (probe_target& t : c.added) {
      stop(t.key);
      const std::string key = t.key;
      const auto it = targets_.try_emplace(key).first;
      it->second.target = std::move(t);
      // The first check soon, spread over up to a second so that many targets do not all
      // connect in the same millisecond.
      const auto spread = std::min<uint32_t>(it->second.target.check.interval_ms, 1000);
      arm(key, it->second, now + ms(std::hash<std::string>{}(key) % spread));
    }
  }

  // Milliseconds until the next timer (-1: none).
  int wait_ms(clock::time_point now) const {
    if (timers_.empty()) return -1;
    const auto d = std::chrono::ceil<ms>(timers_.begin()->first - now).count();
    return int(std::clamp<int64_t>(d, 0, 60'000));
  }

  void on_timers(clock::time_point now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
      const std::string key = timers_.begin()->second;
      timers_.erase(timers_.begin());
      entry& e = targets_.at(key);
      e.armed = false;
      if (e.check.fd() < 0) {
        begin(key, e, now);
      } else {
        finish(key, e,
               {false, "timeout after " + std::to_string(e.target.check.timeout_ms) + " ms (" +
                           e.check.phase_name() + ")"},
               now);
      }
    }
  }

  void on_ready(int fd, uint32_t events, clock::time_point now) {
    const auto k = by_fd_.find(fd);
    if (k == by_fd_.end()) return;
    const std::string key = k->second;
    entry& e = targets_.at(key);
    if (auto v = e.check.on_ready(events)) {
      finish(key, e, std::move(*v), now);
      return;
    }
    epoll_event ev{.events = e.check.wanted_events(), .data = {.fd = fd}};
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }

private:
  struct entry {
    probe_target target;
    health::probe check; // the check in flight, if any
    clock::time_point started{};
    clock::time_point timer{};
    bool armed = false;
  };

  void arm(const std::string& key, entry& e, clock::time_point at) {
    if (e.armed) timers_.erase({e.timer, key});
    e.timer = at;
    e.armed = true;
    timers_.emplace(at, key);
  }

  void begin(const std::string& key, entry& e, clock::time_point now) {
    e.started = now;
    if (auto v = e.check.start(e.target)) {
      finish(key, e, std::move(*v), now);
      return;
    }
    epoll_event ev{.events = e.check.wanted_events(), .data = {.fd = e.check.fd()}};
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, e.check.fd(), &ev) != 0) {
      finish(key, e, {false, std::string("epoll: ") + std::strerror(errno)}, now);
      return;
    }
    by_fd_[e.check.fd()] = key;
    arm(key, e, now + ms(e.target.check.timeout_ms));
  }

  void finish(const std::string& key, entry& e, probe_verdict v, clock::time_point now) {
    if (e.check.fd() >= 0) by_fd_.erase(e.check.fd()); // close() also leaves the epoll set
    e.check.close();
    out_.push_back({.key = key, .passed = v.passed, .detail = std::move(v.detail)});
    // Start to start; a check that overran (it cannot: timeout <= interval) starts at once.
    arm(key, e, std::max(now, e.started + ms(e.target.check.interval_ms)));
  }

  void stop(const std::string& key) {
    const auto it = targets_.find(key);
    if (it == targets_.end()) return;
    if (it->second.armed) timers_.erase({it->second.timer, key});
    if (it->second.check.fd() >= 0) by_fd_.erase(it->second.check.fd());
    targets_.erase(it); // closes its socket
  }

  int epoll_fd_;
  std::vector<probe_result>& out_;
  std::unordered_map<std::string, entry> targets_;
  std::unordered_map<int, std::string> by_fd_;
  std::set<std::pair<clock::time_point, std::string>> timers_;
};

} // namespace

prober::prober(report_fn report) : report_(std::move(report)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(epoll_fd_);
    throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  epoll_event ev{.events = EPOLLIN, .data = {.fd = wake_fd_}};
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { run(); });
}

prober::~prober() {
  stop_.store(true, std::memory_order_relaxed);
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void prober::update(health_table::changes c) {
  {
    std::lock_guard lock(mu_);
    mailbox_.push_back(std::move(c));
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void prober::run() {
  std::vector<probe_result> results;
  schedule s(epoll_fd_, results);
  epoll_event events[64];
  while (!stop_.load(std::memory_order_relaxed)) {
    const int n = ::epoll_wait(epoll_fd_, events, 64, s.wait_ms(clock::now()));
    if (n < 0 && errno != EINTR) {
      log::error("msg=\"health prober: epoll_wait failed\" reason=\"{}\"", std::strerror(errno));
      return;
    }
    const auto now = clock::now();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == wake_fd_) {
        uint64_t count = 0;
        (void)!::read(wake_fd_, &count, sizeof count);
        std::vector<health_table::changes> mail;
        {
          std::lock_guard lock(mu_);
          mail.swap(mailbox_);
        }
        for (health_table::changes& c : mail) s.apply(std::move(c), now);
      } else {
        s.on_ready(events[i].data.fd, events[i].events, now);
      }
    }
    s.on_timers(clock::now());
    if (!results.empty() && !stop_.load(std::memory_order_relaxed)) {
      report_(results);
      results.clear();
    }
  }
}

} // namespace sluice::health
