// The interface of a runtime rule: one class per rule, one rule per file
// (runtime/rules/<ID>_<name>.cpp), listed in registry.cpp in id order. A rule looks at one
// container's inspect data when it starts and appends its alerts.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/rule_check.hpp"
#include "core/severity.hpp"
#include "runtime/container_checks.hpp"

namespace tocsin::runtime::rules {

struct Context {
  const ContainerInfo& container;
  const CheckOptions& options;
  std::vector<Alert>& out;
  // An alert of `rule` for this container; its severity is the catalogue's (or the
  // configuration's), `fallback` when neither has one.
  Alert& report(std::string_view rule, Severity fallback, std::string message) const;
};

// The fields of a mount as alerts carry them ("mount": {type, source, destination, rw, propagation}).
nlohmann::ordered_json mount_json(const MountInfo& m);

using Check = RuleCheck<Context>;

// All runtime checks (RT001–RT005), sorted by id.
const std::vector<std::unique_ptr<Check>>& checks();

std::unique_ptr<Check> make_rt001();
std::unique_ptr<Check> make_rt002();
std::unique_ptr<Check> make_rt003();
std::unique_ptr<Check> make_rt004();
std::unique_ptr<Check> make_rt005();

}  // namespace tocsin::runtime::rules
