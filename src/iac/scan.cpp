// The scan engine: directory walking confined to the scanned root, kind detection, safe
// reading (files found by the walk are opened beneath the root's descriptor with no symlink
// on the way), analyzer dispatch, and the one place where configuration is applied to findings.
#include "iac/scan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <exception>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/text_sanitize.hpp"
#include "iac/suppress.hpp"
#include "safeio/resolve.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::iac {
namespace fs = std::filesystem;

namespace {

std::string refusal_note(const Analyzer& a, std::string_view why) {
  return fmt::format("named like a {} but it is {}: skipped", a.kind() == "dockerfile" ? "Dockerfile" : a.kind(), why);
}

}  // namespace

constexpr size_t kSniffBytes = 8192;

const Analyzer* analyzer_for_kind(std::string_view kind) {
  if (kind == "k8s") kind = "kubernetes";
  for (const auto& a : analyzers())
    if (a->kind() == kind) return a.get();
  return nullptr;
}

const Analyzer* classify(std::string_view path, std::string_view content, std::string* refusal) {
  for (const auto& a : analyzers()) {
    if (!a->claims_name(path)) continue;
    if (auto why = a->refuses(path, content.substr(0, kSniffBytes))) {
      if (refusal) *refusal = refusal_note(*a, *why);
      return nullptr;
    }
    return a.get();
  }
  for (const auto& a : analyzers())
    if (a->claims_content(path, content)) return a.get();
  return nullptr;
}

bool scan_source(const SourceFile& src, const Config& cfg, std::vector<Finding>& out,
                 const Analyzer* forced, std::vector<std::string>* notes) {
  const Analyzer* a = forced ? forced : classify(src.path(), src.content());
  if (!a) return false;
  std::vector<Finding> found;
  Suppressions sup;
  Emitter em(src, cfg, found);
  a->analyze(src, em, sup);
  if (notes)
    for (const auto& n : em.notes()) notes->push_back(n);
  if (em.dropped()) {
    // Said once, at the top of the file, with the kind's parse-error id where it has one.
    auto ids = a->rules();
    Finding f;
    f.rule = std::string(ids.front());
    f.severity = Severity::high;
    f.file = src.path();
    f.range = Range{1, 1, 1, 1};
    f.message = fmt::format("more than {} findings in this file; {} more were not reported",
                            Emitter::kMaxFindingsPerFile, em.dropped());
    found.push_back(std::move(f));
  }
  for (auto& f : found) {
    if (!cfg.rule_enabled(f.rule)) continue;
    if (sup.suppressed(f.rule, f.range.line)) continue;
    f.severity = cfg.severity_for(f.rule, f.severity);
    if (cfg.min_severity && f.severity < *cfg.min_severity) continue;
    out.push_back(std::move(f));
  }
  return true;
}

Result<Config> effective_config(const ScanOptions& opts) {
  Config cfg;
  if (opts.config_path) {
    auto c = load_config(*opts.config_path);
    if (!c) return c.error();
    cfg = std::move(*c);
  } else if (!opts.no_config) {
    std::string start = opts.paths.empty() || opts.paths.front() == "-" ? "." : opts.paths.front();
    if (auto found = find_config(start)) {
      auto c = load_config(*found);
      if (!c) return c.error();
      cfg = std::move(*c);
    }
  }
  for (const auto& s : opts.select) cfg.only.insert(s);
  for (const auto& s : opts.ignore) cfg.disabled.insert(s);
  if (opts.fail_on) cfg.fail_on = *opts.fail_on;
  if (opts.min_severity) cfg.min_severity = *opts.min_severity;
  return cfg;
}

namespace {

// Below this many files a worker pool costs more than it saves.
constexpr size_t kMinParallelFiles = 32;
// Bytes of files analyzed at the same time. Analysis takes a few times a file's size (the text,
// its line table, the parse), so workers on many large files would multiply the peak; a file
// larger than this waits until it can run alone, smaller ones share the budget.
constexpr size_t kParallelBytes = 16u << 20;

// Blocks a worker until its file fits in the budget (or nothing else is being analyzed).
class ByteBudget {
 public:
  class Hold {
   public:
    Hold(ByteBudget& b, size_t n) : b_(b), n_(n) {}
    ~Hold() { b_.release(n_); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    ByteBudget& b_;
    size_t n_;
  };
  [[nodiscard]] Hold acquire(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_use_ == 0 || in_use_ + n <= kParallelBytes; });
    in_use_ += n;
    return Hold(*this, n);
  }

 private:
  void release(size_t n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_use_ -= n;
    }
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  size_t in_use_ = 0;
};
constexpr unsigned kMaxWorkers = 8;
// A file named on the command line that no analyzer claims: said, with the way to force it.
constexpr std::string_view kNotRecognised =
    "not a Dockerfile, Compose file, Kubernetes manifest, script or CI file; skipped "
    "(force it with --kind dockerfile|compose|k8s|script)";

// One unit of work in walk order: a file to scan, or an error found while walking. Files are
// analyzed on worker threads; outcomes are merged on the calling thread in job order, so the
// result (errors, messages, counts, findings) is the same as a sequential scan.
struct Job {
  std::string path;
  bool explicit_arg = false;
  bool is_error = false;  // `path`/`message` is a walk error, nothing to scan
  std::string message;
  // A file found by the walk: opened as `rel` (its real path, relative to the walked root)
  // beneath the root's descriptor, so a symlink swapped in after the walk is refused.
  std::shared_ptr<const safeio::Fd> root;
  std::string rel;
};

Job file_job(std::string path, bool explicit_arg) {
  Job j;
  j.path = std::move(path);
  j.explicit_arg = explicit_arg;
  return j;
}

struct Outcome {
  std::vector<FileError> errors;
  std::vector<FileNote> notes;
  bool recorded = false;  // counts as a scanned file
  SourcePtr src;          // kept only when there are findings
  std::vector<Finding> found;
  std::exception_ptr exception;  // rethrown on the calling thread, as a sequential scan would
};

class Scanner {
 public:
  Scanner(const ScanOptions& opts, ScanResult& res) : opts_(opts), res_(res) {}

  void scan_path(const std::string& path) {
    if (path == "-") {
      run_jobs();
      return scan_stdin();
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      add_error(path, fmt::format("{}: {}", path, std::strerror(errno)));
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      std::error_code ec;
      auto root = fs::canonical(path, ec);
      if (ec) {
        add_error(path, fmt::format("{}: {}", path, ec.message()));
        return;
      }
      // The root is the user's choice (a symlink to it was followed by canonical()); below
      // it, files are opened through this descriptor only.
      auto rfd = safeio::open_root(root.string());
      if (!rfd) {
        add_error(path, rfd.error().message);
        return;
      }
      root_ = root;
      root_fd_ = std::make_shared<const safeio::Fd>(std::move(*rfd));
      walk(fs::path(path), root, 0);
      return;
    }
    // A file named explicitly is read even through a symlink: the user chose it.
    if (selected(path)) jobs_.push_back(file_job(path, /*explicit_arg=*/true));
  }

  // False for a file left out by --changed-since.
  bool selected(const std::string& shown) const {
    if (!opts_.only_files) return true;
    std::error_code ec;
    auto abs = fs::absolute(fs::path(shown), ec).lexically_normal();
    return !ec && opts_.only_files->count(abs.string()) > 0;
  }

  // Analyzes the queued files (in parallel when there are enough) and merges their outcomes
  // in queue order.
  void run_jobs() {
    const size_t n = jobs_.size();
    if (n == 0) return;
    unsigned hw = std::thread::hardware_concurrency();
    unsigned workers = std::min(hw == 0 ? 1u : hw, kMaxWorkers);
    if (n < kMinParallelFiles || workers < 2) {
      for (const auto& job : jobs_) {
        Outcome o;
        run_job(job, o);
        merge(o);
      }
      jobs_.clear();
      return;
    }
    std::vector<Outcome> outcomes(n);
    std::vector<char> done(n, 0);
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::condition_variable cv;
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) {
        try {
          run_job(jobs_[i], outcomes[i]);
        } catch (...) {
          outcomes[i].exception = std::current_exception();
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          done[i] = 1;
        }
        cv.notify_all();
      }
    };
    std::vector<std::thread> pool;
    pool.reserve(workers);
    for (unsigned w = 0; w < workers; ++w) pool.emplace_back(work);
    std::exception_ptr failed;
    for (size_t i = 0; i < n; ++i) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return done[i] != 0; });
      }
      if (outcomes[i].exception) {
        failed = outcomes[i].exception;
        next.store(n);  // stop handing out work
        break;
      }
      merge(outcomes[i]);
      outcomes[i] = Outcome();  // release the file early
    }
    for (auto& t : pool) t.join();
    jobs_.clear();
    if (failed) std::rethrow_exception(failed);
  }

 private:
  void add_error(const std::string& path, std::string message) {
    Job j;
    j.path = path;
    j.is_error = true;
    j.message = std::move(message);
    jobs_.push_back(std::move(j));
  }

  void run_job(const Job& job, Outcome& o) const {
    if (job.is_error) {
      o.errors.push_back({job.path, job.message});
      return;
    }
    scan_file(job, o);
  }

  void merge(Outcome& o) {
    for (auto& e : o.errors) res_.errors.push_back(std::move(e));
    for (auto& n : o.notes) res_.notes.push_back(std::move(n));
    if (o.recorded) record(o.src, std::move(o.found));
  }

  void progress() {
    if (opts_.progress && res_.files_scanned % 200 == 0) opts_.progress(res_.files_scanned, false);
  }

  // `real` (canonical, inside root_) relative to root_.
  std::string relative_to_root(const fs::path& real) const {
    const auto& r = root_.native();
    const auto& p = real.native();
    if (p.size() <= r.size()) return ".";
    return p.substr(r.back() == '/' ? r.size() : r.size() + 1);
  }

  bool inside_root(const fs::path& real) const {
    auto r = root_.native();
    auto p = real.native();
    return p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 &&
                      (r.back() == '/' || p[r.size()] == '/'));
  }

  void walk(const fs::path& dir, const fs::path& real_dir, int depth) {
    if (depth > 128) return;
    struct stat dst {};
    if (::stat(real_dir.c_str(), &dst) == 0) {
      if (!visited_.insert({dst.st_dev, dst.st_ino}).second) return;  // symlink loop
    }
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    // An unreadable directory is an error, not skipped: the scan would look clean without it.
    for (fs::directory_iterator it(dir, ec), end;
         !ec && it != end; it.increment(ec))
      entries.push_back(*it);
    if (ec) {
      add_error(dir.string(), fmt::format("{}: {}", dir.string(), ec.message()));
      return;
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
    for (const auto& e : entries) {
      auto name = e.path().filename().string();
      std::string shown = e.path().string();
      if (name == ".git" || name == ".hg" || name == ".svn") continue;
      if (res_.config.path_ignored(shown)) continue;
      std::error_code sec;
      auto status = e.symlink_status(sec);
      if (sec) continue;
      fs::path real = e.path();
      if (fs::is_symlink(status)) {
        real = fs::canonical(e.path(), sec);
        if (sec) continue;                 // dangling
        if (!inside_root(real)) continue;  // never leave the scanned root through a symlink
        status = fs::status(real, sec);
        if (sec) continue;
      } else {
        real = real_dir / e.path().filename();
      }
      if (fs::is_directory(status)) {
        walk(e.path(), real, depth + 1);
      } else if (fs::is_regular_file(status)) {
        if (!selected(shown)) continue;
        Job j = file_job(shown, /*explicit_arg=*/false);
        j.root = root_fd_;
        j.rel = relative_to_root(real);
        jobs_.push_back(std::move(j));
      }
    }
  }

  void scan_stdin() {
    std::string content;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
      content.append(buf, n);
      if (content.size() > opts_.max_file_bytes) {
        res_.errors.push_back({"-", "standard input is larger than the file size limit"});
        return;
      }
    }
    Outcome o;
    auto src = std::make_shared<SourceFile>(opts_.stdin_name, std::move(content));
    res_.stdin_source = src;
    analyze(src, true, o, analyzer_for_kind(opts_.kind));
    merge(o);
  }

  // Runs on worker threads: reads only immutable scanner state, writes only `o`.
  void scan_file(const Job& job, Outcome& o) const {
    const std::string& path = job.path;
    const bool explicit_arg = job.explicit_arg;
    const Analyzer* by_name = nullptr;
    const Analyzer* forced = explicit_arg ? analyzer_for_kind(opts_.kind) : nullptr;
    for (const auto& a : analyzers())
      if (a->claims_name(path)) { by_name = a.get(); break; }
    if (forced) by_name = forced;
    safeio::Opened fd = open_job(job);
    if (!fd.ok()) {
      // A refusal means the tree changed under the scan (a symlink swapped in after the walk);
      // any other failure is a file that could not be read (its kind cannot be told either):
      // both are errors, or the report would look clean with a file left out.
      o.errors.push_back({path, fd.error.message});
      return;
    }
    struct stat st {};
    ::fstat(fd.fd.get(), &st);
    auto size = static_cast<size_t>(st.st_size);
    if (size > opts_.max_file_bytes) {
      // Never silently: a located parse diagnostic (DF000/DC000/K8000) where the kind has
      // one, a note on stderr otherwise (scripts; files named on the command line).
      const std::string why = fmt::format("file is {} bytes, over the {} byte limit; not parsed", size,
                                          opts_.max_file_bytes);
      auto ids = by_name ? by_name->rules() : std::vector<std::string_view>{};
      if (!ids.empty() && ids.front().ends_with("000")) {
        auto src = std::make_shared<SourceFile>(path, std::string());
        Emitter em(*src, res_.config, o.found);
        em.report(ids.front(), Range{1, 1, 1, 1}, why);
        o.recorded = true;
        if (!o.found.empty()) o.src = src;
      } else if (by_name || explicit_arg) {
        o.notes.push_back({path, why});
      }
      return;
    }
    auto hold = budget_.acquire(size);
    // Sniff the head before reading the whole file: a file claimed by name must have content
    // of its kind, and the others are claimed by content.
    std::string head(std::min(size, kSniffBytes), '\0');
    ssize_t got = ::pread(fd.fd.get(), head.data(), head.size(), 0);
    if (got < 0) {
      o.errors.push_back({path, fmt::format("{}: cannot read: {}", path, std::strerror(errno))});
      return;
    }
    head.resize(static_cast<size_t>(got));
    if (forced) {
      // --kind: the user said what the file is; no sniffing.
    } else if (by_name) {
      if (auto why = by_name->refuses(path, head)) {
        o.notes.push_back({path, refusal_note(*by_name, *why)});
        return;
      }
    } else {
      bool claimed = false;
      for (const auto& a : analyzers())
        if (a->claims_content(path, head)) { claimed = true; break; }
      if (!claimed) {
        if (explicit_arg)
          o.notes.push_back({path, std::string(kNotRecognised)});
        return;
      }
    }
    auto text = safeio::read_fd(fd.fd.get(), opts_.max_file_bytes, path);
    if (!text) {
      o.errors.push_back({path, text.error().message});
      return;
    }
    analyze(std::make_shared<SourceFile>(path, std::move(*text)), explicit_arg, o, by_name);
  }

  // Files named by the user are opened as given; files found by the walk beneath the root.
  safeio::Opened open_job(const Job& job) const {
    safeio::Opened op;
    if (!job.root) {
      auto fd = safeio::open_regular(job.path);
      if (fd) op.fd = std::move(*fd);
      else op.error = {safeio::ResolveFailure::Other, fd.error().message};
      return op;
    }
    if (opts_.before_open) opts_.before_open(job.path);
    op = safeio::open_regular_beneath(job.root->get(), job.rel, opts_.resolve);
    // The message names the path relative to the root; show the path as the walk found it.
    if (!op.ok() && op.error.message.rfind(job.rel + ": ", 0) == 0)
      op.error.message = job.path + op.error.message.substr(job.rel.size());
    return op;
  }

  void analyze(SourcePtr src, bool explicit_arg, Outcome& o,
               const Analyzer* forced = nullptr) const {
    std::string refusal;
    const Analyzer* a = forced ? forced : classify(src->path(), src->content(), &refusal);
    if (!a) {
      if (!refusal.empty()) o.notes.push_back({src->path(), std::move(refusal)});
      else if (explicit_arg) o.notes.push_back({src->path(), std::string(kNotRecognised)});
      return;
    }
    std::vector<std::string> notes;
    scan_source(*src, res_.config, o.found, a, &notes);
    for (auto& n : notes) o.notes.push_back({src->path(), std::move(n)});
    // A suppression that silences nothing (unknown id, no `=IDS`) is said, never ignored.
    for (auto& p : check_pragmas(*src))
      o.notes.push_back({src->path(), fmt::format("line {}: {}", p.line, p.message)});
    o.recorded = true;
    if (!o.found.empty()) o.src = std::move(src);
  }

  void record(const SourcePtr& src, std::vector<Finding> found) {
    ++res_.files_scanned;
    progress();
    if (!found.empty()) res_.sources[src->path()] = src;
    for (auto& f : found) res_.findings.push_back(std::move(f));
  }

  const ScanOptions& opts_;
  ScanResult& res_;
  fs::path root_;
  std::shared_ptr<const safeio::Fd> root_fd_;
  std::set<std::pair<dev_t, ino_t>> visited_;
  mutable ByteBudget budget_;  // shared by the workers of run_jobs()
  std::vector<Job> jobs_;
};

}  // namespace

ScanResult scan(const ScanOptions& opts) {
  ScanResult res;
  auto cfg = effective_config(opts);
  if (!cfg) {
    res.errors.push_back({"", cfg.error().message});
    return res;
  }
  res.config = std::move(*cfg);
  Scanner s(opts, res);
  std::vector<std::string> paths = opts.paths.empty() ? std::vector<std::string>{"."} : opts.paths;
  for (const auto& p : paths) s.scan_path(p);
  s.run_jobs();
  if (opts.progress) opts.progress(res.files_scanned, true);
  std::stable_sort(res.findings.begin(), res.findings.end(), finding_less);
  return res;
}

}  // namespace tocsin::iac
