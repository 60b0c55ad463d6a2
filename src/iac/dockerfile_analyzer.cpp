// Dockerfile analyzer: recognises Dockerfiles/Containerfiles, parses them, collects the shell
// scripts of every RUN, and runs the DF rules (and SH001 on RUN).
#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "iac/analyzer.hpp"
#include "iac/parse/dockerfile.hpp"
#include "iac/parse/dockerfile_eval.hpp"
#include "iac/rules/dockerfile/check.hpp"

namespace tocsin::iac {
namespace {

std::string_view basename(std::string_view p) {
  auto s = p.find_last_of('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
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
    auto b = lower(basename(path));
    if (b == "dockerfile" || b == "containerfile") return true;
    if (b.rfind("dockerfile.", 0) == 0 || b.rfind("containerfile.", 0) == 0) {
      // Dockerfile.dockerignore is not a Dockerfile
      return b.find(".dockerignore") == std::string::npos;
    }
    auto ends = [&](std::string_view suf) {
      return b.size() > suf.size() && b.compare(b.size() - suf.size(), suf.size(), suf) == 0;
    };
    return ends(".dockerfile") || ends(".containerfile");
  }

  bool claims_content(std::string_view path, std::string_view content) const override {
    auto b = lower(basename(path));
    for (std::string_view ext : {".md", ".txt", ".yaml", ".yml", ".json", ".sh", ".py", ".go", ".c",
                                 ".h", ".cpp", ".rs", ".js", ".ts", ".html", ".rst", ".toml", ".xml"}) {
      if (b.size() > ext.size() && b.compare(b.size() - ext.size(), ext.size(), ext) == 0) return false;
    }
    if (content.find('\0') != std::string_view::npos) return false;
    // The first line that is not blank and not a comment must be FROM, or ARG followed by a
    // FROM later on.
    size_t pos = 0;
    bool saw_arg = false;
    int lines = 0;
    while (pos < content.size() && lines < 200) {
      size_t nl = content.find('\n', pos);
      if (nl == std::string_view::npos) nl = content.size();
      std::string_view line = content.substr(pos, nl - pos);
      pos = nl + 1;
      ++lines;
      size_t i = 0;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      line.remove_prefix(i);
      if (line.empty() || line.front() == '#') continue;
      auto kw = lower(line.substr(0, std::min<size_t>(line.size(), 5)));
      if (kw.rfind("from", 0) == 0 && (line.size() > 4 && (line[4] == ' ' || line[4] == '\t')))
        return true;
      if (kw.rfind("arg", 0) == 0 && line.size() > 3 && (line[3] == ' ' || line[3] == '\t')) {
        saw_arg = true;
        continue;
      }
      if (saw_arg) continue;  // continuation of ARG lines
      return false;
    }
    return false;
  }

  void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const override {
    df::Dockerfile file = df::parse_dockerfile(src);
    for (const auto& e : file.errors) {
      out.report("DF000", e.span.begin, std::max(e.span.end, e.span.begin + 1),
                 fmt::format("Dockerfile cannot be parsed: {}", e.message));
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
