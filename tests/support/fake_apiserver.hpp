#pragma once
// Runs tests/support/fake_apiserver.py (Debian's python3) on a free loopback port for one test and
// stops it after; kill() and start() again simulate an API server restart.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sluice::test {

inline uint16_t free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

class fake_apiserver {
public:
  explicit fake_apiserver(std::vector<std::string> extra = {}) : port_(free_port()), extra_(std::move(extra)) {}
  ~fake_apiserver() { kill(); }

  void start() {
    std::vector<std::string> args{"/usr/bin/python3", SLUICE_FAKE_APISERVER,
                                  "--port", std::to_string(port_)};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start the fake API server");
    // Until it accepts connections: a state file of 10,000 Services takes Python seconds to load
    // on a loaded machine (k8s-bench once gave up after 5 s), so wait up to 60 s unless it exits.
    for (int i = 0; i < 1200; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("the fake API server exited at start");
      }
      const int s = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port_);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool up = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      ::close(s);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(); // not left behind if the caller does not catch this
    throw std::runtime_error("the fake API server did not come up");
  }

  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }

private:
  uint16_t port_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

} // namespace sluice::test
