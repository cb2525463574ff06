#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "control/daemon/workers_polling.hpp"

namespace sluice {
namespace {

using namespace std::chrono_literals;

struct two_workers {
  worker_stats first{4, 4, 4};
  worker_stats second{4, 4, 4};
  std::vector<const worker_stats*> view{&first, &second};
};

TEST(WorkersPolling, NotReadyWhileAWorkerHasNeverPolled) {
  two_workers w;
  w.first.worker.polls.add();
  EXPECT_EQ(wait_workers_polling(w.view, 20ms), std::optional<unsigned>(1));
}

TEST(WorkersPolling, NamesTheFirstWorkerThatNeverPolled) {
  two_workers w;
  EXPECT_EQ(wait_workers_polling(w.view, 0ms), std::optional<unsigned>(0));
}

TEST(WorkersPolling, ReadyAtOnceWhenEveryWorkerHasPolled) {
  two_workers w;
  w.first.worker.polls.add();
  w.second.worker.polls.add();
  EXPECT_EQ(wait_workers_polling(w.view, 0ms), std::nullopt);
}

TEST(WorkersPolling, ReadyAsSoonAsTheLastWorkerPolls) {
  two_workers w;
  w.first.worker.polls.add();
  std::thread late([&w] {
    std::this_thread::sleep_for(30ms);
    w.second.worker.polls.add();
  });
  EXPECT_EQ(wait_workers_polling(w.view, 10s), std::nullopt);
  late.join();
}

} // namespace
} // namespace sluice
