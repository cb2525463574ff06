#include "control/k8s/runner.hpp"

#include "control/daemon/control_plane.hpp"
#include "control/k8s/kubeconfig.hpp"
#include "control/log/log.hpp"

namespace sluice::k8s {

runner::runner(const config& cfg, control_plane& control) : control_(control) {
  const kubernetes_config& k = cfg.kubernetes;
  api_endpoint ep = k.in_cluster ? in_cluster_endpoint() : load_kubeconfig(k.kubeconfig);
  log::info("msg=\"kubernetes sync starting\" server={} class={} backends={} node_addresses={} "
            "pools={}",
            ep.server, k.load_balancer_class, k.backends_nodes ? "nodes" : "pods",
            k.node_addresses.size(), cfg.address_pools.size());
  api_ = std::make_unique<api_client>(
      std::move(ep),
      client_options{.token_reread = std::chrono::seconds(k.token_reread_seconds),
                     .answer_timeout = std::chrono::seconds(k.request_timeout_seconds)});
  sync_ = std::make_unique<sync>(k, cfg.address_pools, *api_,
                                 [&control](service_changes c) {
                                   const auto problems =
                                       c.whole ? control.replace_source_services(
                                                     "kubernetes", std::move(c.upserts))
                                               : control.change_source_services(
                                                     "kubernetes", std::move(c.upserts),
                                                     std::move(c.removed));
                                   return problems.empty();
                                 },
                                 watch_options{}, status_writer_options{},
                                 [&control](const std::vector<double>& seconds) {
                                   control.note_programming_latencies(seconds);
                                 });
  control.take_kubernetes(sync_.get());
  thread_ = std::thread([this] { sync_->run(stop_); });
}

runner::~runner() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  control_.take_kubernetes(nullptr);
}

} // namespace sluice::k8s
