// AU010 rare-container-copy: an AU001 copy that the baseline model scores as rare for its user
// on its host (docs/rules/AU010.md). The rule is not a Detection the engine drives: hunt and
// watch score AU001's alerts once they are final (audit/baseline/score.cpp holds the model's
// maths: features, rarity, the combined score and its reasons); this is the alert it makes.
#include <fmt/format.h>

#include <cmath>

#include "audit/baseline/baseline.hpp"

namespace tocsin::audit::baseline {

std::optional<Alert> rare_copy_alert(const Alert& src, const Scored& s, const ScoreOptions& opt) {
  if (s.score < opt.threshold || !src.docker_cp) return std::nullopt;
  Alert a = src;
  a.rule = std::string(kRuleId);
  a.severity = s.score >= 0.9 ? Severity::high : Severity::medium;
  a.score = std::round(s.score * 100.0) / 100.0;
  const auto& cp = *src.docker_cp;
  a.message = fmt::format("rare copy (score {:.2f}): {} {}:{} — {}", s.score,
                          cp.direction == "from-container" ? "out of" : "into", cp.container, cp.path, s.explanation);
  return a;
}

}  // namespace tocsin::audit::baseline
