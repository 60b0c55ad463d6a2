// DF006 shell-check-then-use: in a RUN script, a `test`/`[`/`[[` file check on a path in a
// world-writable directory (/tmp, /var/tmp, /dev/shm) followed by a use of the same path;
// `mktemp -u`; and temp names made predictable with `$$`/`$RANDOM`.
#include <fmt/format.h>

#include <algorithm>

#include "core/strings.hpp"
#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"

namespace tocsin::iac::dockerfile {
namespace {

bool in_shared_tmp(std::string_view p) {
  for (std::string_view d : {"/tmp", "/var/tmp", "/dev/shm"})
    if (dfa::strictly_under(p, d)) return true;
  return false;
}

bool is_file_test(std::string_view op) {
  return one_of(op, {"-e", "-f", "-d", "-L", "-h", "-s", "-r", "-w", "-x", "-p", "-S", "-b", "-c",
                     "-O", "-G", "-a"});
}

// Raw temp-name patterns that a local user can guess.
bool predictable(std::string_view raw) {
  bool tmp = false;
  for (std::string_view d : {"/tmp/", "/var/tmp/", "/dev/shm/"}) {
    auto p = raw.find(d);
    if (p == 0 || (p != std::string_view::npos && (raw[p - 1] == '"' || raw[p - 1] == '\'')))
      tmp = true;
  }
  if (!tmp) return false;
  return raw.find("$$") != std::string_view::npos || raw.find("$RANDOM") != std::string_view::npos ||
         raw.find("${RANDOM}") != std::string_view::npos;
}

struct Check_ {
  std::string path;
  size_t begin = 0, end = 0;  // file range of the test command
  bool used = false;
};

class DF006 final : public Check {
 public:
  std::string_view id() const override { return "DF006"; }

  void run(const Context& ctx) const override {
    for (const auto& s : ctx.scripts) check_script(ctx, s);
  }

 private:
  static void report(const Context& ctx, const RunScript& s, const sh::Command& cmd, std::string msg,
                     const Check_* chk = nullptr) {
    const auto& ins = ctx.file.instructions[s.instruction];
    size_t end = cmd.words.empty() ? ins.span.end
                                   : std::max(ins.span.end, ctx.end_of(s, cmd.words.back()));
    for (const auto& r : cmd.redirects) end = std::max(end, ctx.end_of(s, r.target));
    auto& f = ctx.out.report("DF006", ins.span.begin, end, std::move(msg));
    if (chk) ctx.out.relate(f, chk->begin, chk->end, "checked here");
  }

  static void check_script(const Context& ctx, const RunScript& s) {
    const auto& vars = ctx.state[s.instruction].vars;
    dfa::CwdTracker cwd(ctx.state[s.instruction].workdir);
    std::vector<Check_> checks;
    for (const auto& cmd : s.script.commands) {
      cwd.enter(cmd);
      size_t idx = cmd.words.empty() ? 0 : cmd.real_command_index();
      std::string_view name =
          idx < cmd.words.size() ? dfa::base_name(cmd.words[idx].text) : std::string_view();
      bool is_test = one_of(name, {"test", "[", "[["});
      if (is_test) {
        for (size_t i = idx + 1; i + 1 < cmd.words.size(); ++i) {
          if (!is_file_test(cmd.words[i].text)) continue;
          auto r = dfa::resolve_in(cmd.words[i + 1].text, vars, cwd);
          if (!r || !in_shared_tmp(*r)) continue;
          checks.push_back({*r, ctx.begin_of(s, cmd.words[idx]), ctx.end_of(s, cmd.words.back()), false});
        }
      } else if (name == "mktemp") {
        for (size_t i = idx + 1; i < cmd.words.size(); ++i) {
          std::string_view t = cmd.words[i].text;
          bool dry = t == "--dry-run" ||
                     (t.size() > 1 && t[0] == '-' && t[1] != '-' && t.find('u') != std::string_view::npos);
          if (!dry) continue;
          report(ctx, s, cmd,
                 "`mktemp -u` only prints a name that did not exist when it looked: another process "
                 "can create it (or a symlink) before the script does. Create the file or directory "
                 "atomically with `mktemp` / `mktemp -d` and use the path it returns.");
          break;
        }
      }
      if (!is_test && idx < cmd.words.size()) {
        // A use of a checked path (or something below it) — rm is cleanup, not a use.
        bool cleanup = one_of(name, {"rm", "rmdir", "echo", "printf"});
        for (auto& c : checks) {
          if (c.used) continue;
          bool hit = false;
          if (!cleanup) {
            for (size_t i = idx + 1; i < cmd.words.size() && !hit; ++i) {
              auto r = dfa::resolve_in(cmd.words[i].text, vars, cwd);
              hit = r && host_paths::within(*r, c.path);
            }
          }
          for (const auto& rd : cmd.redirects) {
            if (hit || rd.op == "<<" || rd.op == "<<-" || rd.op == "<<<") continue;
            auto r = dfa::resolve_in(rd.target.text, vars, cwd);
            hit = r && host_paths::within(*r, c.path);
          }
          if (!hit) continue;
          c.used = true;
          report(ctx, s, cmd,
                 fmt::format("{} is checked and then used by `{}`: it lives in a world-writable "
                             "directory, so another process can create or swap it (e.g. with a "
                             "symlink) between the check and the use. Create a private directory "
                             "with `mktemp -d` and work inside it.",
                             c.path, name),
                 &c);
        }
      }
      // Predictable temp names written to: redirections and creating commands.
      bool reported = false;
      for (const auto& rd : cmd.redirects) {
        if (reported || !(rd.op == ">" || rd.op == ">>" || rd.op == ">|" || rd.op == "&>" ||
                          rd.op == "&>>"))
          continue;
        if (predictable(rd.target.raw)) {
          report(ctx, s, cmd, predictable_msg(rd.target.raw));
          reported = true;
        }
      }
      if (!reported && idx < cmd.words.size() &&
          one_of(name, {"touch", "mkdir", "tee", "cp", "mv", "ln", "install", "mkfifo"})) {
        for (size_t i = idx + 1; i < cmd.words.size(); ++i) {
          bool dest = one_of(name, {"touch", "mkdir", "tee", "mkfifo"}) || i + 1 == cmd.words.size();
          if (dest && predictable(cmd.words[i].raw)) {
            report(ctx, s, cmd, predictable_msg(cmd.words[i].raw));
            break;
          }
        }
      }
      cwd.after(cmd, vars);
    }
  }

  static std::string predictable_msg(std::string_view raw) {
    return fmt::format("`{}` is a predictable name in a world-writable directory (`$$`/`$RANDOM` "
                       "can be guessed): another process can create it first or plant a symlink "
                       "there. Use `mktemp` / `mktemp -d` instead.",
                       raw);
  }
};

}  // namespace

std::unique_ptr<Check> make_df006() { return std::make_unique<DF006>(); }

}  // namespace tocsin::iac::dockerfile
