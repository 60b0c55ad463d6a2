// AU003: a container copy that overlapped a swap loop on its path (or an ancestor) in the
// same container — CVE-2018-15664 being exploited.
#include <fmt/format.h>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {
namespace {

class Au003 final : public Detection {
 public:
  std::string_view id() const override { return "AU003"; }
  void on_copy_closed(const Copy& c, Context& ctx) override {
    auto loops = ctx.loops_racing(c);
    if (loops.empty()) return;
    const LoopEpisode& ep = *loops.front();
    Alert a = copy_alert(
        "AU003", c,
        fmt::format("{} cp {} {}:{} ran while pid {} exchanged {} and {} ({} swaps in {} ms)",
                    c.cmd.tool, c.cmd.direction == "to-container" ? "into" : "out of",
                    c.cmd.container, c.cmd.path, ep.pid, ep.a, ep.b, ep.count,
                    ep.last_ms - ep.first_ms));
    a.event_ids.push_back(ep.first_event);
    a.reason = fmt::format("pid {} renamed the same two names {} times ({} and {}), one of them the copy's path "
                           "or an ancestor, in {}, while the copy ran",
                           ep.pid, ep.count, ep.first_event, ep.last_event.empty() ? "…" : ep.last_event,
                           ep.container.empty() ? "a process not known to be in another container"
                                                : "the same container");
    a.swap = AlertSwap{ep.pid, {ep.a, ep.b}, ep.count, ep.last_ms - ep.first_ms};
    ctx.emit(std::move(a));
  }
};

}  // namespace

std::unique_ptr<Detection> make_au003() { return std::make_unique<Au003>(); }

}  // namespace tocsin::audit
