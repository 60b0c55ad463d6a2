// DF011 change-after-volume: a RUN, COPY or ADD that changes a path at or below a directory
// the stage already declared as VOLUME. The classic builder discards such changes; BuildKit
// keeps them, and at run time the volume (possibly pre-existing, shared with other containers)
// hides or replaces them — the image's content under the volume is not what the file says.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "iac/rules/dockerfile/check.hpp"

namespace tocsin::iac::dockerfile {
namespace {

struct Volume {
  std::string path;         // absolute, normalised
  size_t instruction = 0;
  df::Span span;            // the VOLUME argument
};

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

bool is_option(std::string_view t) { return t.size() > 1 && t[0] == '-'; }

// A path the command writes to, with the word it came from.
struct Write {
  const sh::Word* word = nullptr;
  std::string path;  // as written (unexpanded)
  bool recursive = false;
};

// Paths a simple command changes (best effort, covering the common file tools).
std::vector<Write> writes_of(const sh::Command& cmd) {
  std::vector<Write> out;
  for (const sh::Redirect& r : cmd.redirects) {
    // `>`, `>>`, `&>`, `2>`, `>|`; not fd duplications (`2>&1`, `>&2`).
    if (r.op.find('>') == std::string::npos || r.op.back() == '&') continue;
    const std::string& t = r.target.text;
    if (t.empty() || t == "-" || std::isdigit(static_cast<unsigned char>(t[0])) ||
        t.rfind("/dev/", 0) == 0)
      continue;
    out.push_back({&r.target, r.target.text, false});
  }
  const size_t real = cmd.real_command_index();
  if (real >= cmd.words.size()) return out;
  const std::string_view name = base_name(cmd.words[real].text);
  std::vector<const sh::Word*> pos;
  bool recursive = false;
  // Options that take a value in the next word, per command.
  auto value_opts = [&](std::string_view t) {
    if (name == "mkdir" || name == "install") return t == "-m" || t == "-o" || t == "-g" || t == "-t";
    if (name == "cp" || name == "mv" || name == "ln") return t == "-t" || t == "-S";
    if (name == "tar") return t == "-C" || t == "-f" || t == "--directory" || t == "--file";
    if (name == "unzip") return t == "-d";
    if (name == "curl") return t == "-o" || t == "--output" || t == "-H" || t == "-u" || t == "-d";
    if (name == "wget") return t == "-O" || t == "-P" || t == "--output-document" || t == "--directory-prefix";
    if (name == "sed" || name == "perl") return t == "-e" || t == "-f";
    if (name == "git") return t == "-b" || t == "--branch" || t == "-c" || t == "--depth";
    return false;
  };
  std::vector<std::pair<std::string, const sh::Word*>> opt_values;
  for (size_t w = real + 1; w < cmd.words.size(); ++w) {
    const sh::Word& word = cmd.words[w];
    const std::string& t = word.text;
    if (is_option(t)) {
      if ((t.size() > 1 && t[1] != '-' && (t.find('R') != std::string::npos || t.find('r') != std::string::npos)) ||
          t == "--recursive")
        recursive = true;
      if (value_opts(t) && w + 1 < cmd.words.size()) {
        opt_values.push_back({t, &cmd.words[w + 1]});
        ++w;
      } else if (const size_t eq = t.find('='); eq != std::string::npos && t.rfind("--", 0) == 0) {
        opt_values.push_back({t.substr(0, eq), &word});
      }
      continue;
    }
    pos.push_back(&word);
  }
  auto opt_path = [&](std::initializer_list<std::string_view> names) {
    for (auto& [opt, word] : opt_values)
      for (std::string_view n : names)
        if (opt == n) {
          std::string text = word->text;
          if (const size_t eq = text.find('='); text.rfind("--", 0) == 0 && eq != std::string::npos)
            text = text.substr(eq + 1);
          out.push_back({word, text, false});
        }
  };
  auto all = [&](size_t skip) {
    for (size_t i = skip; i < pos.size(); ++i) out.push_back({pos[i], pos[i]->text, recursive});
  };
  auto last = [&] {
    if (!pos.empty()) out.push_back({pos.back(), pos.back()->text, false});
  };

  if (name == "touch" || name == "mkdir" || name == "rm" || name == "rmdir" || name == "truncate" ||
      name == "mkfifo" || name == "mknod" || name == "tee" || name == "shred" || name == "unlink" ||
      name == "chattr") {
    all(0);
  } else if (name == "chmod" || name == "chown" || name == "chgrp" || name == "setfacl") {
    all(1);
  } else if (name == "mv") {
    all(0);
  } else if (name == "cp" || name == "install" || name == "rsync" || name == "ln") {
    opt_path({"-t", "--target-directory"});
    if (pos.size() >= 2) last();
  } else if (name == "sed" || name == "perl") {
    bool in_place = false;
    for (size_t w = real + 1; w < cmd.words.size(); ++w)
      if (cmd.words[w].text.rfind("-i", 0) == 0 || cmd.words[w].text.rfind("--in-place", 0) == 0 ||
          (cmd.words[w].text.size() > 1 && cmd.words[w].text[0] == '-' && cmd.words[w].text[1] != '-' &&
           cmd.words[w].text.find('i') != std::string::npos))
        in_place = true;
    if (in_place) {
      bool script_in_opt = false;
      for (auto& ov : opt_values)
        if (ov.first == "-e" || ov.first == "-f") script_in_opt = true;
      all(script_in_opt ? 0 : 1);
    }
  } else if (name == "tar") {
    opt_path({"-C", "--directory"});
  } else if (name == "unzip") {
    opt_path({"-d"});
  } else if (name == "curl") {
    opt_path({"-o", "--output"});
  } else if (name == "wget") {
    opt_path({"-O", "-P", "--output-document", "--directory-prefix"});
  } else if (name == "git") {
    if (!pos.empty() && pos[0]->text == "clone" && pos.size() >= 3) last();
  } else if (name == "dd") {
    for (const sh::Word* p : pos)
      if (p->text.rfind("of=", 0) == 0) out.push_back({p, p->text.substr(3), false});
  }
  return out;
}

class DF011 final : public Check {
 public:
  std::string_view id() const override { return "DF011"; }

  void run(const Context& ctx) const override {
    const df::Dockerfile& file = ctx.file;
    // Volumes declared in each stage up to each instruction, inherited through FROM <stage>.
    std::vector<std::vector<Volume>> stage_vols(file.stages.size());
    std::vector<std::vector<Volume>> before(file.instructions.size());
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const df::Instruction& ins = file.instructions[i];
      if (ins.stage < 0 || static_cast<size_t>(ins.stage) >= file.stages.size()) continue;
      auto& vols = stage_vols[static_cast<size_t>(ins.stage)];
      if (ins.kind == df::Kind::From) {
        const int base = file.stages[static_cast<size_t>(ins.stage)].base_stage;
        if (base >= 0 && base < ins.stage) vols = stage_vols[static_cast<size_t>(base)];
      }
      before[i] = vols;
      if (ins.kind != df::Kind::Volume || i >= ctx.state.size()) continue;
      for (const df::Word& w : ins.args) {
        auto p = expand_known(w.text, ctx.state[i].vars);
        if (!p || p->empty()) continue;
        vols.push_back({join_path(ctx.state[i].workdir, *p), i, w.span});
      }
    }

    for (const RunScript& rs : ctx.scripts) {
      const size_t i = rs.instruction;
      if (i >= before.size() || before[i].empty() || i >= ctx.state.size()) continue;
      const auto& vars = ctx.state[i].vars;
      std::string cwd = ctx.state[i].workdir;
      for (const sh::Command& cmd : rs.script.commands) {
        const size_t real = cmd.real_command_index();
        if (cmd.depth == 0 && real < cmd.words.size() && cmd.words[real].text == "cd" &&
            real + 1 < cmd.words.size()) {
          if (auto p = expand_known(cmd.words[real + 1].text, vars)) cwd = join_path(cwd, *p);
          continue;
        }
        bool done = false;
        for (const Write& w : writes_of(cmd)) {
          auto p = expand_known(w.path, vars);
          if (!p || p->empty()) continue;
          const std::string path = join_path(cwd, *p);
          for (const Volume& v : before[i]) {
            // A recursive change of a parent (`chown -R app /var/lib`) also reaches the volume.
            if (!in_volume(path, v.path) && !(w.recursive && in_volume(v.path, path) && path != "/")) continue;
            const size_t b = real < cmd.words.size() ? ctx.begin_of(rs, cmd.words[real]) : ctx.begin_of(rs, *w.word);
            const size_t e = std::max(ctx.end_of(rs, *w.word),
                                      cmd.words.empty() ? b : ctx.end_of(rs, cmd.words.back()));
            report(ctx, b, e, path, v, "RUN changes");
            done = true;
            break;
          }
          if (done) break;
        }
        if (done) break;  // one finding per RUN
      }
    }

    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const df::Instruction& ins = file.instructions[i];
      if ((ins.kind != df::Kind::Copy && ins.kind != df::Kind::Add) || ins.args.size() < 2 ||
          before[i].empty() || i >= ctx.state.size())
        continue;
      auto p = expand_known(ins.args.back().text, ctx.state[i].vars);
      if (!p || p->empty()) continue;
      const std::string path = join_path(ctx.state[i].workdir, *p);
      for (const Volume& v : before[i]) {
        if (!in_volume(path, v.path)) continue;
        report(ctx, ins.span.begin, ins.span.end, path, v,
               fmt::format("{} writes to", ins.keyword));
        break;
      }
    }
  }

 private:
  static void report(const Context& ctx, size_t b, size_t e, const std::string& path,
                     const Volume& v, std::string_view verb) {
    const uint32_t vline = ctx.out.source().line_of(v.span.begin);
    Finding& f = ctx.out.report(
        "DF011", b, e,
        fmt::format("{} {} after it was declared `VOLUME {}` (line {}): the classic builder "
                    "discards the change, and at run time the volume — possibly pre-existing and "
                    "shared with other containers — replaces it. Make the change before the "
                    "VOLUME instruction (put VOLUME last), or do it at start-up in the entrypoint.",
                    verb, path, v.path, vline));
    ctx.out.relate(f, v.span.begin, v.span.end, fmt::format("`{}` declared a volume here", v.path));
  }
};

}  // namespace

std::unique_ptr<Check> make_df011() { return std::make_unique<DF011>(); }

}  // namespace tocsin::iac::dockerfile
