// DF008 proc-self-exe: `/proc/self/exe` tricks in a Dockerfile — a `#!/proc/self/exe` shebang
// written by RUN or a heredoc, `ln -s /proc/self/exe`, writes to it, or an ENTRYPOINT/CMD/SHELL
// that executes it. Together they are the CVE-2019-5736 fingerprint (a container process
// re-executing the runtime binary to overwrite it on the host).
#include <cctype>
#include <set>
#include <string>

#include <fmt/format.h>

#include "iac/rules/dockerfile/check.hpp"

namespace tocsin::iac::dockerfile {
namespace {

// Length of a `/proc/self/exe`, `/proc/thread-self/exe` or `/proc/<pid>/exe` at `pos`, or 0.
size_t proc_exe_len(std::string_view s, size_t pos) {
  constexpr std::string_view kProc = "/proc/";
  if (s.substr(pos, kProc.size()) != kProc) return 0;
  size_t i = pos + kProc.size();
  if (s.substr(i, 5) == "self/") {
    i += 4;
  } else if (s.substr(i, 12) == "thread-self/") {
    i += 11;
  } else {
    const size_t digits = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == digits) return 0;
  }
  if (s.substr(i, 4) != "/exe") return 0;
  i += 4;
  // `/proc/self/exe` itself, not `/proc/self/executable`.
  if (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                       s[i] == '-' || s[i] == '.'))
    return 0;
  return i - pos;
}

// Position of the first /proc/<pid>/exe reference in `s`, or npos.
size_t find_proc_exe(std::string_view s) {
  for (size_t p = s.find("/proc/"); p != std::string_view::npos; p = s.find("/proc/", p + 1))
    if (proc_exe_len(s, p) > 0) return p;
  return std::string_view::npos;
}

bool is_proc_exe(std::string_view s) { return proc_exe_len(s, 0) == s.size() && !s.empty(); }

// Position of a `#!/proc/self/exe` shebang (spaces allowed after `#!`) in `s`, or npos.
size_t find_shebang(std::string_view s) {
  for (size_t p = s.find("#!"); p != std::string_view::npos; p = s.find("#!", p + 2)) {
    size_t i = p + 2;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (proc_exe_len(s, i) > 0) return p;
  }
  return std::string_view::npos;
}

constexpr std::string_view kCve =
    "CVE-2019-5736 fingerprint: a container process that re-executes the runtime's binary "
    "through /proc/self/exe can open it and overwrite runc on the host";

class DF008 final : public Check {
 public:
  std::string_view id() const override { return "DF008"; }

  void run(const Context& ctx) const override {
    std::set<size_t> seen;  // file offsets already reported (heredoc scripts are seen twice)
    auto emit = [&](size_t begin, size_t end, std::string msg) {
      if (!seen.insert(begin).second) return;
      ctx.out.report("DF008", begin, end, std::move(msg));
    };

    for (const RunScript& rs : ctx.scripts) check_script(ctx, rs, emit);

    for (const df::Instruction& ins : ctx.file.instructions) {
      check_heredocs(ins, emit);
      if (ins.onbuild) check_heredocs(*ins.onbuild, emit);
      check_exec(ins, emit);
      if (ins.onbuild) check_exec(*ins.onbuild, emit);
    }
  }

 private:
  template <class Emit>
  static void check_script(const Context& ctx, const RunScript& rs, Emit& emit) {
    for (const sh::Command& cmd : rs.script.commands) {
      if (cmd.words.empty() && cmd.redirects.empty()) continue;
      // A shebang written into a file: `echo '#!/proc/self/exe' > /entry`, printf, tee ...
      for (const sh::Word& w : cmd.words) {
        if (find_shebang(w.text) != std::string::npos) {
          emit(ctx.begin_of(rs, w), ctx.end_of(rs, w),
               fmt::format("RUN writes a `#!/proc/self/exe` shebang: running that file "
                           "re-executes the container runtime. {}. Remove it.",
                           kCve));
        }
      }
      const size_t real = cmd.real_command_index();
      if (real < cmd.words.size()) {
        const sh::Word& head = cmd.words[real];
        std::string_view name = head.text;
        if (auto slash = name.rfind('/'); slash != std::string_view::npos && !is_proc_exe(name))
          name = name.substr(slash + 1);
        if (is_proc_exe(head.text)) {
          emit(ctx.begin_of(rs, head), ctx.end_of(rs, cmd.words.back()),
               fmt::format("RUN executes `{}`, the binary of the calling process. {}. "
                           "Call the program by its real path.",
                           head.text, kCve));
        } else if (name == "ln") {
          for (size_t i = real + 1; i < cmd.words.size(); ++i) {
            const sh::Word& w = cmd.words[i];
            if (!is_proc_exe(w.text)) continue;
            emit(ctx.begin_of(rs, head), ctx.end_of(rs, cmd.words.back()),
                 fmt::format("`ln` links to `{}`: whatever executes the link re-executes "
                             "the process that opens it (the runtime, for an entrypoint). "
                             "{}. Remove the link.",
                             w.text, kCve));
            break;
          }
        }
      }
      // `exec 3</proc/self/exe`, `cat evil > /proc/1/exe`: holding or writing the binary.
      for (const sh::Redirect& r : cmd.redirects) {
        if (!is_proc_exe(r.target.text) || r.op == "<<" || r.op == "<<-") continue;
        emit(ctx.begin_of(rs, r.target), ctx.end_of(rs, r.target),
             fmt::format("RUN opens `{}` through a redirection: this is how an exploit "
                         "gets a handle on the runtime binary to overwrite it. {}.",
                         r.target.text, kCve));
      }
    }
  }

  template <class Emit>
  static void check_heredocs(const df::Instruction& ins, Emit& emit) {
    if (ins.kind != df::Kind::Run && ins.kind != df::Kind::Copy && ins.kind != df::Kind::Add)
      return;
    for (const df::Heredoc& h : ins.heredocs) {
      std::string_view body = h.content.text();
      size_t line = 0;
      while (line < body.size()) {
        size_t eol = body.find('\n', line);
        if (eol == std::string_view::npos) eol = body.size();
        std::string_view text = body.substr(line, eol - line);
        size_t lead = 0;
        while (lead < text.size() && (text[lead] == ' ' || text[lead] == '\t')) ++lead;
        if (text.substr(lead, 2) == "#!" && find_shebang(text.substr(lead)) == 0) {
          const size_t b = h.content.to_file(line + lead);
          const size_t e = h.content.to_file(eol - 1) + 1;
          emit(b, e,
               fmt::format("{} heredoc `{}` has a `#!/proc/self/exe` shebang: executing the "
                           "file re-executes the container runtime. {}. Remove it.",
                           ins.keyword, h.delimiter, kCve));
        }
        line = eol + 1;
      }
    }
  }

  template <class Emit>
  static void check_exec(const df::Instruction& ins, Emit& emit) {
    if (ins.kind != df::Kind::Cmd && ins.kind != df::Kind::Entrypoint &&
        ins.kind != df::Kind::Shell && ins.kind != df::Kind::Healthcheck)
      return;
    for (const df::Word& w : ins.args) {
      if (find_proc_exe(w.text) == std::string::npos) continue;
      emit(w.span.begin, w.span.end,
           fmt::format("{} runs `{}`: at start the runtime (runc) executes the container's "
                       "entrypoint, and /proc/self/exe then names the runtime binary itself. "
                       "{}. Point {} at the real program.",
                       ins.keyword, w.text, kCve, ins.keyword));
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_df008() { return std::make_unique<DF008>(); }

}  // namespace tocsin::iac::dockerfile
