// Script analyzer: shell scripts (*.sh, *.bash, shebang), Makefile recipes, GitHub Actions
// `run:` steps and GitLab CI `script:` lists. Each piece of shell is assembled into a MappedText
// (so positions map back to the file), split by sh::parse and checked by the SH001 core.
#include <algorithm>

#include <fmt/format.h>

#include "iac/analyzer.hpp"
#include "iac/parse/shell.hpp"
#include "iac/parse/yaml_doc.hpp"
#include "iac/rules/script/sh001.hpp"
#include "core/strings.hpp"

namespace tocsin::iac {
namespace {

enum class ScriptKind { Shell, Makefile, GithubActions, GitlabCi, None };

bool yaml_ext(std::string_view n) { return n.ends_with(".yml") || n.ends_with(".yaml"); }

ScriptKind kind_by_name(std::string_view path) {
  std::string_view n = base_name(path);
  if (n.ends_with(".sh") || n.ends_with(".bash")) return ScriptKind::Shell;
  if (n == "Makefile" || n == "makefile" || n == "GNUmakefile" || n.ends_with(".mk")) return ScriptKind::Makefile;
  if (yaml_ext(n) && path.find(".github/workflows/") != std::string_view::npos) return ScriptKind::GithubActions;
  if (n == ".gitlab-ci.yml" || n == ".gitlab-ci.yaml" || n.ends_with(".gitlab-ci.yml")) return ScriptKind::GitlabCi;
  return ScriptKind::None;
}

bool shell_shebang(std::string_view content) {
  if (content.substr(0, 2) != "#!") return false;
  std::string_view first = content.substr(0, content.find('\n'));
  for (std::string_view sh : {"/sh", "/bash", "/dash", "/ash", "/zsh", " sh", " bash", " dash", " ash", " zsh"}) {
    size_t at = first.find(sh);
    if (at == std::string_view::npos) continue;
    size_t e = at + sh.size();
    if (e == first.size() || first[e] == ' ' || first[e] == '\r' || first[e] == '\t') return true;
  }
  return false;
}

void check_text(const MappedText& text, Emitter& out) {
  if (text.empty()) return;
  // SH001 is the only rule on whole scripts: a script that names no container tool is done
  // without parsing (a 50 MB script of other commands costs one pass over its bytes).
  if (!script::may_name_tool(text.text())) return;
  sh::Script script = sh::parse(text.text(), script::may_concern_containers);
  if (script.stopped_at) {
    size_t at = text.to_file(*script.stopped_at);
    out.report("SH001", at, at + 1,
               fmt::format("more than {} container commands in this script; the rest was not checked",
                           sh::kMaxCommands));
  }
  script::check_container_copy(script, text, out);
}

// Make runs each logical recipe line in its own shell; `$$` is a literal `$`.
void analyze_makefile(const SourceFile& src, Emitter& out) {
  const auto lines = static_cast<uint32_t>(src.line_count());
  uint32_t ln = 1;
  while (ln <= lines) {
    std::string_view line = src.line_text(ln);
    if (line.empty() || line.front() != '\t') {
      ++ln;
      continue;
    }
    MappedText text;
    bool first = true;
    while (ln <= lines) {
      line = src.line_text(ln);
      size_t off = src.line_start(ln);
      size_t skip = 0;
      if (!line.empty() && line.front() == '\t') skip = 1;
      if (first)
        while (skip < line.size() && (line[skip] == '@' || line[skip] == '-' || line[skip] == '+' || line[skip] == ' '))
          ++skip;
      first = false;
      std::string_view body = line.substr(skip);
      bool cont = !body.empty() && body.back() == '\\';
      if (cont) body.remove_suffix(1);
      size_t i = 0;
      while (i < body.size()) {
        size_t d = body.find("$$", i);
        if (d == std::string_view::npos) {
          text.append_from(body.substr(i), off + skip + i);
          break;
        }
        text.append_from(body.substr(i, d + 1 - i), off + skip + i);  // keep one `$`
        i = d + 2;
      }
      ++ln;
      if (!cont) break;
      text.append_synthetic(" ", off + line.size());
    }
    check_text(text, out);
  }
}

bool non_posix_shell(const std::string& shell) {
  if (shell.empty()) return false;
  std::string_view s = shell;
  s = s.substr(0, s.find(' '));
  return !(s == "bash" || s == "sh" || s.ends_with("/bash") || s.ends_with("/sh"));
}

void analyze_github(const SourceFile& src, Emitter& out) {
  auto file = yaml::File::parse(src.content());
  for (const auto& d : file.documents()) {
    yaml::Ref root = file.root(d);
    std::string wf_shell(root.get("defaults").get("run").get("shell").str());
    for (const auto& job : root.get("jobs").entries()) {
      std::string job_shell(job.value.get("defaults").get("run").get("shell").str());
      if (job_shell.empty()) job_shell = wf_shell;
      for (const yaml::Ref& step : job.value.get("steps").items()) {
        yaml::Ref run = step.get("run");
        if (!run.is_scalar()) continue;
        std::string shell(step.get("shell").str());
        if (shell.empty()) shell = job_shell;
        if (non_posix_shell(shell)) continue;
        check_text(yaml::scalar_text(src, run), out);
      }
    }
  }
}

void gitlab_lines(const SourceFile& src, const yaml::Ref& v, Emitter& out, int depth) {
  if (v.is_scalar()) {
    check_text(yaml::scalar_text(src, v), out);
  } else if (v.is_seq() && depth < 4) {
    for (const yaml::Ref& item : v.items()) gitlab_lines(src, item, out, depth + 1);
  }
}

void analyze_gitlab(const SourceFile& src, Emitter& out) {
  auto file = yaml::File::parse(src.content());
  for (const auto& d : file.documents()) {
    yaml::Ref root = file.root(d);
    for (const auto& e : root.entries()) {
      std::string_view key = e.key.str();
      if (key == "before_script" || key == "after_script") {  // global defaults (deprecated form)
        gitlab_lines(src, e.value, out, 0);
        continue;
      }
      if (!e.value.is_map()) continue;
      for (const char* k : {"before_script", "script", "after_script"}) {
        // Own keys only: templates reached through `<<` are checked where they are written.
        if (auto f = e.value.find(k); f && f->key.written_at() >= e.value.begin())
          gitlab_lines(src, f->value, out, 0);
      }
    }
  }
}

class ScriptAnalyzer final : public Analyzer {
 public:
  std::string_view kind() const override { return "script"; }
  std::vector<std::string_view> rules() const override { return {"SH001"}; }
  bool claims_name(std::string_view path) const override { return kind_by_name(path) != ScriptKind::None; }
  bool claims_content(std::string_view, std::string_view content) const override {
    return shell_shebang(content);
  }
  void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const override {
    yaml::collect_pragmas(src, sup);
    if (!out.enabled("SH001")) return;
    switch (kind_by_name(src.path())) {
      case ScriptKind::Makefile:
        analyze_makefile(src, out);
        break;
      case ScriptKind::GithubActions:
        analyze_github(src, out);
        break;
      case ScriptKind::GitlabCi:
        analyze_gitlab(src, out);
        break;
      case ScriptKind::Shell:
      case ScriptKind::None: {
        MappedText text;
        text.append_from(src.content(), 0);
        check_text(text, out);
        break;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Analyzer> make_script_analyzer() { return std::make_unique<ScriptAnalyzer>(); }

}  // namespace tocsin::iac
