// DF007 workdir-under-proc: WORKDIR (after ARG/ENV expansion and resolution against the
// previous WORKDIR) or a `cd` in a RUN script that points under /proc — the fingerprint of
// CVE-2024-21626, where `/proc/self/fd/N` leaks a host directory into the container.
#include <fmt/format.h>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"

namespace tocsin::iac::dockerfile {
namespace {

constexpr std::string_view kWhy =
    "a working directory under /proc can resolve to a file descriptor the runtime leaked from the "
    "host (CVE-2024-21626, `/proc/self/fd/N`) and gives the build or container access to the host "
    "filesystem. Use a real directory such as `/app`.";

class DF007 final : public Check {
 public:
  std::string_view id() const override { return "DF007"; }

  void run(const Context& ctx) const override {
    const auto& file = ctx.file;
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const auto& ins = file.instructions[i];
      if (ins.kind != df::Kind::Workdir || ins.args.empty()) continue;
      const auto& st = ctx.state[i];
      std::string_view raw = ins.rest.text();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r')) raw.remove_suffix(1);
      std::string text = ins.args.size() == 1 ? ins.args.front().text : std::string(raw);
      auto r = dfa::resolve_word(text, st.vars, st.workdir);
      if (!r || !host_paths::within(*r, "/proc")) continue;
      ctx.out.report("DF007", ins.span.begin, ins.span.end,
                     fmt::format("WORKDIR resolves to {}: {}", *r, kWhy));
    }
    for (const auto& s : ctx.scripts) {
      const auto& st = ctx.state[s.instruction];
      const auto& ins = file.instructions[s.instruction];
      dfa::CwdTracker cwd(st.workdir);
      for (const auto& cmd : s.script.commands) {
        cwd.enter(cmd);
        size_t idx = cmd.words.empty() ? 0 : cmd.real_command_index();
        if (idx < cmd.words.size()) {
          std::string_view n = cmd.words[idx].text;
          if ((n == "cd" || n == "pushd") && idx + 1 < cmd.words.size()) {
            size_t a = idx + 1;
            while (a + 1 < cmd.words.size() && (cmd.words[a].text == "-P" || cmd.words[a].text == "-L")) ++a;
            auto r = dfa::resolve_in(cmd.words[a].text, st.vars, cwd);
            if (r && host_paths::within(*r, "/proc")) {
              ctx.out.report("DF007", ins.span.begin,
                             std::max(ins.span.end, ctx.end_of(s, cmd.words.back())),
                             fmt::format("`{}` in RUN changes into {}: {}", n, *r, kWhy));
            }
          }
        }
        cwd.after(cmd, st.vars);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_df007() { return std::make_unique<DF007>(); }

}  // namespace tocsin::iac::dockerfile
