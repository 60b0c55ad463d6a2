// GitHub Actions workflow annotations (`::error file=…,line=…::message`), and one `::error`
// per input that could not be read.
#include <fmt/format.h>

#include "core/rule_catalog.hpp"
#include "core/text_sanitize.hpp"
#include "report/report.hpp"

namespace tocsin::report {
namespace {

// Workflow-command escaping: data and property values differ (properties also escape : and ,).
// The text is sanitized first: the runner's log is shown on terminals and in browsers, and a
// control byte from a scanned file must not reach either.
std::string escape(std::string_view raw, bool property) {
  std::string s = sanitize_for_terminal(raw);
  std::string o;
  for (char c : s) {
    switch (c) {
      case '%': o += "%25"; break;
      case '\r': o += "%0D"; break;
      case '\n': o += "%0A"; break;
      case ':': o += property ? "%3A" : ":"; break;
      case ',': o += property ? "%2C" : ","; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace

std::string render_github(const ScanReport& r) {
  std::string out;
  for (const auto& f : r.findings) {
    const char* level = f.severity >= Severity::high     ? "error"
                        : f.severity == Severity::medium ? "warning"
                                                         : "notice";
    const RuleInfo* info = find_rule(f.rule);
    std::string title = fmt::format("{} {} ({})", f.rule, info ? info->name : "", to_string(f.severity));
    out += fmt::format("::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n", level,
                       escape(f.file, true), f.range.line, f.range.column, f.range.end_line,
                       f.range.end_column, escape(title, true), escape(f.message, false));
  }
  // Inputs that could not be read: an error annotation each, so the job cannot pass unnoticed.
  for (const auto& e : r.errors) {
    if (e.file.empty())
      out += fmt::format("::error title=tocsin input error::{}\n", escape(e.message, false));
    else
      out += fmt::format("::error file={},title=tocsin input error::{}\n", escape(e.file, true),
                         escape(e.message, false));
  }
  // Files skipped or partly checked: a notice each.
  for (const auto& n : r.notes)
    out += fmt::format("::notice file={},title=tocsin note::{}\n", escape(n.file, true), escape(n.message, false));
  return out;
}

}  // namespace tocsin::report
