// DF004 relative-path-without-workdir: WORKDIR, VOLUME or a COPY/ADD destination given as a
// relative path before the stage (or a stage it builds on) set an absolute WORKDIR: where it
// lands depends on the base image's WORKDIR, which can change under the Dockerfile.
#include <fmt/format.h>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"

namespace tocsin::iac::dockerfile {
namespace {

class DF004 final : public Check {
 public:
  std::string_view id() const override { return "DF004"; }

  void run(const Context& ctx) const override {
    const auto& file = ctx.file;
    std::vector<bool> anchored_end(file.stages.size(), false);
    bool anchored = false;
    int stage = -2;
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const auto& ins = file.instructions[i];
      if (ins.stage != stage) {
        if (stage >= 0 && static_cast<size_t>(stage) < anchored_end.size())
          anchored_end[static_cast<size_t>(stage)] = anchored;
        stage = ins.stage;
        anchored = false;
        if (stage >= 0 && static_cast<size_t>(stage) < file.stages.size()) {
          int base = file.stages[static_cast<size_t>(stage)].base_stage;
          if (base >= 0 && base < stage) anchored = anchored_end[static_cast<size_t>(base)];
        }
      }
      if (stage < 0) continue;
      const auto& vars = ctx.state[i].vars;
      switch (ins.kind) {
        case df::Kind::Workdir: {
          if (ins.args.empty()) break;
          auto w = dfa::expand_known(ins.rest.text(), vars);
          if (!w) w = dfa::expand_known(ins.args.front().text, vars);
          if (!w || w->empty()) {
            anchored = true;  // unknowable: do not cascade findings
            break;
          }
          std::string path = trim(*w);
          if (!dfa::is_abs(path) && !anchored)
            report(ctx, ins, ins.args.front().span, path, "WORKDIR",
                   "the directory it creates and every later relative path");
          anchored = true;
          break;
        }
        case df::Kind::Volume: {
          if (anchored) break;
          for (const auto& a : ins.args) {
            auto v = dfa::expand_known(a.text, vars);
            if (!v || v->empty() || dfa::is_abs(*v)) continue;
            report(ctx, ins, a.span, *v, "VOLUME", "the mount point");
          }
          break;
        }
        case df::Kind::Copy:
        case df::Kind::Add: {
          if (anchored || ins.args.size() < 2) break;
          bool windows = false;  // drive-letter paths: Windows images resolve differently
          for (const auto& a : ins.args)
            windows = windows || (a.text.size() >= 2 && a.text[1] == ':' && dfa::is_abs(a.text));
          if (windows) break;
          const df::Word& dest = ins.args.back();
          auto d = dfa::expand_known(dest.text, vars);
          if (!d || d->empty() || dfa::is_abs(*d)) break;
          report(ctx, ins, dest.span, *d, ins.keyword, "where the files land");
          break;
        }
        default:
          break;
      }
    }
  }

 private:
  static std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
      s.remove_suffix(1);
    return std::string(s);
  }

  static void report(const Context& ctx, const df::Instruction& ins, df::Span word,
                     const std::string& path, std::string_view what, std::string_view effect) {
    (void)word;
    ctx.out.report(
        "DF004", ins.span.begin, ins.span.end,
        fmt::format("{} uses the relative path `{}` before any absolute WORKDIR in this stage: {} "
                    "then depends on the base image's working directory, which can change under "
                    "you. Set `WORKDIR /absolute/path` first or use an absolute path.",
                    what, path, effect));
  }
};

}  // namespace

std::unique_ptr<Check> make_df004() { return std::make_unique<DF004>(); }

}  // namespace tocsin::iac::dockerfile
