// Adopting tocsin on an existing repository: a baseline of accepted findings (matched by their
// stable fingerprint) and the files changed since a git ref.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/result.hpp"
#include "core/source.hpp"

namespace tocsin::cli {

struct BaselineEntry {
  std::string file;         // normalised: relative to the working directory when below it
  std::string rule;
  std::string fingerprint;  // report::Fingerprints (HASH:N), as in JSON and SARIF reports
};

// The baseline document for `findings` (JSON, one entry per finding, stable order).
std::string render_finding_baseline(const std::vector<Finding>& findings,
                                    const std::map<std::string, SourcePtr>& sources);
// Reads a baseline written by render_finding_baseline; errors name the file and what is wrong.
Result<std::vector<BaselineEntry>> load_finding_baseline(const std::string& path);

struct BaselineSplit {
  std::vector<Finding> fresh;  // not in the baseline: these are reported and count
  size_t baselined = 0;        // findings matched by an entry
  size_t gone = 0;             // entries no finding matched any more (fixed or removed)
};
// Splits `findings` (all of the scan's, in report order, so that fingerprints match the
// baseline's) into the new ones and the baselined ones.
BaselineSplit apply_finding_baseline(const std::vector<Finding>& findings,
                                     const std::map<std::string, SourcePtr>& sources,
                                     const std::vector<BaselineEntry>& baseline);

// Files changed since `ref` (`git diff --name-only REF`, run as a program: git is a runtime
// tool here) that still exist, as absolute, lexically normal paths. Errors say why (no git,
// not a repository, unknown ref).
Result<std::set<std::string>> git_changed_files(const std::string& ref);

}  // namespace tocsin::cli
