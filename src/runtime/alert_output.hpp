// Where `watch` alerts go: stdout, an appended file, or syslog; as JSONL or one-line text.
// One writer for audit (AU) and runtime (RT) alerts, safe to call from several threads.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"
#include "core/severity.hpp"

namespace tocsin::runtime {

enum class AlertFormat { Jsonl, Text };

class AlertOutput {
 public:
  // `target`: "-" (stdout), "syslog", or a file path (appended, created 0600).
  static Result<std::unique_ptr<AlertOutput>> open(const std::string& target, AlertFormat fmt);
  ~AlertOutput();
  AlertFormat format() const { return format_; }
  // Writes one alert (already rendered in format()); text is passed through
  // sanitize_for_terminal (no control byte, no newline inside an alert).
  void write(const std::string& rendered, Severity sev);
  uint64_t written() const { return written_; }

 private:
  AlertOutput() = default;
  std::mutex mu_;
  int fd_ = 1;
  bool own_fd_ = false;
  bool syslog_ = false;
  AlertFormat format_ = AlertFormat::Jsonl;
  uint64_t written_ = 0;
};

}  // namespace tocsin::runtime
