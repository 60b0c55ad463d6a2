// Helpers for the audit core tests: parse text in memory and collect events and stats.
#pragma once
#include <string>
#include <vector>

#include "audit/text_source.hpp"

namespace tocsin::audit::testing {

struct Parsed {
  std::vector<Event> events;
  SourceStats stats;
  std::vector<InputIssue> issues;
};

inline Parsed parse_text(std::string text, TextSourceOptions opts = {}) {
  Parsed p;
  TextSource src = TextSource::from_memory(std::move(text), "mem.log", opts);
  auto st = src.for_each([&](Event&& ev) {
    p.events.push_back(std::move(ev));
    return true;
  });
  if (!st) throw std::runtime_error(st.error().message);
  p.stats = src.stats();
  p.issues = src.issues();
  return p;
}

// The single event of a text (asserting there is exactly one is the caller's job).
inline Event one_event(std::string text) {
  auto p = parse_text(std::move(text));
  if (p.events.size() != 1)
    throw std::runtime_error("expected 1 event, got " + std::to_string(p.events.size()));
  return std::move(p.events.front());
}

}  // namespace tocsin::audit::testing
