// Two-stage event processing: the reading thread assembles events and lexes them completely
// (Event::prepare), a second thread runs the detections. Events travel in batches through a
// bounded queue, so memory stays bounded (max_batches × batch events) whatever the input size.
// Each event is prepared in place inside its batch, so its caches (views into its own buffer)
// stay valid; after the hand-over only the consumer thread touches it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/event.hpp"

namespace tocsin::audit {

class EventPipeline {
 public:
  // `sink` runs on the consumer thread, in input order; returning false stops the pipeline.
  // With threads < 2 everything runs on the caller's thread (no queue).
  EventPipeline(std::function<bool(const Event&)> sink, unsigned threads, size_t batch = 64,
                size_t max_batches = 4);
  ~EventPipeline();
  EventPipeline(const EventPipeline&) = delete;
  EventPipeline& operator=(const EventPipeline&) = delete;

  // Hands one event over; false once the sink asked to stop.
  bool push(Event&& ev);
  // Delivers everything pushed so far and waits for the sink to finish it. The pipeline can be
  // used again afterwards. Returns false if the sink asked to stop.
  bool drain();
  // The number of threads the machine offers a hunt (1 or 2).
  static unsigned default_threads();

 private:
  void consume();
  void hand_over();

  std::function<bool(const Event&)> sink_;
  const bool threaded_;
  const size_t batch_;
  const size_t max_batches_;
  std::vector<Event> filling_;
  std::mutex m_;
  std::condition_variable have_work_, have_room_, idle_;
  std::deque<std::vector<Event>> ready_;
  bool busy_ = false;      // the consumer is working on a batch
  bool closing_ = false;   // destructor: the consumer exits once the queue is empty
  std::atomic<bool> stopped_{false};  // the sink returned false (written under m_)
  bool consumer_waiting_ = false, producer_waiting_ = false, drain_waiting_ = false;
  std::vector<std::vector<Event>> done_;  // processed batches, freed by the producer
  std::thread thread_;
};

}  // namespace tocsin::audit
