// `tocsin scan`: static analysis of Dockerfiles, Compose files, Kubernetes manifests, scripts
// and CI files; reports in text/json/sarif/github/codeclimate/junit/checkstyle, applies or shows automatic fixes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <algorithm>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/scan_adopt.hpp"
#include "core/text_sanitize.hpp"
#include "iac/fix.hpp"
#include "iac/scan.hpp"
#include "report/report.hpp"

namespace tocsin::cli {
namespace {

struct ScanArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  std::string config;
  bool no_config = false;
  std::vector<std::string> select, ignore;
  std::string fail_on, min_severity;
  bool fix = false, diff = false;
  std::string stdin_filename = "-";
  std::string color = "auto";
  bool no_color = false;
  bool no_progress = false;
  bool quiet = false;
  std::string kind;
  std::string baseline, write_baseline;
  std::string changed_since;
};

// True when `-` (stdin) is among the paths: `--fix -` then prints the fixed text to stdout.
bool reads_stdin(const std::vector<std::string>& paths) {
  return std::find(paths.begin(), paths.end(), "-") != paths.end();
}

// Applies the automatic fixes of each file; returns the findings that were not fixed. Stdin's
// fixed text goes to `stdin_fixed` (it has no file to be written back to).
std::vector<Finding> apply_fixes(const iac::ScanResult& res, bool write, bool quiet, std::string& diff_out,
                                 std::string* stdin_fixed, int& errors) {
  std::map<std::string, std::vector<const Finding*>> by_file;
  std::vector<Finding> remaining;
  for (const auto& f : res.findings) {
    if (f.fix && !f.fix->edits.empty()) by_file[f.file].push_back(&f);
    else remaining.push_back(f);
  }
  for (const auto& [file, fs] : by_file) {
    auto it = res.sources.find(file);
    if (it == res.sources.end()) continue;
    std::vector<TextEdit> edits;
    for (const auto* f : fs)
      for (const auto& e : f->fix->edits) edits.push_back(e);
    size_t skipped = 0;
    std::string fixed = iac::apply_edits(*it->second, edits, &skipped);
    diff_out += iac::unified_diff(file, it->second->content(), fixed);
    if (!write) {
      for (const auto* f : fs) remaining.push_back(*f);
      continue;
    }
    if (stdin_fixed && res.stdin_source && it->second == res.stdin_source) {
      *stdin_fixed = std::move(fixed);
      continue;
    }
    auto st = write_file_atomically(file, fixed);
    if (!st) {
      fmt::print(stderr, "tocsin: cannot write fix to {}: {}\n", sanitize_for_terminal(file),
                 sanitize_for_terminal(st.error().message));
      ++errors;
      for (const auto* f : fs) remaining.push_back(*f);
      continue;
    }
    if (!quiet)
      fmt::print(stderr, "tocsin: fixed {} finding{} in {}\n", fs.size(), fs.size() == 1 ? "" : "s",
                 sanitize_for_terminal(file));
  }
  std::stable_sort(remaining.begin(), remaining.end(), finding_less);
  return remaining;
}

int run_scan(const ScanArgs& a) {
  iac::ScanOptions opts;
  opts.paths = a.paths.empty() ? std::vector<std::string>{"."} : a.paths;
  if (!a.config.empty()) opts.config_path = a.config;
  opts.no_config = a.no_config;
  opts.select = split_rule_ids(a.select);
  opts.ignore = split_rule_ids(a.ignore);
  const bool never_fail = a.fail_on == "none";
  if (!a.fail_on.empty() && !never_fail) opts.fail_on = parse_severity(a.fail_on);
  if (!a.min_severity.empty()) opts.min_severity = parse_severity(a.min_severity);
  opts.stdin_name = a.stdin_filename;
  if (!a.no_progress && !a.quiet && ::isatty(2) == 1)
    opts.progress = [](size_t files, bool done) {
      if (done) fmt::print(stderr, "\r\033[K");
      else fmt::print(stderr, "\rtocsin: {} files scanned", files);
    };
  opts.kind = a.kind;
  if (!check_rule_ids(opts.select, "scan", "--select") || !check_rule_ids(opts.ignore, "scan", "--ignore"))
    return kExitError;
  std::vector<BaselineEntry> baseline;
  if (!a.baseline.empty()) {
    auto b = load_finding_baseline(a.baseline);
    if (!b) {
      fmt::print(stderr, "tocsin scan: {}\n", sanitize_for_terminal(b.error().message));
      return kExitError;
    }
    baseline = std::move(*b);
  }
  if (!a.changed_since.empty()) {
    auto changed = git_changed_files(a.changed_since);
    if (!changed) {
      fmt::print(stderr, "tocsin scan: {}\n", sanitize_for_terminal(changed.error().message));
      return kExitError;
    }
    if (!a.quiet)
      fmt::print(stderr, "tocsin: --changed-since {}: {} changed file{} to consider\n",
                 sanitize_for_terminal(a.changed_since), changed->size(), changed->size() == 1 ? "" : "s");
    opts.only_files = std::move(*changed);
  }

  auto res = iac::scan(opts);
  // Error messages name files (and quote YAML/config text): sanitized for the terminal.
  for (const auto& e : res.errors) fmt::print(stderr, "tocsin: error: {}\n", sanitize_for_terminal(e.message));
  // Notes stay on stderr with -q (as in hunt): a skipped file must not pass unseen.
  for (const auto& n : res.notes)
    fmt::print(stderr, "tocsin: note: {}: {}\n", sanitize_for_terminal(n.path), sanitize_for_terminal(n.message));
  // Even when nothing could be read, the report is written: it carries the errors.

  int fix_errors = 0;
  std::vector<Finding> findings = res.findings;
  std::string diff;
  // `--fix -`: the fixed stdin goes to stdout (the unchanged text when nothing was fixed), and
  // the report to -o or stderr.
  const bool fix_stdin = a.fix && reads_stdin(opts.paths);
  std::string stdin_fixed = res.stdin_source ? std::string(res.stdin_source->content()) : std::string();
  if (a.fix || a.diff)
    findings = apply_fixes(res, a.fix && !a.diff, a.quiet, diff, fix_stdin ? &stdin_fixed : nullptr, fix_errors);
  if (!a.write_baseline.empty()) {
    // The baseline holds every finding reported now (after --fix); written atomically.
    auto st = write_output(a.write_baseline, render_finding_baseline(findings, res.sources));
    if (!st) {
      fmt::print(stderr, "tocsin scan: {}\n", sanitize_for_terminal(st.error().message));
      return kExitError;
    }
    if (!a.quiet)
      fmt::print(stderr, "tocsin: wrote {} finding{} to baseline {}\n", findings.size(),
                 findings.size() == 1 ? "" : "s", sanitize_for_terminal(a.write_baseline));
  }
  if (!a.baseline.empty()) {
    auto split = apply_finding_baseline(findings, res.sources, baseline);
    findings = std::move(split.fresh);
    if (!a.quiet)
      fmt::print(stderr, "tocsin: baseline {}: {} finding{} baselined, {} new; {} baseline entr{} no longer found\n",
                 sanitize_for_terminal(a.baseline), split.baselined, split.baselined == 1 ? "" : "s",
                 findings.size(), split.gone, split.gone == 1 ? "y" : "ies");
  }
  if (a.diff) {
    // Findings whose fix was refused say why (stderr: the diff itself stays a clean patch).
    for (const auto& f : findings)
      if (!f.fix && !f.fix_refused.empty())
        fmt::print(stderr, "tocsin: {}:{}: {}: no automatic fix: {}\n", sanitize_for_terminal(f.file), f.range.line,
                   f.rule, sanitize_for_terminal(f.fix_refused));
    // The diff quotes the files' lines: exact bytes into a file (a patch must apply), but
    // sanitized (tabs and newlines kept) on a terminal.
    const bool to_stdout = a.output.empty() || a.output == "-";
    if (to_stdout && ::isatty(1) == 1) diff = sanitize_for_terminal(diff, {.keep_tab = true, .keep_newline = true});
    auto st = write_output(a.output, diff);
    if (!st) {
      fmt::print(stderr, "tocsin: {}\n", sanitize_for_terminal(st.error().message));
      return kExitError;
    }
    return !res.errors.empty() ? kExitError : (diff.empty() ? kExitClean : kExitFindings);
  }

  report::ScanReport rep{res.files_scanned, findings, res.sources};
  for (const auto& e : res.errors) rep.errors.push_back({e.path, e.message});
  for (const auto& n : res.notes) rep.notes.push_back({n.path, n.message});
  rep.config = &res.config;
  std::string text;
  if (a.format == "json") text = report::render_json(rep);
  else if (a.format == "sarif") text = report::render_sarif(rep);
  else if (a.format == "github") text = report::render_github(rep);
  else if (a.format == "codeclimate") text = report::render_codeclimate(rep);
  else if (a.format == "junit") text = report::render_junit(rep);
  else if (a.format == "checkstyle") text = report::render_checkstyle(rep);
  else if (a.format == "html") text = report::render_html(rep);
  else {
    const int report_fd = fix_stdin && a.output.empty() ? 2 : 1;
    bool color = !a.no_color && (a.color == "always" || (a.color == "auto" && a.output.empty() && use_color(report_fd)));
    text = report::render_text(rep, {color, true});
  }
  if (fix_stdin) {
    auto st = write_output("-", stdin_fixed);
    if (!st) {
      fmt::print(stderr, "tocsin: {}\n", sanitize_for_terminal(st.error().message));
      return kExitError;
    }
    if (a.output.empty()) {
      std::fflush(stdout);
      std::fputs(text.c_str(), stderr);
    }
  }
  if (!fix_stdin || !a.output.empty()) {
    auto st = write_output(a.output, text);
    if (!st) {
      fmt::print(stderr, "tocsin: {}\n", sanitize_for_terminal(st.error().message));
      return kExitError;
    }
  }
  if (!res.errors.empty() || fix_errors) return kExitError;
  if (never_fail) return kExitClean;
  for (const auto& f : findings)
    if (f.severity >= res.config.fail_on) return kExitFindings;
  return kExitClean;
}

}  // namespace

void add_scan(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<ScanArgs>();
  auto* app = root.add_subcommand("scan", "Scan Dockerfiles, Compose files, Kubernetes manifests, scripts and CI files");
  app->footer(
      "Files are recognised by name (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile,\n"
      "compose*.yaml, docker-compose*.yml, *.sh, Makefile, .github/workflows/*.yml,\n"
      ".gitlab-ci.yml) and by content (FROM lines, services:, apiVersion+kind, shebangs).\n"
      "A file named like a Dockerfile must also start like one (a shebang, a template or another\n"
      "language is skipped with a note). Compose: version 1 (services at the top level) and later.\n"
      "Kubernetes: YAML (block or flow style) and JSON manifests; kinds tocsin does not know are\n"
      "noted, not checked. Notes go to stderr and into every report (JSON \"notes\": [...]).\n"
      "--diff prints on stderr why a finding has no automatic fix.\n"
      "Directories are walked without following symlinks out of the scanned root; .git is skipped.\n"
      "Files found in a directory are opened beneath it with no symlink on the way (openat2\n"
      "RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS): a symlink that stays inside the root is read at its\n"
      "real path, and a file swapped for a symlink while the scan runs is refused (reported).\n"
      "A file named on the command line is opened as given (a symlink named there is followed).\n"
      "Files over 64 MiB are not parsed (a DF000/DC000/K8000 finding, or a note for scripts).\n"
      "Text output escapes control characters from the files (\\x1b, \\u{202e}); see docs/reliability.md.\n"
      "Configuration: the first .tocsin.yaml found walking up from the first PATH, e.g.\n"
      "  fail-on: medium\n  rules: {disable: [DF013], severity: {DF003: low}}\n  ignore-paths: [vendor/, \"**/testdata/**\"]\n"
      "ignore-paths follow .gitignore: `vendor/` is a directory at any depth, `/vendor/` and\n"
      "`a/vendor/` are anchored at the config's directory, `**` crosses directories.\n"
      "Inline: `# tocsin ignore=DF001 reason` before an instruction or key;\n"
      "        `# tocsin ignore-file=DF013 reason` anywhere in the file.\n"
      "A suppression with an unknown rule id or no `=ID` is reported as a note (it silences nothing).\n"
      "Adopting on an existing tree: `tocsin scan --write-baseline .tocsin-baseline.json .` once,\n"
      "then `tocsin scan --baseline .tocsin-baseline.json .`: only findings not in the baseline are\n"
      "reported and count for the exit code; stderr says how many were baselined and how many\n"
      "baseline entries are gone. `--changed-since origin/main` scans only the files changed since\n"
      "that revision that still exist (git must be installed; run inside the repository).\n"
      "Examples:\n"
      "  tocsin scan .                                   # text report of the current tree\n"
      "  tocsin scan --format sarif -o tocsin.sarif .    # for GitHub code scanning\n"
      "  tocsin scan --format codeclimate -o gl-code-quality.json .   # GitLab code quality\n"
      "  tocsin scan --format junit -o tocsin-junit.xml .     # CI test dashboards\n"
      "Formats: text, json, sarif, github (annotations), codeclimate (GitLab), junit,\n"
      "checkstyle, html (self-contained, no network); see docs/output.md. SARIF rule links use $TOCSIN_DOCS_URL when set.\n"
      "  tocsin scan --select DF001 --diff Dockerfile    # show the automatic fix\n"
      "  tocsin scan --fix - < Dockerfile > fixed        # fix stdin, fixed text on stdout\n"
      "  tocsin scan --kind compose deploy/stack.yml.j2  # force the kind of a named file\n"
      "  tocsin scan --baseline .tocsin-baseline.json --changed-since origin/main .\n"
      "  tocsin explain DF001                            # what a rule finds and how to fix it\n"
      "Inputs that cannot be read (an unreadable file or directory, a file swapped under the scan)\n"
      "are errors in every format: JSON \"errors\": [...], SARIF invocations[0] with\n"
      "executionSuccessful false and a toolExecutionNotification each, github ::error lines,\n"
      "codeclimate/junit/checkstyle an input-error issue, testcase or error each,\n"
      "text INCOMPLETE; the exit code is then 2 even when findings were reported.\n"
      "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or tool error\n"
      "(including an input that could not be read).");
  app->add_option("paths", args->paths, "Files or directories to scan (default: .; - reads stdin)");
  app->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "codeclimate", "junit", "checkstyle", "html"}))
      ->default_str("text");
  app->add_option("-o,--output", args->output,
                  "Write the report to FILE instead of stdout (replaced atomically; a symlink there is "
                  "replaced, not followed)");
  app->add_option("-c,--config", args->config, "Use this configuration file instead of searching for .tocsin.yaml");
  app->add_flag("--no-config", args->no_config, "Ignore .tocsin.yaml files");
  // One value per occurrence (repeat the flag or use commas): the paths after it stay paths.
  app->add_option("--select", args->select, "Only run these rules or families (repeatable, comma-separated, e.g. DF001,DC)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--ignore", args->ignore, "Do not run these rules or families (repeatable, comma-separated)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--fail-on", args->fail_on,
                  "Exit 1 when a finding is at or above: info, low (default), medium, high, critical, none")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "none"}));
  app->add_option("--min-severity", args->min_severity, "Do not report findings below this severity")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  app->add_flag("--fix", args->fix,
                "Apply safe automatic fixes to the files in place (`--fix -`: read stdin, print the fixed text "
                "on stdout and the report on stderr or -o)");
  app->add_flag("--diff", args->diff, "Print the automatic fixes as a unified diff instead of applying them");
  app->add_option("--stdin-filename", args->stdin_filename, "File name to use for input read from stdin (selects the kind)");
  app->add_option("--color", args->color, "Colour in text output")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto");
  app->add_flag("--no-color", args->no_color, "No colour (same as --color never; NO_COLOR=1 in the environment too)");
  app->add_flag("--no-progress", args->no_progress, "No progress line on stderr");
  app->add_flag("-q,--quiet", args->quiet,
                "No progress and no summary lines on stderr (fixes, baseline, changed files); notes and errors stay");
  app->add_option("--kind", args->kind,
                  "Treat the files named on the command line (and stdin) as this kind instead of detecting it")
      ->check(CLI::IsMember({"dockerfile", "compose", "k8s", "kubernetes", "script"}));
  app->add_option("--write-baseline", args->write_baseline,
                  "Write every finding of this scan to FILE (JSON) to adopt tocsin on an existing tree");
  app->add_option("--baseline", args->baseline,
                  "Report and count only findings not in FILE (written by --write-baseline; matched by "
                  "fingerprint, so moved lines stay matched)");
  app->add_option("--changed-since", args->changed_since,
                  "Scan only files changed since this git revision (`git diff --name-only REF`; for pull requests)");
  cmds.push_back({app, [args] { return run_scan(*args); }});
}

}  // namespace tocsin::cli
