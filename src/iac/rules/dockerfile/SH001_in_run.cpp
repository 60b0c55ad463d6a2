// SH001 container-copy-while-running, applied to the shell scripts of RUN instructions
// (docker-in-docker builds); the detection itself is shared with the script/CI analyzer.
#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/script/sh001.hpp"

namespace tocsin::iac::dockerfile {
namespace {

class Sh001InRun final : public Check {
 public:
  std::string_view id() const override { return "SH001"; }
  void run(const Context& ctx) const override {
    for (const RunScript& rs : ctx.scripts)
      if (rs.text) script::check_container_copy(rs.script, *rs.text, ctx.out);
  }
};

}  // namespace

std::unique_ptr<Check> make_sh001_in_run() { return std::make_unique<Sh001InRun>(); }

}  // namespace tocsin::iac::dockerfile
