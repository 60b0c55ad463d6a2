// The runtime rules in id order (the catalogue test checks each has a doc page, and each doc
// page of the family a rule here), and check_container, which runs them.
#include "audit/alert.hpp"
#include "runtime/rules/check.hpp"

namespace tocsin::runtime::rules {

const std::vector<std::unique_ptr<Check>>& checks() {
  static const auto all = [] {
    std::vector<std::unique_ptr<Check>> v;
    v.push_back(make_rt001());
    v.push_back(make_rt002());
    v.push_back(make_rt003());
    v.push_back(make_rt004());
    v.push_back(make_rt005());
    return v;
  }();
  return all;
}

}  // namespace tocsin::runtime::rules

namespace tocsin::runtime {

std::vector<Alert> check_container(const ContainerInfo& c, const CheckOptions& opt) {
  std::vector<Alert> out;
  const rules::Context ctx{c, opt, out};
  for (const auto& check : rules::checks()) check->run(ctx);
  return out;
}

}  // namespace tocsin::runtime

namespace tocsin::runtime::rules {

Alert& Context::report(std::string_view rule, Severity fallback, std::string message) const {
  Alert a;
  a.rule = std::string(rule);
  a.severity = audit::rule_severity(a.rule, fallback);
  a.message = std::move(message);
  a.subject = Alert::Subject::container;
  a.container = {container.id, container.name, container.image};
  out.push_back(std::move(a));
  return out.back();
}

nlohmann::ordered_json mount_json(const MountInfo& m) {
  nlohmann::ordered_json j;
  j["type"] = m.type;
  j["source"] = m.source;
  j["destination"] = m.destination;
  j["rw"] = m.rw;
  j["propagation"] = m.propagation;
  return j;
}

}  // namespace tocsin::runtime::rules
