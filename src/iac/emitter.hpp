// Emitter: how a rule reports a finding on one source file. It fills in the rule's default
// severity from the catalogue and the file name; the scan engine applies configuration
// (severity overrides, suppressions, thresholds) afterwards, in one place.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/source.hpp"
#include "iac/config.hpp"

namespace tocsin {

class Emitter {
 public:
  // Findings kept per file: a hostile file (a million services on one line) cannot make the
  // report, or the memory, unbounded. The scan reports how many were dropped.
  static constexpr size_t kMaxFindingsPerFile = 10000;

  Emitter(const SourceFile& src, const Config& cfg, std::vector<Finding>& out)
      : src_(src), cfg_(cfg), out_(out) {}
  const SourceFile& source() const { return src_; }
  const Config& config() const { return cfg_; }
  bool enabled(std::string_view rule) const { return cfg_.rule_enabled(rule); }
  // Reports a finding over the byte range [begin, end) of the file. The reference stays valid
  // until the next report.
  Finding& report(std::string_view rule, size_t begin, size_t end, std::string message);
  Finding& report(std::string_view rule, Range range, std::string message);
  Range range(size_t begin, size_t end) const { return src_.range_of(begin, end); }
  // Adds a related location (byte range) to a finding.
  void relate(Finding& f, size_t begin, size_t end, std::string message) const;
  // Findings of enabled rules not kept because the file reached kMaxFindingsPerFile.
  size_t dropped() const { return dropped_; }
  // Something about the file that is not a finding but must not pass silently: a document of
  // an unknown kind that was not checked, a Compose file without services.
  void note(std::string message) { notes_.push_back(std::move(message)); }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  size_t dropped_ = 0;
  std::vector<std::string> notes_;
  Finding overflow_;  // what report() hands out once the file is full (then discarded)
  const SourceFile& src_;
  const Config& cfg_;
  std::vector<Finding>& out_;
};

}  // namespace tocsin
