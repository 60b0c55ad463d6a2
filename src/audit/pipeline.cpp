// Reader/detector pipeline (see pipeline.hpp).
#include "audit/pipeline.hpp"

#include <sched.h>

namespace tocsin::audit {

EventPipeline::EventPipeline(std::function<bool(const Event&)> sink, unsigned threads, size_t batch,
                             size_t max_batches)
    : sink_(std::move(sink)),
      threaded_(threads >= 2),
      batch_(batch ? batch : 1),
      max_batches_(max_batches ? max_batches : 1) {
  if (!threaded_) return;
  filling_.reserve(batch_);
  thread_ = std::thread([this] { consume(); });
}

EventPipeline::~EventPipeline() {
  if (!threaded_) return;
  drain();
  {
    std::lock_guard<std::mutex> lk(m_);
    closing_ = true;
  }
  have_work_.notify_all();
  thread_.join();
}

unsigned EventPipeline::default_threads() {
  // The CPUs this process may run on (taskset, cgroup cpusets), not the machine's count: two
  // threads on one CPU would only add switching.
  cpu_set_t set;
  CPU_ZERO(&set);
  int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                       : static_cast<int>(std::thread::hardware_concurrency());
  return n >= 2 ? 2 : 1;
}

bool EventPipeline::push(Event&& ev) {
  if (!threaded_) {
    if (stopped_) return false;
    if (!sink_(ev)) stopped_ = true;
    Event::give_spare(std::move(ev));
    return !stopped_;
  }
  // The vector never grows past its reserved capacity, so the event is not moved again after
  // prepare() and its caches stay valid.
  filling_.push_back(std::move(ev));
  filling_.back().prepare();
  if (filling_.size() >= batch_) hand_over();
  // Read without the lock: a lock per event made the two threads share its cache line.
  return !stopped_.load(std::memory_order_acquire);
}

void EventPipeline::hand_over() {
  if (filling_.empty()) return;
  std::vector<std::vector<Event>> finished;
  std::unique_lock<std::mutex> lk(m_);
  producer_waiting_ = true;
  have_room_.wait(lk, [this] { return ready_.size() < max_batches_ || stopped_; });
  producer_waiting_ = false;
  if (stopped_) {
    filling_.clear();
    return;
  }
  ready_.push_back(std::move(filling_));
  // Wake the consumer only when it sleeps: a futex wake per batch costs more than the batch.
  const bool wake = consumer_waiting_;
  // Processed batches come back to be freed here: memory returns to this thread's malloc
  // arena instead of being freed across threads, and their capacity is reused.
  finished.swap(done_);
  lk.unlock();
  if (wake) have_work_.notify_one();
  // Their events go back to this thread's spares for the assembler to fill again.
  for (auto& batch : finished)
    for (Event& ev : batch) Event::give_spare(std::move(ev));
  if (!finished.empty()) {
    filling_ = std::move(finished.back());
    filling_.clear();
  } else {
    filling_ = std::vector<Event>();
  }
  filling_.reserve(batch_);
}

bool EventPipeline::drain() {
  if (!threaded_) return !stopped_;
  hand_over();
  std::unique_lock<std::mutex> lk(m_);
  drain_waiting_ = true;
  idle_.wait(lk, [this] { return (ready_.empty() && !busy_) || stopped_; });
  // After a stop the consumer may still be finishing a batch: wait for it before returning.
  idle_.wait(lk, [this] { return !busy_; });
  drain_waiting_ = false;
  done_.clear();
  return !stopped_;
}

void EventPipeline::consume() {
  for (;;) {
    std::vector<Event> work;
    {
      std::unique_lock<std::mutex> lk(m_);
      consumer_waiting_ = true;
      have_work_.wait(lk, [this] { return !ready_.empty() || closing_; });
      consumer_waiting_ = false;
      if (ready_.empty()) return;  // closing
      work = std::move(ready_.front());
      ready_.pop_front();
      busy_ = !stopped_;
      if (stopped_) {
        ready_.clear();
        lk.unlock();
        idle_.notify_all();
        have_room_.notify_all();
        continue;
      }
    }
    bool go = true;
    for (const Event& ev : work)
      if (!sink_(ev)) {
        go = false;
        break;
      }
    bool wake_producer;
    {
      std::lock_guard<std::mutex> lk(m_);
      busy_ = false;
      if (!go) {
        stopped_ = true;
        ready_.clear();
      }
      // Bounded: beyond a few batches, free here rather than hold memory.
      if (done_.size() < max_batches_) {
        done_.push_back(std::move(work));
        work = std::vector<Event>();
      }
      wake_producer = producer_waiting_ || drain_waiting_ || stopped_;
    }
    if (wake_producer) {
      idle_.notify_all();
      have_room_.notify_all();
    }
  }
}

}  // namespace tocsin::audit
