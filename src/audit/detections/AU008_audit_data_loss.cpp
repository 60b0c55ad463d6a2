// AU008: the audit system says it lost events (lost= counters that grow, backlog overflow,
// auditd DAEMON_ERR/ABORT or suspend, dispatcher overflow). Serial gaps are not evidence of
// loss (filtered events consume serials) and are only counted in the engine's stats.
#include <fmt/format.h>

#include <map>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"

namespace tocsin::audit {
namespace {

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

class Au008 final : public Detection {
 public:
  std::string_view id() const override { return "AU008"; }
  void on_event(const Event& ev, Context& ctx) override {
    for (size_t i = 0; i < ev.record_count(); ++i) {
      RecordView r = ev.record(i);
      RecordType t = r.type();
      // Records whose text an attacker controls (argv, paths, titles) are never evidence.
      if (t == RecordType::Syscall || t == RecordType::Execve || t == RecordType::Path ||
          t == RecordType::Cwd || t == RecordType::Proctitle || t == RecordType::UserCmd ||
          t == RecordType::UserTty || t == RecordType::Tty)
        continue;
      std::string reason;
      std::string_view text = r.text();
      for (std::string_view k : {"audit_lost", "lost"}) {
        if (auto n = r.unum(k)) {
          auto& last = lost_[std::string(ev.node())];
          if (*n > last) reason = fmt::format("the kernel reports {} lost events ({}={})", *n - last, k, *n);
          last = std::max(last, *n);
          break;
        }
      }
      if (reason.empty()) {
        if (t == RecordType::DaemonErr) reason = "auditd reported an error (DAEMON_ERR)";
        else if (t == RecordType::DaemonAbort) reason = "auditd aborted (DAEMON_ABORT): events after it were not logged";
        else if (t != RecordType::DaemonResume && contains(text, "suspend"))
          reason = "auditd suspended logging";
        else if (contains(text, "backlog limit exceeded") || contains(text, "backlog_wait"))
          reason = "the kernel audit backlog overflowed";
        else if (contains(text, "queue overflow") || contains(text, "dispatch err") ||
                 contains(text, "dispatch-err") || contains(text, "queue is full"))
          reason = "the audit event dispatcher overflowed";
        else if (contains(text, "disk full") || contains(text, "disk_full") || contains(text, "disk error"))
          reason = "auditd could not write (disk full or disk error)";
      }
      if (reason.empty()) continue;
      std::string key = fmt::format("{}|{}", ev.node(), reason.substr(0, 20));
      uint64_t now = ev.time_ms();
      auto it = last_report_.find(key);
      bool repeated = it != last_report_.end() && now >= it->second && now - it->second < 1000;
      last_report_[key] = now;
      if (repeated) return;
      Alert a = ctx.alert_at("AU008", ev, fmt::format("audit data loss: {} — a flood can hide an attack", reason));
      ctx.emit(std::move(a));
      return;
    }
  }

 private:
  std::map<std::string, uint64_t> lost_;
  std::map<std::string, uint64_t> last_report_;
};

}  // namespace

std::unique_ptr<Detection> make_au008() { return std::make_unique<Au008>(); }

}  // namespace tocsin::audit
