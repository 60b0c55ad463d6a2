// Checkstyle XML (as Jenkins warnings-ng, reviewdog and Sonar read it): <file name> elements
// with <error line column severity message source> per finding, in report order. An input
// that could not be read is an <error> of source "tocsin.input-error" on its file.
#include <fmt/format.h>

#include <map>

#include "core/rule_catalog.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"

namespace tocsin::report {
namespace {

const char* checkstyle_severity(Severity s) {
  if (s >= Severity::high) return "error";
  if (s >= Severity::low) return "warning";
  return "info";
}

}  // namespace

std::string render_checkstyle(const ScanReport& r) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n";
  // One <file> element per file, files in the order of their first finding.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Finding*>> by_file;
  for (const auto& f : r.findings) {
    auto& v = by_file[f.file];
    if (v.empty()) order.push_back(f.file);
    v.push_back(&f);
  }
  for (const auto& file : order) {
    out += fmt::format("  <file name=\"{}\">\n", xml_escape(relative_to_cwd(file).path));
    for (const Finding* f : by_file[file]) {
      const RuleInfo* info = find_rule(f->rule);
      std::string message = info ? fmt::format("{} {}: {}", f->rule, info->name, f->message) : f->message;
      out += fmt::format("    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"tocsin.{}\"/>\n",
                         f->range.line, f->range.column, checkstyle_severity(f->severity), xml_escape(message),
                         xml_escape(f->rule));
    }
    out += "  </file>\n";
  }
  for (const auto& e : r.errors)
    out += fmt::format(
        "  <file name=\"{}\">\n    <error severity=\"error\" message=\"{}\" source=\"tocsin.input-error\"/>\n  </file>\n",
        xml_escape(relative_to_cwd(e.file).path), xml_escape("tocsin could not read this input: " + e.message));
  out += "</checkstyle>\n";
  return out;
}

}  // namespace tocsin::report
