// DF005 unverified-remote-content: remote content used before anything checked it — `ADD <url>`
// without --checksum, curl/wget output piped or substituted into a shell (or tar), and files
// downloaded in RUN then executed, extracted or installed with no checksum/signature check
// in between (tracked across the RUNs of a stage).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"
#include "core/strings.hpp"

namespace tocsin::iac::dockerfile {
namespace {

bool is_shell(std::string_view n) { return one_of(n, {"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"}); }
bool is_interp(std::string_view n) {
  return one_of(n, {"python", "python2", "python3", "perl", "ruby", "node", "php"});
}

// A shell/interpreter that reads its program from stdin (`sh`, `bash -s --`, `python3 -`).
bool reads_stdin(const sh::Command& c, size_t idx) {
  for (size_t i = idx + 1; i < c.words.size(); ++i) {
    std::string_view t = c.words[i].text;
    if (t == "--" || t == "-") return true;
    if (t.size() > 1 && t[0] == '-') {
      if (t.rfind("--", 0) != 0 && t.find('c') != std::string_view::npos) return false;
      // `bash -s stable`: -s reads the program from stdin; what follows are its arguments.
      if (t.rfind("--", 0) != 0 && t.find('s') != std::string_view::npos) return true;
      if (t == "-o" || t == "-O") ++i;  // sh -o pipefail
      continue;
    }
    if (t.size() > 1 && t[0] == '+') continue;
    return false;  // a script file argument
  }
  return true;
}

bool tar_extracts(const sh::Command& c, size_t idx) {
  for (size_t i = idx + 1; i < c.words.size(); ++i) {
    std::string_view t = c.words[i].text;
    if (t == "--extract" || t == "--get") return true;
    if (t.rfind("--", 0) == 0) continue;
    if (!t.empty() && t[0] == '-' && t.find('x') != std::string_view::npos) return true;
    if (i == idx + 1 && !t.empty() && t[0] != '-' && t.find('x') != std::string_view::npos &&
        t.find_first_not_of("xzjJvfpCtcaOomZ") == std::string_view::npos)
      return true;  // old-style `tar xzf file`
  }
  return false;
}

bool is_verify(const sh::Command& c, size_t idx) {
  std::string_view n = dfa::base_name(c.words[idx].text);
  if (one_of(n, {"sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "md5sum", "b2sum",
                 "shasum", "gpgv", "gpgv2", "slsa-verifier", "sigstore"}))
    return true;
  auto any = [&](std::initializer_list<std::string_view> list) {
    for (size_t i = idx + 1; i < c.words.size(); ++i) {
      std::string_view t = c.words[i].text;
      for (auto l : list)
        if (t == l || (l.rfind("--", 0) == 0 && t.rfind(std::string(l) + "=", 0) == 0)) return true;
    }
    return false;
  };
  if (n == "gpg" || n == "gpg2") return any({"--verify", "--verify-files"});
  if (n == "cosign") return any({"verify", "verify-blob", "verify-attestation"});
  if (n == "minisign" || n == "signify") return any({"-V"});
  if (n == "openssl")  // `openssl dgst -verify`, or a digest compared by the script
    return any({"-verify", "-prverify", "-signature", "dgst", "sha1", "sha256", "sha384", "sha512",
                "md5"});
  if (n == "rpm") return any({"-K", "--checksig"});
  return false;
}

struct Fetch {
  std::string tool;
  std::string url;
  std::optional<std::string> out;  // -o/-O file as written
  bool remote_name = false;        // curl -O / wget default
  std::string dir;                 // --output-dir / -P
  bool to_stdout = false;
};

std::optional<Fetch> parse_fetch(const sh::Command& c, size_t idx) {
  std::string_view n = dfa::base_name(c.words[idx].text);
  bool curl = n == "curl";
  if (!curl && n != "wget") return std::nullopt;
  Fetch f;
  f.tool = std::string(n);
  std::string_view short_vals = curl ? "oHduAexXmCTwbcFKrYyzEQ" : "OoPtTUeaiwQBlDARIX";
  static constexpr std::array<std::string_view, 30> kLongVals = {
      "--output", "--output-dir", "--header", "--data", "--data-binary", "--data-raw", "--user",
      "--user-agent", "--retry", "--retry-delay", "--retry-max-time", "--connect-timeout",
      "--max-time", "--proto", "--proto-redir", "--cacert", "--cert", "--key", "--referer",
      "--request", "--output-document", "--directory-prefix", "--tries", "--timeout", "--password",
      "--output-file", "--append-output", "--input-file", "--wait", "--method"};
  auto set_out = [&](char opt, std::string v) {
    if (curl ? opt == 'o' : opt == 'O') f.out = std::move(v);
    else if (!curl && opt == 'P') f.dir = std::move(v);
  };
  for (size_t i = idx + 1; i < c.words.size(); ++i) {
    std::string_view t = c.words[i].text;
    if (t.rfind("--", 0) == 0 && t.size() > 2) {
      auto eq = t.find('=');
      std::string_view name = t.substr(0, eq);
      std::string value;
      bool takes = std::find(kLongVals.begin(), kLongVals.end(), name) != kLongVals.end();
      if (eq != std::string_view::npos)
        value = std::string(t.substr(eq + 1));
      else if (takes && i + 1 < c.words.size())
        value = c.words[++i].text;
      if (name == "--output" || name == "--output-document") f.out = value;
      if (name == "--output-dir" || name == "--directory-prefix") f.dir = value;
      if (name == "--remote-name" || name == "--remote-name-all") f.remote_name = true;
      continue;
    }
    if (t.size() > 1 && t[0] == '-') {
      for (size_t j = 1; j < t.size(); ++j) {
        char ch = t[j];
        if (curl && ch == 'O') {
          f.remote_name = true;
          continue;
        }
        if (short_vals.find(ch) == std::string_view::npos) continue;
        std::string value;
        if (j + 1 < t.size())
          value = std::string(t.substr(j + 1));
        else if (i + 1 < c.words.size())
          value = c.words[++i].text;
        set_out(ch, std::move(value));
        break;
      }
      continue;
    }
    if (f.url.empty()) f.url = std::string(t);
  }
  if (f.out && *f.out == "-") {
    f.out.reset();
    f.to_stdout = true;
  } else if (!f.out) {
    if (curl && !f.remote_name) f.to_stdout = true;
    if (!curl) f.remote_name = true;
  }
  return f;
}

// A URL that names a full git commit id (raw.githubusercontent.com/<org>/<repo>/<sha>/…)
// serves content that cannot change: as good as a checksum.
bool pinned_url(std::string_view url, const df::VarMap& vars) {
  std::string u = dfa::expand_known(url, vars).value_or(std::string(url));
  size_t i = 0;
  while (i < u.size()) {
    size_t j = u.find_first_of("/#@", i);
    if (j == std::string::npos) j = u.size();
    std::string_view seg = std::string_view(u).substr(i, j - i);
    if (seg.size() == 40 && seg.find_first_not_of("0123456789abcdef") == std::string_view::npos)
      return true;
    i = j + 1;
  }
  return false;
}

std::string url_basename(std::string_view url) {
  auto q = url.find_first_of("?#");
  if (q != std::string_view::npos) url = url.substr(0, q);
  return std::string(dfa::base_name(url));
}

struct Download {
  std::string key;    // resolved path, or "raw:<text>" when it holds unknowable variables
  std::string shown;  // for messages
  std::string tool;
  std::string url;
  size_t instruction = 0;
  size_t begin = 0, end = 0;  // file range of the download command
  bool verified = false;
  bool reported = false;
  // `chmod +x` of the download: not a use by itself (a checksum check may follow in the same
  // RUN); reported there only when that RUN ends with the file still unverified.
  const RunScript* chmod_script = nullptr;
  const sh::Command* chmod_cmd = nullptr;
};

std::string key_of(std::string_view text, const df::VarMap& vars, const dfa::CwdTracker& cwd) {
  if (auto r = dfa::resolve_in(text, vars, cwd)) return *r;
  return "raw:" + std::string(text);
}

bool in_path_dir(std::string_view p) {
  std::string d = dfa::dir_name(p);
  return one_of(d, {"/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"});
}

bool makes_executable(std::string_view mode) {
  if (dfa::is_octal_mode(mode)) {
    for (size_t i = mode.size() - 3; i < mode.size(); ++i)
      if ((mode[i] - '0') & 1) return true;
    return false;
  }
  return mode.find('x') != std::string_view::npos && mode.find('-') == std::string_view::npos;
}

// A downloaded checksum list or detached signature (its check covers the other downloads).
bool is_checksum_list(std::string_view base) {
  const std::string l = ascii_lower(base);
  for (std::string_view k : {"sum", "sha", ".asc", ".sig", ".sign", "checksum", "md5", ".minisig"})
    if (l.find(k) != std::string::npos) return true;
  return false;
}

class DF005 final : public Check {
 public:
  std::string_view id() const override { return "DF005"; }

  void run(const Context& ctx) const override {
    check_add(ctx);
    std::vector<Download> downloads;
    int stage = -2;
    size_t last_run = SIZE_MAX;
    for (const auto& s : ctx.scripts) {
      const auto& ins = ctx.file.instructions[s.instruction];
      // A download made executable in a RUN must be verified by the end of that RUN.
      if (s.instruction != last_run) report_unverified_executables(ctx, downloads);
      last_run = s.instruction;
      if (ins.stage != stage) {
        downloads.clear();
        stage = ins.stage;
      }
      const auto& vars = ctx.state[s.instruction].vars;
      dfa::CwdTracker cwd(ctx.state[s.instruction].workdir);
      const auto& cmds = s.script.commands;
      for (size_t ci = 0; ci < cmds.size(); ++ci) {
        const sh::Command& cmd = cmds[ci];
        cwd.enter(cmd);
        if (cmd.words.empty()) continue;
        size_t idx = cmd.real_command_index();
        if (idx >= cmd.words.size()) continue;
        std::string_view name = dfa::base_name(cmd.words[idx].text);
        check_substitution(ctx, s, cmd, idx, name);
        if (auto fetch = parse_fetch(cmd, idx)) {
          if (pinned_url(fetch->url, vars)) {
            // content-addressed: nothing to verify
          } else if (fetch->to_stdout) {
            check_pipe(ctx, s, cmds, ci, *fetch);
          } else {
            Download d;
            d.tool = fetch->tool;
            d.url = fetch->url;
            d.instruction = s.instruction;
            d.begin = ctx.begin_of(s, cmd.words[idx]);
            d.end = ctx.end_of(s, cmd.words.back());
            std::string file;
            if (fetch->out) {
              file = *fetch->out;
            } else {
              file = url_basename(fetch->url);
              if (file.empty()) continue;
            }
            if (!fetch->dir.empty() && !dfa::is_abs(file)) file = dfa::join_path(fetch->dir, file);
            d.key = key_of(file, vars, cwd);
            d.shown = file;
            downloads.push_back(std::move(d));
          }
        } else if (is_verify(cmd, idx)) {
          mark_verified(cmds, ci, downloads);
        } else {
          check_use(ctx, s, cmd, idx, name, vars, cwd, downloads);
        }
        cwd.after(cmd, vars);
      }
    }
    report_unverified_executables(ctx, downloads);
  }

 private:
  // Downloads made executable and not verified by the end of that RUN (nor run in it, which
  // reports them): the image ships, or a later step runs, an unverified program.
  static void report_unverified_executables(const Context& ctx, std::vector<Download>& downloads) {
    for (auto& d : downloads) {
      if (d.verified || d.reported || !d.chmod_cmd) continue;
      d.reported = true;
      uint32_t line = ctx.out.source().line_of(d.begin);
      report_run(ctx, *d.chmod_script, *d.chmod_cmd,
                 fmt::format("`chmod` makes {} executable, downloaded by {} on line {}, and nothing checks its "
                             "checksum or signature before the image ships it: a compromised server or connection "
                             "decides what runs. Verify it first (`echo \"<sha256>  {}\" | sha256sum -c -` or "
                             "`gpg --verify`).",
                             d.shown, d.tool, line, dfa::base_name(d.shown)),
                 &d);
    }
  }

  static void check_add(const Context& ctx) {
    for (const auto& ins : ctx.file.instructions) {
      if (ins.kind != df::Kind::Add || ins.args.size() < 2) continue;
      if (ins.flag("checksum")) continue;
      for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
        std::string_view u = ins.args[i].text;
        if (!dfa::looks_remote(u)) continue;
        auto hash = u.find('#');
        if (hash != std::string_view::npos) {
          std::string_view ref = u.substr(hash + 1);
          ref = ref.substr(0, ref.find(':'));
          if (ref.size() == 40 && ref.find_first_not_of("0123456789abcdef") == std::string_view::npos)
            continue;  // git ref pinned to a commit
        }
        ctx.out.report("DF005", ins.span.begin, ins.span.end,
                       fmt::format("ADD fetches {} without `--checksum`: whoever controls the server "
                                   "or the connection decides what goes into the image. Pin it with "
                                   "`ADD --checksum=sha256:<digest>`, or download and verify it in "
                                   "a RUN.",
                                   u));
        break;
      }
    }
  }

  static void report_run(const Context& ctx, const RunScript& s, const sh::Command& cmd,
                         std::string msg, const Download* from = nullptr) {
    const auto& ins = ctx.file.instructions[s.instruction];
    auto& f = ctx.out.report("DF005", ins.span.begin,
                             std::max(ins.span.end, ctx.end_of(s, cmd.words.back())), std::move(msg));
    if (from && (from->instruction != s.instruction))
      ctx.out.relate(f, from->begin, from->end, "downloaded here");
  }

  // `sh -c "$(curl …)"`, `bash <(wget -O- …)`, `eval "$(curl …)"`, `. <(curl …)`
  static void check_substitution(const Context& ctx, const RunScript& s, const sh::Command& cmd,
                                 size_t idx, std::string_view name) {
    if (!is_shell(name) && !is_interp(name) && !one_of(name, {"eval", "source", "."})) return;
    for (size_t i = idx + 1; i < cmd.words.size(); ++i) {
      std::string_view raw = cmd.words[i].raw;
      for (std::string_view pat : {"$(curl", "$(wget", "<(curl", "<(wget", "`curl", "`wget"}) {
        if (raw.find(pat) == std::string_view::npos) continue;
        report_run(ctx, s, cmd,
                   fmt::format("`{}` runs the output of `{}` directly: nothing verifies the remote "
                               "script, so whoever controls the server or the connection controls "
                               "the build. Download it to a file, check its sha256 or signature, then "
                               "run it.",
                               name, pat.substr(2)));
        return;
      }
    }
  }

  // `curl … | sh`, `wget -O- … | sudo bash -`, `curl … | tar -xz`
  static void check_pipe(const Context& ctx, const RunScript& s, const std::vector<sh::Command>& cmds,
                         size_t ci, const Fetch& fetch) {
    if (cmds[ci].next != sh::Op::Pipe) return;
    for (size_t k = ci + 1; k < cmds.size(); ++k) {
      const auto& c = cmds[k];
      if (c.depth < cmds[ci].depth) break;
      if (c.depth > cmds[ci].depth) continue;
      if (!c.piped_from_prev) break;
      if (c.words.empty()) break;
      size_t idx = c.real_command_index();
      if (idx >= c.words.size()) break;
      std::string_view n = dfa::base_name(c.words[idx].text);
      if ((is_shell(n) || is_interp(n)) && reads_stdin(c, idx)) {
        report_run(ctx, s, c,
                   fmt::format("`{} {}` is piped into `{}`: the script runs as it arrives, with no "
                               "checksum or signature check, so whoever controls the server or the "
                               "connection controls the build. Download to a file, verify it "
                               "(`sha256sum -c`, `gpg --verify`), then run it.",
                               fetch.tool, fetch.url, n));
        return;
      }
      if ((n == "tar" || n == "bsdtar") && tar_extracts(c, idx)) {
        report_run(ctx, s, c,
                   fmt::format("`{} {}` is piped into `tar`: the archive is unpacked into the image "
                               "without a checksum or signature check. Download it to a file, verify "
                               "it (`sha256sum -c`, `gpg --verify`), then extract it.",
                               fetch.tool, fetch.url));
        return;
      }
      if (c.next != sh::Op::Pipe) break;
    }
  }

  static void mark_verified(const std::vector<sh::Command>& cmds, size_t ci,
                            std::vector<Download>& downloads) {
    // Words of the verifying command and of the commands piped into it (`echo "$sha  f" | sha256sum -c`).
    std::vector<std::string_view> words;
    for (size_t k = ci + 1; k-- > 0;) {
      for (const auto& w : cmds[k].words) words.push_back(w.text);
      if (!cmds[k].piped_from_prev) break;
    }
    bool named = false, list = false;
    for (auto& d : downloads) {
      if (d.verified) continue;
      std::string base(dfa::base_name(d.shown));
      for (auto w : words) {
        if (!base.empty() && w.find(base) != std::string_view::npos) {
          d.verified = named = true;
          list = list || is_checksum_list(base);
          break;
        }
      }
    }
    // `sha256sum -c SHA256SUMS`, `gpg --verify x.asc`: covers what was fetched
    if (!named || list)
      for (auto& d : downloads) d.verified = true;
  }

  static void check_use(const Context& ctx, const RunScript& s, const sh::Command& cmd, size_t idx,
                        std::string_view name, const df::VarMap& vars, const dfa::CwdTracker& cwd,
                        std::vector<Download>& downloads) {
    if (downloads.empty()) return;
    auto matches = [&](size_t w, const Download& d) {
      return key_of(cmd.words[w].text, vars, cwd) == d.key;
    };
    auto positional = [&](size_t from) {
      for (size_t i = from; i < cmd.words.size(); ++i)
        if (cmd.words[i].text.empty() || cmd.words[i].text[0] != '-') return i;
      return cmd.words.size();
    };
    for (auto& d : downloads) {
      if (d.verified || d.reported) continue;
      std::string verb;
      std::string_view cmd_word = cmd.words[idx].text;
      if (cmd_word.find('/') != std::string_view::npos && matches(idx, d)) {
        verb = "executes";
      } else if (cmd_word == dfa::base_name(d.key) && in_path_dir(d.key)) {
        verb = "executes";
      } else if ((is_shell(name) || is_interp(name) || name == "." || name == "source")) {
        size_t p = positional(idx + 1);
        if (p < cmd.words.size() && matches(p, d)) verb = "runs";
      } else if (name == "java") {
        for (size_t i = idx + 1; i + 1 < cmd.words.size(); ++i)
          if (cmd.words[i].text == "-jar" && matches(i + 1, d)) verb = "runs";
      } else if (name == "mv") {
        size_t last = cmd.words.size() - 1;
        for (size_t i = idx + 1; i < last; ++i) {
          if (!matches(i, d)) continue;
          std::string dest = cmd.words[last].text;
          auto r = dfa::resolve_in(dest, vars, cwd);
          if (!r) break;
          bool into_dir = (!dest.empty() && dest.back() == '/') ||
                          one_of(*r, {"/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin",
                                      "/bin", "/sbin", "/opt", "/tmp"});
          d.key = into_dir ? dfa::join_path(*r, dfa::base_name(d.key)) : *r;
          d.shown = d.key;
          break;
        }
        continue;
      } else {
        bool consumer = false;
        std::string_view v;
        std::string_view sub = idx + 1 < cmd.words.size() ? std::string_view(cmd.words[idx + 1].text) : "";
        auto has_word = [&](std::initializer_list<std::string_view> l) {
          for (size_t i = idx + 1; i < cmd.words.size(); ++i)
            if (one_of(cmd.words[i].text, l)) return true;
          return false;
        };
        if ((name == "tar" || name == "bsdtar") && tar_extracts(cmd, idx)) {
          consumer = true;
          v = "extracts";
        } else if (one_of(name, {"unzip", "7z", "7za", "cpio", "gunzip", "xz", "bunzip2", "unxz"})) {
          consumer = name != "xz" || has_word({"-d", "--decompress"});
          v = "unpacks";
        } else if (name == "dpkg") {
          consumer = has_word({"-i", "--install"});
          v = "installs";
        } else if (name == "rpm") {
          for (size_t i = idx + 1; i < cmd.words.size(); ++i) {
            std::string_view t = cmd.words[i].text;
            if (t.size() > 1 && t[0] == '-' && t[1] != '-' && t.find_first_of("iU") != std::string_view::npos)
              consumer = true;
            if (t == "--install" || t == "--upgrade") consumer = true;
          }
          v = "installs";
        } else if (one_of(name, {"apt", "apt-get", "yum", "dnf", "zypper", "microdnf"})) {
          consumer = one_of(sub, {"install", "localinstall", "reinstall"}) || has_word({"install"});
          v = "installs";
        } else if (name == "apk") {
          consumer = has_word({"add"});
          v = "installs";
        } else if (one_of(name, {"pip", "pip3", "gem", "npm"})) {
          consumer = has_word({"install", "i"});
          v = "installs";
        } else if (name == "install") {
          consumer = true;
          v = "installs";
        } else if (name == "chmod") {
          auto pc = dfa::parse_perm(cmd);
          if (pc && makes_executable(pc->spec)) {
            for (const sh::Word* t : pc->targets)
              if (key_of(t->text, vars, cwd) == d.key && !d.chmod_cmd) {
                d.chmod_script = &s;
                d.chmod_cmd = &cmd;
              }
          }
        }
        if (consumer) {
          for (size_t i = idx + 1; i < cmd.words.size() && verb.empty(); ++i)
            if (matches(i, d)) verb = std::string(v);
        }
      }
      if (verb.empty()) continue;
      d.reported = true;
      uint32_t line = ctx.out.source().line_of(d.begin);
      report_run(ctx, s, cmd,
                 fmt::format("`{}` {} {}, downloaded by {} on line {} with no checksum or signature "
                             "check in between: a compromised server or connection decides what "
                             "runs in the image. Verify it first (`echo \"<sha256>  {}\" | sha256sum "
                             "-c -` or `gpg --verify`).",
                             name, verb, d.shown, d.tool, line, dfa::base_name(d.shown)),
                 &d);
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_df005() { return std::make_unique<DF005>(); }

}  // namespace tocsin::iac::dockerfile
