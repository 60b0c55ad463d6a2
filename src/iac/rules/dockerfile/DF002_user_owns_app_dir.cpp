// DF002 user-owns-app-dir: the final image runs as a non-root USER that the Dockerfile made the
// owner of the directory the application runs from (COPY --chown into it, RUN chown of it or of
// a parent with -R, or a world-writable chmod), so the process can rewrite its own code.
#include <fmt/format.h>

#include <algorithm>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"

namespace tocsin::iac::dockerfile {
namespace {

struct Evidence {
  size_t begin = 0;
  size_t end = 0;
  std::string how;  // "COPY --chown=node:node", "chown -R node /app"
  std::string dir;  // the app directory it covers
};

std::string user_part(std::string_view spec) {
  auto c = spec.find(':');
  return std::string(c == std::string_view::npos ? spec : spec.substr(0, c));
}

bool is_root(std::string_view u) { return u.empty() || u == "root" || u == "0"; }

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

// Octal or symbolic modes that let "others" write.
bool world_writable(std::string_view mode) {
  if (dfa::is_octal_mode(mode)) return ((mode.back() - '0') & 2) != 0;
  size_t start = 0;
  while (start <= mode.size()) {
    size_t comma = mode.find(',', start);
    std::string_view clause = mode.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                                 : comma - start);
    auto op = clause.find_first_of("+=");
    if (op != std::string_view::npos) {
      std::string_view who = clause.substr(0, op);
      std::string_view perms = clause.substr(op + 1);
      if ((who.find('o') != std::string_view::npos || who.find('a') != std::string_view::npos) &&
          perms.find('w') != std::string_view::npos)
        return true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

bool is_installer(std::string_view n) {
  for (std::string_view k : {"tar", "bsdtar", "unzip", "cp", "mv", "install", "git", "rsync", "ln"})
    if (n == k) return true;
  return false;
}

class DF002 final : public Check {
 public:
  std::string_view id() const override { return "DF002"; }

  void run(const Context& ctx) const override {
    const auto& file = ctx.file;
    if (file.stages.empty()) return;
    // The final image: the last stage and the stages it is built on.
    std::vector<size_t> chain;
    for (int s = static_cast<int>(file.stages.size()) - 1; s >= 0 && chain.size() < file.stages.size();
         s = file.stages[static_cast<size_t>(s)].base_stage)
      chain.push_back(static_cast<size_t>(s));
    std::reverse(chain.begin(), chain.end());
    std::vector<size_t> order;
    for (size_t s : chain)
      for (size_t i = file.stages[s].first; i <= file.stages[s].last && i < file.instructions.size(); ++i)
        order.push_back(i);
    if (order.empty()) return;

    // The effective USER and the program that runs.
    std::optional<size_t> user_ins, run_ins, entry_ins, cmd_ins;
    for (size_t i : order) {
      auto k = file.instructions[i].kind;
      if (k == df::Kind::User) user_ins = i;
      if (k == df::Kind::Entrypoint) entry_ins = i;
      if (k == df::Kind::Cmd) cmd_ins = i;
    }
    if (!user_ins || file.instructions[*user_ins].args.empty()) return;
    const auto& uins = file.instructions[*user_ins];
    auto uspec = dfa::expand_known(uins.args.front().text, ctx.state[*user_ins].vars);
    if (!uspec) return;
    std::string user = user_part(*uspec);
    if (is_root(user)) return;
    run_ins = entry_ins ? entry_ins : cmd_ins;

    std::vector<std::string> app_dirs;
    auto add_dir = [&](std::string d) {
      if (d.empty() || d == "/") return;
      if (std::find(app_dirs.begin(), app_dirs.end(), d) == app_dirs.end()) app_dirs.push_back(std::move(d));
    };
    size_t at = run_ins ? *run_ins : order.back();
    const auto& ast = ctx.state[at];
    std::string workdir = ast.workdir;
    if (!run_ins && file.instructions[at].kind == df::Kind::Workdir && !file.instructions[at].args.empty()) {
      if (auto w = dfa::resolve_word(file.instructions[at].args.front().text, ast.vars, ast.workdir))
        workdir = *w;
    }
    // The WORKDIR holds the application only with evidence: files copied into it, or a
    // program/script named relative to it (`./serve`, `node server.js`). A user's home as
    // WORKDIR for a program installed elsewhere is not the application directory.
    bool workdir_is_app = false;
    if (run_ins) {
      const auto& r = file.instructions[*run_ins];
      for (size_t a = 0; a < r.args.size() && a < 4; ++a) {
        std::string_view t = r.args[a].text;
        bool relative_file = !t.empty() && t[0] != '-' && !dfa::is_abs(t) &&
                             (t.rfind("./", 0) == 0 || (a > 0 && t.find('.') != std::string_view::npos &&
                                                        t.find('$') == std::string_view::npos));
        if (relative_file) workdir_is_app = true;
        if (a > 0 && t.find('.') == std::string_view::npos) continue;  // only script files
        if (!(dfa::is_abs(t) || t.rfind("./", 0) == 0)) continue;
        if (auto p = dfa::resolve_word(t, ast.vars, workdir)) add_dir(dfa::dir_name(*p));
      }
    }
    size_t wsi = 0;
    for (size_t i : order) {
      if (workdir_is_app || i > at) break;
      if (auto ci = dfa::copy_info(file.instructions[i], i, ctx.state[i]))
        workdir_is_app = host_paths::within(ci->dest, workdir);
      if (file.instructions[i].kind != df::Kind::Run) continue;
      // Software unpacked or copied into it by a RUN (`tar -C /opt/app`, `git clone … /app`).
      while (wsi < ctx.scripts.size() && ctx.scripts[wsi].instruction < i) ++wsi;
      for (size_t k = wsi; k < ctx.scripts.size() && ctx.scripts[k].instruction == i; ++k) {
        dfa::CwdTracker cwd(ctx.state[i].workdir);
        for (const auto& cmd : ctx.scripts[k].script.commands) {
          cwd.enter(cmd);
          size_t idx = cmd.words.empty() ? 0 : cmd.real_command_index();
          if (idx < cmd.words.size() &&
              is_installer(dfa::base_name(cmd.words[idx].text))) {
            for (size_t w = idx + 1; w < cmd.words.size() && !workdir_is_app; ++w) {
              auto r = dfa::resolve_in(cmd.words[w].text, ctx.state[i].vars, cwd);
              workdir_is_app = r && host_paths::within(*r, workdir) && cmd.words[w].text.find('/') != std::string::npos;
            }
          }
          cwd.after(cmd, ctx.state[i].vars);
        }
      }
    }
    if (workdir_is_app) add_dir(workdir);
    if (app_dirs.empty()) return;

    std::vector<Evidence> ev;
    size_t si = 0;
    for (size_t i : order) {
      const auto& ins = file.instructions[i];
      const auto& st = ctx.state[i];
      if (ins.kind == df::Kind::Copy || ins.kind == df::Kind::Add) {
        const df::Flag* ch = ins.flag("chown");
        if (!ch || !ch->has_value) continue;
        auto owner = dfa::expand_known(unquote(ch->value), st.vars);
        if (!owner || user_part(*owner) != user) continue;
        auto ci = dfa::copy_info(ins, i, st);
        if (!ci) continue;
        bool populates_dir = ci->dest_dir;
        for (const auto& e : ci->entries)
          if (e.tree && e.path == ci->dest) populates_dir = true;
        if (!populates_dir) continue;
        for (const auto& d : app_dirs) {
          if (ci->dest == d) {
            ev.push_back({ins.span.begin, ins.span.end,
                          fmt::format("{} --chown={}", ins.keyword, *owner), d});
            break;
          }
        }
        continue;
      }
      if (ins.kind != df::Kind::Run) continue;
      while (si < ctx.scripts.size() && ctx.scripts[si].instruction < i) ++si;
      for (size_t k = si; k < ctx.scripts.size() && ctx.scripts[k].instruction == i; ++k) {
        const RunScript& s = ctx.scripts[k];
        dfa::CwdTracker cwd(st.workdir);
        for (const auto& cmd : s.script.commands) {
          cwd.enter(cmd);
          auto pc = dfa::parse_perm(cmd);
          if (pc) {
            bool gives = false;
            std::string how;
            if (pc->tool == dfa::PermTool::Chown) {
              auto owner = dfa::expand_known(pc->spec, st.vars);
              gives = owner && user_part(*owner) == user;
              how = "chown";
            } else if (pc->tool == dfa::PermTool::Chmod) {
              gives = world_writable(pc->spec);
              how = "chmod";
            }
            for (const sh::Word* t : pc->targets) {
              if (!gives) break;
              auto r = dfa::resolve_in(t->text, st.vars, cwd);
              if (!r) continue;
              bool hit = false;
              for (const auto& d : app_dirs) {
                if (*r == d || (pc->recursive && *r != "/" && host_paths::within(d, *r))) {
                  ev.push_back({ins.span.begin, std::max(ins.span.end, ctx.end_of(s, cmd.words.back())),
                                fmt::format("{} {} {}", how, pc->spec, *r), d});
                  hit = true;
                  break;
                }
              }
              if (hit) break;
            }
          }
          cwd.after(cmd, st.vars);
        }
      }
    }
    if (ev.empty()) return;
    const Evidence& last = ev.back();
    const auto& src = ctx.out.source();
    std::string where = run_ins ? fmt::format("where {} on line {} runs",
                                              file.instructions[*run_ins].keyword,
                                              src.line_of(file.instructions[*run_ins].span.begin))
                                : std::string("the final WORKDIR");
    auto& f = ctx.out.report(
        "DF002", last.begin, last.end,
        fmt::format("The image runs as USER {} (line {}), and `{}` makes that user the owner of {}, "
                    "{}: the process can rewrite its own code and swap files under checks. Keep "
                    "the application root-owned and give the user only the data directories it "
                    "writes.",
                    user, src.line_of(uins.span.begin), last.how, last.dir, where));
    for (size_t k = 0; k + 1 < ev.size(); ++k)
      ctx.out.relate(f, ev[k].begin, ev[k].end, fmt::format("also owned via `{}`", ev[k].how));
    ctx.out.relate(f, uins.span.begin, uins.span.end, "runs as this user");
  }
};

}  // namespace

std::unique_ptr<Check> make_df002() { return std::make_unique<DF002>(); }

}  // namespace tocsin::iac::dockerfile
