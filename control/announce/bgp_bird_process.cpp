#include "control/announce/bgp_bird_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sluice {

bird_process::bird_process(const bird_files& files) {
  // setpriv (util-linux) sets the parent-death signal and then execs BIRD; posix_spawn has no
  // way to set it itself.
  std::vector<std::string> args{"setpriv", "--pdeathsig", "TERM", "--",       "bird",
                                "-f",      "-c",           files.config, "-s", files.socket,
                                "-P",      files.pid};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child must not inherit sluiced's blocked signal mask (SIGTERM is blocked for
  // sigtimedwait): BIRD would then ignore the SIGTERM that stops it.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults; // and default actions, whatever sluiced ignores
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  // Nor sluiced's descriptors (packet sockets, hugepage memory files, the admin sockets): BIRD
  // needs only stdin/stdout/stderr.
  posix_spawn_file_actions_t files_actions;
  posix_spawn_file_actions_init(&files_actions);
  posix_spawn_file_actions_addclosefrom_np(&files_actions, 3);
  const int rc = posix_spawnp(&pid_, "setpriv", &files_actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files_actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error(std::string("cannot start bird: ") + std::strerror(rc));
}

bool bird_process::running() {
  if (pid_ < 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
  return pid_ >= 0;
}

bird_process::~bird_process() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (running()) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

} // namespace sluice
