// The interface of a Compose rule: one class per rule, one rule per file
// (rules/compose/<ID>_<name>.cpp), listed in registry.cpp in id order.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "core/rule_check.hpp"
#include "iac/emitter.hpp"
#include "iac/parse/compose_model.hpp"

namespace tocsin::iac::compose {

struct Context {
  const Project& project;
  Emitter& out;
  Finding& report(std::string_view rule, yaml::Span at, std::string message) const {
    return out.report(rule, at.begin, at.end, std::move(message));
  }
};

using Check = RuleCheck<Context>;

// All Compose checks (DC001–DC009), sorted by id.
const std::vector<std::unique_ptr<Check>>& checks();

std::unique_ptr<Check> make_dc001();
std::unique_ptr<Check> make_dc002();
std::unique_ptr<Check> make_dc003();
std::unique_ptr<Check> make_dc004();
std::unique_ptr<Check> make_dc005();
std::unique_ptr<Check> make_dc006();
std::unique_ptr<Check> make_dc007();
std::unique_ptr<Check> make_dc008();
std::unique_ptr<Check> make_dc009();

}  // namespace tocsin::iac::compose
