// AU009: check/use mismatch. A privileged process checks a name (stat/lstat/access/readlink)
// and then uses the same name (open/exec/chown/mount), and the PATH records of the two calls
// show different objects: the name was swapped in between. Followed: the runtime's own
// processes (dockerd, containerd, runc, `runc init`), and a container's start-up — the process
// `runc init` executes when the container starts and its children, for a bounded window.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"

namespace tocsin::audit {
namespace {

// A runtime use later than this after its check is not paired with it (a runtime checks and
// uses a name within microseconds; seconds apart the name may legitimately have been replaced).
constexpr uint64_t kCheckUseWindowMs = 1000;
// A container start is followed this long after its first process was executed: entrypoint
// scripts check their configuration and then read it, a few commands apart.
constexpr uint64_t kStartWindowMs = 10000;
// Check and use events followed per container start; a start doing more is not followed
// further (bounded work per container, e.g. a first process that walks a whole tree).
constexpr uint64_t kMaxStartEvents = 20000;
// Processes followed per container start (the first process and its children).
constexpr size_t kMaxStartMembers = 256;
// Container starts followed at once, and `runc init` processes remembered.
constexpr size_t kMaxStarts = 1024;
constexpr size_t kMaxRuncInits = 4096;
// A `runc init` that never executes anything is forgotten after this long.
constexpr uint64_t kRuncInitMemoryMs = 60000;
// Objects remembered per container start as created by its own processes.
constexpr size_t kMaxCreatedPerStart = 4096;
// Checks remembered at once (all processes); the oldest go first.
constexpr size_t kMaxChecks = 16384;
constexpr uint32_t kModeTypeMask = 0170000, kModeSymlink = 0120000;

bool is_check_syscall(std::string_view sc) {
  static constexpr std::string_view kChecks[] = {
      "stat",   "lstat",      "newfstatat", "stat64",    "lstat64",  "fstatat64",
      "statx",  "access",     "faccessat",  "faccessat2", "readlink", "readlinkat"};
  return std::find(std::begin(kChecks), std::end(kChecks), sc) != std::end(kChecks);
}

bool is_use_syscall(std::string_view sc) {
  static constexpr std::string_view kUses[] = {"open",   "openat",   "openat2", "creat",
                                               "execve", "execveat", "chown",   "lchown",
                                               "fchownat", "mount"};
  return std::find(std::begin(kUses), std::end(kUses), sc) != std::end(kUses);
}

bool is_exec_syscall(std::string_view sc) { return sc == "execve" || sc == "execveat"; }

// `runc init` after it re-executed itself: its comm is runc:[0:PARENT], runc:[1:CHILD],
// runc:[2:INIT] (and its exe often reads "/" once it has pivoted into the container root).
bool is_runc_init_comm(std::string_view comm) { return comm.substr(0, 5) == "runc:"; }

// Names that mean something else in every process (/proc/self, /dev/fd, /dev/stdin): compared
// per process even inside a container start.
bool is_per_process_name(std::string_view path) {
  return path.substr(0, 6) == "/proc/" || path.substr(0, 5) == "/dev/";
}

std::string proc_key(std::string_view node, int64_t pid) {
  std::string k(node);
  k += '\n';
  k += std::to_string(pid);
  return k;
}

// The name as the process gave it, made absolute with the CWD record when relative (for *at
// calls on another directory descriptor this is wrong, but wrong the same way for the check
// and the use, which is all the comparison needs).
std::string absolute_name(const PathItem& p, std::string_view cwd) {
  const std::string& n = *p.name;
  return n.front() == '/' ? normalize_path(n) : join_path(cwd, n);
}

// Did the runtime command that started this `runc init` start a container (create/run), or
// run a process in a running one (exec)? 1, 0, or -1 when the log does not say.
int runc_start_verb(const ProcessInfo* p) {
  if (!p || p->argv.empty()) return -1;
  auto b = base_name(p->exe), b0 = base_name(p->argv[0]);
  if (b != "runc" && b0 != "runc" && b != "crun" && b0 != "crun") return -1;
  for (size_t i = 1; i < p->argv.size(); ++i) {
    const std::string& a = p->argv[i];
    if (a == "create" || a == "run") return 1;
    if (a == "exec") return 0;
  }
  return -1;
}

class Au009 final : public Detection {
 public:
  std::string_view id() const override { return "AU009"; }

  void on_event(const Event& ev, Context& ctx) override {
    std::string_view sc = ev.syscall_name();
    if (sc.empty()) return;
    auto pid = ev.pid();
    if (!pid) return;
    const bool check = is_check_syscall(sc), use = is_use_syscall(sc), exec = is_exec_syscall(sc);
    const bool runc_comm = is_runc_init_comm(ev.comm_view());
    if (!check && !use && !runc_comm && members_.empty()) return;  // the common case: nothing to do
    const uint64_t t = ev.time_ms();
    // Starts whose window is over are dropped as the log moves on, so that a hunt is back on
    // the fast path above once no start is being followed.
    if (!order_.empty()) expire_groups(t);
    const bool runtime_proc = runc_comm || is_runtime_exe(ev.exe_view());
    if (!runtime_proc && !exec && members_.empty()) return;
    const bool ok = ev.success().value_or(false);
    std::string pkey = proc_key(ev.node(), *pid);

    // `runc init` seen: remember it until it executes the container's program.
    bool was_runc_init = false;
    auto ri = runc_inits_.find(pkey);
    if (ri != runc_inits_.end()) was_runc_init = true;
    if (runc_comm || (exec && ok && is_runc_init_exec(ev))) {
      note_runc_init(ev, ctx, pkey, t);
      ri = runc_inits_.find(pkey);
    }

    Group* group = member_group(pkey, t);
    if (!group && !members_.empty()) {
      // A child of a followed process (fork: its first event names the parent).
      if (auto ppid = ev.ppid()) {
        if (Group* g = member_group(proc_key(ev.node(), *ppid), t); g && g->members.size() < kMaxStartMembers) {
          g->members.push_back(pkey);
          members_[pkey] = g->id;
          group = g;
        }
      }
    }

    // The program `runc init` executes: a container's first process (or a `docker exec`).
    if (exec && ok && !runtime_proc) {
      if (ri != runc_inits_.end()) {
        if (!group) group = maybe_start_group(ev, ctx, pkey, ri->second, t);
        runc_inits_.erase(ri);
      } else if (!group && came_from_runc_init(ev)) {
        // runc init left no record of its own; the kernel's cached proctitle still names it.
        // Only with a known container: the proctitle stays "runc init" for the process's
        // later programs too, and the first one per container is taken.
        if (!ctx.processes.container_of(ev).empty()) group = maybe_start_group(ev, ctx, pkey, RuncInit{t, -1}, t);
      }
    }

    if (group) {
      forget_replaced_names(ev, *group);
      note_own_writes(ev, *group);
    }
    if ((!check && !use) || !ok) return;
    const bool runtime = runtime_proc || (exec && was_runc_init);
    if (!runtime && !group) return;
    if (group && !runtime) {
      if (group->events >= kMaxStartEvents) return;
      ++group->events;
    }
    std::string_view cwd = ev.cwd_view().value_or("/");
    for (const auto& p : ev.paths()) {
      if (p.nametype == "PARENT" || !p.name || p.name->empty() || !p.inode) continue;
      std::string path = absolute_name(p, cwd);
      std::string key = runtime || is_per_process_name(path) ? fmt::format("{}\np{}", pkey, path)
                                                            : fmt::format("{}\ng{}\n{}", ev.node(), group->id, path);
      if (check) {
        // A symlink seen by a no-follow check is legitimately another inode than the target
        // a later open follows to.
        if (p.mode && (*p.mode & kModeTypeMask) == kModeSymlink) {
          checks_.erase(key);
          continue;
        }
        Check c{*p.inode, std::string(p.dev), t, runtime ? kCheckUseWindowMs : kStartWindowMs, event_id(ev),
                std::string(sc), *pid, std::string(ev.exe_view()), group && !runtime ? group->id : 0};
        remember(std::move(key), std::move(c));
        continue;
      }
      auto it = checks_.find(key);
      if (it == checks_.end()) continue;
      Check c = std::move(it->second);
      checks_.erase(it);
      if (p.nametype == "CREATE") continue;  // the use made a new object: nothing was checked
      if (t < c.ms || t - c.ms > c.window_ms) continue;
      bool same_dev = c.dev.empty() || p.dev.empty() || c.dev == p.dev;
      if (c.inode == *p.inode && same_dev) continue;
      if (c.group && group && !replaced_by_another(*group, p)) continue;
      report(ev, ctx, p, c, path, sc, t, c.group ? group : nullptr);
    }
  }

 private:
  struct Check {
    uint64_t inode = 0;
    std::string dev;
    uint64_t ms = 0;
    uint64_t window_ms = 0;
    std::string event;
    std::string syscall;
    int64_t pid = 0;
    std::string exe;
    uint64_t group = 0;  // container start it was seen in, 0 for the runtime's own checks
  };
  struct RuncInit {
    uint64_t ms = 0;
    int verb = -1;  // 1 create/run, 0 exec, -1 unknown (see runc_start_verb)
  };
  // One container start: its first process and that process's children.
  struct Group {
    uint64_t id = 0;
    std::string node;
    int64_t leader = 0;
    std::string leader_exe;
    std::string container;  // alias, empty when unknown
    uint64_t start_ms = 0;
    uint64_t events = 0;
    std::vector<std::string> members;  // proc keys
    // Objects the start's own processes created (dev:inode of their CREATE items).
    std::unordered_set<std::string> created;
  };

  static bool came_from_runc_init(const Event& ev) {
    // Every execve comes here: look for "runc\0init" in the raw (hex: it has a NUL) value
    // before decoding it.
    auto rec = ev.find(RecordType::Proctitle);
    if (!rec) return false;
    auto raw = rec->field("proctitle");
    if (!raw || raw->find("72756E6300696E6974") == std::string_view::npos) return false;
    auto pt = ev.proctitle_argv();
    return pt.size() >= 2 && base_name(pt[0]) == "runc" && pt[1] == "init";
  }

  static bool is_runc_init_exec(const Event& ev) {
    if (base_name(ev.exe_view()) != "runc") return false;
    auto argv = ev.argv();
    return argv.size() >= 2 && argv[1] == "init";
  }

  void note_runc_init(const Event& ev, Context& ctx, const std::string& pkey, uint64_t t) {
    auto it = runc_inits_.find(pkey);
    if (it != runc_inits_.end()) {
      it->second.ms = t;
      return;
    }
    RuncInit r;
    r.ms = t;
    if (auto ppid = ev.ppid()) {
      // The runc command that forked it, or the runc init it was cloned from.
      std::string parent = proc_key(ev.node(), *ppid);
      if (auto pi = runc_inits_.find(parent); pi != runc_inits_.end()) r.verb = pi->second.verb;
      else r.verb = runc_start_verb(ctx.processes.find(ev.node(), *ppid));
    }
    if (runc_inits_.size() >= kMaxRuncInits)
      std::erase_if(runc_inits_, [t](const auto& kv) { return t > kv.second.ms + kRuncInitMemoryMs; });
    if (runc_inits_.size() >= kMaxRuncInits) runc_inits_.clear();  // a flood: start over
    runc_inits_.emplace(pkey, r);
  }

  // The group `pkey` belongs to, while its start window is open.
  Group* member_group(const std::string& pkey, uint64_t t) {
    if (members_.empty()) return nullptr;
    auto it = members_.find(pkey);
    if (it == members_.end()) return nullptr;
    auto g = groups_.find(it->second);
    if (g == groups_.end()) {
      members_.erase(it);
      return nullptr;
    }
    if (t > g->second.start_ms + kStartWindowMs) {
      drop_group(g->first);
      return nullptr;
    }
    return &g->second;
  }

  Group* maybe_start_group(const Event& ev, Context& ctx, const std::string& pkey, const RuncInit& r,
                           uint64_t t) {
    std::string container = ctx.processes.container_of(ev);
    if (r.verb == 0) return nullptr;  // `docker exec`: not the container's start
    if (r.verb < 0 && !container.empty()) {
      // The log does not show which runc command it was: the first program seen in a
      // container is taken as its start (a hunt over a log that begins later may take a
      // `docker exec` process for it).
      if (!started_containers_.emplace(container).second) return nullptr;
      if (started_containers_.size() > 4 * kMaxStarts) started_containers_.clear();
    } else if (!container.empty()) {
      started_containers_.insert(container);
    }
    expire_groups(t);
    if (groups_.size() >= kMaxStarts) drop_group(order_.front());
    Group g;
    g.id = next_group_++;
    g.node = std::string(ev.node());
    g.leader = *ev.pid();
    g.leader_exe = std::string(ev.exe_view());
    g.container = std::move(container);
    g.start_ms = t;
    g.members.push_back(pkey);
    members_[pkey] = g.id;
    order_.push_back(g.id);
    return &groups_.emplace(g.id, std::move(g)).first->second;
  }

  void expire_groups(uint64_t t) {
    while (!order_.empty()) {
      auto g = groups_.find(order_.front());
      if (g != groups_.end() && t <= g->second.start_ms + kStartWindowMs) break;
      drop_group(order_.front());
    }
  }

  void drop_group(uint64_t id) {
    auto g = groups_.find(id);
    if (g != groups_.end()) {
      for (const auto& m : g->second.members) {
        auto it = members_.find(m);
        if (it != members_.end() && it->second == id) members_.erase(it);
      }
      groups_.erase(g);
    }
    auto o = std::find(order_.begin(), order_.end(), id);
    if (o != order_.end()) order_.erase(o);
  }

  void note_own_writes(const Event& ev, Group& g) {
    if (!ev.success().value_or(false)) return;
    for (const auto& p : ev.paths())
      if (p.nametype == "CREATE" && p.inode && g.created.size() < kMaxCreatedPerStart)
        g.created.insert(fmt::format("{}:{}", p.dev, *p.inode));
  }

  // A pair in a container start is a race only when the object used was not made by the start's
  // own processes: `useradd` writes /etc/passwd+ and renames it over /etc/passwd, dpkg writes
  // *.dpkg-new. Their rename may be absent from the log (rules that record opens but not
  // renames: the lab's container_start rule), the CREATE of the temporary file is not.
  static bool replaced_by_another(const Group& g, const PathItem& used) {
    return !g.created.count(fmt::format("{}:{}", used.dev, *used.inode));
  }

  // A name the start's own processes created, renamed or removed (`sed -i`, `mv tmp conf`,
  // `rm f; cp x f`) is a new object by their own hand: its earlier check no longer counts.
  void forget_replaced_names(const Event& ev, const Group& g) {
    bool any = false;
    for (const auto& p : ev.paths())
      if ((p.nametype == "CREATE" || p.nametype == "DELETE") && p.name && !p.name->empty()) any = true;
    if (!any) return;
    std::string_view cwd = ev.cwd_view().value_or("/");
    std::string parent;
    for (const auto& p : ev.paths())
      if (p.nametype == "PARENT" && p.name && !p.name->empty() && p.name->front() == '/') {
        parent = normalize_path(*p.name);
        break;
      }
    for (const auto& p : ev.paths()) {
      if ((p.nametype != "CREATE" && p.nametype != "DELETE") || !p.name || p.name->empty()) continue;
      std::string path = absolute_name(p, cwd);
      checks_.erase(fmt::format("{}\ng{}\n{}", ev.node(), g.id, path));
      if (!parent.empty() && p.name->front() != '/')
        checks_.erase(fmt::format("{}\ng{}\n{}", ev.node(), g.id, join_path(parent, base_name(*p.name))));
    }
  }

  void report(const Event& ev, Context& ctx, const PathItem& p, const Check& c, const std::string& path,
              std::string_view sc, uint64_t t, const Group* g) {
    std::string exe = ev.exe().value_or(ev.comm().value_or("?"));
    std::string checked = fmt::format("inode {}{}{}", c.inode, c.dev.empty() ? "" : ", dev ", c.dev);
    std::string used = fmt::format("inode {}{}{}", *p.inode, p.dev.empty() ? "" : ", dev ", p.dev);
    std::string msg;
    if (g) {
      std::string where = g->container.empty() ? std::string("a container")
                                               : fmt::format("container {}", ctx.containers.label(g->container));
      std::string who = c.pid == *ev.pid() ? fmt::format("pid {} ({})", c.pid, exe)
                                           : fmt::format("pid {} ({}) and then pid {} ({})", c.pid,
                                                         c.exe.empty() ? "?" : c.exe, *ev.pid(), exe);
      msg = fmt::format(
          "{} at the start of {} (first process pid {}, {}): checked {} with {} ({}) and then used it "
          "with {} ({}) {} ms later: the name was replaced between check and use",
          who, where, g->leader, g->leader_exe.empty() ? "?" : g->leader_exe, path, c.syscall, checked, sc,
          used, t - c.ms);
    } else {
      msg = fmt::format(
          "pid {} ({}) checked {} with {} ({}) and then used it with {} ({}) {} ms later: the name was "
          "replaced between check and use",
          *ev.pid(), exe, *p.name, c.syscall, checked, sc, used, t - c.ms);
    }
    Alert a = ctx.alert_at("AU009", ev, std::move(msg));
    a.event_ids.insert(a.event_ids.begin(), c.event);
    a.user = user_of(ev);
    ctx.emit(std::move(a));
  }

  void remember(std::string key, Check c) {
    if (checks_.size() >= kMaxChecks && !checks_.count(key)) {
      // Drop what is too old to pair; if everything is recent, the oldest half.
      uint64_t now = c.ms;
      std::erase_if(checks_, [now](const auto& kv) { return now > kv.second.ms + kv.second.window_ms; });
      if (checks_.size() >= kMaxChecks) {
        std::vector<uint64_t> times;
        times.reserve(checks_.size());
        for (const auto& kv : checks_) times.push_back(kv.second.ms);
        std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
        uint64_t median = times[times.size() / 2];
        std::erase_if(checks_, [median](const auto& kv) { return kv.second.ms <= median; });
      }
    }
    checks_[std::move(key)] = std::move(c);
  }

  std::unordered_map<std::string, Check> checks_;
  std::unordered_map<std::string, RuncInit> runc_inits_;     // proc key -> runc init
  std::unordered_map<uint64_t, Group> groups_;               // container starts followed
  std::deque<uint64_t> order_;                               // group ids, oldest first
  std::unordered_map<std::string, uint64_t> members_;        // proc key -> group id
  std::unordered_set<std::string> started_containers_;       // aliases whose start was seen
  uint64_t next_group_ = 1;
};

}  // namespace

std::unique_ptr<Detection> make_au009() { return std::make_unique<Au009>(); }

}  // namespace tocsin::audit
