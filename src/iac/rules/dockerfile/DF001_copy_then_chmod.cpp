// DF001 copy-then-chmod: a COPY/ADD followed, in the same stage, by a RUN that changes the mode
// or owner of what was copied (the path, a parent with -R, or a child). Autofix into
// `COPY --chmod/--chown` when the RUN does nothing else and the change is expressible.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"

namespace tocsin::iac::dockerfile {
namespace {

using dfa::CopyInfo;
using dfa::Match;
using dfa::PermCommand;
using dfa::PermTool;

struct Hit {
  const RunScript* script = nullptr;
  const sh::Command* cmd = nullptr;
  PermCommand perm;
  std::string target;                 // resolved path of the first matching target
  std::vector<size_t> copies;         // indices into the stage's copies that match, newest first
  Match match = Match::None;          // against the newest matching copy
  size_t entry = 0;
};

std::string_view tool_name(PermTool t) {
  switch (t) {
    case PermTool::Chmod: return "chmod";
    case PermTool::Chown: return "chown";
    case PermTool::Chgrp: return "chgrp";
  }
  return "chmod";
}

std::string unquote_flag(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

// Offset just past the line that ends the instruction (its newline included).
size_t end_of_line(std::string_view text, size_t off) {
  size_t nl = text.find('\n', off);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

class DF001 final : public Check {
 public:
  std::string_view id() const override { return "DF001"; }

  void run(const Context& ctx) const override {
    const auto& file = ctx.file;
    std::vector<CopyInfo> copies;
    int stage = -2;
    size_t si = 0;
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const auto& ins = file.instructions[i];
      if (ins.stage != stage) {
        copies.clear();
        stage = ins.stage;
      }
      if (ins.kind == df::Kind::Copy || ins.kind == df::Kind::Add) {
        if (auto ci = dfa::copy_info(ins, i, ctx.state[i])) copies.push_back(std::move(*ci));
        continue;
      }
      if (ins.kind != df::Kind::Run) continue;
      while (si < ctx.scripts.size() && ctx.scripts[si].instruction < i) ++si;
      std::vector<const RunScript*> mine;
      for (size_t k = si; k < ctx.scripts.size() && ctx.scripts[k].instruction == i; ++k)
        mine.push_back(&ctx.scripts[k]);
      if (!copies.empty() && !mine.empty()) check_run(ctx, i, mine, copies);
    }
  }

 private:
  static void note_created(const sh::Command& cmd, const df::VarMap& vars, const dfa::CwdTracker& cwd,
                           std::vector<std::string>& created) {
    if (cmd.words.empty()) return;
    size_t idx = cmd.real_command_index();
    if (idx >= cmd.words.size()) return;
    std::string_view n = dfa::base_name(cmd.words[idx].text);
    if (n == "mkdir" || n == "touch") {
      for (size_t i = idx + 1; i < cmd.words.size(); ++i) {
        std::string_view t = cmd.words[i].text;
        if (t.empty() || t[0] == '-') continue;
        if (auto r = dfa::resolve_in(t, vars, cwd)) created.push_back(*r);
      }
    }
    for (const auto& rd : cmd.redirects) {
      if (rd.op != ">" && rd.op != ">|" && rd.op != "&>") continue;
      if (auto r = dfa::resolve_in(rd.target.text, vars, cwd)) created.push_back(*r);
    }
  }

  void check_run(const Context& ctx, size_t i, const std::vector<const RunScript*>& scripts,
                 const std::vector<CopyInfo>& copies) const {
    const auto& st = ctx.state[i];
    std::vector<Hit> hits;
    size_t commands = 0;
    for (const RunScript* s : scripts) {
      dfa::CwdTracker cwd(st.workdir);
      std::vector<std::string> created;  // made by this script: not what COPY put there
      for (const auto& cmd : s->script.commands) {
        cwd.enter(cmd);
        if (!cmd.words.empty()) ++commands;
        note_created(cmd, st.vars, cwd, created);
        if (auto pc = dfa::parse_perm(cmd)) {
          Hit h;
          for (const sh::Word* t : pc->targets) {
            auto r = dfa::resolve_in(t->text, st.vars, cwd);
            if (!r) continue;
            bool fresh = false;
            for (const auto& c : created) fresh = fresh || dfa::under(*r, c);
            if (fresh) continue;
            for (size_t c = copies.size(); c-- > 0;) {
              for (size_t e = 0; e < copies[c].entries.size(); ++e) {
                Match m = dfa::relate(copies[c].entries[e], *r, pc->recursive);
                // A tree copied into `/` (rootfs overlays) says nothing about any one path.
                if (m == Match::Child && copies[c].entries[e].path == "/") m = Match::None;
                if (m == Match::None) continue;
                if (h.copies.empty()) {
                  h.target = *r;
                  h.match = m;
                  h.entry = e;
                }
                if (std::find(h.copies.begin(), h.copies.end(), c) == h.copies.end())
                  h.copies.push_back(c);
              }
            }
          }
          if (!h.copies.empty()) {
            h.script = s;
            h.cmd = &cmd;
            h.perm = std::move(*pc);
            hits.push_back(std::move(h));
          }
        }
        cwd.after(cmd, st.vars);
      }
    }
    if (hits.empty()) return;

    const auto& ins = ctx.file.instructions[i];
    size_t end = ins.span.end;
    std::set<std::string_view> tools;
    for (const auto& h : hits) {
      end = std::max(end, ctx.end_of(*h.script, h.cmd->words.back()));
      tools.insert(tool_name(h.perm.tool));
    }
    std::string tool_list;
    for (auto t : tools) tool_list += (tool_list.empty() ? "" : "/") + std::string(t);
    const Hit& first = hits.front();
    const CopyInfo& copy = copies[first.copies.front()];
    const auto& cins = ctx.file.instructions[copy.instruction];
    uint32_t copy_line = ctx.out.source().line_of(cins.span.begin);
    std::string what = tools.count("chmod") ? (tools.size() > 1 ? "mode and owner" : "mode") : "owner";
    std::string flags = tools.count("chmod") ? (tools.size() > 1 ? "--chmod/--chown" : "--chmod")
                                               : "--chown";
    std::string relation = first.match == Match::Exact   ? ""
                           : first.match == Match::Child ? " (inside the copied tree)"
                                                         : " (a parent of the copied path)";
    auto& f = ctx.out.report(
        "DF001", ins.span.begin, end,
        fmt::format("`{}` changes the {} of {}{} after {} on line {} copied it in: the files exist "
                    "with the wrong {} in an earlier layer and until this step runs. Set it while "
                    "copying with `{} {}`.",
                    tool_list, what, first.target, relation, cins.keyword, copy_line, what,
                    cins.keyword, flags));
    std::set<size_t> related;
    for (const auto& h : hits) related.insert(copies[h.copies.front()].instruction);
    for (size_t r : related) {
      const auto& ri = ctx.file.instructions[r];
      ctx.out.relate(f, ri.span.begin, ri.span.end, "copied here");
    }
    add_fix(ctx, f, i, scripts, copies, hits, commands);
  }

  // The autofix: only when the RUN is nothing but chmod/chown of exactly one COPY's path.
  void add_fix(const Context& ctx, Finding& f, size_t i, const std::vector<const RunScript*>& scripts,
               const std::vector<CopyInfo>& copies, const std::vector<Hit>& hits,
               size_t commands) const {
    const auto& ins = ctx.file.instructions[i];
    if (!ins.flags.empty() || ins.json_form || !ins.heredocs.empty() || scripts.size() != 1) return;
    if (hits.size() != commands || scripts[0]->script.commands.size() != commands) return;
    if (!scripts[0]->script.errors.empty()) return;
    size_t copy_index = hits.front().copies.front();
    std::optional<std::string> mode, owner;
    for (const auto& h : hits) {
      const auto& c = *h.cmd;
      if (c.depth != 0 || !c.redirects.empty() || !c.assignments.empty() || c.piped_from_prev ||
          c.real_command_index() != 0)
        return;
      if (c.next != sh::Op::None && c.next != sh::Op::And && c.next != sh::Op::Seq) return;
      if (h.perm.via_find || h.perm.reference || h.perm.targets.size() != 1) return;
      if (h.copies.size() != 1 || h.copies.front() != copy_index || h.match != Match::Exact) return;
      const CopyInfo& ci = copies[copy_index];
      if (ci.entries.size() != 1 || ci.entries[h.entry].glob) return;
      if (ci.entries[h.entry].tree && !h.perm.recursive) return;
      if (h.perm.spec.find('$') != std::string::npos) return;
      if (h.perm.tool == PermTool::Chmod) {
        if (!dfa::is_octal_mode(h.perm.spec)) return;
        mode = h.perm.spec;
      } else if (h.perm.tool == PermTool::Chown) {
        auto colon = h.perm.spec.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == h.perm.spec.size()) return;
        owner = h.perm.spec;
      } else {
        return;
      }
    }
    const CopyInfo& ci = copies[copy_index];
    const auto& cins = ctx.file.instructions[ci.instruction];
    std::string_view text = ctx.out.source().content();

    Fix fix;
    std::string insert;
    std::vector<std::string> parts;
    auto apply = [&](std::string_view name, const std::optional<std::string>& value) {
      if (!value) return;
      if (const df::Flag* fl = cins.flag(name)) {
        if (unquote_flag(fl->value) == *value) return;
        if (!fl->has_value) return;
        parts.push_back(fmt::format("--{}={}", name, *value));
        fix.edits.push_back(TextEdit{ctx.out.range(fl->value_span.begin, fl->value_span.end), *value});
      } else {
        parts.push_back(fmt::format("--{}={}", name, *value));
        insert += fmt::format(" --{}={}", name, *value);
      }
    };
    apply("chmod", mode);
    apply("chown", owner);
    if (!insert.empty()) {
      size_t at = cins.keyword_span.end;
      fix.edits.insert(fix.edits.begin(), TextEdit{ctx.out.range(at, at), insert});
    }
    size_t del_begin = ctx.out.source().line_start(ctx.out.source().line_of(ins.span.begin));
    size_t del_end = end_of_line(text, std::max(ins.full_span.end, ins.span.end) > 0
                                           ? std::max(ins.full_span.end, ins.span.end) - 1
                                           : 0);
    fix.edits.push_back(TextEdit{ctx.out.range(del_begin, del_end), ""});
    std::string joined;
    for (const auto& p : parts) joined += (joined.empty() ? "" : " ") + p;
    uint32_t copy_line = ctx.out.source().line_of(cins.span.begin);
    fix.description =
        joined.empty()
            ? fmt::format("Remove this RUN: the {} on line {} already sets the same owner/mode",
                          cins.keyword, copy_line)
            : fmt::format("Set {} in the {} on line {} and remove this RUN", joined, cins.keyword,
                          copy_line);
    f.fix = std::move(fix);
  }
};

}  // namespace

std::unique_ptr<Check> make_df001() { return std::make_unique<DF001>(); }

}  // namespace tocsin::iac::dockerfile
