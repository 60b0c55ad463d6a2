// AU001: every container copy command, with who, where, which container, direction, path.
#include <fmt/format.h>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {
namespace {

class Au001 final : public Detection {
 public:
  std::string_view id() const override { return "AU001"; }
  void on_copy_opened(const Copy& c, Context& ctx) override { report(c, ctx, true); }
  void on_copy_closed(const Copy& c, Context& ctx) override { report(c, ctx, false); }

 private:
  static void report(const Copy& c, Context& ctx, bool early) {
    std::string who =
        login_id_set(c.user.auid) ? fmt::format("auid {}", *c.user.auid) : std::string("no login session (auid unset)");
    std::string msg = fmt::format("{} cp {} {}:{} by {}, uid {}, tty {}", c.cmd.tool,
                                  c.cmd.direction == "to-container" ? "into" : "out of",
                                  c.cmd.container, c.cmd.path, who,
                                  c.user.uid ? std::to_string(*c.user.uid) : "?",
                                  c.user.tty.value_or("?"));
    Alert a = copy_alert("AU001", c, std::move(msg));
    a.early = early;
    ctx.emit(std::move(a));
  }
};

}  // namespace

std::unique_ptr<Detection> make_au001() { return std::make_unique<Au001>(); }

}  // namespace tocsin::audit
