// DF013 runs-as-root: the final stage runs as root — no USER at all (FROM scratch included),
// or its last USER (own or inherited through FROM <stage>) is root/0. Every race the other
// rules describe then plays out with root's rights over the container and its mounts.
#include <cctype>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "iac/rules/dockerfile/check.hpp"
#include "core/strings.hpp"

namespace tocsin::iac::dockerfile {
namespace {

// Windows images have no root/USER model comparable to Linux; their default user is
// ContainerAdministrator by design.
bool windows_base(std::string_view base) {
  const std::string b = ascii_lower(base);
  return b.find("windowsservercore") != std::string::npos || b.find("nanoserver") != std::string::npos ||
         b.find("mcr.microsoft.com/windows") != std::string::npos;
}

struct UserSetting {
  size_t instruction = 0;
  std::string value;    // expanded
  bool unknown = false;  // depends on a build argument without a value
};

class DF013 final : public Check {
 public:
  std::string_view id() const override { return "DF013"; }

  void run(const Context& ctx) const override {
    const df::Dockerfile& file = ctx.file;
    if (file.stages.empty()) return;
    const int final_stage = static_cast<int>(file.stages.size()) - 1;

    // Walk the FROM <stage> chain back from the final stage to the last USER in effect.
    std::optional<UserSetting> user;
    int s = final_stage;
    int guard = 0;
    std::string external_base;
    while (s >= 0 && guard++ < 1000) {
      const df::Stage& st = file.stages[static_cast<size_t>(s)];
      for (size_t i = st.last + 1; i-- > st.first;) {
        if (i >= file.instructions.size()) continue;
        const df::Instruction& ins = file.instructions[i];
        if (ins.kind != df::Kind::User || ins.args.empty()) continue;
        UserSetting u;
        u.instruction = i;
        const std::string& raw = ins.args[0].text;
        u.value = i < ctx.state.size() ? df::expand(raw, ctx.state[i].vars) : raw;
        u.unknown = raw.find('$') != std::string::npos &&
                    (u.value.empty() || u.value.front() == ':');
        user = u;
        break;
      }
      if (user) break;
      if (st.base_stage < 0 || st.base_stage >= s) {
        external_base = st.base;
        break;
      }
      s = st.base_stage;
    }

    const df::Stage& fin = file.stages[static_cast<size_t>(final_stage)];
    if (fin.first >= file.instructions.size()) return;
    const df::Instruction& from = file.instructions[fin.first];
    if (!user) {
      if (windows_base(external_base)) return;
      const std::string base = external_base.empty() ? fin.base : external_base;
      ctx.out.report("DF013", from.span.begin, from.span.end,
                     fmt::format("The final stage (`FROM {}`) sets no USER, so the container runs "
                                 "as root{}: any race or escape in it happens with root's rights "
                                 "over the container and its mounts. Create an unprivileged user "
                                 "and switch to it by number (`RUN adduser -D -u 10001 app`, "
                                 "`USER 10001`).",
                                 fin.base,
                                 ascii_lower(base) == "scratch" ? " (a `scratch` image has no users at all)"
                                                          : " unless the base image changes it"));
      return;
    }
    if (user->unknown || !is_root(user->value)) return;
    const df::Instruction& uins = file.instructions[user->instruction];
    if (uins.stage == final_stage) {
      ctx.out.report("DF013", uins.span.begin, uins.span.end,
                     fmt::format("The image runs as root: the last USER of the final stage is "
                                 "`{}`. Any race or escape in the container happens with root's "
                                 "rights over it and its mounts. Switch back to an unprivileged, "
                                 "numeric user (`USER 10001`) after the steps that need root.",
                                 user->value));
    } else {
      Finding& f = ctx.out.report(
          "DF013", from.span.begin, from.span.end,
          fmt::format("The final stage inherits `USER {}` from stage `{}`, so the image runs as "
                      "root. Switch to an unprivileged, numeric user (`USER 10001`) in the final "
                      "stage.",
                      user->value, fin.base));
      ctx.out.relate(f, uins.span.begin, uins.span.end, "root user set here");
    }
  }

 private:
  static bool is_root(std::string_view v) {
    const std::string_view who = v.substr(0, v.find(':'));
    if (who == "root") return true;
    if (who.empty()) return v.empty();
    // `0`, `00`: numeric zero
    for (char c : who)
      if (c != '0') return false;
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> make_df013() { return std::make_unique<DF013>(); }

}  // namespace tocsin::iac::dockerfile
