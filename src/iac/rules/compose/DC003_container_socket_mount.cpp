// DC003 container-socket-mount: the Docker/containerd/CRI-O/Podman API socket mounted into a service.
#include <fmt/format.h>

#include "core/host_paths.hpp"
#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC003 final : public Check {
 public:
  std::string_view id() const override { return "DC003"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      for (const auto& m : s.mounts) {
        if (m.type != MountType::Bind || m.source.empty() || !host_paths::is_runtime_socket(m.source)) continue;
        ctx.report("DC003", m.at,
                   fmt::format("service '{}' mounts the container runtime socket '{}'{}: it can start "
                               "privileged containers and `cp` into any container, i.e. it is root on the host",
                               s.name, m.source, m.read_only ? " (`:ro` does not restrict API calls)" : ""));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc003() { return std::make_unique<DC003>(); }

}  // namespace tocsin::iac::compose
