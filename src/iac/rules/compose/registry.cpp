// The Compose rules, in id order (the catalogue test checks the order and completeness).
#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {

const std::vector<std::unique_ptr<Check>>& checks() {
  static const auto list = [] {
    std::vector<std::unique_ptr<Check>> v;
    v.push_back(make_dc001());
    v.push_back(make_dc002());
    v.push_back(make_dc003());
    v.push_back(make_dc004());
    v.push_back(make_dc005());
    v.push_back(make_dc006());
    v.push_back(make_dc007());
    v.push_back(make_dc008());
    v.push_back(make_dc009());
    return v;
  }();
  return list;
}

}  // namespace tocsin::iac::compose
