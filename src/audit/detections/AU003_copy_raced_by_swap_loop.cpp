// AU003: a container copy that overlapped a swap loop on its path (or an ancestor) in the
// same container — CVE-2018-15664 being exploited.
#include <fmt/format.h>

#include <set>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {
namespace {

class Au003 final : public Detection {
 public:
  std::string_view id() const override { return "AU003"; }
  // Early: as soon as a copy and an established loop on its path overlap, whichever came first
  // (a loop's later exchanges too: under a loaded kernel backlog, a copy's exec can be read
  // before the exchanges that came just before it).
  void on_copy_opened(const Copy& c, Context& ctx) override { report(c, ctx, true); }
  void on_loop_established(const LoopEpisode&, Context& ctx) override { recheck(ctx); }
  void on_loop_progress(const LoopEpisode&, Context& ctx) override { recheck(ctx); }
  void on_copy_closed(const Copy& c, Context& ctx) override {
    report(c, ctx, false);
    early_.erase(c.id);
  }

 private:
  void recheck(Context& ctx) {
    if (ctx.copies.empty()) return;
    for (const auto& c : ctx.copies)
      if (!c.closed && !early_.count(c.id)) report(c, ctx, true);
  }

  void report(const Copy& c, Context& ctx, bool early) {
    if (early && early_.count(c.id)) return;
    auto loops = ctx.loops_racing(c);
    if (loops.empty()) return;
    if (early) early_.insert(c.id);
    const LoopEpisode& ep = *loops.front();
    Alert a = copy_alert("AU003", c,
                         fmt::format("{} cp {} {}:{} {} while pid {} exchanged {} and {} ({} swaps in {} ms{})",
                                     c.cmd.tool, c.cmd.direction == "to-container" ? "into" : "out of", c.cmd.container,
                                     c.cmd.path, early ? "runs" : "ran", ep.pid, ep.a, ep.b, ep.count,
                                     ep.last_ms - ep.first_ms, early ? " so far" : ""));
    a.early = early;
    a.event_ids.push_back(ep.first_event);
    const std::string& last = ep.last_event.empty() && early ? ep.established_event : ep.last_event;
    a.reason = fmt::format(
        "pid {} renamed the same two names {} times ({} and {}), one of them the copy's path "
        "or an ancestor, in {}, while the copy ran",
        ep.pid, ep.count, ep.first_event, last.empty() ? "…" : last,
        ep.container.empty() ? "a process not known to be in another container" : "the same container");
    a.swap = AlertSwap{ep.pid, {ep.a, ep.b}, ep.count, ep.last_ms - ep.first_ms};
    a.actor_container = ctx.containers.engine_ref(ep.container);
    ctx.emit(std::move(a));
  }

  std::set<uint64_t> early_;  // copies whose early record was written (until they close)
};

}  // namespace

std::unique_ptr<Detection> make_au003() { return std::make_unique<Au003>(); }

}  // namespace tocsin::audit
