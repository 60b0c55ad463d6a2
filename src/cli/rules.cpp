// `tocsin rules` (the catalogue) and `tocsin explain ID` (one rule's documentation).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/rule_catalog.hpp"
#include "core/suggest.hpp"
#include "core/text_sanitize.hpp"

namespace tocsin::cli {
namespace {

struct RulesArgs {
  std::string format = "text";
  std::string family;
};

int run_rules(const RulesArgs& a) {
  std::string out;
  if (a.format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : rule_catalog()) {
      if (!a.family.empty() && r.family != a.family) continue;
      arr.push_back({{"id", r.id}, {"name", r.name}, {"family", r.family},
                     {"severity", std::string(to_string(r.severity))}, {"maturity", r.maturity},
                     {"summary", r.summary}, {"tags", r.tags}});
    }
    out = arr.dump(2) + "\n";
  } else if (a.format == "markdown") {
    out = "| id | name | severity | summary |\n|---|---|---|---|\n";
    for (const auto& r : rule_catalog()) {
      if (!a.family.empty() && r.family != a.family) continue;
      out += fmt::format("| [{}](rules/{}.md) | {} | {} | {} |\n", r.id, r.id, r.name, to_string(r.severity), r.summary);
    }
  } else {
    std::string fam;
    for (const auto& r : rule_catalog()) {
      if (!a.family.empty() && r.family != a.family) continue;
      if (r.family != fam) {
        fam = r.family;
        out += fmt::format("\n{}\n", fam);
      }
      out += fmt::format("  {:<6} {:<9} {:<36} {}\n", r.id, to_string(r.severity), r.name, r.summary);
    }
    out += "\nRun `tocsin explain ID` for what a rule finds, why it matters and how to fix it.\n";
  }
  auto st = write_output("", out);
  return st ? kExitClean : kExitError;
}

int run_explain(const std::string& id_in) {
  std::string id = id_in;
  for (auto& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const RuleInfo* r = find_rule(id);
  if (!r) {
    // A name can belong to several rules (parse-error is DF000, DC000 and K8000): never pick one.
    std::vector<const RuleInfo*> named;
    for (const auto& x : rule_catalog())
      if (x.name == id_in) named.push_back(&x);
    if (named.size() > 1) {
      std::string list;
      for (const auto* x : named) list += fmt::format("  {:<6} {:<11} {}\n", x->id, x->family, x->summary);
      fmt::print(stderr, "tocsin explain: '{}' names {} rules; give the id:\n{}", sanitize_for_terminal(id_in),
                 named.size(), list);
      return kExitError;
    }
    if (named.size() == 1) r = named.front();
  }
  if (!r) {
    std::vector<std::string> names;
    for (const auto& x : rule_catalog()) names.push_back(x.name);
    auto guess = closest_rule_id(id);
    if (!guess) guess = closest_match(id_in, names);
    fmt::print(stderr, "tocsin explain: no rule '{}'{}. Run `tocsin rules` for the catalogue.\n",
               sanitize_for_terminal(id_in), did_you_mean(guess));
    return kExitError;
  }
  std::string out = fmt::format("{} {}  (severity: {}, family: {}, {})\n{}\n", r->id, r->name,
                                to_string(r->severity), r->family, r->maturity, r->summary);
  out += r->body;
  if (out.back() != '\n') out += '\n';
  auto st = write_output("", out);
  return st ? kExitClean : kExitError;
}

}  // namespace

void add_rules(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<RulesArgs>();
  auto* rules = root.add_subcommand("rules", "List the rule catalogue");
  rules->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  rules->add_option("--family", args->family, "Only this family")
      ->check(CLI::IsMember({"dockerfile", "compose", "kubernetes", "script", "audit", "runtime"}));
  cmds.push_back({rules, [args] { return run_rules(*args); }});

  auto id = std::make_shared<std::string>();
  auto* explain = root.add_subcommand("explain", "Print a rule's documentation: what it finds, why, example, fix");
  explain->add_option("id", *id, "Rule id (DF001) or name (copy-then-chmod)")->required();
  cmds.push_back({explain, [id] { return run_explain(*id); }});
}

}  // namespace tocsin::cli
