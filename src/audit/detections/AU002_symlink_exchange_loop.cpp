// AU002: one process exchanging the same two names over and over (renameat2 loop); the
// episode tracking lives in loop_tracker, this rule reports each closed episode once (and, with
// early verdicts, once more when it is established: the count so far, the establishing event).
#include <fmt/format.h>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {
namespace {

class Au002 final : public Detection {
 public:
  std::string_view id() const override { return "AU002"; }
  void on_loop_established(const LoopEpisode& ep, Context& ctx) override { report(ep, ctx, true); }
  void on_loop_closed(const LoopEpisode& ep, Context& ctx) override { report(ep, ctx, false); }

 private:
  static void report(const LoopEpisode& ep, Context& ctx, bool early) {
    Alert a;
    a.early = early;
    a.rule = "AU002";
    a.severity = rule_severity("AU002", Severity::high);
    a.time_ms = ep.first_ms;
    if (!ep.node.empty()) a.host = ep.node;
    a.event_ids = {ep.first_event};
    const std::string& last = early ? ep.established_event : ep.last_event;
    if (!last.empty() && last != ep.first_event) a.event_ids.push_back(last);
    std::string where = ep.container.empty() ? std::string()
                                             : fmt::format(" in container {}", ctx.containers.label(ep.container));
    a.message = fmt::format("pid {} ({}) exchanged {} and {} {} times in {} ms{}{}", ep.pid,
                            ep.exe.empty() ? "?" : ep.exe, ep.a, ep.b, ep.count, ep.last_ms - ep.first_ms, where,
                            early ? " so far: an established swap loop, still running" : "");
    a.user = ep.user;
    a.swap = AlertSwap{ep.pid, {ep.a, ep.b}, ep.count, ep.last_ms - ep.first_ms};
    a.pid = ep.pid;
    a.exe = ep.exe;
    a.file = ep.file;
    a.line = ep.line;
    a.actor_container = ctx.containers.engine_ref(ep.container);
    ctx.emit(std::move(a));
  }
};

}  // namespace

std::unique_ptr<Detection> make_au002() { return std::make_unique<Au002>(); }

}  // namespace tocsin::audit
