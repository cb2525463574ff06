#include "control/announce/bgp_bird_control.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice {
namespace {

bool is_code(std::string_view line) {
  if (line.size() < 5) return false;
  for (int i = 0; i < 4; ++i)
    if (line[i] < '0' || line[i] > '9') return false;
  return line[4] == ' ' || line[4] == '-';
}

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

std::optional<bird_reply> take_bird_reply(std::string& buffer) {
  bird_reply reply;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t nl = buffer.find('\n', pos);
    if (nl == std::string::npos) return std::nullopt;
    const std::string_view line(buffer.data() + pos, nl - pos);
    pos = nl + 1;
    std::string_view text;
    bool last = false;
    if (is_code(line)) {
      reply.code = std::stoi(std::string(line.substr(0, 4)));
      text = line.substr(5);
      last = line[4] == ' ';
    } else if (!line.empty() && line[0] == ' ') {
      text = line.substr(1);
    } else {
      throw bird_error("malformed reply line from BIRD: \"" + std::string(line) + "\"");
    }
    if (!reply.text.empty()) reply.text += '\n';
    reply.text += text;
    if (last) {
      buffer.erase(0, pos);
      return reply;
    }
  }
}

bird_reply bird_control::command(std::string_view cmd) const {
  fd_guard s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) throw bird_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(addr.sun_path)) throw bird_error("socket path too long: " + path_);
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0)
    throw bird_error("connect " + path_ + ": " + std::strerror(errno));

  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string buffer;
  auto read_reply = [&]() {
    for (;;) {
      if (auto r = take_bird_reply(buffer)) return *r;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{.fd = s.fd, .events = POLLIN, .revents = 0};
      const int ready = left.count() > 0 ? ::poll(&p, 1, int(left.count())) : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) throw bird_error("BIRD did not answer within the timeout on " + path_);
      char chunk[4096];
      const ssize_t n = ::read(s.fd, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw bird_error("BIRD closed the control connection on " + path_);
      buffer.append(chunk, std::size_t(n));
    }
  };
  const bird_reply greeting = read_reply();
  if (greeting.code != 1) throw bird_error("unexpected greeting from BIRD: " + greeting.text);
  std::string line(cmd);
  line += '\n';
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(s.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw bird_error("send to BIRD: " + std::string(std::strerror(errno)));
    sent += std::size_t(n);
  }
  return read_reply();
}

} // namespace sluice
