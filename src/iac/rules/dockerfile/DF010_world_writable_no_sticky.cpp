// DF010 world-writable-no-sticky: a directory made writable by every user without the sticky
// bit (`chmod 777`, `o+w`, `a+w`, `mkdir -m 777`, `COPY --chmod=777`). Anyone in the container
// can then rename, delete or replace its entries — swap a checked file for a symlink — while
// another process uses them. A world-writable regular file is reported at medium severity.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "iac/rules/dockerfile/check.hpp"
#include "core/strings.hpp"

namespace tocsin::iac::dockerfile {
namespace {

// The permission outcome of a mode: is "others" granted write, is the sticky bit set.
struct ModeResult {
  bool world_writable = false;
  bool sticky = false;
  bool others_exec_cleared = false;  // numeric mode without o+x: useless on a directory
};

bool is_octal(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '7'; });
}

// Evaluates a chmod/mkdir mode. `start_ww`/`start_sticky` describe the bits before a symbolic
// change. A `who`-less `+w`/`=rwx` goes through the umask (022 by default), so it does not
// grant others write. Returns nullopt when the mode cannot be evaluated (variables, `o=u`).
std::optional<ModeResult> eval_mode(std::string_view mode, bool start_ww, bool start_sticky) {
  if (is_octal(mode)) {
    unsigned v = 0;
    for (char c : mode) v = v * 8 + static_cast<unsigned>(c - '0');
    ModeResult r;
    r.world_writable = (v & 02u) != 0;
    r.sticky = (v & 01000u) != 0;
    r.others_exec_cleared = (v & 01u) == 0;
    return r;
  }
  ModeResult r{start_ww, start_sticky, false};
  size_t i = 0;
  while (i <= mode.size()) {
    size_t j = mode.find(',', i);
    if (j == std::string_view::npos) j = mode.size();
    std::string_view clause = mode.substr(i, j - i);
    i = j + 1;
    size_t k = 0;
    bool who_o = false, who_any = false;
    while (k < clause.size() && std::string_view("ugoa").find(clause[k]) != std::string_view::npos) {
      who_any = true;
      if (clause[k] == 'o' || clause[k] == 'a') who_o = true;
      ++k;
    }
    if (k == clause.size()) return std::nullopt;
    while (k < clause.size()) {
      const char op = clause[k++];
      if (op != '+' && op != '-' && op != '=') return std::nullopt;
      bool w = false, t = false;
      while (k < clause.size() && clause[k] != '+' && clause[k] != '-' && clause[k] != '=') {
        const char p = clause[k++];
        if (p == 'w') w = true;
        else if (p == 't') t = true;
        else if (p == 'u' || p == 'g' || p == 'o') return std::nullopt;  // copies: unknown
        else if (std::string_view("rxXs").find(p) == std::string_view::npos) return std::nullopt;
      }
      const bool others = who_o;                 // explicit o or a
      const bool sticky_scope = who_o || !who_any;  // +t, o+t, a+t
      if (op == '+') {
        if (w && others) r.world_writable = true;
        if (t && sticky_scope) r.sticky = true;
      } else if (op == '-') {
        if (w && (others || !who_any)) r.world_writable = false;
        if (t && sticky_scope) r.sticky = false;
      } else {
        if (others || !who_any) r.world_writable = w && others;
        if (sticky_scope) r.sticky = t;
      }
    }
  }
  return r;
}

enum class Target { Directory, Unknown, File };

// Directories that images ship with mode 1777: symbolic changes keep their sticky bit.
bool sticky_by_default(std::string_view p) {
  return p == "/tmp" || p == "/var/tmp" || p == "/dev/shm" || p == "/run/lock" ||
         p == "/var/lock";
}

Target guess_target(std::string_view path) {
  if (path.empty() || path.find_first_of("*?[") != std::string_view::npos) return Target::Unknown;
  if (path.back() == '/') return Target::Directory;
  if (path.rfind("/dev/", 0) == 0 && path.rfind("/dev/shm", 0) != 0) return Target::File;
  const size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= base.size()) return Target::Unknown;
  std::string_view ext = base.substr(dot + 1);
  if (ext.size() > 6 || ext == "d") return Target::Unknown;  // conf.d, python3.11
  const bool alpha = std::any_of(ext.begin(), ext.end(),
                                 [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  const bool word = std::all_of(ext.begin(), ext.end(),
                                [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  return alpha && word ? Target::File : Target::Unknown;
}

// Expands ARG/ENV references when all are known; nullopt when the word has `$(`, backticks or
// an unknown variable.
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

struct Candidate {
  size_t order = 0;  // instruction index * 2^20 + command index
  int stage = -1;
  size_t begin = 0, end = 0;
  std::string what;                 // the command/flag as shown
  std::vector<std::string> paths;   // resolved target paths
  std::vector<std::string> shown;   // as written
  Target target = Target::Unknown;
};

struct Reset {
  size_t order = 0;
  int stage = -1;
  std::string path;
  bool subtree = false;  // `rm -r`: the path and everything below it are gone
};

class DF010 final : public Check {
 public:
  std::string_view id() const override { return "DF010"; }

  void run(const Context& ctx) const override {
    std::vector<Candidate> found;
    std::vector<Reset> resets;
    // Sticky bit of paths after earlier chmods in the stage (symbolic modes keep it).
    std::map<std::pair<int, std::string>, bool> sticky_now;
    // Whether an earlier chmod of this stage left the path writable by others: a later symbolic
    // mode (`chmod +x`) starts from there, so it does not close the hole.
    std::map<std::pair<int, std::string>, bool> ww_now;

    for (const RunScript& rs : ctx.scripts) {
      const df::InstructionState* st =
          rs.instruction < ctx.state.size() ? &ctx.state[rs.instruction] : nullptr;
      static const df::VarMap kNoVars;
      const df::VarMap& vars = st ? st->vars : kNoVars;
      const std::string workdir = st ? st->workdir : "/";
      const int stage = ctx.file.instructions[rs.instruction].stage;
      std::vector<std::string> files_made;  // touched or redirected-to in this script

      for (size_t ci = 0; ci < rs.script.commands.size(); ++ci) {
        const sh::Command& cmd = rs.script.commands[ci];
        const size_t order = (rs.instruction << 20) + ci;
        for (const sh::Redirect& r : cmd.redirects)
          if (!r.op.empty() && r.op[0] == '>')
            if (auto p = expand_known(r.target.text, vars)) files_made.push_back(join_path(workdir, *p));
        const size_t real = cmd.real_command_index();
        if (real >= cmd.words.size()) continue;
        std::vector<const sh::Word*> words;
        for (size_t w = real; w < cmd.words.size(); ++w) words.push_back(&cmd.words[w]);
        std::string_view name = base_name(words[0]->text);

        if (name == "rm") {
          bool rec = false;
          for (size_t w = 1; w < words.size(); ++w) {
            const std::string& t = words[w]->text;
            if (t == "--recursive" || (t.size() > 1 && t[0] == '-' && t[1] != '-' &&
                                       t.find_first_of("rR") != std::string::npos))
              rec = true;
          }
          if (!rec) continue;
          for (size_t w = 1; w < words.size(); ++w) {
            const std::string& t = words[w]->text;
            if (t.empty() || t[0] == '-') continue;
            auto p = expand_known(t, vars);
            resets.push_back({order, stage, p ? join_path(workdir, *p) : t, true});
          }
          continue;
        }
        if (name == "touch") {
          for (size_t w = 1; w < words.size(); ++w)
            if (words[w]->text.empty() || words[w]->text[0] != '-')
              if (auto p = expand_known(words[w]->text, vars))
                files_made.push_back(join_path(workdir, *p));
          continue;
        }
        Target forced = Target::Unknown;
        bool have_forced = false;
        std::vector<const sh::Word*> roots;
        if (name == "find") {
          // `find DIR... -type d -exec chmod 777 {} +`
          size_t w = 1;
          while (w < words.size() && !words[w]->text.empty() && words[w]->text[0] != '-' &&
                 words[w]->text != "(" && words[w]->text != "!")
            roots.push_back(words[w++]);
          size_t exec = 0;
          for (; w < words.size(); ++w) {
            if (words[w]->text == "-type" && w + 1 < words.size()) {
              have_forced = true;
              forced = words[w + 1]->text == "d" ? Target::Directory
                       : words[w + 1]->text == "f" ? Target::File
                                                   : Target::Unknown;
            }
            if ((words[w]->text == "-exec" || words[w]->text == "-execdir") && w + 1 < words.size()) {
              exec = w + 1;
              break;
            }
          }
          if (exec == 0 || base_name(words[exec]->text) != "chmod") continue;
          std::vector<const sh::Word*> sub;
          for (size_t e = exec; e < words.size() && words[e]->text != ";" && words[e]->text != "+"; ++e)
            sub.push_back(words[e]);
          words = std::move(sub);
          name = "chmod";
        }

        std::optional<std::string> mode;
        const sh::Word* mode_word = nullptr;
        bool recursive = false;
        bool is_mkdir = false;
        std::vector<const sh::Word*> targets;
        if (name == "chmod") {
          bool opts_done = false;
          for (size_t w = 1; w < words.size(); ++w) {
            const std::string& t = words[w]->text;
            if (!opts_done && t == "--") { opts_done = true; continue; }
            if (!opts_done && !mode_word && t.rfind("--", 0) == 0) {
              if (t == "--recursive") recursive = true;
              if (t.rfind("--reference", 0) == 0) { mode_word = nullptr; targets.clear(); break; }
              continue;
            }
            if (!opts_done && !mode_word && t.size() > 1 && t[0] == '-' &&
                t.find_first_not_of("RfvcHLP", 1) == std::string::npos) {
              if (t.find('R') != std::string::npos) recursive = true;
              continue;
            }
            if (!mode_word) { mode_word = words[w]; continue; }
            // GNU chmod also takes options after the mode (`chmod 0777 -R dir`).
            if (!opts_done && t.size() > 1 && t[0] == '-' &&
                t.find_first_not_of("RfvcHLP", 1) == std::string::npos) {
              if (t.find('R') != std::string::npos) recursive = true;
              continue;
            }
            targets.push_back(words[w]);
          }
        } else if (name == "mkdir" || name == "install") {
          bool dir_flag = name == "mkdir";
          for (size_t w = 1; w < words.size(); ++w) {
            const std::string& t = words[w]->text;
            if (t.rfind("--mode=", 0) == 0) { mode_word = words[w]; mode = t.substr(7); continue; }
            if (t == "--directory") { dir_flag = true; continue; }
            if (t.rfind("--", 0) == 0) continue;
            if (t.size() > 1 && t[0] == '-') {
              for (size_t c = 1; c < t.size(); ++c) {
                if (t[c] == 'd') dir_flag = true;
                if (t[c] == 'm') {
                  mode_word = words[w];
                  if (c + 1 < t.size()) mode = t.substr(c + 1);
                  else if (w + 1 < words.size()) { mode_word = words[++w]; mode = mode_word->text; }
                  break;
                }
                if ((t[c] == 'o' || t[c] == 'g' || t[c] == 't' || t[c] == 'S') && name == "install") {
                  if (c + 1 == t.size()) ++w;  // option value in the next word
                  break;
                }
              }
              continue;
            }
            targets.push_back(words[w]);
          }
          if (!dir_flag) continue;  // `install -m 777 file dst`: a file copy, not a directory
          is_mkdir = true;
        } else {
          continue;
        }
        if (!mode_word) continue;
        if (!mode) mode = mode_word->text;
        auto mode_text = expand_known(*mode, vars);
        if (!mode_text) continue;

        std::vector<std::string> paths, shown;
        Target worst = Target::File;
        const auto& target_words = roots.empty() ? targets : roots;
        for (const sh::Word* tw : target_words) {
          auto p = expand_known(tw->text, vars);
          std::string path = p ? join_path(workdir, *p) : tw->text;
          auto known = sticky_now.find({stage, path});
          const bool start_sticky =
              known != sticky_now.end() ? known->second : sticky_by_default(path);
          auto was_ww = ww_now.find({stage, path});
          const bool start_ww = is_mkdir || (was_ww != ww_now.end() && was_ww->second);
          auto res = eval_mode(*mode_text, start_ww, start_sticky && !is_mkdir);
          if (!res) continue;
          sticky_now[{stage, path}] = res->sticky;
          ww_now[{stage, path}] = res->world_writable;
          if (!res->world_writable || res->sticky) {
            resets.push_back({order, stage, path});
            continue;
          }
          // Still writable by others, but not because of this command (`chmod +x` after
          // `chmod 777`): the earlier chmod is the finding, and it stays open.
          if (!is_mkdir && start_ww) {
            auto own = eval_mode(*mode_text, false, start_sticky);
            if (own && !own->world_writable) continue;
          }
          // -R on a name that looks like a file (`chmod -R 777 /run.sh`) still changes a file.
          const Target guessed = guess_target(path);
          Target t = is_mkdir || (recursive && guessed != Target::File) ? Target::Directory : guessed;
          if (have_forced) t = forced;
          if (std::find(files_made.begin(), files_made.end(), path) != files_made.end())
            t = Target::File;
          if (t != Target::File && res->others_exec_cleared && !is_mkdir && !recursive)
            t = Target::File;  // 666/662: others cannot enter such a directory anyway
          if (t == Target::Directory && res->others_exec_cleared) continue;
          worst = std::min(worst, t);
          paths.push_back(path);
          shown.push_back(p ? path : tw->text);
        }
        if (paths.empty()) continue;
        Candidate c;
        c.order = order;
        c.stage = stage;
        c.begin = ctx.begin_of(rs, *words.front());
        c.end = ctx.end_of(rs, *words.back());
        c.what = fmt::format("{} {}", name, mode_word->text);
        c.paths = std::move(paths);
        c.shown = std::move(shown);
        c.target = worst;
        found.push_back(std::move(c));
      }
    }

    for (size_t i = 0; i < ctx.file.instructions.size(); ++i) {
      const df::Instruction& ins = ctx.file.instructions[i];
      if (ins.kind != df::Kind::Copy && ins.kind != df::Kind::Add) continue;
      const df::Flag* f = ins.flag("chmod");
      if (!f || !f->has_value || ins.args.empty()) continue;
      const df::VarMap* vars = i < ctx.state.size() ? &ctx.state[i].vars : nullptr;
      std::string mode = f->value;
      if (mode.size() >= 2 && (mode.front() == '"' || mode.front() == '\'')) mode = mode.substr(1, mode.size() - 2);
      if (vars) {
        auto m = expand_known(mode, *vars);
        if (!m) continue;
        mode = *m;
      }
      auto res = eval_mode(mode, false, false);
      if (!res || !res->world_writable || res->sticky) continue;
      Target t = Target::File;
      const size_t nsrc = ins.args.size() - 1;
      if (nsrc == 0) t = Target::Unknown;
      for (size_t s = 0; s < nsrc; ++s) {
        const std::string& src = ins.args[s].text;
        const bool heredoc = src.rfind("<<", 0) == 0;
        if (heredoc) continue;
        if (src == "." || src.back() == '/' || guess_target(src) != Target::File)
          t = std::min(t, Target::Unknown);
      }
      if (t != Target::File && res->others_exec_cleared) t = Target::File;
      const std::string dest = ins.args.back().text;
      const std::string workdir = i < ctx.state.size() ? ctx.state[i].workdir : "/";
      Candidate c;
      c.order = i << 20;
      c.stage = ins.stage;
      c.begin = f->span.begin;
      c.end = f->span.end;
      c.what = fmt::format("{} --chmod={}", ins.keyword, f->value);
      c.paths.push_back(join_path(workdir, vars ? df::expand(dest, *vars) : dest));
      c.shown.push_back(dest);
      c.target = t;
      found.push_back(std::move(c));
    }

    std::sort(found.begin(), found.end(),
              [](const Candidate& a, const Candidate& b) { return a.order < b.order; });
    for (const Candidate& c : found) {
      // A later chmod in the same stage that restores a safe mode (1777, 755), or an `rm -r` of
      // the directory, closes the hole before the image ships; only the build steps in between
      // could race it.
      bool all_reset = true;
      for (const std::string& p : c.paths) {
        const bool reset = std::any_of(resets.begin(), resets.end(), [&](const Reset& r) {
          if (r.stage != c.stage || r.order <= c.order) return false;
          if (r.path == p) return true;
          return r.subtree && (r.path == "/" ? false
                                             : p.size() > r.path.size() && p.compare(0, r.path.size(), r.path) == 0 &&
                                                   p[r.path.size()] == '/');
        });
        if (!reset) all_reset = false;
      }
      if (all_reset) continue;
      std::string list;
      for (size_t k = 0; k < c.shown.size() && k < 3; ++k) {
        if (k) list += ", ";
        list += c.shown[k];
      }
      if (c.shown.size() > 3) list += fmt::format(" (and {} more)", c.shown.size() - 3);
      if (c.target == Target::File) {
        Finding& f = ctx.out.report(
            "DF010", c.begin, c.end,
            fmt::format("`{}` makes {} writable by every user: any process in the container can "
                        "rewrite it between the moment another one checks it and uses it. Give it "
                        "to its owner with a mode such as 644 or 640.",
                        c.what, list));
        f.severity = Severity::medium;
      } else {
        ctx.out.report(
            "DF010", c.begin, c.end,
            fmt::format("`{}` makes {} world-writable without the sticky bit: any user in the "
                        "container can delete, rename or replace its entries (swap a file for a "
                        "symlink) while another process checks and uses them. Give the directory "
                        "to the user that needs it (`chown app` and mode 750/770), or use 1777 "
                        "for a shared scratch directory.",
                        c.what, list));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_df010() { return std::make_unique<DF010>(); }

}  // namespace tocsin::iac::dockerfile
