// K8003 host-path-volume: hostPath volumes, graded by what they expose (the shared host-path
// policy, core/host_paths.hpp): runtime sockets and sensitive host paths are critical; writable
// or auto-created directories high; read-only single files and benign paths low.
#include <fmt/format.h>

#include "core/host_paths.hpp"
#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8003 final : public Check {
 public:
  std::string_view id() const override { return "K8003"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& v : w.pod.volumes) {
        if (v.source != VolumeSource::HostPath) continue;
        bool mounted = false;
        bool writable = false;
        for (const auto& c : w.pod.containers)
          for (const auto& m : c.mounts)
            if (m.name == v.name) {
              mounted = true;
              writable = writable || !m.read_only;
            }
        const std::string& p = v.host_path;
        const std::string& t = v.host_type;
        const auto hp = host_paths::classify(p);
        Severity sev = Severity::high;
        std::string why;
        if (hp.kind == host_paths::Kind::RuntimeSocket || t == "Socket") {
          sev = Severity::critical;
          why = "a container runtime socket is root on the node";
        } else if (hp.benign == host_paths::Benign::Always ||
                   (mounted && !writable && (t == "File" || hp.benign == host_paths::Benign::ReadOnly))) {
          sev = Severity::low;
          why = hp.benign == host_paths::Benign::Always   ? fmt::format("{}, harmless to share", hp.what)
                : hp.benign == host_paths::Benign::ReadOnly ? fmt::format("{}, read-only", hp.what)
                                                            : std::string("read-only single file");
        } else if (hp.sensitive(mounted && !writable)) {
          sev = Severity::critical;
          why = writable ? fmt::format("a sensitive node path ({}), writable: the pod can replace files node "
                                       "processes check and then use", hp.what)
                         : fmt::format("a sensitive node path ({}): node files change under the pod, and its "
                                       "symlinks resolve on the node", hp.what);
        } else if (writable || t.empty() || t == "DirectoryOrCreate") {
          why = writable ? "writable: the pod can plant symlinks that node agents follow"
                         : fmt::format("`type` {}: the kubelet creates or follows whatever is at the path",
                                       t.empty() ? "unset" : t);
        } else {
          sev = Severity::medium;
          why = "read-only";
        }
        auto& f = ctx.report("K8003", v.source_at,
                             fmt::format("{} '{}' mounts hostPath '{}' (volume '{}'): {}", w.kind, w.name, p,
                                         v.name, why));
        f.severity = sev;
      }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8003() { return std::make_unique<K8003>(); }

}  // namespace tocsin::iac::k8s
