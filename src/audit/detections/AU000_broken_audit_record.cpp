// AU000: input that is not audit data. One summary alert per input file, not one per line,
// so a wrong file does not drown the report (see docs/rules/AU000.md).
#include <fmt/format.h>

#include <map>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {
namespace {

class Au000 final : public Detection {
 public:
  std::string_view id() const override { return "AU000"; }
  void on_broken(const BrokenInput& b, Context&) override {
    auto& s = files_[b.file];
    if (s.count == 0) {
      s.line = b.line;
      s.reason = b.reason;
    }
    s.count += b.count;
  }
  void on_end_of_file(std::string_view file, Context& ctx) override {
    auto it = files_.find(std::string(file));
    if (it == files_.end()) return;
    report(it->first, it->second, ctx);
    files_.erase(it);
  }
  void finish(Context& ctx) override {
    for (auto& [file, s] : files_) report(file, s, ctx);
    files_.clear();
  }

 private:
  struct Summary {
    uint64_t count = 0;
    uint64_t line = 0;
    std::string reason;
  };
  static void report(const std::string& file, const Summary& s, Context& ctx) {
    Alert a;
    a.rule = "AU000";
    a.severity = rule_severity("AU000", Severity::low);
    std::string where = file.empty() ? std::string("<stdin>") : file;
    a.message = fmt::format("{} broken record{} in {} (first at line {}: {})", s.count,
                            s.count == 1 ? "" : "s", where, s.line, s.reason);
    a.file = where;
    a.line = s.line;
    ctx.emit(std::move(a));
  }
  std::map<std::string, Summary> files_;
};

}  // namespace

std::unique_ptr<Detection> make_au000() { return std::make_unique<Au000>(); }

}  // namespace tocsin::audit
