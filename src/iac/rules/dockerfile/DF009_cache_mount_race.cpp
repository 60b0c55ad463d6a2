// DF009 cache-mount-race: BuildKit cache mounts that can be raced or poisoned — a `source=`
// sub-path of a cache (CVE-2024-23651), `..` in a cache `id`/`source` (CVE-2024-9675), or a step
// that takes files out of a cache into its image while the build steps of another image (a stage
// outside its build chain) write the same cache.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "iac/rules/dockerfile/check.hpp"
#include "iac/rules/dockerfile/dfa_util.hpp"
#include "core/strings.hpp"

namespace tocsin::iac::dockerfile {
namespace {

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

// `type=cache,target=/x,id=y` → key/value map (keys lower-cased; CSV quotes honoured).
std::map<std::string, std::string> parse_mount(std::string_view value) {
  std::map<std::string, std::string> kv;
  value = std::string_view(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  size_t i = 0;
  while (i <= value.size()) {
    size_t j = i;
    char quote = 0;
    while (j < value.size() && (quote || value[j] != ',')) {
      if (quote && value[j] == quote) quote = 0;
      else if (!quote && (value[j] == '"' || value[j] == '\'')) quote = value[j];
      ++j;
    }
    std::string_view field = value.substr(i, j - i);
    if (!field.empty()) {
      const size_t eq = field.find('=');
      if (eq == std::string_view::npos) kv[ascii_lower(field)] = "true";
      else kv[ascii_lower(field.substr(0, eq))] = unquote(field.substr(eq + 1));
    }
    i = j + 1;
  }
  return kv;
}

std::optional<std::string> get(const std::map<std::string, std::string>& kv,
                               std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    if (auto it = kv.find(std::string(k)); it != kv.end()) return it->second;
  return std::nullopt;
}

bool has_dotdot(std::string_view p) {
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find_first_of("/\\", i);
    if (j == std::string_view::npos) j = p.size();
    if (p.substr(i, j - i) == "..") return true;
    i = j + 1;
  }
  return false;
}

struct CacheMount {
  size_t instruction = 0;
  int stage = -1;
  const df::Flag* flag = nullptr;
  std::string key;      // id, or target when no id
  bool key_is_id = false;
  std::string sharing;  // shared (default) | locked | private
  std::optional<std::string> source;
  std::optional<std::string> id;
  std::string target;    // absolute mount point
  std::string consumed;  // the command that takes files out of the cache into the image (empty: none)
};

// The first command of a RUN that takes a file out of the cache mounted at `target` into the
// image (`cp /cache/app /usr/local/bin/`, `mv`, `install`, `rsync`, `ln`) or runs a program from it:
// the step ships or executes whatever the cache holds, not what it built itself.
std::string consumer(const Context& ctx, size_t instruction, const std::string& target) {
  if (target.empty() || target == "/") return {};
  const auto& st = ctx.state[instruction];
  for (const auto& rs : ctx.scripts) {
    if (rs.instruction != instruction) continue;
    dfa::CwdTracker cwd(st.workdir);
    for (const auto& c : rs.script.commands) {
      cwd.enter(c);
      size_t idx = c.real_command_index();
      if (idx < c.words.size()) {
        auto in_cache = [&](const sh::Word& w) {
          auto r = dfa::resolve_in(w.text, st.vars, cwd);
          return r && host_paths::within(*r, target);
        };
        std::string_view n = dfa::base_name(c.words[idx].text);
        const std::string& cmd = c.words[idx].text;
        if (cmd.find('/') != std::string::npos && in_cache(c.words[idx])) return cmd;
        if ((n == "cp" || n == "mv" || n == "install" || n == "rsync" || n == "ln") && c.words.size() > idx + 2) {
          const sh::Word& dest = c.words.back();
          bool from_cache = false;
          for (size_t w = idx + 1; w + 1 < c.words.size(); ++w)
            if (!c.words[w].text.empty() && c.words[w].text[0] != '-' && in_cache(c.words[w])) from_cache = true;
          if (from_cache && !in_cache(dest)) return fmt::format("{} … {}", n, dest.text);
        }
      }
      cwd.after(c, st.vars);
    }
  }
  return {};
}

// Stage referred to by `--from=`/`from=`: a stage name or index, else an external image (-1).
int stage_ref(const df::Dockerfile& file, std::string_view ref) {
  const std::string name = ascii_lower(ref);
  for (size_t s = 0; s < file.stages.size(); ++s)
    if (!file.stages[s].name.empty() && file.stages[s].name == name) return static_cast<int>(s);
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    const unsigned long n = std::stoul(name.substr(0, 9));
    if (n < file.stages.size()) return static_cast<int>(n);
  }
  return -1;
}

class DF009 final : public Check {
 public:
  std::string_view id() const override { return "DF009"; }

  void run(const Context& ctx) const override {
    const df::Dockerfile& file = ctx.file;
    const size_t n = file.stages.size();
    // deps[s][t]: stage s needs stage t (directly, then transitively).
    std::vector<std::vector<bool>> deps(n, std::vector<bool>(n, false));
    auto depend = [&](int s, int t) {
      if (s >= 0 && t >= 0 && static_cast<size_t>(s) < n && static_cast<size_t>(t) < n && s != t)
        deps[static_cast<size_t>(s)][static_cast<size_t>(t)] = true;
    };
    for (size_t s = 0; s < n; ++s) depend(static_cast<int>(s), file.stages[s].base_stage);

    std::vector<CacheMount> caches;
    for (size_t i = 0; i < file.instructions.size(); ++i) {
      const df::Instruction& ins = file.instructions[i];
      const df::VarMap* vars = i < ctx.state.size() ? &ctx.state[i].vars : nullptr;
      auto expand = [&](std::string_view v) {
        return vars ? df::expand(v, *vars) : std::string(v);
      };
      for (const df::Flag& f : ins.flags) {
        if (f.name == "from" && (ins.kind == df::Kind::Copy || ins.kind == df::Kind::Add))
          depend(ins.stage, stage_ref(file, expand(unquote(f.value))));
        if (f.name != "mount" || ins.kind != df::Kind::Run) continue;
        auto kv = parse_mount(f.value);
        if (auto from = get(kv, {"from"})) depend(ins.stage, stage_ref(file, expand(*from)));
        if (ascii_lower(get(kv, {"type"}).value_or("bind")) != "cache") continue;
        CacheMount c;
        c.instruction = i;
        c.stage = ins.stage;
        c.flag = &f;
        c.sharing = ascii_lower(get(kv, {"sharing"}).value_or("shared"));
        if (auto v = get(kv, {"source", "src"})) c.source = expand(*v);
        if (auto v = get(kv, {"id"})) c.id = expand(*v);
        // Cache instances are keyed by id (default: the target path) and by the `from` base.
        const std::string target =
            join_path("/", expand(get(kv, {"target", "dst", "destination"}).value_or("")));
        c.key_is_id = c.id.has_value();
        c.key = (c.id ? *c.id : target) + '\0' + get(kv, {"from"}).value_or("");
        c.target = join_path(vars ? ctx.state[i].workdir : std::string("/"),
                             expand(get(kv, {"target", "dst", "destination"}).value_or("")));
        c.consumed = consumer(ctx, i, c.target);
        caches.push_back(std::move(c));
      }
    }

    // Transitive closure (stage counts are small).
    for (size_t k = 0; k < n; ++k)
      for (size_t s = 0; s < n; ++s)
        if (deps[s][k])
          for (size_t t = 0; t < n; ++t)
            if (deps[k][t]) deps[s][t] = true;
    // Stages outside each other's build chain: neither needs the other, so they belong to
    // different images (build targets) or build side by side; what one leaves in a shared cache
    // is not output the other built.
    auto independent = [&](int a, int b) {
      if (a < 0 || b < 0 || a == b) return false;
      const auto ua = static_cast<size_t>(a), ub = static_cast<size_t>(b);
      return !deps[ua][ub] && !deps[ub][ua];
    };

    for (size_t ci = 0; ci < caches.size(); ++ci) {
      const CacheMount& c = caches[ci];
      std::vector<std::string> reasons;
      if (c.source) {
        reasons.push_back(fmt::format(
            "Cache mount `source={}` mounts a sub-path of a cache other steps write: BuildKit "
            "before 0.12.5 resolved it while a parallel step could swap it for a symlink to a "
            "host path (CVE-2024-23651). Mount the cache root (drop `source=`) with "
            "`sharing=locked`.",
            *c.source));
      }
      const bool bad_id = c.id && has_dotdot(*c.id);
      if (bad_id || (c.source && has_dotdot(*c.source))) {
        reasons.push_back(fmt::format(
            "Cache {} `{}` contains `..`: Buildah (podman build) before 1.38.0 joined it to the "
            "cache directory unchecked and mounted host paths into the build (CVE-2024-9675). "
            "Use a plain name.",
            bad_id ? "id" : "source", bad_id ? *c.id : *c.source));
      }
      // A cache another image's build steps also write, from which this step takes files into
      // its image (or runs them). Tool caches that only the tool reads (Go's build and module
      // caches, package manager caches) are content-addressed and safe to share, in parallel too.
      std::vector<const CacheMount*> peers;
      if (!c.consumed.empty()) {
        for (size_t o = 0; o < caches.size(); ++o) {
          const CacheMount& p = caches[o];
          if (o != ci && p.key == c.key && independent(c.stage, p.stage)) peers.push_back(&p);
        }
      }
      if (!peers.empty()) {
        const std::string what =
            c.id ? fmt::format("id `{}`", *c.id)
                 : fmt::format("`{}` (the target, used as id)", c.key.substr(0, c.key.find('\0')));
        reasons.push_back(fmt::format(
            "This step takes files out of cache {} (`{}`) into its image, and stage `{}` (line {}), "
            "which is not part of this stage's build, writes the same cache: what ships is whatever "
            "that other build step left there, not what this step built{}. Give each image its own "
            "cache id, and pass build outputs between stages with `COPY --from`.",
            what, c.consumed, stage_label(ctx.file, peers.front()->stage),
            ctx.out.source().line_of(peers.front()->flag->span.begin),
            c.sharing == "locked" ? " (`sharing=locked` only serialises the writers)" : ""));
      }
      if (reasons.empty()) continue;
      std::string msg;
      for (const std::string& r : reasons) msg += (msg.empty() ? "" : " ") + r;
      Finding& f = ctx.out.report("DF009", c.flag->span.begin, c.flag->span.end, std::move(msg));
      for (const CacheMount* p : peers)
        ctx.out.relate(f, p->flag->span.begin, p->flag->span.end,
                       fmt::format("same cache written in stage `{}`", stage_label(ctx.file, p->stage)));
    }
  }

 private:
  static std::string stage_label(const df::Dockerfile& file, int stage) {
    if (stage < 0 || static_cast<size_t>(stage) >= file.stages.size()) return "?";
    const df::Stage& s = file.stages[static_cast<size_t>(stage)];
    return s.name.empty() ? std::to_string(stage) : s.name;
  }
};

}  // namespace

std::unique_ptr<Check> make_df009() { return std::make_unique<DF009>(); }

}  // namespace tocsin::iac::dockerfile
