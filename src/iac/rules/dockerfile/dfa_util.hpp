// Helpers shared by DF001–DF007: path arithmetic, conservative variable expansion, what a
// COPY/ADD puts where, chmod/chown command parsing and `cd` tracking inside RUN scripts.
#pragma once
#include <fnmatch.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/host_paths.hpp"
#include "iac/parse/dockerfile.hpp"
#include "iac/parse/dockerfile_eval.hpp"
#include "iac/parse/shell.hpp"

namespace tocsin::iac::dockerfile::dfa {

inline bool is_abs(std::string_view p) {
  if (!p.empty() && p.front() == '/') return true;
  // Windows images: C:\app, c:/app (and `C:\\data` whose escapes were already removed)
  return p.size() >= 2 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
         p[1] == ':';
}

inline bool has_glob(std::string_view p) { return p.find_first_of("*?[") != std::string_view::npos; }

inline std::string_view base_name(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  auto s = p.find_last_of('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

inline std::string dir_name(std::string_view p) {
  auto s = p.find_last_of('/');
  if (s == std::string_view::npos) return ".";
  if (s == 0) return "/";
  return std::string(p.substr(0, s));
}

// `child` is below `parent`, not `parent` itself (both absolute and normalised; "is or is
// below" is host_paths::within).
inline bool strictly_under(std::string_view child, std::string_view parent) {
  return child != parent && host_paths::within(child, parent);
}

inline bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
inline bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Expands ARG/ENV variables only when every one of them is known (or has a default):
// command substitutions and unknown variables make the value unknowable, and guessing would
// turn into false findings.
inline std::optional<std::string> expand_known(std::string_view word, const df::VarMap& vars) {
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c == '`') return std::nullopt;
    if (c != '$' || i + 1 >= word.size()) continue;
    char n = word[i + 1];
    if (n == '(') return std::nullopt;
    if (n == '{') {
      size_t j = i + 2;
      while (j < word.size() && is_name_char(word[j])) ++j;
      std::string_view name = word.substr(i + 2, j - (i + 2));
      if (name.empty()) return std::nullopt;
      bool has_default = j < word.size() && (word[j] == '-' || (word[j] == ':' && j + 1 < word.size() &&
                                                                   word[j + 1] == '-'));
      if (vars.find(name) == vars.end() && !has_default) return std::nullopt;
      if (j < word.size() && word[j] != '}' && word[j] != '-' && word[j] != ':' && word[j] != '+')
        return std::nullopt;  // ${x#pat}, ${x/a/b}: shell-only operators
    } else if (is_name_start(n)) {
      size_t j = i + 1;
      while (j < word.size() && is_name_char(word[j])) ++j;
      if (vars.find(word.substr(i + 1, j - (i + 1))) == vars.end()) return std::nullopt;
    } else if (n == '$' || n == '!' || n == '?' || n == '#' || n == '@' || n == '*' ||
               (n >= '0' && n <= '9')) {
      return std::nullopt;  // shell specials
    }
  }
  return df::expand(word, vars);
}

// Joins a relative `path` onto the absolute `workdir` and normalises "." and ".." (never above
// "/"); trailing slashes are dropped.
inline std::string normalize(std::string_view workdir, std::string_view path) {
  return df::resolve_path(path, workdir);
}

// An absolute, normalised path for a word, or nothing when it cannot be known statically.
inline std::optional<std::string> resolve_word(std::string_view text, const df::VarMap& vars,
                                               std::string_view cwd) {
  auto e = expand_known(text, vars);
  if (!e || e->empty() || e->front() == '~') return std::nullopt;
  if (is_abs(*e)) return normalize("/", *e);
  return normalize(cwd, *e);
}

// ---------------------------------------------------------------------------------------------
// What a COPY/ADD puts into the image.

struct CopiedPath {
  std::string path;   // absolute, normalised; may hold glob characters when `glob`
  bool tree = false;  // a directory whose contents came from the build (children count)
  bool glob = false;  // the source had a wildcard: `path` is a pattern
  bool dir_exists = false;  // the directory that receives it is known to exist before the copy
};

struct CopyInfo {
  size_t instruction = 0;
  std::string dest;             // resolved destination (absolute, normalised)
  bool dest_dir = false;        // destination is a directory (trailing `/` or several sources)
  std::vector<CopiedPath> entries;
  const df::Word* dest_word = nullptr;
};

inline bool looks_remote(std::string_view s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0 || s.rfind("git@", 0) == 0 ||
         s.rfind("ftp://", 0) == 0 || s.rfind("git://", 0) == 0 || s.rfind("ssh://", 0) == 0;
}

inline bool looks_archive(std::string_view s) {
  for (std::string_view ext : {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz",
                               ".tar.zst"}) {
    if (s.size() > ext.size() && s.compare(s.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  return false;
}

inline std::string join_path(std::string_view dir, std::string_view name) {
  std::string r(dir);
  if (r.empty() || r.back() != '/') r += '/';
  r += name;
  return r;
}

// Source names that are almost always directories (`COPY conf /etc/nginx/`, `COPY --from=build
// /app/dist /usr/share/nginx/html/`): Docker copies a directory's contents into the destination,
// so the destination's children are what it created, not `<dest>/<name>`.
inline bool directory_name(std::string_view n) {
  static constexpr std::string_view kNames[] = {
      "bin", "sbin", "lib", "conf", "config", "configs", "etc", "scripts", "script", "src", "source", "app",
      "apps", "dist", "build", "public", "static", "assets", "html", "www", "web", "site", "templates",
      "rootfs", "root", "files", "data", "docs", "target", "out", "output", "vendor", "node_modules",
      "plugins", "themes", "modules", "resources", "include", "share", "tools", "hooks", "certs", "ssl",
      "conf.d", "init.d", "cron.d", "docker-entrypoint.d", "entrypoint.d", "overlay", "services", "migrations",
      "css", "js", "img", "images", "fonts", "frontend", "backend", "server", "client", "cmd", "pkg",
      "internal", "tests", "examples", "deploy", "docker", "supervisor", "s6-overlay"};
  for (auto k : kNames)
    if (n == k) return true;
  return false;
}

// Directories that exist in practically every Linux base image (FHS).
inline bool standard_directory(std::string_view p) {
  static constexpr std::string_view kDirs[] = {
      "/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin", "/usr/local/sbin",
      "/usr/local/lib", "/usr/local/share", "/usr/lib", "/usr/share", "/etc", "/opt", "/tmp", "/var",
      "/var/lib", "/var/log", "/var/tmp", "/var/cache", "/root", "/home", "/srv", "/lib", "/run", "/mnt"};
  for (auto d : kDirs)
    if (p == d) return true;
  return false;
}

// The paths a COPY/ADD creates, or nothing when the destination is not statically known.
// `known_dirs`: directories known to exist before the instruction (WORKDIRs, `mkdir` targets):
// a file copied to one of them without a trailing slash lands inside it.
inline std::optional<CopyInfo> copy_info(const df::Instruction& ins, size_t index,
                                         const df::InstructionState& st,
                                         const std::vector<std::string>* known_dirs = nullptr) {
  if ((ins.kind != df::Kind::Copy && ins.kind != df::Kind::Add) || ins.args.size() < 2)
    return std::nullopt;
  const df::Word& last = ins.args.back();
  auto dest_text = expand_known(last.text, st.vars);
  if (!dest_text || dest_text->empty()) return std::nullopt;
  CopyInfo ci;
  ci.instruction = index;
  ci.dest_word = &last;
  size_t nsrc = ins.args.size() - 1;
  ci.dest = normalize(st.workdir, *dest_text);
  const bool slash = dest_text->back() == '/' || nsrc > 1 || *dest_text == "." ||
                     (dest_text->size() >= 2 && dest_text->compare(dest_text->size() - 2, 2, "/.") == 0);
  // A directory this Dockerfile made (WORKDIR, mkdir) holds the application: an extensionless
  // source copied into it may be a directory whose contents become its children.
  bool own_dir = false;
  if (known_dirs)
    for (const auto& d : *known_dirs) own_dir = own_dir || d == ci.dest;
  const bool existing = own_dir || standard_directory(ci.dest);
  ci.dest_dir = slash || existing;
  bool is_add = ins.kind == df::Kind::Add;
  for (size_t i = 0; i < nsrc; ++i) {
    std::string_view raw = ins.args[i].text;
    if (raw.rfind("<<", 0) == 0) {  // heredoc source: a file named after the delimiter
      std::string_view d = raw.substr(2);
      if (!d.empty() && d.front() == '-') d.remove_prefix(1);
      if (!d.empty() && (d.front() == '"' || d.front() == '\'')) d = d.substr(1, d.size() >= 2 ? d.size() - 2 : 0);
      ci.entries.push_back({ci.dest_dir ? join_path(ci.dest, d) : ci.dest, false, false});
      continue;
    }
    auto src = expand_known(raw, st.vars);
    if (!src) {
      ci.entries.push_back({ci.dest, true, false});
      continue;
    }
    std::string_view s = *src;
    if (looks_remote(s)) {
      std::string_view p = s;
      auto q = p.find_first_of("?#");
      if (q != std::string_view::npos) p = p.substr(0, q);
      bool git = s.rfind("git@", 0) == 0 || (p.size() > 4 && p.compare(p.size() - 4, 4, ".git") == 0);
      if (git || !ci.dest_dir)
        ci.entries.push_back({ci.dest, git, false});
      else
        ci.entries.push_back({join_path(ci.dest, base_name(p)), false, false});
      continue;
    }
    std::string_view b = base_name(s);
    bool dir_like = s == "." || s == "./" || s.back() == '/' || b == "." || b == "..";
    if (dir_like || (is_add && looks_archive(s))) {
      ci.entries.push_back({ci.dest, true, false});
    } else if (has_glob(b)) {
      if (ci.dest_dir)
        ci.entries.push_back({join_path(ci.dest, b), true, true});
      else
        ci.entries.push_back({ci.dest, false, false});
    } else {
      // A name with an extension is taken for a file; names without one may be a directory
      // (whose contents `COPY dir /dst/` spreads into /dst), so they are treated as a tree.
      bool file_like = b.find('.', 1) != std::string_view::npos && !directory_name(b);
      if (!ci.dest_dir || (!slash && !file_like)) {
        // `COPY x /dst`: a file becomes /dst, a directory's contents go into /dst — unless /dst
        // is an existing directory and x a file; an extensionless x into an existing directory
        // is both candidates below.
        if (!ci.dest_dir || directory_name(b) || own_dir) ci.entries.push_back({ci.dest, !file_like, false});
        if (ci.dest_dir) ci.entries.push_back({join_path(ci.dest, b), false, false});
      } else {
        ci.entries.push_back({join_path(ci.dest, b), !file_like, false});
        // A directory's contents spread into the destination directory itself.
        if (!file_like && directory_name(b)) ci.entries.push_back({ci.dest, true, false});
      }
    }
  }
  return ci;
}

enum class Match { None, Exact, Child, Parent };

// How a path touched by a RUN command relates to what a COPY created.
inline Match relate(const CopiedPath& e, std::string_view target, bool recursive) {
  if (has_glob(target)) {
    if (!e.glob && fnmatch(std::string(target).c_str(), e.path.c_str(), FNM_PATHNAME) == 0)
      return Match::Exact;
    if (e.glob && target == e.path) return Match::Exact;
    std::string_view pre = target.substr(0, target.find_first_of("*?["));
    auto slash = pre.find_last_of('/');
    std::string dir = slash == 0 ? std::string("/") : std::string(pre.substr(0, slash));
    if (e.tree && !e.glob && strictly_under(target, e.path) && host_paths::within(dir, e.path)) return Match::Child;
    return Match::None;
  }
  if (e.glob) {
    if (fnmatch(e.path.c_str(), std::string(target).c_str(), FNM_PATHNAME) == 0) return Match::Exact;
    if (recursive && host_paths::within(dir_name(e.path), target)) return Match::Parent;
    return Match::None;
  }
  if (target == e.path) return Match::Exact;
  if (e.tree && host_paths::within(target, e.path)) return Match::Child;
  if (recursive && host_paths::within(e.path, target)) return Match::Parent;
  return Match::None;
}

// ---------------------------------------------------------------------------------------------
// chmod / chown / chgrp, directly or through `find … -exec`.

enum class PermTool { Chmod, Chown, Chgrp };

struct PermCommand {
  PermTool tool = PermTool::Chmod;
  bool recursive = false;
  bool via_find = false;
  bool reference = false;                // --reference=FILE instead of a mode/owner
  std::string spec;                      // mode or owner[:group], as written (unquoted)
  std::vector<const sh::Word*> targets;  // paths as written
};

inline std::optional<PermTool> perm_tool(std::string_view name) {
  if (name == "chmod") return PermTool::Chmod;
  if (name == "chown") return PermTool::Chown;
  if (name == "chgrp") return PermTool::Chgrp;
  return std::nullopt;
}

inline bool is_symbolic_mode_option(std::string_view w) {
  // `chmod -x file`, `chmod -w,o-r f`: a mode that looks like an option
  if (w.size() < 2 || w[0] != '-') return false;
  for (size_t i = 1; i < w.size(); ++i)
    if (std::string_view("rwxXstugoa+-=,").find(w[i]) == std::string_view::npos) return false;
  return w.find_first_of("rwxXst", 1) != std::string_view::npos &&
         w.find_first_not_of("rwxXst", 1) == std::string_view::npos;
}

inline std::optional<PermCommand> parse_perm_words(PermTool tool, const std::vector<sh::Word>& w,
                                                   size_t first) {
  PermCommand pc;
  pc.tool = tool;
  bool have_spec = false, options_done = false;
  for (size_t i = first; i < w.size(); ++i) {
    std::string_view t = w[i].text;
    if (!options_done && t == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && t.size() > 1 && t[0] == '-') {
      if (tool == PermTool::Chmod && !have_spec && is_symbolic_mode_option(t)) {
        pc.spec = std::string(t);
        have_spec = true;
        continue;
      }
      if (t.rfind("--", 0) == 0) {
        if (t == "--recursive") pc.recursive = true;
        if (t.rfind("--reference", 0) == 0) {
          pc.reference = have_spec = true;
          if (t == "--reference") ++i;
        }
        if (t == "--from") ++i;
        continue;
      }
      if (t.find('R') != std::string_view::npos) pc.recursive = true;
      continue;
    }
    if (!have_spec) {
      pc.spec = std::string(t);
      have_spec = true;
      continue;
    }
    pc.targets.push_back(&w[i]);
  }
  if (pc.targets.empty()) return std::nullopt;
  return pc;
}

inline std::optional<PermCommand> parse_perm(const sh::Command& c) {
  if (c.words.empty()) return std::nullopt;
  size_t idx = c.real_command_index();
  if (idx >= c.words.size()) return std::nullopt;
  std::string_view name = base_name(c.words[idx].text);
  if (auto tool = perm_tool(name)) return parse_perm_words(*tool, c.words, idx + 1);
  if (name != "find") return std::nullopt;
  // find ROOT... [tests] -exec chmod MODE {} \; — the roots are changed recursively
  std::vector<const sh::Word*> roots;
  size_t i = idx + 1;
  for (; i < c.words.size(); ++i) {
    std::string_view t = c.words[i].text;
    if (t.empty() || t[0] == '-' || t == "(" || t == "!") break;
    roots.push_back(&c.words[i]);
  }
  for (; i + 1 < c.words.size(); ++i) {
    std::string_view t = c.words[i].text;
    if (t == "-maxdepth" && i + 1 < c.words.size() && c.words[i + 1].text == "0") return std::nullopt;
    if (t != "-exec" && t != "-execdir") continue;
    auto tool = perm_tool(base_name(c.words[i + 1].text));
    if (!tool || roots.empty()) return std::nullopt;
    std::vector<sh::Word> sub;
    for (size_t j = i + 2; j < c.words.size(); ++j) {
      std::string_view x = c.words[j].text;
      if (x == ";" || x == "+" || x == "\\;") break;
      sub.push_back(c.words[j]);
    }
    // Take the mode/owner from the -exec part; the targets are the find roots.
    PermCommand pc;
    pc.tool = *tool;
    pc.recursive = true;
    pc.via_find = true;
    for (const auto& s : sub) {
      std::string_view x = s.text;
      if (x == "{}") continue;
      if (x.size() > 1 && x[0] == '-' && !(pc.tool == PermTool::Chmod && is_symbolic_mode_option(x)))
        continue;
      pc.spec = std::string(x);
      break;
    }
    pc.targets = roots;
    return pc;
  }
  return std::nullopt;
}

inline bool is_octal_mode(std::string_view m) {
  if (m.size() < 3 || m.size() > 4) return false;
  for (char ch : m)
    if (ch < '0' || ch > '7') return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Working directory inside a RUN script: WORKDIR, then `cd` at the same nesting level.

class CwdTracker {
 public:
  explicit CwdTracker(std::string start) { stack_.push_back({-1, std::move(start)}); }
  // Call for every command in order, before looking at its words.
  void enter(const sh::Command& c) {
    while (stack_.size() > 1 && stack_.back().first > c.depth) stack_.pop_back();
  }
  // Call after looking at a command: applies `cd DIR`.
  void after(const sh::Command& c, const df::VarMap& vars) {
    if (c.words.empty()) return;
    size_t idx = c.real_command_index();
    if (idx >= c.words.size()) return;
    std::string_view n = c.words[idx].text;
    if ((n != "cd" && n != "pushd") || idx + 1 >= c.words.size()) return;
    size_t a = idx + 1;
    while (a < c.words.size() && (c.words[a].text == "-P" || c.words[a].text == "-L")) ++a;
    if (a >= c.words.size()) return;
    auto r = resolve_word(c.words[a].text, vars, cwd());
    set(c.depth, r ? *r : std::string());
  }
  // Empty when a `cd` went somewhere unknowable.
  const std::string& cwd() const { return stack_.back().second; }

 private:
  void set(int depth, std::string dir) {
    if (stack_.back().first == depth)
      stack_.back().second = std::move(dir);
    else
      stack_.push_back({depth, std::move(dir)});
  }
  std::vector<std::pair<int, std::string>> stack_;
};

// Like resolve_word, but relative paths need a known cwd.
inline std::optional<std::string> resolve_in(std::string_view text, const df::VarMap& vars,
                                             const CwdTracker& cwd) {
  auto e = expand_known(text, vars);
  if (!e || e->empty()) return std::nullopt;
  if (!is_abs(*e) && cwd.cwd().empty()) return std::nullopt;
  return resolve_word(text, vars, cwd.cwd());
}

}  // namespace tocsin::iac::dockerfile::dfa
