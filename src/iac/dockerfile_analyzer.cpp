// Dockerfile analyzer: recognises Dockerfiles/Containerfiles, parses them, collects the shell
// scripts of every RUN, and runs the DF rules (and SH001 on RUN).
#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include <optional>
#include <string>

#include "iac/analyzer.hpp"
#include "iac/parse/dockerfile.hpp"
#include "iac/parse/dockerfile_eval.hpp"
#include "iac/rules/dockerfile/check.hpp"
#include "core/strings.hpp"

namespace tocsin::iac {
namespace {

std::string_view basename(std::string_view p) {
  auto s = p.find_last_of('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

// Extensions of other languages, documents and templates: `Dockerfile.md`, `Dockerfile.j2`.
bool other_extension(std::string_view b) {
  auto dot = b.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view ext = b.substr(dot + 1);
  for (std::string_view e : {"dockerignore", "md", "txt", "rst", "adoc", "html", "yaml", "yml", "json", "toml", "xml",
                             "sh", "bash", "ps1", "bat", "cmd", "py", "pyi", "go", "c", "h", "cpp", "rs", "js", "ts",
                             "rb", "php", "pl", "java", "j2", "jinja", "jinja2", "tpl", "tmpl", "template", "erb",
                             "mustache", "hbs", "ejs", "gotmpl", "patch", "diff", "sample", "example"})
    if (ext == e) return true;
  return false;
}

bool is_shell(std::string_view w) {
  auto b = basename(w);
  return b == "sh" || b == "bash" || b == "ash" || b == "dash" || b == "zsh" || b == "ksh";
}

// Parses one RUN script within what is left of the file's command budget (sh::kMaxCommands for
// all RUN scripts together); where the budget runs out, a located DF000 says what was not parsed.
sh::Script parse_run(const MappedText& text, size_t& budget, Emitter& em) {
  if (budget == 0) return {};
  sh::Script s = sh::parse(text.text(), nullptr, budget);
  budget -= std::min(budget, s.commands.size());
  if (s.stopped_at) {
    size_t at = text.to_file(*s.stopped_at);
    em.report("DF000", at, at + 1,
              fmt::format("more than {} shell commands in the RUN instructions of this file; the rest "
                          "were not parsed or checked", sh::kMaxCommands));
    budget = 0;
  }
  return s;
}

// The scripts a RUN executes: its shell-form body, and heredoc bodies fed to a shell.
void collect_scripts(const df::Instruction& ins, size_t index, std::vector<dockerfile::RunScript>& out,
                     size_t& budget, Emitter& em) {
  if (ins.kind != df::Kind::Run || budget == 0) return;
  // Exec form (`RUN ["sh", "-c", "..."]`) is left to the rules that look at args: positions
  // inside a JSON string cannot be mapped exactly through its escapes.
  if (ins.json_form) return;
  dockerfile::RunScript s;
  s.instruction = index;
  s.text = &ins.rest;
  s.script = parse_run(ins.rest, budget, em);
  // Heredoc bodies run by a shell: `RUN <<EOF`, `RUN sh <<EOF`, `RUN bash -ex <<EOF`.
  bool feeds_shell = false;
  if (!ins.heredocs.empty()) {
    size_t words = 0;
    bool shell = false;
    for (const auto& c : s.script.commands) {
      if (c.words.empty()) continue;
      ++words;
      if (is_shell(c.words[0].text)) shell = true;
    }
    feeds_shell = words == 0 || shell;
  }
  out.push_back(std::move(s));
  if (feeds_shell) {
    for (const auto& h : ins.heredocs) {
      dockerfile::RunScript hs;
      hs.instruction = index;
      hs.text = &h.content;
      hs.script = parse_run(h.content, budget, em);
      hs.from_heredoc = true;
      out.push_back(std::move(hs));
    }
  }
}

class DockerfileAnalyzer final : public Analyzer {
 public:
  std::string_view kind() const override { return "dockerfile"; }

  std::vector<std::string_view> rules() const override {
    std::vector<std::string_view> ids{"DF000"};
    for (const auto& c : dockerfile::checks()) ids.push_back(c->id());
    return ids;
  }

  bool claims_name(std::string_view path) const override {
    auto b = ascii_lower(basename(path));
    if (b == "dockerfile" || b == "containerfile") return true;
    if (b.rfind("dockerfile.", 0) == 0 || b.rfind("containerfile.", 0) == 0) {
      // Dockerfile.dockerignore, Dockerfile.md, Dockerfile.j2 are not Dockerfiles.
      return !other_extension(b);
    }
    auto ends = [&](std::string_view suf) {
      return b.size() > suf.size() && b.compare(b.size() - suf.size(), suf.size(), suf) == 0;
    };
    return ends(".dockerfile") || ends(".containerfile");
  }

  std::optional<std::string> refuses(std::string_view, std::string_view head) const override {
    return df::implausible_dockerfile(head, /*named=*/true);
  }

  bool claims_content(std::string_view path, std::string_view content) const override {
    // Only names that could be a Dockerfile's: no extension (`Dockerfile-dev`, `build`), a
    // name that says so, or stdin. A `.pyi` stub or any other file with an extension is not.
    auto b = ascii_lower(basename(path));
    bool says_so = b.find("dockerfile") != std::string::npos || b.find("containerfile") != std::string::npos;
    if (!says_so && b != "-" && b.find('.', 1) != std::string::npos) return false;
    if (says_so && other_extension(b)) return false;
    return !df::implausible_dockerfile(content.substr(0, 8192), /*named=*/false);
  }

  void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const override {
    df::Dockerfile file = df::parse_dockerfile(src);
    // One DF000 per file: at the first error, with how many there are (a broken file would
    // otherwise give one per bad line, and later errors are often consequences of the first).
    if (!file.errors.empty()) {
      const auto& e = file.errors.front();
      const size_t more = file.errors.size() - 1;
      out.report("DF000", e.span.begin, std::max(e.span.end, e.span.begin + 1),
                 more == 0 ? fmt::format("Dockerfile cannot be parsed: {}", e.message)
                           : fmt::format("Dockerfile cannot be parsed: {} ({} more error{} after this one)", e.message,
                                         more, more == 1 ? "" : "s"));
    }
    for (const auto& c : file.comments) {
      auto p = parse_pragma(c.text);
      if (!p) continue;
      if (p->file_wide) {
        sup.add(*p, 0, 0);
        continue;
      }
      auto next = file.next_instruction_after(c.span.end);
      uint32_t first = src.line_of(c.span.begin);
      uint32_t last = first + 1;
      if (next) {
        const auto& ins = file.instructions[*next];
        last = src.line_of(ins.full_span.end > ins.full_span.begin ? ins.full_span.end - 1
                                                                  : ins.span.end);
      }
      sup.add(*p, first, last);
    }
    // A binary file stops the parser before any instruction, so it ends here too.
    if (file.instructions.empty()) return;
    auto state = df::evaluate(file);
    std::vector<dockerfile::RunScript> scripts;
    size_t budget = sh::kMaxCommands;
    for (size_t i = 0; i < file.instructions.size(); ++i)
      collect_scripts(file.instructions[i], i, scripts, budget, out);
    dockerfile::Context ctx{file, state, scripts, out};
    for (const auto& check : dockerfile::checks())
      if (out.enabled(check->id())) check->run(ctx);
  }
};

}  // namespace

std::unique_ptr<Analyzer> make_dockerfile_analyzer() { return std::make_unique<DockerfileAnalyzer>(); }

}  // namespace tocsin::iac
