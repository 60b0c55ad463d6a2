// Finding baselines (`scan --write-baseline/--baseline`) and `scan --changed-since REF`.
#include "cli/scan_adopt.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/spawn.hpp"
#include "report/report.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::cli {
namespace {

namespace fs = std::filesystem;
constexpr int kBaselineSchema = 1;
constexpr size_t kMaxBaselineBytes = 256u << 20;

// The same file however it was named (`./x`, `x`, `/abs/x` below the working directory).
std::string normal_file(const std::string& file) {
  std::error_code ec;
  auto abs = fs::absolute(fs::path(file), ec).lexically_normal();
  if (ec) return fs::path(file).lexically_normal().generic_string();
  auto rel = abs.lexically_relative(fs::current_path(ec));
  if (!ec && !rel.empty() && rel.native().rfind("..", 0) != 0) return rel.generic_string();
  return abs.generic_string();
}

std::vector<BaselineEntry> entries_of(const std::vector<Finding>& findings,
                                      const std::map<std::string, SourcePtr>& sources) {
  report::Fingerprints fps;
  std::vector<BaselineEntry> out;
  out.reserve(findings.size());
  for (const auto& f : findings) {
    auto it = sources.find(f.file);
    const SourceFile* src = it == sources.end() ? nullptr : it->second.get();
    out.push_back({normal_file(f.file), f.rule, fps.next(f, src)});
  }
  return out;
}

std::string key_of(const BaselineEntry& e) { return e.file + '\n' + e.rule + '\n' + e.fingerprint; }

}  // namespace

std::string render_finding_baseline(const std::vector<Finding>& findings,
                                    const std::map<std::string, SourcePtr>& sources) {
  auto entries = entries_of(findings, sources);
  auto arr = nlohmann::ordered_json::array();
  for (size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    // line and message help a reviewer read the file; matching uses file, rule, fingerprint.
    arr.push_back({{"file", entries[i].file},
                   {"rule", f.rule},
                   {"fingerprint", entries[i].fingerprint},
                   {"line", f.range.line},
                   {"message", f.message}});
  }
  nlohmann::ordered_json doc = {{"tocsin_baseline", kBaselineSchema},
                                {"version", TOCSIN_VERSION},
                                {"findings", std::move(arr)}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<std::vector<BaselineEntry>> load_finding_baseline(const std::string& path) {
  auto text = safeio::read_file(path, kMaxBaselineBytes);
  if (!text) return Error{fmt::format("baseline {}: {}", path, text.error().message)};
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    return Error{fmt::format("baseline {}: not JSON: {}", path, e.what())};
  }
  if (!doc.is_object() || !doc.contains("tocsin_baseline") || !doc.contains("findings") ||
      !doc["findings"].is_array())
    return Error{fmt::format("baseline {}: not a tocsin scan baseline (write one with --write-baseline)", path)};
  if (doc["tocsin_baseline"] != kBaselineSchema)
    return Error{fmt::format("baseline {}: schema {} is not the one this tocsin reads ({})", path,
                             doc["tocsin_baseline"].dump(), kBaselineSchema)};
  std::vector<BaselineEntry> out;
  size_t i = 0;
  for (const auto& e : doc["findings"]) {
    ++i;
    if (!e.is_object() || !e.contains("file") || !e.contains("rule") || !e.contains("fingerprint") ||
        !e["file"].is_string() || !e["rule"].is_string() || !e["fingerprint"].is_string())
      return Error{fmt::format("baseline {}: entry {} lacks file, rule or fingerprint", path, i)};
    out.push_back({normal_file(e["file"].get<std::string>()), e["rule"].get<std::string>(),
                   e["fingerprint"].get<std::string>()});
  }
  return out;
}

BaselineSplit apply_finding_baseline(const std::vector<Finding>& findings,
                                     const std::map<std::string, SourcePtr>& sources,
                                     const std::vector<BaselineEntry>& baseline) {
  std::map<std::string, size_t> wanted;  // key -> entries (a multiset: duplicates count)
  for (const auto& e : baseline) ++wanted[key_of(e)];
  auto entries = entries_of(findings, sources);
  BaselineSplit out;
  for (size_t i = 0; i < findings.size(); ++i) {
    auto it = wanted.find(key_of(entries[i]));
    if (it != wanted.end() && it->second > 0) {
      --it->second;
      ++out.baselined;
    } else {
      out.fresh.push_back(findings[i]);
    }
  }
  for (const auto& [k, n] : wanted) out.gone += n;
  return out;
}

Result<std::set<std::string>> git_changed_files(const std::string& ref) {
  if (ref.empty() || ref.front() == '-')
    return Error{fmt::format("--changed-since: '{}' is not a git revision", ref)};
  // git's own words say which: not installed, or not inside a work tree.
  auto top = run_capture({"git", "rev-parse", "--show-toplevel"});
  if (!top) return Error{fmt::format("--changed-since needs git and a git repository: {}", top.error().message)};
  // --relative: paths relative to the working directory (what the scan's paths are relative
  // to), limited to it; -z: names as they are, no quoting.
  auto diff = run_capture({"git", "diff", "--name-only", "--no-renames", "--relative", "-z", ref, "--"});
  if (!diff) return Error{fmt::format("--changed-since {}: {}", ref, diff.error().message)};
  std::set<std::string> out;
  std::error_code ec;
  auto cwd = fs::current_path(ec);
  if (ec) return Error{fmt::format("--changed-since: working directory: {}", ec.message())};
  size_t i = 0;
  const std::string& s = *diff;
  while (i < s.size()) {
    size_t z = s.find('\0', i);
    if (z == std::string::npos) z = s.size();
    std::string name = s.substr(i, z - i);
    i = z + 1;
    if (name.empty()) continue;
    auto abs = (cwd / name).lexically_normal();
    // Deleted files are in the diff too: only what still exists is scanned.
    if (fs::is_regular_file(fs::symlink_status(abs, ec))) out.insert(abs.string());
  }
  return out;
}

}  // namespace tocsin::cli
