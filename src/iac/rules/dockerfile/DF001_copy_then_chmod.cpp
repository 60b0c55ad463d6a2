// DF001 copy-then-chmod: a COPY/ADD followed, in the same stage, by a RUN that changes the mode
// or owner of what was copied (the path, a parent with -R, or a child). Autofix into
// `COPY --chmod/--chown` only when that is provably the same build result; otherwise the finding
// says why not (shown by `--diff`).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"
#include "core/strings.hpp"

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

bool numeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Users and groups an earlier RUN of the stage (or of a stage it builds on) creates, with the
// instruction that creates them: `useradd`, `adduser` (Debian and BusyBox), `groupadd`,
// `addgroup`. A user's own group counts only for useradd (see see()).
struct Accounts {
  std::vector<std::pair<std::string, size_t>> users, groups;

  std::optional<size_t> user(std::string_view n) const { return find(users, n); }
  std::optional<size_t> group(std::string_view n) const { return find(groups, n); }

  void see(const sh::Command& c, size_t instruction) {
    size_t idx = c.real_command_index();
    if (idx >= c.words.size()) return;
    std::string_view tool = dfa::base_name(c.words[idx].text);
    if (tool != "useradd" && tool != "adduser" && tool != "groupadd" && tool != "addgroup") return;
    std::vector<std::string_view> names;
    std::set<std::string_view> opts;
    // Options that take a value (short and long forms of the four tools).
    static constexpr std::string_view kWithArg[] = {
        "-u", "-g", "-G", "-d", "-s", "-c", "-k", "-K", "-e", "-f", "-p", "-R", "-P", "-b", "-Z", "-h",
        "--uid", "--gid", "--groups", "--home-dir", "--home", "--shell", "--comment", "--gecos", "--skel",
        "--key", "--expiredate", "--inactive", "--password", "--root", "--prefix", "--ingroup",
        "--firstuid", "--lastuid", "--firstgid", "--lastgid", "--conf", "--add_extra_groups"};
    for (size_t i = idx + 1; i < c.words.size(); ++i) {
      std::string_view w = c.words[i].text;
      if (w.size() > 1 && w.front() == '-') {
        std::string_view name = w.substr(0, w.find('='));
        opts.insert(name);
        if (name.size() == w.size() && std::find(std::begin(kWithArg), std::end(kWithArg), name) != std::end(kWithArg))
          ++i;
        continue;
      }
      names.push_back(w);
    }
    if (names.empty() || names.front().find('$') != std::string_view::npos) return;
    std::string name(names.front());
    if (tool == "groupadd" || (tool == "addgroup" && names.size() == 1)) {
      groups.emplace_back(name, instruction);
      return;
    }
    if (tool == "addgroup") return;  // `addgroup USER GROUP`: membership only
    if (names.size() > 1 && tool == "adduser") return;  // `adduser USER GROUP`: membership only
    users.emplace_back(name, instruction);
    auto has = [&](std::initializer_list<std::string_view> any) {
      for (auto o : any)
        if (opts.count(o)) return true;
      return false;
    };
    // A group of the user's name: shadow's useradd makes one unless told otherwise (Debian's
    // USERGROUPS_ENAB; built in the lab). adduser (Debian's or BusyBox's) depends on its
    // configuration and on -S/--system, so it is not assumed: name the group with groupadd.
    if (tool == "useradd" && !has({"-g", "--gid", "-N", "--no-user-group"})) groups.emplace_back(name, instruction);
  }

 private:
  static std::optional<size_t> find(const std::vector<std::pair<std::string, size_t>>& v, std::string_view n) {
    for (const auto& [name, at] : v)
      if (name == n) return at;
    return std::nullopt;
  }
};

class DF001 final : public Check {
 public:
  std::string_view id() const override { return "DF001"; }

  void run(const Context& ctx) const override {
    const auto& file = ctx.file;
    std::vector<CopyInfo> copies;
    std::vector<std::string> known_dirs;
    std::set<size_t> fixed_copies;  // COPYs an earlier fix of this file already changes
    int stage = -2;
    size_t si = 0;
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const auto& ins = file.instructions[i];
      if (ins.stage != stage) {
        copies.clear();
        known_dirs.clear();
        stage = ins.stage;
      }
      const auto& st = ctx.state[i];
      if (st.workdir_set) add_dir_and_parents(known_dirs, st.workdir);
      if (ins.kind == df::Kind::Workdir && i + 1 < ctx.state.size())
        add_dir_and_parents(known_dirs, ctx.state[i + 1].workdir);
      if (ins.kind == df::Kind::Copy || ins.kind == df::Kind::Add) {
        if (auto ci = dfa::copy_info(ins, i, st, &known_dirs)) {
          // Whether each copied path's directory exists already: a COPY --chown creates the
          // missing ones owned by that user (seen in the lab), a plain COPY owned by root.
          const bool scratch = from_scratch(ctx, ins.stage);
          for (auto& e : ci->entries) {
            const std::string dir = dfa::dir_name(e.path);
            e.dir_exists = (!scratch && dfa::standard_directory(dir)) ||
                           std::find(known_dirs.begin(), known_dirs.end(), dir) != known_dirs.end();
          }
          if (ci->dest_dir) add_dir_and_parents(known_dirs, ci->dest);
          copies.push_back(std::move(*ci));
        }
        continue;
      }
      if (ins.kind != df::Kind::Run) continue;
      while (si < ctx.scripts.size() && ctx.scripts[si].instruction < i) ++si;
      std::vector<const RunScript*> mine;
      for (size_t k = si; k < ctx.scripts.size() && ctx.scripts[k].instruction == i; ++k)
        mine.push_back(&ctx.scripts[k]);
      if (!copies.empty() && !mine.empty()) check_run(ctx, i, mine, copies, fixed_copies);
      // Directories this RUN makes exist for the COPYs after it.
      for (const RunScript* s : mine) {
        dfa::CwdTracker cwd(st.workdir);
        for (const auto& cmd : s->script.commands) {
          cwd.enter(cmd);
          size_t idx = cmd.real_command_index();
          if (idx < cmd.words.size() && dfa::base_name(cmd.words[idx].text) == "mkdir")
            for (size_t w = idx + 1; w < cmd.words.size(); ++w) {
              std::string_view t = cmd.words[w].text;
              if (t.empty() || t[0] == '-') continue;
              if (auto r = dfa::resolve_in(t, st.vars, cwd)) add_dir_and_parents(known_dirs, *r);
            }
          cwd.after(cmd, st.vars);
        }
      }
    }
  }

 private:
  static void add_dir_and_parents(std::vector<std::string>& dirs, std::string dir) {
    while (!dir.empty() && dir != "/") {
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
      dir = dfa::dir_name(dir);
    }
  }

  // Paths this command creates (or replaces): what COPY put there is not what is changed.
  static void note_created(const sh::Command& cmd, const df::VarMap& vars, const dfa::CwdTracker& cwd,
                           std::vector<std::string>& created) {
    if (cmd.words.empty()) return;
    size_t idx = cmd.real_command_index();
    if (idx >= cmd.words.size()) return;
    std::string_view n = dfa::base_name(cmd.words[idx].text);
    auto add = [&](std::string_view t) {
      if (auto r = dfa::resolve_in(t, vars, cwd)) created.push_back(*r);
    };
    if (n == "mkdir" || n == "touch") {
      for (size_t i = idx + 1; i < cmd.words.size(); ++i) {
        std::string_view t = cmd.words[i].text;
        if (t.empty() || t[0] == '-') continue;
        add(t);
      }
    } else if (n == "cp" || n == "install" || n == "ln") {
      // New files: the last operand, or each source's name inside it when it is a directory
      // (`cp a b /dst/`). `mv` is not here: a moved file is still the one COPY put there.
      std::vector<std::string_view> ops;
      for (size_t i = idx + 1; i < cmd.words.size(); ++i)
        if (!cmd.words[i].text.empty() && cmd.words[i].text[0] != '-') ops.push_back(cmd.words[i].text);
      if (ops.size() < 2) return;
      std::string_view dest = ops.back();
      const bool into = dest.back() == '/' || ops.size() > 2 || dest == "." || dest == "/";
      if (!into) {
        add(dest);
      } else {
        for (size_t i = 0; i + 1 < ops.size(); ++i)
          add(dfa::join_path(dest, dfa::base_name(ops[i])));
      }
    } else if (n == "curl" || n == "wget") {
      // The output file: curl `-o F` (also in a cluster, `-fsSLo F`), wget `-O F`.
      const char out = n == "curl" ? 'o' : 'O';
      for (size_t i = idx + 1; i + 1 < cmd.words.size(); ++i) {
        std::string_view t = cmd.words[i].text;
        bool cluster = t.size() > 1 && t[0] == '-' && t[1] != '-' && t.back() == out;
        if (cluster || t == "--output" || t == "--output-document") add(cmd.words[i + 1].text);
      }
    }
    for (const auto& rd : cmd.redirects) {
      if (rd.op != ">" && rd.op != ">|" && rd.op != "&>") continue;
      add(rd.target.text);
    }
  }

  void check_run(const Context& ctx, size_t i, const std::vector<const RunScript*>& scripts,
                 const std::vector<CopyInfo>& copies, std::set<size_t>& fixed_copies) const {
    const auto& st = ctx.state[i];
    std::vector<Hit> hits;
    const sh::Command* other = nullptr;  // the first command that is not a permission change
    size_t commands = 0;
    for (const RunScript* s : scripts) {
      dfa::CwdTracker cwd(st.workdir);
      std::vector<std::string> created;  // made by this script: not what COPY put there
      for (const auto& cmd : s->script.commands) {
        cwd.enter(cmd);
        if (!cmd.words.empty()) ++commands;
        note_created(cmd, st.vars, cwd, created);
        auto pc = dfa::parse_perm(cmd);
        if (!pc && !cmd.words.empty() && !other) other = &cmd;
        if (pc) {
          Hit h;
          for (const sh::Word* t : pc->targets) {
            auto r = dfa::resolve_in(t->text, st.vars, cwd);
            if (!r) continue;
            bool fresh = false;
            for (const auto& c : created) fresh = fresh || host_paths::within(*r, c);
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
                } else if (c == h.copies.front() && m == Match::Exact && h.match != Match::Exact) {
                  h.match = m;  // an exact entry of the same COPY beats a tree candidate
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
          } else if (!other) {
            other = &cmd;  // a permission change of something else: the RUN does more
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
    std::string why = add_fix(ctx, f, i, scripts, copies, hits, commands, other, fixed_copies);
    if (!why.empty()) f.fix_refused = std::move(why);
  }

  // The user or group named in `--chown` must exist when the COPY runs (BuildKit resolves names
  // in the image's /etc/passwd and /etc/group then). Empty when it does; else why not.
  static std::string account_problem(const Context& ctx, const Accounts& acc, std::string_view kind,
                                     std::string_view name, size_t copy_index, uint32_t copy_line) {
    if (numeric(name)) return {};
    if (name == "root" && !from_scratch(ctx, ctx.file.instructions[copy_index].stage)) return {};
    auto at = kind == "user" ? acc.user(name) : acc.group(name);
    if (!at)
      return fmt::format("the {} `{}` is not created in this Dockerfile before the {} on line {} (it may come "
                         "from the base image, which tocsin cannot see): with numeric ids (e.g. `chown "
                         "1000:1000`) the fix is safe",
                         kind, name, ctx.file.instructions[copy_index].keyword, copy_line);
    if (*at > copy_index)
      return fmt::format("the {} `{}` is created on line {}, after the {} on line {}: `--chown` there would fail "
                         "the build",
                         kind, name, ctx.out.source().line_of(ctx.file.instructions[*at].span.begin),
                         ctx.file.instructions[copy_index].keyword, copy_line);
    return {};
  }

  static bool from_scratch(const Context& ctx, int stage) {
    for (int guard = 0; stage >= 0 && static_cast<size_t>(stage) < ctx.file.stages.size() && guard < 64; ++guard) {
      const auto& s = ctx.file.stages[static_cast<size_t>(stage)];
      if (s.base_stage < 0) {
        return ascii_lower(s.base) == "scratch";
      }
      stage = s.base_stage;
    }
    return false;
  }

  // Accounts created before instruction `upto` in the stage of `upto` and the stages it builds on.
  static Accounts accounts_before(const Context& ctx, size_t upto) {
    Accounts acc;
    std::set<int> chain;
    for (int s = ctx.file.instructions[upto].stage, guard = 0;
         s >= 0 && static_cast<size_t>(s) < ctx.file.stages.size() && guard < 64; ++guard) {
      chain.insert(s);
      s = ctx.file.stages[static_cast<size_t>(s)].base_stage;
    }
    for (const auto& rs : ctx.scripts) {
      if (rs.instruction >= upto) break;
      if (!chain.count(ctx.file.instructions[rs.instruction].stage)) continue;
      for (const auto& c : rs.script.commands) acc.see(c, rs.instruction);
    }
    return acc;
  }

  // An instruction between the COPY and the RUN that copies over, works in, or uses the copied
  // path: it would see (or change) other owners or modes once the fix moves them to the COPY.
  static std::string between_problem(const Context& ctx, const CopyInfo& ci, size_t entry, size_t run) {
    const std::string& path = ci.entries[entry].path;
    auto overlaps = [&](std::string_view p) { return host_paths::within(p, path) || host_paths::within(path, p); };
    auto line = [&](size_t j) { return ctx.out.source().line_of(ctx.file.instructions[j].span.begin); };
    for (size_t j = ci.instruction + 1; j < run; ++j) {
      const auto& ins = ctx.file.instructions[j];
      const auto& st = ctx.state[j];
      if (ins.kind == df::Kind::Copy || ins.kind == df::Kind::Add) {
        if (auto other = dfa::copy_info(ins, j, st))
          for (const auto& e : other->entries)
            if (overlaps(e.path))
              return fmt::format("the {} on line {} copies into {} in between", ins.keyword, line(j), e.path);
      } else if (ins.kind == df::Kind::Workdir || ins.kind == df::Kind::Volume) {
        const auto& after = j + 1 < ctx.state.size() ? ctx.state[j + 1] : st;
        if (ins.kind == df::Kind::Workdir && overlaps(after.workdir))
          return fmt::format("the WORKDIR on line {} is inside the copied path", line(j));
        for (const auto& v : after.volumes)
          if (overlaps(v)) return fmt::format("the VOLUME on line {} covers the copied path", line(j));
      } else if (ins.kind == df::Kind::Run) {
        for (const auto& rs : ctx.scripts) {
          if (rs.instruction != j) continue;
          dfa::CwdTracker cwd(st.workdir);
          for (const auto& c : rs.script.commands) {
            cwd.enter(c);
            for (const auto& w : c.words) {
              if (w.text.find('/') == std::string::npos && w.text.find('.') == std::string::npos) continue;
              if (auto r = dfa::resolve_in(w.text, st.vars, cwd); r && overlaps(*r))
                return fmt::format("the RUN on line {} uses {} in between (it would see the new owner/mode)",
                                   line(j), *r);
            }
            cwd.after(c, st.vars);
          }
        }
      }
    }
    return {};
  }

  // The autofix, offered only when `COPY --chmod/--chown` gives the same image: the RUN does
  // nothing but chmod/chown of exactly what one COPY created, the mode is octal, the owner and
  // group exist when the COPY runs, nothing in between uses the path, and no other fix changes
  // that COPY. Returns why not, or empty when the fix was added.
  std::string add_fix(const Context& ctx, Finding& f, size_t i, const std::vector<const RunScript*>& scripts,
                      const std::vector<CopyInfo>& copies, const std::vector<Hit>& hits, size_t commands,
                      const sh::Command* other, std::set<size_t>& fixed_copies) const {
    const auto& ins = ctx.file.instructions[i];
    if (ins.json_form) return "the RUN is in exec form";
    if (!ins.heredocs.empty() || scripts.size() != 1) return "the RUN runs a here-document";
    if (!ins.flags.empty()) return fmt::format("the RUN has `--{}`", ins.flags.front().name);
    if (!scripts[0]->script.errors.empty()) return "the RUN's shell script does not parse";
    if (other || hits.size() != commands || scripts[0]->script.commands.size() != commands) {
      std::string what = other && !other->words.empty() ? other->words.front().text : std::string("more");
      return fmt::format("the RUN does more than change what the COPY created (`{}`): removing it would drop "
                         "that too, and a recursive change may cover files it creates",
                         what);
    }
    const auto& st = ctx.state[i];
    if (!st.user.empty() && st.user != "root" && st.user != "0" && st.user.rfind("0:", 0) != 0 &&
        st.user.rfind("root:", 0) != 0)
      return fmt::format("the RUN runs as user `{}`, not root", st.user);
    size_t copy_index = hits.front().copies.front();
    std::optional<std::string> mode, owner;
    for (const auto& h : hits) {
      const auto& c = *h.cmd;
      if (c.depth != 0 || !c.redirects.empty() || !c.assignments.empty() || c.piped_from_prev ||
          c.real_command_index() != 0)
        return fmt::format("`{}` is not a plain {} command", c.words.front().text, tool_name(h.perm.tool));
      if (c.next != sh::Op::None && c.next != sh::Op::And && c.next != sh::Op::Seq)
        return "the commands are joined with `||`, `|` or `&`";
      if (h.perm.via_find) return "`find -exec` changes whatever the tree holds when it runs";
      if (h.perm.reference) return "`--reference` copies the mode/owner of another file";
      if (h.perm.targets.size() != 1) return fmt::format("`{}` changes several paths", tool_name(h.perm.tool));
      if (h.copies.size() != 1 || h.copies.front() != copy_index)
        return "the RUN changes paths that several COPY instructions created";
      const CopyInfo& ci = copies[copy_index];
      const auto& e = ci.entries[h.entry];
      if (h.match != Match::Exact)
        return fmt::format("it changes {}, {} the copied {}: `{}` would cover a different set of files", h.target,
                           h.match == Match::Child ? "inside" : "a parent of", e.path,
                           h.perm.tool == PermTool::Chmod ? "--chmod" : "--chown");
      if (ci.entries.size() != 1) return fmt::format("the {} has several sources", ctx.file.instructions[ci.instruction].keyword);
      if (e.glob) return "the COPY source is a wildcard";
      if (e.tree && !h.perm.recursive)
        return fmt::format("{} may be a directory tree, and `{}` without -R changes only the directory itself, while "
                           "the COPY flag would change every file in it",
                           e.path, tool_name(h.perm.tool));
      if (e.tree)
        return fmt::format("`{} -R` also changes {} itself and whatever the base image or earlier steps left under "
                           "it, which the COPY flag leaves as it was (built in the lab: the directory a COPY creates "
                           "keeps mode 755 under --chmod)",
                           tool_name(h.perm.tool), e.path);
      if (h.perm.spec.find('$') != std::string::npos) return "the mode/owner is a variable";
      if (h.perm.tool == PermTool::Chmod) {
        if (!dfa::is_octal_mode(h.perm.spec))
          return fmt::format("the symbolic mode `{}` keeps the file's other mode bits from the build context, which "
                             "tocsin cannot see: with an octal mode (e.g. `chmod 755`) the fix is safe",
                             h.perm.spec);
        if (mode && *mode != h.perm.spec) return "the RUN sets two different modes";
        mode = h.perm.spec;
      } else if (h.perm.tool == PermTool::Chown) {
        const std::string& spec = h.perm.spec;
        auto colon = spec.find(':');
        if (colon == std::string::npos)
          return fmt::format("`chown {}` keeps the group, while `--chown={}` also sets the group (to the user's id)",
                             spec, spec);
        if (colon == 0 || colon + 1 == spec.size())
          return fmt::format("`chown {}` names {}: write `user:group`", spec,
                             colon == 0 ? "only a group" : "the login group implicitly");
        if (owner && *owner != spec) return "the RUN sets two different owners";
        owner = spec;
      } else {
        return "`chgrp` keeps the owner, which `--chown` would have to name";
      }
    }
    const CopyInfo& ci = copies[copy_index];
    const auto& cins = ctx.file.instructions[ci.instruction];
    const uint32_t copy_line = ctx.out.source().line_of(cins.span.begin);
    if (fixed_copies.count(ci.instruction))
      return fmt::format("the fix of an earlier RUN already changes the {} on line {}: apply it and run tocsin again",
                         cins.keyword, copy_line);
    for (std::string_view name : {"chmod", "chown"}) {
      size_t n = 0;
      for (const auto& fl : cins.flags) n += fl.name == name;
      if (n > 1) return fmt::format("the {} on line {} already has `--{}` twice", cins.keyword, copy_line, name);
    }
    if (auto why = between_problem(ctx, ci, hits.front().entry, i); !why.empty()) return why;

    std::string_view text = ctx.out.source().content();
    Fix fix;
    std::string insert;
    std::vector<std::string> parts;
    std::string problem;
    auto apply = [&](std::string_view name, const std::optional<std::string>& value) {
      if (!value || !problem.empty()) return;
      const df::Flag* fl = cins.flag(name);
      if (fl && unquote_flag(fl->value) == *value) return;  // the COPY already does it
      if (name == "chown") {
        const auto& e = ci.entries[hits.front().entry];
        if (!e.dir_exists) {
          problem = fmt::format("{} may not exist before the {} on line {}: `--chown` would create it owned by {}, "
                                "where the original leaves it to root",
                                dfa::dir_name(e.path), cins.keyword, copy_line, *value);
          return;
        }
        // The names must resolve when the COPY runs (accounts made up to the RUN are collected
        // to tell "created too late" from "not created here").
        Accounts acc = accounts_before(ctx, i);
        auto colon = value->find(':');
        problem = account_problem(ctx, acc, "user", value->substr(0, colon), ci.instruction, copy_line);
        if (problem.empty())
          problem = account_problem(ctx, acc, "group", value->substr(colon + 1), ci.instruction, copy_line);
        if (!problem.empty()) return;
      }
      parts.push_back(fmt::format("--{}={}", name, *value));
      if (fl) {
        if (!fl->has_value) {
          problem = fmt::format("the {} on line {} has `--{}` without a value", cins.keyword, copy_line, name);
          return;
        }
        fix.edits.push_back(TextEdit{ctx.out.range(fl->value_span.begin, fl->value_span.end), *value});
      } else {
        insert += fmt::format(" --{}={}", name, *value);
      }
    };
    apply("chmod", mode);
    apply("chown", owner);
    if (!problem.empty()) return problem;
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
    fix.description =
        joined.empty()
            ? fmt::format("Remove this RUN: the {} on line {} already sets the same owner/mode",
                          cins.keyword, copy_line)
            : fmt::format("Set {} in the {} on line {} and remove this RUN", joined, cins.keyword,
                          copy_line);
    if (!joined.empty()) fixed_copies.insert(ci.instruction);
    f.fix = std::move(fix);
    return {};
  }
};

}  // namespace

std::unique_ptr<Check> make_df001() { return std::make_unique<DF001>(); }

}  // namespace tocsin::iac::dockerfile
