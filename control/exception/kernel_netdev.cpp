#include "control/exception/kernel_netdev.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "control/log/log.hpp"
#include "dataplane/net/ipv4.hpp"

extern char** environ;

namespace sluice {
namespace {

const char* ip_binary() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(p, X_OK) == 0) return p;
  return "ip";
}

// Best effort: a kernel without IPv6 has no such file, and that is fine.
bool write_sysctl(const std::string& path, const std::string& value) {
  std::ofstream f(path);
  if (!f) return false;
  f << value << '\n';
  return bool(f.flush());
}

} // namespace

void run_ip(const std::vector<std::string>& args) {
  std::vector<std::string> words{ip_binary()};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  std::string line;
  for (std::string& w : words) {
    argv.push_back(w.data());
    line += (line.empty() ? "" : " ") + w;
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); rc != 0)
    throw std::runtime_error("cannot run \"" + line + "\": " + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error("waiting for \"" + line + "\": " + std::strerror(errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("\"" + line + "\" failed (status " + std::to_string(status) + ")");
}

void configure_tap(const std::string& ifname, uint32_t addr, unsigned prefix_len) {
  write_sysctl("/proc/sys/net/ipv6/conf/" + ifname + "/disable_ipv6", "1");
  run_ip({"addr", "replace", format_ipv4(addr) + "/" + std::to_string(prefix_len), "dev", ifname});
  run_ip({"link", "set", "dev", ifname, "up"});
}

void quiet_kernel_netdev(const std::string& ifname) {
  run_ip({"link", "set", "dev", ifname, "arp", "off"});
  if (!write_sysctl("/proc/sys/net/ipv4/conf/" + ifname + "/rp_filter", "1"))
    log::warn("msg=\"cannot set rp_filter\" interface={} hint=\"the kernel may accept traffic "
              "for the exception path's address on this netdev too\"", ifname);
}

} // namespace sluice
