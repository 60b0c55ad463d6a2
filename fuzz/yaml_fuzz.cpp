// libFuzzer target for the YAML loader with positions (iac/parse/yaml_doc): bytes → File::parse
// with small limits (so depth, node, alias-expansion and visit caps are reached by small inputs)
// → a walk of every document through Ref (aliases, merge keys, scalar text mapped to the file)
// → the pragma scanner. The Compose and Kubernetes models have their own targets.
#include <functional>

#include "fuzz_util.hpp"
#include "iac/parse/yaml_doc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin;
  SourceFile src("fuzz.yaml", fuzz::as_string(data, size));
  yaml::Limits limits;
  limits.max_depth = 20;
  limits.max_nodes = 20000;
  limits.max_expanded = 20000;
  limits.max_visits = 20000;
  yaml::File file = yaml::File::parse(src.content(), limits);
  std::function<void(const yaml::Ref&)> walk = [&](const yaml::Ref& r) {
    if (!r || !file.visit()) return;
    if (r.begin() > src.content().size() + 1 || r.written_at() > src.content().size() + 1)
      __builtin_trap();  // a position outside the file
    (void)r.as_bool();
    (void)r.as_int();
    if (r.is_scalar()) (void)yaml::scalar_text(src, r);
    if (r.is_map())
      for (const auto& e : r.entries()) {
        walk(e.key);
        walk(e.value);
        if (e.key.is_scalar()) (void)r.get(e.key.str());
      }
    if (r.is_seq())
      for (const auto& item : r.items()) walk(item);
  };
  for (const auto& d : file.documents()) walk(file.root(d));
  for (const auto& issue : file.issues())
    if (issue.offset > src.content().size()) __builtin_trap();
  Suppressions sup;
  yaml::collect_pragmas(src, sup);
  return 0;
}
