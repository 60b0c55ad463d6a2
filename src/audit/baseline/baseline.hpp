// The AU010 baseline: what normal privileged container copies look like, learned as explainable
// smoothed counts (per host, user, effective user, terminal, container pattern, direction, path
// prefix, hour of week in the model's time zone, rate), stored in a small versioned text file
// that merges by addition, and the rarity score (0-1) that turns AU001 copies into AU010 alerts.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/alert.hpp"
#include "audit/baseline/timezone.hpp"
#include "core/result.hpp"
#include "core/severity.hpp"

namespace tocsin::audit::baseline {

// The rule the baseline reports: rare AU001 copies (docs/rules/AU010.md; its alert is made in
// audit/detections/AU010_rare_container_copy.cpp).
inline constexpr std::string_view kRuleId = "AU010";

// 2: the time zone of the hour-of-week counts is recorded ("tz" line). Version 1 files load
// as UTC (the only zone version 1 counted in).
inline constexpr int kModelVersion = 2;
inline constexpr uint64_t kRateWindowMs = 10 * 60 * 1000;
inline constexpr double kDefaultThreshold = 0.7;

// One container copy, the unit the baseline learns and scores.
struct CopyRecord {
  std::string host;            // node=, empty when the log has none
  std::optional<int64_t> auid;  // nullopt or 4294967295: no login session
  std::optional<int64_t> euid;
  bool has_tty = false;
  std::string tty;
  std::string container;  // as named on the command line
  std::string direction;  // to-container | from-container
  std::string path;       // inside the container
  uint64_t time_ms = 0;
};

// AU001 alert -> record (nullopt for other rules or copies without a time).
std::optional<CopyRecord> copy_record_from_alert(const Alert& a);

// Feature extraction (pure, exposed for tests and `show`).
std::string user_key(const CopyRecord& r);       // "1004" or "unset"
std::string host_key(const CopyRecord& r);       // node, or "-" when unknown
std::string container_pattern(std::string_view name);  // "db-7f9c" -> "db-*"
std::string path_prefix(std::string_view path);  // directory, first two components
int hour_of_week(uint64_t epoch_ms);             // 0 = Monday 00:00 UTC
int hour_of_week(uint64_t epoch_ms, const TimeZone& tz);  // 0 = Monday 00:00 local time
bool is_weekend(int how);
bool is_night(int how);                          // before 07:00 or from 19:00
std::string describe_how(int how);               // "Sunday 03:00"

struct Feature {
  std::string name;   // euid, tty, ctr, cdir, path, how
  std::string value;
};
std::vector<Feature> features_of(const CopyRecord& r, const TimeZone& tz = TimeZone());

class Model {
 public:
  // The zone hours of week are counted in (UTC unless set). Set it before the first copy is
  // learned: counts already made in another zone cannot be moved (Error).
  const TimeZone& zone() const { return zone_; }
  Status set_zone(TimeZone tz);
  // Error (naming both zones) when both models hold copies counted in different zones: their
  // hour-of-week counts would not add up.
  Status can_merge(const Model& other) const;
  // Adds copies (any order). Rates are computed per (host, user) over the given batch.
  void train(std::vector<CopyRecord> records);
  // The two halves of train(), for counts aggregated elsewhere (fleet training sums copies in
  // SQL): `n` copies that share every feature of `r` (its time_ms gives the hour of week),
  // seen from `first_ms` to `last_ms`; and the busiest 10 minutes of one host's user from the
  // times of all their copies (sorted).
  void count_copies(const CopyRecord& r, uint64_t n, uint64_t first_ms, uint64_t last_ms);
  void learn_rate(std::string_view host_key, std::string_view user_key, const std::vector<uint64_t>& sorted_times);
  // Adds another model's counts (maxima and time span combine). Check can_merge() first; an
  // empty model takes the other's zone.
  void merge(const Model& other);
  // The fleet as one host (`--fleet` scoring): every host's counts added up under `name`, each
  // user's busiest 10 minutes the largest on any host. A copy scored against it (with its host
  // set to `name`) is rare when it is rare across the fleet, not just on its own host.
  Model as_one_host(std::string_view name) const;

  uint64_t count(std::string_view host, std::string_view user, std::string_view feature,
                 std::string_view value = {}) const;
  uint64_t max_rate(std::string_view host, std::string_view user) const;
  uint64_t copies() const { return count("*", "*", "n"); }
  uint64_t first_ms() const { return first_ms_; }
  uint64_t last_ms() const { return last_ms_; }
  double days() const;  // span of the history, at least 1

  // Versioned text: "tocsin-baseline 2", the zone, then one count per line (sorted, so diffs
  // are readable).
  std::string serialize() const;
  static Result<Model> parse(std::string_view text, std::string_view name = "<model>");
  static Result<Model> load(const std::string& path);
  // Replaces `path` atomically (safeio::write_file_atomic: a symlink there is replaced, not followed).
  Status save(const std::string& path) const;

  // Every stored count (key: host \x1f user \x1f feature \x1f value).
  const std::unordered_map<std::string, uint64_t>& counts() const { return counts_; }
  const std::unordered_map<std::string, uint64_t>& maxima() const { return maxima_; }
  // Human summary for `baseline show`.
  std::string describe(size_t top = 5) const;

 private:
  void add(std::string_view host, std::string_view user, std::string_view feature,
           std::string_view value, uint64_t n = 1);
  void raise_max(std::string_view host, std::string_view user, std::string_view feature, uint64_t v);
  std::unordered_map<std::string, uint64_t> counts_;
  std::unordered_map<std::string, uint64_t> maxima_;
  uint64_t first_ms_ = 0, last_ms_ = 0;
  TimeZone zone_;
};

struct ScoreOptions {
  double threshold = kDefaultThreshold;
  // Score against Model::as_one_host(kFleetHost): every copy's host counts as the fleet.
  bool fleet = false;
};
inline constexpr std::string_view kFleetHost = "the fleet";

// One reason behind a score, strongest first in Scored::reasons.
struct Reason {
  std::string feature;
  double rarity = 0;  // 0 (habitual) .. 1 (never seen)
  double weight = 0;
  std::string text;   // a sentence a person can check against the history
};

struct Scored {
  double score = 0;
  std::vector<Reason> reasons;
  std::string explanation;  // the reasons joined, strongest first
};

// Scores one copy; `copies_in_window` is the number of copies by the same user on the same
// host in the busiest 10-minute window around it (itself included).
Scored score_copy(const Model& m, const CopyRecord& r, uint64_t copies_in_window = 1);

// Scores copies in time order (streaming: the window is the trailing 10 minutes); keeps the per-user 10-minute windows for the burst feature.
class Scorer {
 public:
  explicit Scorer(const Model& m, ScoreOptions opt = {}) : model_(m), opt_(opt) {}
  Scored score_copy(const CopyRecord& r);
  const ScoreOptions& options() const { return opt_; }

 private:
  const Model& model_;
  ScoreOptions opt_;
  std::unordered_map<std::string, std::vector<uint64_t>> recent_;  // host\x1fuser -> times
};

// Rarity of a value seen `c` times out of `n` (documented in docs/rules/AU010.md).
double rarity(uint64_t c, uint64_t n);

// The AU010 alert for a scored AU001 alert, or nullopt below the threshold (severity from the
// score: medium, high from 0.9). Shared by hunt (apply_baseline) and watch (a Scorer per copy);
// defined in the rule's file, audit/detections/AU010_rare_container_copy.cpp.
std::optional<Alert> rare_copy_alert(const Alert& au001, const Scored& s, const ScoreOptions& opt);

// Scores the AU001 alerts among `alerts` and returns the AU010 alerts for those at or above the
// threshold (severity from the score: medium, high from 0.9).
std::vector<Alert> apply_baseline(const Model& m, const std::vector<Alert>& alerts,
                                  const ScoreOptions& opt = {});

}  // namespace tocsin::audit::baseline
