// The reader/detector pipeline: events reach the sink in input order with the same content on
// one thread and on two, memory stays bounded by the queue, a sink that stops stops the
// reader, and drain() makes everything pushed so far visible.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "audit/pipeline.hpp"
#include "core_test_util.hpp"

namespace tocsin::audit {
namespace {

std::string many_events(int n) {
  std::string log;
  for (int i = 1; i <= n; ++i) {
    std::string k = "audit(100." + std::to_string(i % 1000) + ":" + std::to_string(i) + "):";
    log += "type=SYSCALL msg=" + k + " arch=c000003e syscall=316 success=yes pid=" + std::to_string(i) +
           " exe=\"/bin/swap\"\n";
    log += "type=PATH msg=" + k + " item=0 name=\"/w/f" + std::to_string(i) + "\" nametype=DELETE\n";
    log += "type=EOE msg=" + k + "\n";
  }
  return log;
}

std::vector<std::string> run(unsigned threads, int n, size_t batch) {
  std::vector<std::string> seen;
  EventPipeline pipe(
      [&seen](const Event& ev) {
        seen.push_back(std::to_string(*ev.pid()) + " " + *ev.paths().at(0).name + " " +
                       std::string(ev.syscall_name()));
        return true;
      },
      threads, batch, 2);
  auto src = TextSource::from_memory(many_events(n));
  EXPECT_TRUE(src.for_each([&](Event&& ev) { return pipe.push(std::move(ev)); }));
  EXPECT_TRUE(pipe.drain());
  return seen;
}

TEST(CorePipeline, SameEventsInTheSameOrderOnOneAndTwoThreads) {
  auto one = run(1, 2000, 64);
  auto two = run(2, 2000, 64);
  ASSERT_EQ(one.size(), 2000u);
  EXPECT_EQ(one, two);
  EXPECT_EQ(two.front(), "1 /w/f1 renameat2");
  EXPECT_EQ(two.back(), "2000 /w/f2000 renameat2");
  // A batch bigger than the input: drain() still delivers the partial batch.
  EXPECT_EQ(run(2, 10, 4096).size(), 10u);
}

TEST(CorePipeline, StopFromTheSinkReachesTheReader) {
  for (unsigned threads : {1u, 2u}) {
    std::atomic<int> delivered{0};
    EventPipeline pipe(
        [&delivered](const Event&) { return ++delivered < 100; }, threads, 16, 2);
    auto src = TextSource::from_memory(many_events(5000));
    int pushed = 0;
    (void)src.for_each([&](Event&& ev) {
      ++pushed;
      return pipe.push(std::move(ev));
    });
    EXPECT_FALSE(pipe.drain());
    EXPECT_EQ(delivered.load(), 100) << threads;
    // The reader stopped within the queue's reach, not at the end of the input.
    EXPECT_LT(pushed, 100 + 16 * 4) << threads;
  }
}

TEST(CorePipeline, DrainCanBeCalledPerFileAndAgain) {
  std::vector<int64_t> pids;
  EventPipeline pipe([&pids](const Event& ev) {
    pids.push_back(*ev.pid());
    return true;
  }, 2, 8, 2);
  for (int file = 0; file < 3; ++file) {
    auto src = TextSource::from_memory(many_events(20));
    ASSERT_TRUE(src.for_each([&](Event&& ev) { return pipe.push(std::move(ev)); }));
    ASSERT_TRUE(pipe.drain());
    EXPECT_EQ(pids.size(), static_cast<size_t>(20 * (file + 1)));  // visible after drain
  }
}

}  // namespace
}  // namespace tocsin::audit
