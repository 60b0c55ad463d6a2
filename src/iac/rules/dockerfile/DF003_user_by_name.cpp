// DF003 user-by-name: a USER of the final image given by name instead of a numeric UID[:GID].
// The runtime cannot tell from a name whether it is root (Kubernetes `runAsNonRoot` refuses
// to verify it), and the name resolves through /etc/passwd inside the image at start.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"
#include "core/strings.hpp"

namespace tocsin::iac::dockerfile {
namespace {

bool numeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class DF003 final : public Check {
 public:
  std::string_view id() const override { return "DF003"; }

  void run(const Context& ctx) const override {
    const auto& file = ctx.file;
    if (file.stages.empty()) return;
    // Builder stages do not run; the final stage does, and so do the USERs it inherits
    // from the stages it is built on when it sets none itself.
    std::vector<size_t> chain;
    for (int s = static_cast<int>(file.stages.size()) - 1; s >= 0 && chain.size() < file.stages.size();
         s = file.stages[static_cast<size_t>(s)].base_stage)
      chain.push_back(static_cast<size_t>(s));
    // Windows containers have no numeric UIDs (ContainerUser, ContainerAdministrator).
    if (file.escape == '`') return;
    for (size_t s : chain) {
      const std::string base = ascii_lower(file.stages[s].base);
      if (base.find("windows") != std::string::npos || base.find("nanoserver") != std::string::npos)
        return;
    }
    for (size_t s : chain) {
      std::vector<size_t> users;
      const auto& stage = file.stages[s];
      for (size_t i = stage.first; i <= stage.last && i < file.instructions.size(); ++i)
        if (file.instructions[i].kind == df::Kind::User) users.push_back(i);
      if (users.empty()) continue;
      if (s != chain.front()) users = {users.back()};  // only the one that is still in effect
      for (size_t i : users) check_user(ctx, i);
      return;
    }
  }

 private:
  void check_user(const Context& ctx, size_t i) const {
    const auto& ins = ctx.file.instructions[i];
    if (ins.args.empty()) return;
    const df::Word& w = ins.args.front();
    auto spec = dfa::expand_known(w.text, ctx.state[i].vars);
    if (!spec || spec->empty()) return;
    auto colon = spec->find(':');
    std::string user = spec->substr(0, colon);
    std::string group = colon == std::string::npos ? std::string() : spec->substr(colon + 1);
    if (user == "root" || user == "0") return;  // running as root is DF013's finding
    bool user_named = !numeric(user);
    bool group_named = !group.empty() && !numeric(group);
    if (!user_named && !group_named) return;
    std::string msg =
        user_named
            ? fmt::format("USER {} names the user instead of a numeric UID: the runtime cannot "
                          "verify it is not root (Kubernetes runAsNonRoot rejects it) and the "
                          "name is resolved from the image's /etc/passwd at start. Use `USER "
                          "<uid>:<gid>`, e.g. the UID `{}` has in the image.",
                          *spec, user)
            : fmt::format("USER {} names the group `{}` instead of a numeric GID: it is resolved "
                          "from the image's /etc/group at start and cannot be validated by the "
                          "runtime. Use a numeric `UID:GID`.",
                          *spec, group);
    ctx.out.report("DF003", ins.span.begin, ins.span.end, std::move(msg));
  }
};

}  // namespace

std::unique_ptr<Check> make_df003() { return std::make_unique<DF003>(); }

}  // namespace tocsin::iac::dockerfile
