#include "control/announce/bgp_announcer.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "control/log/log.hpp"
#include "dataplane/net/ipv4.hpp"

namespace sluice {
namespace {

// Write to a temporary file beside `path`, then rename over it: BIRD never reads a half file.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

std::string listed(const std::vector<uint32_t>& vips) {
  std::string s;
  for (uint32_t v : vips) (s.empty() ? s : s += ',') += format_ipv4(v);
  return s;
}

std::vector<uint32_t> canonical(std::vector<uint32_t> vips) {
  std::sort(vips.begin(), vips.end(), [](uint32_t a, uint32_t b) { return ntohl(a) < ntohl(b); });
  vips.erase(std::unique(vips.begin(), vips.end()), vips.end());
  return vips;
}

} // namespace

bgp_announcer::bgp_announcer(const bgp_announce_config& c)
    : cfg_(c), files_(bird_files_for(c.bird_socket)),
      control_(files_.socket, std::chrono::milliseconds(2000)) {
  std::filesystem::create_directories(std::filesystem::path(files_.socket).parent_path());
  write_atomically(files_.routes, bird_routes_config({}));
  write_atomically(files_.config, bird_main_config(cfg_, files_));
  start_bird();
  // A BIRD that dies at once (not installed, config refused) is a start-up error, not something
  // to restart forever.
  if (!bird_->running())
    throw std::runtime_error("bird exited at start (is Debian's bird2 installed? its messages, "
                             "if any, are above); config " + files_.config);
}

void bgp_announcer::start_bird() {
  started_ = std::chrono::steady_clock::now();
  bird_ = std::make_unique<bird_process>(files_);
  log::info("msg=\"BIRD started\" pid={} config={} socket={} peers={}", bird_->pid(),
            files_.config, files_.socket, cfg_.peers.size());
  // BIRD opens its control socket a few tens of milliseconds after starting: wait for it (a
  // bounded while) so the first announcement does not start with a spurious failure.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (bird_->running() && std::chrono::steady_clock::now() < deadline) {
    try {
      if (control_.command("show status").ok()) break;
    } catch (const bird_error&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bgp_announcer::~bgp_announcer() {
  bird_.reset();
  log::info("msg=\"BIRD stopped\"");
}

bool bgp_announcer::announce(std::vector<uint32_t> vips) {
  vips = canonical(std::move(vips));
  if (!bird_->running()) {
    // At most one restart a second: a BIRD that keeps dying must not spin the control thread.
    if (std::chrono::steady_clock::now() - started_ < std::chrono::seconds(1)) return false;
    log::warn("msg=\"BIRD exited; restarting it\" socket={}", files_.socket);
    start_bird();
    applied_.reset();
  }
  if (applied_ == vips) return true;
  return apply(vips);
}

bool bgp_announcer::apply(const std::vector<uint32_t>& vips) {
  try {
    write_atomically(files_.routes, bird_routes_config(vips));
    const bird_reply r = control_.command("configure");
    if (!r.ok()) throw bird_error("configure refused (" + std::to_string(r.code) + "): " + r.text);
    const std::vector<uint32_t> before = applied_.value_or(std::vector<uint32_t>{});
    std::vector<uint32_t> added, withdrawn;
    for (uint32_t v : vips)
      if (std::find(before.begin(), before.end(), v) == before.end()) added.push_back(v);
    for (uint32_t v : before)
      if (std::find(vips.begin(), vips.end(), v) == vips.end()) withdrawn.push_back(v);
    applied_ = vips;
    failing_ = false;
    if (!added.empty() || !withdrawn.empty())
      log::info("msg=\"BGP announcement changed\" announced=\"{}\" withdrawn=\"{}\" total={}",
                listed(added), listed(withdrawn), vips.size());
    return true;
  } catch (const std::exception& e) {
    applied_.reset();
    ++failures_;
    if (!failing_)
      log::warn("msg=\"BGP announcement not applied; retrying\" reason=\"{}\"", e.what());
    failing_ = true;
    return false;
  }
}

void bgp_announcer::withdraw_and_wait() {
  const auto start = std::chrono::steady_clock::now();
  const bool done = announce({});
  log::info("msg=\"BGP routes withdrawn; forwarding until the delay passes\" applied={} "
            "withdraw_delay_ms={}",
            done, cfg_.withdraw_delay_ms);
  std::this_thread::sleep_until(start + std::chrono::milliseconds(cfg_.withdraw_delay_ms));
}

} // namespace sluice
