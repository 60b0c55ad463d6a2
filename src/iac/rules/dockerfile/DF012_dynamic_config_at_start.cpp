// DF012 dynamic-config-at-start: a CMD/ENTRYPOINT that fetches code or configuration when the
// container starts (`curl … | sh`, `source <(curl …)`, `curl -o /x && sh /x`) or that sources
// or executes files from a VOLUME path. What runs is decided at start, from a place that can
// change between the image's review and its use — and between two starts of the same image.
#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "iac/rules/dockerfile/check.hpp"

namespace tocsin::iac::dockerfile {
namespace {

bool is_downloader(std::string_view n) {
  return n == "curl" || n == "wget" || n == "fetch" || n == "aria2c";
}

bool is_shell(std::string_view n) {
  return n == "sh" || n == "bash" || n == "ash" || n == "dash" || n == "zsh" || n == "ksh" ||
         n == "mksh";
}

// Programs that run the code they are given (as a file argument or on stdin).
bool is_interpreter(std::string_view n) {
  return is_shell(n) || n == "source" || n == "." || n == "eval" || n.rfind("python", 0) == 0 ||
         n == "perl" || n == "ruby" || n == "node" || n == "nodejs" || n == "php" || n == "bun" ||
         n == "deno" || n == "pwsh";
}

bool config_like(std::string_view path) {
  if (path.rfind("/etc/", 0) == 0) return true;
  const std::string_view base = base_name(path);
  const size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) return base == ".env";
  const std::string_view ext = base.substr(dot + 1);
  static constexpr std::string_view kExt[] = {"conf", "cfg", "config", "yml", "yaml", "json", "env",
                                              "ini", "toml", "properties", "xml", "sh", "py", "js",
                                              "rb", "pl", "php", "lua"};
  return std::find(std::begin(kExt), std::end(kExt), ext) != std::end(kExt);
}

std::optional<std::string> expand_known(std::string_view text, const df::VarMap& vars) {
  for (size_t p = text.find('$'); p != std::string_view::npos; p = text.find('$', p + 1)) {
    size_t i = p + 1;
    if (i < text.size() && text[i] == '{') ++i;
    const size_t s = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
      ++i;
    if (i == s) return std::nullopt;
    if (vars.find(text.substr(s, i - s)) == vars.end()) return std::nullopt;
  }
  if (text.find('`') != std::string_view::npos) return std::nullopt;
  return df::expand(text, vars);
}

// Where a download command saves its file (absolute), or nullopt for stdout / unknown.
std::optional<std::string> download_target(const sh::Command& cmd, size_t real,
                                           const std::string& cwd, const df::VarMap& vars) {
  const std::string_view name = base_name(cmd.words[real].text);
  std::optional<std::string> out;
  std::string url;
  std::string dir = cwd;
  bool remote_name = false;
  for (size_t w = real + 1; w < cmd.words.size(); ++w) {
    const std::string& t = cmd.words[w].text;
    auto value = [&](std::string_view opt) -> std::optional<std::string> {
      if (t == opt) return w + 1 < cmd.words.size() ? std::optional(cmd.words[++w].text) : std::nullopt;
      if (opt.size() > 2 && t.rfind(std::string(opt) + "=", 0) == 0) return t.substr(opt.size() + 1);
      return std::nullopt;
    };
    if (t.find("://") != std::string::npos) { url = t; continue; }
    if (name == "curl") {
      if (auto v = value("-o")) { out = *v; continue; }
      if (auto v = value("--output")) { out = *v; continue; }
      if (t == "-O" || t == "--remote-name") { remote_name = true; continue; }
      if (t.size() > 2 && t[0] == '-' && t[1] != '-') {
        // combined short flags: `-fsSLo file`, `-fsSLO`
        const size_t o = t.find_first_of("oO", 1);
        if (o != std::string::npos) {
          if (t[o] == 'O') remote_name = true;
          else if (o + 1 < t.size()) out = t.substr(o + 1);
          else if (w + 1 < cmd.words.size()) out = cmd.words[++w].text;
        }
      }
    } else if (name == "wget") {
      if (auto v = value("-O")) { out = *v; continue; }
      if (auto v = value("--output-document")) { out = *v; continue; }
      if (auto v = value("-P")) { dir = *v; continue; }
      if (auto v = value("--directory-prefix")) { dir = *v; continue; }
      if (t.size() > 2 && t[0] == '-' && t[1] != '-') {
        const size_t o = t.find_first_of("OP", 1);
        if (o != std::string::npos) {
          std::optional<std::string> v;
          if (o + 1 < t.size()) v = t.substr(o + 1);
          else if (w + 1 < cmd.words.size()) v = cmd.words[++w].text;
          if (v && t[o] == 'O') out = *v;
          else if (v) dir = *v;
        }
      }
    }
  }
  for (const sh::Redirect& r : cmd.redirects)
    if (r.op == ">" || r.op == ">>" || r.op == ">|") out = r.target.text;
  if (out && *out == "-") return std::nullopt;
  if (!out && (remote_name || name == "wget") && !url.empty()) {
    std::string_view u = url;
    u = u.substr(0, u.find_first_of("?#"));
    const std::string_view b = base_name(u);
    if (b.empty() || u.find('/', u.find("://") + 3) == std::string_view::npos) return std::nullopt;
    out = join_path(dir, b);
  }
  if (!out) return std::nullopt;
  auto e = expand_known(*out, vars);
  if (!e) return std::nullopt;
  return join_path(cwd, *e);
}

// One script to check and how its offsets map to the file.
struct Source {
  sh::Script script;
  std::string_view text;
  std::function<size_t(size_t)> to_file;
};

struct Hit {
  size_t begin = 0, end = 0;
  std::string message;
};

class DF012 final : public Check {
 public:
  std::string_view id() const override { return "DF012"; }

  void run(const Context& ctx) const override {
    const df::Dockerfile& file = ctx.file;
    // Every VOLUME of a stage counts, wherever it is declared: CMD runs after all of them.
    std::vector<std::vector<std::string>> stage_vols(file.stages.size());
    for (size_t s = 0; s < file.stages.size(); ++s) {
      const int base = file.stages[s].base_stage;
      if (base >= 0 && static_cast<size_t>(base) < s) stage_vols[s] = stage_vols[static_cast<size_t>(base)];
      for (size_t i = file.stages[s].first; i <= file.stages[s].last && i < file.instructions.size(); ++i) {
        const df::Instruction& ins = file.instructions[i];
        if (ins.kind != df::Kind::Volume || i >= ctx.state.size()) continue;
        for (const df::Word& w : ins.args)
          if (auto p = expand_known(w.text, ctx.state[i].vars); p && !p->empty())
            stage_vols[s].push_back(join_path(ctx.state[i].workdir, *p));
      }
    }

    static const df::VarMap kNoVars;
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const df::Instruction& ins = file.instructions[i];
      if (ins.kind != df::Kind::Cmd && ins.kind != df::Kind::Entrypoint) continue;
      const df::VarMap& vars = i < ctx.state.size() ? ctx.state[i].vars : kNoVars;
      const std::string cwd = i < ctx.state.size() ? ctx.state[i].workdir : "/";
      static const std::vector<std::string> kNone;
      const auto& vols = ins.stage >= 0 && static_cast<size_t>(ins.stage) < stage_vols.size()
                             ? stage_vols[static_cast<size_t>(ins.stage)]
                             : kNone;
      std::optional<Hit> hit;
      if (!ins.json_form) {
        Source src{sh::parse(ins.rest.text()), ins.rest.text(),
                   [&ins](size_t p) { return ins.rest.to_file(p); }};
        hit = check_script(src, vars, cwd, vols, ins.keyword);
      } else if (!ins.args.empty()) {
        hit = check_exec(ins, vars, cwd, vols);
        const std::string_view head = base_name(ins.args[0].text);
        if (!hit && is_shell(head)) {
          for (size_t a = 1; a + 1 < ins.args.size(); ++a) {
            const std::string& t = ins.args[a].text;
            if (t.size() < 2 || t[0] != '-' || t.find('c') == std::string::npos) continue;
            const df::Word& body = ins.args[a + 1];
            // Offsets inside the string map exactly when the JSON string has no escapes.
            const bool exact = body.raw.size() == body.text.size() + 2;
            const size_t base = body.span.begin + (exact ? 1 : 0);
            Source src{sh::parse(body.text), body.text,
                       [base, exact](size_t p) { return exact ? base + p : base; }};
            hit = check_script(src, vars, cwd, vols, ins.keyword);
            if (hit && !exact) {
              hit->begin = body.span.begin;
              hit->end = body.span.end;
            }
            break;
          }
        }
      }
      if (hit) ctx.out.report("DF012", hit->begin, hit->end, std::move(hit->message));
    }
  }

 private:
  // Exec form without a shell: `["/config/start.sh"]`, `["python", "/data/app.py"]`.
  static std::optional<Hit> check_exec(const df::Instruction& ins, const df::VarMap& vars,
                                       const std::string& cwd, const std::vector<std::string>& vols) {
    const std::string_view head = base_name(ins.args[0].text);
    for (size_t a = 0; a < ins.args.size(); ++a) {
      if (a > 0 && !is_interpreter(head)) break;
      if (a > 0 && !ins.args[a].text.empty() && ins.args[a].text[0] == '-') continue;
      auto p = expand_known(ins.args[a].text, vars);
      if (!p || p->empty() || (*p)[0] != '/') {
        if (a > 0) break;
        continue;
      }
      const std::string path = join_path(cwd, *p);
      for (const std::string& v : vols)
        if (in_volume(path, v))
          return Hit{ins.args[a].span.begin, ins.args[a].span.end, volume_message(ins.keyword, path, v)};
      if (a > 0) break;
    }
    return std::nullopt;
  }

  static std::string volume_message(std::string_view kw, const std::string& path, const std::string& vol) {
    return fmt::format(
        "{} executes or sources `{}` from the volume `{}`: whatever is in the volume when the "
        "container starts runs with the container's privileges, and anything that can write the "
        "volume (another container, the host) can change it between a check and the start. Bake "
        "the script into the image (read-only), or verify it (e.g. `tocsin verify`) before use.",
        kw, path, vol);
  }

  static std::optional<Hit> check_script(const Source& src, const df::VarMap& vars, const std::string& cwd,
                                         const std::vector<std::string>& vols, std::string_view kw) {
    const auto& cmds = src.script.commands;
    auto wb = [&](const sh::Word& w) { return src.to_file(w.begin); };
    auto we = [&](const sh::Word& w) { return w.end == 0 ? src.to_file(0) : src.to_file(w.end - 1) + 1; };
    struct Download {
      std::string path;
      const sh::Word* word;
    };
    std::vector<Download> downloads;
    for (size_t c = 0; c < cmds.size(); ++c) {
      const sh::Command& cmd = cmds[c];
      const size_t real = cmd.real_command_index();
      if (real >= cmd.words.size()) continue;
      const sh::Word& head = cmd.words[real];
      const std::string_view name = base_name(head.text);

      // 1. `curl … | sh`: the pipeline feeds downloaded text to an interpreter.
      if (is_downloader(name) && cmd.next == sh::Op::Pipe) {
        for (size_t d = c + 1; d < cmds.size() && cmds[d].piped_from_prev; ++d) {
          const size_t r2 = cmds[d].real_command_index();
          if (r2 >= cmds[d].words.size()) break;
          if (is_interpreter(base_name(cmds[d].words[r2].text)))
            return Hit{wb(head), we(cmds[d].words.back()),
                       fmt::format("{} pipes `{}` output into `{}` at container start: the code "
                                   "that runs is whatever the server returns at that moment, "
                                   "unverified. Download and verify it at build time (pinned "
                                   "version and checksum) and run the baked-in copy.",
                                   kw, name, cmds[d].words[r2].text)};
          if (cmds[d].next != sh::Op::Pipe) break;
        }
      }
      // 2. `source <(curl …)`, `eval "$(wget -qO- …)"`, `sh -c "$(curl …)"`.
      if (is_interpreter(name)) {
        for (size_t w = real + 1; w < cmd.words.size(); ++w) {
          if (!substitutes_download(cmd.words[w].raw)) continue;
          return Hit{wb(head), we(cmd.words[w]),
                     fmt::format("{} runs `{}` on content downloaded at container start: the "
                                 "code or configuration is whatever the server returns then, "
                                 "unverified. Fetch and verify it at build time instead.",
                                 kw, head.text)};
        }
        const std::string_view whole = src.text.substr(std::min(cmd.begin, src.text.size()),
                                                       cmd.end > cmd.begin ? cmd.end - cmd.begin : 0);
        if (substitutes_download(whole))
          return Hit{wb(head), we(cmd.words.back()),
                     fmt::format("{} runs `{}` on content downloaded at container start: the "
                                 "code or configuration is whatever the server returns then, "
                                 "unverified. Fetch and verify it at build time instead.",
                                 kw, head.text)};
      }
      // 3. download to a file, then run or use it.
      if (is_downloader(name)) {
        if (auto p = download_target(cmd, real, cwd, vars)) {
          if (config_like(*p))
            return Hit{wb(head), we(cmd.words.back()),
                       fmt::format("{} downloads `{}` when the container starts: the image runs "
                                   "with code or configuration that was never reviewed with it "
                                   "and can change between two starts. Bake it into the image "
                                   "(with a checksum), or mount it read-only and verify it.",
                                   kw, *p)};
          downloads.push_back({*p, &head});
        }
        continue;
      }
      // The file this command runs: its own path, or the script given to an interpreter
      // (`sh /x`, `. /x`, `python /x`; not `sh -c '…'`, `python -c …`).
      size_t runs = cmd.words.size();
      if (!is_interpreter(name)) {
        if (head.text.find('/') != std::string::npos) runs = real;
      } else if (name != "eval") {
        for (size_t w = real + 1; w < cmd.words.size(); ++w) {
          const std::string& t = cmd.words[w].text;
          if (t.size() > 1 && t[0] == '-') {
            if (t[1] != '-' && (t.find('c') != std::string::npos || t.find('e') != std::string::npos ||
                                t.find('m') != std::string::npos))
              break;
            continue;
          }
          runs = w;
          break;
        }
      }
      for (size_t w = real; w < cmd.words.size(); ++w) {
        auto p = expand_known(cmd.words[w].text, vars);
        if (!p || p->empty()) continue;
        std::string_view arg = *p;
        if (const size_t eq = arg.find('='); w > real && arg[0] == '-' && eq != std::string_view::npos)
          arg = arg.substr(eq + 1);
        if (arg.empty() || (w > real && arg[0] == '-')) continue;
        if (w == real && is_interpreter(name)) continue;
        const std::string path = join_path(cwd, arg);
        for (const Download& d : downloads) {
          if (d.path != path) continue;
          return Hit{wb(*d.word), we(cmd.words[w]),
                     fmt::format("{} downloads `{}` at container start and then {} it: what runs "
                                 "is whatever the server returned at that moment, unverified. "
                                 "Download and verify it at build time instead.",
                                 kw, path, w == runs ? "runs" : "uses")};
        }
        // 4. a file from a VOLUME executed or sourced.
        if (w == runs)
          for (const std::string& v : vols)
            if (in_volume(path, v)) return Hit{wb(head), we(cmd.words[w]), volume_message(kw, path, v)};
      }
    }
    return std::nullopt;
  }

  // `$(curl …)`, `<(wget …)`, `` `curl …` `` inside a word or command text.
  static bool substitutes_download(std::string_view s) {
    for (std::string_view open : {"$(", "<(", "`"}) {
      for (size_t p = s.find(open); p != std::string_view::npos; p = s.find(open, p + 1)) {
        size_t i = p + open.size();
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        for (std::string_view dl : {"curl", "wget", "fetch"})
          if (s.substr(i, dl.size()) == dl &&
              (i + dl.size() == s.size() || s[i + dl.size()] == ' ' || s[i + dl.size()] == '\t'))
            return true;
      }
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Check> make_df012() { return std::make_unique<DF012>(); }

}  // namespace tocsin::iac::dockerfile
