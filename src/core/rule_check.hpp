// The interface every family's rules share: one class per rule, one rule per file, named by
// its id, run on the family's model (`Context`: a Dockerfile, a Compose project, a Kubernetes
// manifest, a container's inspect data). Each family names it `Check` and lists its rules in a
// sorted registry.
#pragma once
#include <string_view>

namespace tocsin {

template <class Context>
class RuleCheck {
 public:
  virtual ~RuleCheck() = default;
  virtual std::string_view id() const = 0;
  virtual void run(const Context& ctx) const = 0;
};

}  // namespace tocsin
