#pragma once
// The BIRD daemon sluiced owns: started in sluiced's network namespace (so its sessions run over
// the exception path), in the foreground as a child, and stopped with sluiced. If sluiced dies
// without stopping it, the kernel sends it SIGTERM (parent-death signal), so an orphaned BIRD
// never keeps announcing VIPs nobody forwards.

#include <sys/types.h>

#include "control/announce/bgp_bird_config.hpp"

namespace sluice {

class bird_process {
public:
  // Starts `bird -f -c files.config -s files.socket -P files.pid`. Throws std::runtime_error
  // when it cannot be started. Must be called from a thread that lives as long as BIRD should
  // (the parent-death signal follows the creating thread).
  explicit bird_process(const bird_files& files);
  ~bird_process(); // SIGTERM, then SIGKILL after 3 s
  bird_process(const bird_process&) = delete;
  bird_process& operator=(const bird_process&) = delete;

  // False once BIRD has exited (its status is collected).
  bool running();
  pid_t pid() const noexcept { return pid_; }

private:
  pid_t pid_ = -1;
};

} // namespace sluice
