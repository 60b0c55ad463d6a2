// JUnit XML for CI dashboards (Jenkins, GitLab, Azure): one <testsuite> per rule that ran, a
// failing <testcase> per finding (or one passing "no findings" testcase, so a clean run still
// shows what was checked), and a "tocsin inputs" suite: an <error> testcase per input that
// could not be read, a <skipped> one per note, and a passing one when every input was read.
#include <fmt/format.h>

#include <map>

#include "core/rule_catalog.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"

namespace tocsin::report {
namespace {

// The families `scan` checks (audit and runtime rules belong to hunt/watch/check).
bool scan_family(std::string_view family) {
  return family == "dockerfile" || family == "compose" || family == "kubernetes" || family == "script";
}

std::string location(const Finding& f) {
  return fmt::format("{}:{}:{}", relative_to_cwd(f.file).path, f.range.line, f.range.column);
}

std::string failure_body(const Finding& f, const RuleInfo* info) {
  std::string b = fmt::format("{} {} ({}) at {}\n{}\n", f.rule, info ? info->name : "", to_string(f.severity),
                              location(f), f.message);
  for (const auto& x : f.related) b += fmt::format("  line {}: {}\n", x.range.line, x.message);
  if (info) b += fmt::format("See `tocsin explain {}`.\n", f.rule);
  return b;
}

}  // namespace

std::string render_junit(const ScanReport& r) {
  // Rules in catalogue order: every scan rule the configuration enables, and any rule that
  // has a finding (so nothing found is ever left out).
  std::map<std::string, std::vector<const Finding*>> by_rule;
  for (const auto& f : r.findings) by_rule[f.rule].push_back(&f);
  std::vector<std::string> rules;
  for (const auto& info : rule_catalog())
    if (by_rule.count(info.id) ||
        (scan_family(info.family) && (!r.config || r.config->rule_enabled(info.id))))
      rules.push_back(info.id);
  for (const auto& [id, fs] : by_rule)
    if (!find_rule(id)) rules.push_back(id);

  std::string suites;
  size_t tests = 0, failures = 0;
  for (const auto& id : rules) {
    const RuleInfo* info = find_rule(id);
    const auto& fs = by_rule[id];
    std::string name = info ? fmt::format("{} {}", id, info->name) : id;
    size_t n = std::max<size_t>(fs.size(), 1);
    tests += n;
    failures += fs.size();
    suites += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                          xml_escape(name), n, fs.size());
    const std::string classname = xml_escape("tocsin." + id);
    if (fs.empty())
      suites += fmt::format("    <testcase name=\"{}\" classname=\"{}\"/>\n",
                            xml_escape(fmt::format("no findings in {} files", r.files_scanned)), classname);
    for (const Finding* f : fs)
      suites += fmt::format(
          "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n"
          "      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
          xml_escape(location(*f)), classname, xml_escape(relative_to_cwd(f->file).path), f->range.line,
          xml_escape(f->message), to_string(f->severity), xml_escape(failure_body(*f, info)));
    suites += "  </testsuite>\n";
  }

  // The inputs: errors fail the report as JUnit errors, notes are skipped testcases.
  size_t in_tests = r.errors.size() + r.notes.size() + (r.errors.empty() ? 1 : 0);
  tests += in_tests;
  suites += fmt::format("  <testsuite name=\"tocsin inputs\" tests=\"{}\" failures=\"0\" errors=\"{}\" skipped=\"{}\">\n",
                        in_tests, r.errors.size(), r.notes.size());
  if (r.errors.empty())
    suites += fmt::format("    <testcase name=\"{} files read\" classname=\"tocsin.inputs\"/>\n", r.files_scanned);
  for (const auto& e : r.errors)
    suites += fmt::format(
        "    <testcase name=\"{}\" classname=\"tocsin.inputs\">\n"
        "      <error message=\"{}\" type=\"input-error\">{}</error>\n    </testcase>\n",
        xml_escape(relative_to_cwd(e.file).path), xml_escape(e.message), xml_escape(e.message));
  for (const auto& n : r.notes)
    suites += fmt::format(
        "    <testcase name=\"{}\" classname=\"tocsin.inputs\">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
        xml_escape(relative_to_cwd(n.file).path), xml_escape(n.message));
  suites += "  </testsuite>\n";

  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"tocsin scan\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n{}</testsuites>\n",
      tests, failures, r.errors.size(), r.notes.size(), suites);
}

}  // namespace tocsin::report
