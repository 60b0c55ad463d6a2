// `watch --respond` (runtime/respond.cpp) against a fake Docker daemon (fake_daemon.hpp) that
// knows a few containers and records every request: one pause per container, allow/deny, the
// rate limit, dry-run without a POST, host processes left alone, engine errors in the record,
// --respond-for; and the podman CLI engine against a fake `podman` program.
#include "runtime/respond.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "fake_daemon.hpp"

using namespace tocsin;
using namespace tocsin::runtime;
using tocsin::test::FakeDaemon;
using tocsin::test::reply;

namespace {

std::string inspect_json(const std::string& id, const std::string& name, const std::string& image,
                         const std::string& labels = "{}", bool paused = false) {
  return R"({"Id":")" + id + R"(","Name":"/)" + name + R"(","Config":{"Image":")" + image + R"(","Labels":)" + labels +
         R"(},"State":{"Running":true,"Paused":)" + (paused ? "true" : "false") + "}}";
}

// victim (lab image, label tier=lab), web (another image), broken (pause fails), c1..c9.
class Daemon {
 public:
  Daemon()
      : d_([this](int fd, const std::string& req, FakeDaemon&) {
          if (req == "GET /_ping HTTP/1.1") return FakeDaemon::send(fd, reply("200 OK", "Api-Version: 1.41\r\n", "OK"));
          for (const auto& [name, body] : containers_) {
            const std::string id = "id-" + name;
            if (req == "GET /v1.41/containers/" + name + "/json HTTP/1.1" ||
                req == "GET /v1.41/containers/" + id + "/json HTTP/1.1")
              return FakeDaemon::send(fd, reply("200 OK", "Content-Type: application/json\r\n", body));
            if (req.rfind("POST /v1.41/containers/" + id + "/", 0) == 0) {
              if (name == "broken")
                return FakeDaemon::send(
                    fd, reply("500 Internal Server Error", "",
                              R"({"message":"Cannot pause container id-broken: OCI runtime pause failed"})"));
              return FakeDaemon::send(fd, reply("204 No Content", "", ""));
            }
          }
          FakeDaemon::send(fd, reply("404 Not Found", "", R"({"message":"No such container"})"));
        }) {}
  std::string host() const { return d_.host(); }
  std::vector<std::string> posts() {
    std::vector<std::string> out;
    for (const auto& r : d_.requests())
      if (r.rfind("POST ", 0) == 0) out.push_back(r);
    return out;
  }
  size_t requests() { return d_.requests().size(); }

 private:
  std::map<std::string, std::string> containers_ = [] {
    std::map<std::string, std::string> m;
    m["victim"] = inspect_json("id-victim", "victim", "tocsin-lab:1", R"({"tier":"lab"})");
    m["web"] = inspect_json("id-web", "web", "nginx:1.25", R"({"tier":"prod","keep":"yes"})");
    m["broken"] = inspect_json("id-broken", "broken", "tocsin-lab:1");
    m["frozen"] = inspect_json("id-frozen", "frozen", "tocsin-lab:1", "{}", true);
    m[std::string(64, 'b')] = inspect_json("id-victim", "victim", "tocsin-lab:1");  // victim by its full id
    for (int i = 1; i <= 9; ++i) {
      std::string n = "c" + std::to_string(i);
      m[n] = inspect_json("id-" + n, n, "tocsin-lab:1");
    }
    return m;
  }();
  FakeDaemon d_;  // last: its thread reads containers_
};

Alert swap_alert(const std::string& rule, const std::string& container, bool early = false) {
  Alert a;
  a.rule = rule;
  a.early = early;
  a.actor_container = container;
  a.swap = AlertSwap{4242, {"/w/dir", "/w/dir-link"}, 40, 30};
  a.message = "swap loop";
  return a;
}

struct Fixture {
  Daemon daemon;
  std::vector<std::string> notes;
  uint64_t steady = 1000000, wall = 1765000000000;
  std::unique_ptr<Responder> make(RespondOptions opt) {
    return std::make_unique<Responder>(
        std::move(opt), docker_engine(daemon.host()), [this](const std::string& n) { notes.push_back(n); },
        [this] { return steady; }, [this] { return wall; });
  }
};

RespondOptions pause_opts() {
  RespondOptions o;
  o.action = "pause";
  return o;
}

}  // namespace

TEST(Responder, PausesEachContainerOnceAndRepeatsTheRecord) {
  Fixture f;
  auto r = f.make(pause_opts());
  Alert early = swap_alert("AU002", "victim", true);
  r->handle(early);
  ASSERT_TRUE(early.response);
  EXPECT_EQ(early.response->action, "pause");
  EXPECT_EQ(early.response->container, "id-victim");
  EXPECT_TRUE(early.response->ok);
  ASSERT_TRUE(early.response->ms);
  EXPECT_NE(early.response->detail.find("docker unpause victim"), std::string::npos) << early.response->detail;
  EXPECT_EQ(f.daemon.posts(), std::vector<std::string>{"POST /v1.41/containers/id-victim/pause HTTP/1.1"});

  // The AU003 of a copy it races, the final AU002, and the same container by id: no second action.
  for (const char* ref : {"victim", "victim", "id-victim"}) {
    Alert later = swap_alert(std::string(ref) == "id-victim" ? "AU002" : "AU003", ref);
    f.steady += 500;
    r->handle(later);
    ASSERT_TRUE(later.response);
    EXPECT_EQ(later.response->action, "pause");
    EXPECT_TRUE(later.response->ok);
    EXPECT_EQ(later.response->ms, early.response->ms);
    EXPECT_EQ(later.response->detail, "already paused by this watcher at 2025-12-06T05:46:40.000Z");
  }
  EXPECT_EQ(f.daemon.posts().size(), 1u);
  EXPECT_EQ(r->counts().acted, 1u);
  // Other rules are not the responder's business.
  Alert copy = swap_alert("AU001", "victim");
  r->handle(copy);
  EXPECT_FALSE(copy.response);
  auto j = r->counts_json();
  EXPECT_EQ(j["acted"], 1);
  EXPECT_EQ(j["action"], "pause");
  r->finish();
  ASSERT_FALSE(f.notes.empty());
  EXPECT_NE(f.notes.back().find("left paused by this watcher: container victim"), std::string::npos);
}

TEST(Responder, StopsWithAGracePeriod) {
  Fixture f;
  RespondOptions o;
  o.action = "stop";
  auto r = f.make(o);
  Alert a = swap_alert("AU003", "victim");
  r->handle(a);
  ASSERT_TRUE(a.response);
  EXPECT_EQ(a.response->action, "stop");
  EXPECT_TRUE(a.response->ok);
  EXPECT_EQ(f.daemon.posts(), std::vector<std::string>{"POST /v1.41/containers/id-victim/stop?t=2 HTTP/1.1"});
}

TEST(Responder, DenyWinsAndAllowRestricts) {
  Fixture f;
  RespondOptions o = pause_opts();
  o.deny = {"label:keep"};
  o.allow = {"image:tocsin-lab:*", "name:web"};
  auto r = f.make(o);
  Alert web = swap_alert("AU002", "web");  // allowed by name, denied by label: deny wins
  r->handle(web);
  ASSERT_TRUE(web.response);
  EXPECT_EQ(web.response->action, "none");
  EXPECT_FALSE(web.response->ok);
  EXPECT_EQ(web.response->detail, "refused: web matches --respond-deny label:keep");
  Alert victim = swap_alert("AU002", "victim");  // allowed by image
  r->handle(victim);
  EXPECT_EQ(victim.response->action, "pause");
  EXPECT_TRUE(victim.response->ok);
  EXPECT_EQ(f.daemon.posts(), std::vector<std::string>{"POST /v1.41/containers/id-victim/pause HTTP/1.1"});

  RespondOptions only = pause_opts();
  only.allow = {"label:tier=prod"};
  auto r2 = f.make(only);
  Alert c1 = swap_alert("AU003", "c1");
  r2->handle(c1);
  EXPECT_EQ(c1.response->action, "none");
  EXPECT_EQ(c1.response->detail, "refused: c1 matches no --respond-allow entry");
  EXPECT_EQ(r2->counts().refused, 1u);
  EXPECT_EQ(f.daemon.posts().size(), 1u);
  // A container someone else paused is left as it is.
  Alert frozen = swap_alert("AU002", "frozen");
  r2 = f.make(pause_opts());
  r2->handle(frozen);
  EXPECT_EQ(frozen.response->action, "none");
  EXPECT_EQ(frozen.response->detail, "frozen was already paused (not by this watcher)");
}

TEST(Responder, RateLimitPerMinute) {
  Fixture f;
  RespondOptions o = pause_opts();
  o.rate_per_min = 2;
  auto r = f.make(o);
  std::vector<Alert> as;
  for (const char* c : {"c1", "c2", "c3"}) {
    as.push_back(swap_alert("AU002", c));
    r->handle(as.back());
    f.steady += 1000;
  }
  EXPECT_TRUE(as[0].response->ok);
  EXPECT_TRUE(as[1].response->ok);
  EXPECT_EQ(as[2].response->action, "none");
  EXPECT_EQ(as[2].response->detail, "rate limit: 2 actions in the last minute (--respond-rate 2)");
  EXPECT_EQ(r->counts().rate_limited, 1u);
  EXPECT_EQ(f.daemon.posts().size(), 2u);
  f.steady += 60000;  // a minute after the first two: room again
  Alert again = swap_alert("AU002", "c3");
  r->handle(again);
  EXPECT_EQ(again.response->action, "pause");
  EXPECT_EQ(f.daemon.posts().size(), 3u);
}

TEST(Responder, DryRunDecidesWithoutAnyPost) {
  Fixture f;
  RespondOptions o;  // dry-run is the default
  o.deny = {"name:web"};
  auto r = f.make(o);
  Alert a = swap_alert("AU002", "victim", true), b = swap_alert("AU003", "victim"), w = swap_alert("AU002", "web");
  r->handle(a);
  r->handle(b);
  r->handle(w);
  EXPECT_EQ(a.response->action, "dry-run");
  EXPECT_TRUE(a.response->ok);
  EXPECT_EQ(a.response->detail, "would pause victim");
  EXPECT_EQ(b.response->action, "dry-run");
  EXPECT_NE(b.response->detail.find("already decided by this watcher at"), std::string::npos);
  EXPECT_EQ(w.response->action, "none");
  EXPECT_TRUE(f.daemon.posts().empty());
  EXPECT_EQ(r->counts().dry_run, 1u);
  EXPECT_EQ(r->counts().refused, 1u);
}

TEST(Responder, NeverActsOnAProcessOutsideAContainer) {
  Fixture f;
  auto r = f.make(pause_opts());
  for (const char* rule : {"AU002", "AU003"}) {
    Alert a = swap_alert(rule, "");
    r->handle(a);
    ASSERT_TRUE(a.response);
    EXPECT_EQ(a.response->action, "none");
    EXPECT_FALSE(a.response->ok);
    EXPECT_EQ(a.response->container, "");
    EXPECT_EQ(a.response->detail, "pid 4242 is not known to be in a container: tocsin acts only on containers");
  }
  EXPECT_EQ(f.daemon.requests(), 0u);  // not even an inspect
  EXPECT_EQ(r->counts().refused, 2u);
}

TEST(Responder, EngineErrorsAreRecordedAndRetried) {
  Fixture f;
  auto r = f.make(pause_opts());
  Alert a = swap_alert("AU002", "broken");
  r->handle(a);
  ASSERT_TRUE(a.response);
  EXPECT_EQ(a.response->action, "pause");
  EXPECT_FALSE(a.response->ok);
  EXPECT_TRUE(a.response->ms);
  EXPECT_EQ(a.response->detail,
            "docker: pause id-broken returned 500: Cannot pause container id-broken: OCI runtime "
            "pause failed");
  Alert b = swap_alert("AU003", "broken");  // not remembered: tried again
  r->handle(b);
  EXPECT_FALSE(b.response->ok);
  EXPECT_EQ(f.daemon.posts().size(), 2u);
  Alert gone = swap_alert("AU002", "nosuch");
  r->handle(gone);
  EXPECT_FALSE(gone.response->ok);
  EXPECT_EQ(gone.response->container, "nosuch");
  EXPECT_NE(gone.response->detail.find("returned 404"), std::string::npos) << gone.response->detail;
  EXPECT_EQ(r->counts().failed, 3u);

  // No daemon at all.
  RespondOptions o = pause_opts();
  Responder none(o, docker_engine("unix:///nonexistent/docker.sock"), [](const std::string&) {});
  Alert c = swap_alert("AU002", "victim");
  none.handle(c);
  EXPECT_FALSE(c.response->ok);
  EXPECT_NE(c.response->detail.find("cannot connect"), std::string::npos) << c.response->detail;
}

TEST(Responder, RespondForUnpausesAndActsAgainLater) {
  Fixture f;
  RespondOptions o = pause_opts();
  ASSERT_TRUE(parse_duration_ms("30s"));
  o.for_ms = *parse_duration_ms("30s");
  auto r = f.make(o);
  Alert a = swap_alert("AU002", "victim");
  r->handle(a);
  EXPECT_NE(a.response->detail.find("unpaused by this watcher after 30000 ms"), std::string::npos);
  f.steady += 29999;
  r->tick();
  EXPECT_EQ(f.daemon.posts().size(), 1u);
  f.steady += 1;
  r->tick();
  EXPECT_EQ(f.daemon.posts().back(), "POST /v1.41/containers/id-victim/unpause HTTP/1.1");
  EXPECT_EQ(r->counts().unpaused, 1u);
  Alert b = swap_alert("AU002", "victim");
  r->handle(b);
  EXPECT_EQ(f.daemon.posts().back(), "POST /v1.41/containers/id-victim/pause HTTP/1.1");
  EXPECT_EQ(f.daemon.posts().size(), 3u);
}

TEST(Responder, PolicyEntriesAndDurations) {
  for (const char* ok : {"name:web*", "image:nginx:*", "label:tier=prod", "label:keep"})
    EXPECT_TRUE(check_policy_entry(ok)) << ok;
  for (const char* bad : {"web", "name:", "label:=x", "id:abc", ""}) EXPECT_FALSE(check_policy_entry(bad)) << bad;
  EXPECT_EQ(*parse_duration_ms("5m"), 300000u);
  EXPECT_EQ(*parse_duration_ms("2h"), 7200000u);
  EXPECT_EQ(*parse_duration_ms("500ms"), 500u);
  EXPECT_EQ(*parse_duration_ms("45"), 45000u);
  for (const char* bad : {"", "x", "5d", "-3s", "0"}) EXPECT_FALSE(parse_duration_ms(bad)) << bad;
}

TEST(PodmanCli, ActsThroughAnArgumentVector) {
  tocsin::test::TempDir dir{"tocsin-podman-fake"};
  const std::string log = (dir.p / "argv.log").string(), prog = (dir.p / "podman").string();
  {
    std::ofstream p(prog);
    p << "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\" >>'" << log << "'; done; echo >>'" << log << "'\n"
      << "case \"$1\" in container) echo '[{\"Id\":\"abc\",\"Name\":\"vic tim\",\"Config\":{\"Image\":"
         "\"localhost/lab:1\",\"Labels\":{\"a\":\"b\"}},\"State\":{\"Running\":true,\"Paused\":false}}]';;\n"
      << "pause) if [ \"$3\" = 'bad;name' ]; then echo 'Error: no container with name or ID' >&2; exit 125; fi;;\n"
      << "esac\nexit 0\n";
  }
  ::chmod(prog.c_str(), 0755);
  std::vector<std::string> notes;
  Responder r(pause_opts(), podman_cli_engine(prog), [&](const std::string& n) { notes.push_back(n); });
  Alert a = swap_alert("AU002", "vic tim");
  r.handle(a);
  ASSERT_TRUE(a.response);
  EXPECT_TRUE(a.response->ok) << a.response->detail;
  EXPECT_EQ(a.response->container, "abc");
  EXPECT_NE(a.response->detail.find("podman unpause vic tim"), std::string::npos) << a.response->detail;
  std::ifstream in(log);
  std::string l1, l2;
  std::getline(in, l1);
  std::getline(in, l2);
  EXPECT_EQ(l1, "[container][inspect][--][vic tim]");
  EXPECT_EQ(l2, "[pause][--][abc]");
  auto fail = run_bounded({prog, "pause", "--", "bad;name"}, 5000);
  ASSERT_FALSE(fail);
  EXPECT_NE(fail.error().message.find("Error: no container with name or ID"), std::string::npos);
  auto slow = run_bounded({"/bin/sleep", "5"}, 200);
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().message, "/bin/sleep 5: no answer within 200 ms (killed)");
}

TEST(Responder, ContainerIdFromCgroup) {
  const std::string id(64, 'a');
  EXPECT_EQ(container_id_from_cgroup("12:freezer:/docker/" + id + "\n0::/\n"), id);
  EXPECT_EQ(container_id_from_cgroup("0::/system.slice/docker-" + id + ".scope\n"), id);
  EXPECT_EQ(container_id_from_cgroup("0::/machine.slice/libpod-" + id + ".scope/container\n"), id);
  EXPECT_EQ(container_id_from_cgroup("0::/kubepods/besteffort/pod1/cri-containerd-" + id + ".scope\n"), id);
  EXPECT_FALSE(container_id_from_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n"));
  EXPECT_FALSE(container_id_from_cgroup("4:memory:/process_api/c7d44672a17e064d74d63037971577d0\n"));
}

// A loop the audit data does not place in a container (its exec was not audited): found through
// <proc>/<pid>/cgroup when the process is the one the log saw; a reused pid is not.
TEST(Responder, FindsALiveLoopsContainerThroughProc) {
  Fixture f;
  tocsin::test::TempDir proc{"tocsin-fake-proc"};
  const std::string victim_id = std::string(64, 'b');
  auto write = [](const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  };
  const long hz = ::sysconf(_SC_CLK_TCK);
  write(proc.p / "stat", "cpu  1 2 3\nbtime 1765000000\nprocesses 5\n");
  // pid 4242 started 100 s after boot, in the victim container (the fake daemon knows "id-victim")
  write(proc.p / "4242" / "stat",
        "4242 (sw ap) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(100 * hz) + " 1 1\n");
  write(proc.p / "4242" / "cgroup", "6:freezer:/docker/id-victim\n");
  std::filesystem::create_symlink("/bin/swap", proc.p / "4242" / "exe");
  // container_id_from_cgroup wants 64 hex digits: the fake's ids are not; test the lookup itself
  EXPECT_FALSE(container_of_process(proc.p.string(), 4242, "/bin/swap", 1765000000000 + 200000));
  write(proc.p / "4242" / "cgroup", "6:freezer:/docker/" + victim_id + "\n");
  EXPECT_EQ(container_of_process(proc.p.string(), 4242, "/bin/swap", 1765000000000 + 200000), victim_id);
  EXPECT_FALSE(container_of_process(proc.p.string(), 4242, "/bin/other", 1765000000000 + 200000));  // exe differs
  EXPECT_FALSE(container_of_process(proc.p.string(), 4242, "/bin/swap", 1765000000000 + 50000));    // started later
  EXPECT_FALSE(container_of_process(proc.p.string(), 4243, "", 1765000000000 + 200000));            // no such pid
  EXPECT_FALSE(container_of_process("/proc", ::getpid(), "", 4000000000000));  // this test: not in a container

  RespondOptions o = pause_opts();
  o.proc_root = proc.p.string();
  auto r = f.make(o);
  Alert a = swap_alert("AU002", "");
  a.exe = "/bin/swap";
  a.time_ms = 1765000000000 + 200000;
  r->handle(a);
  ASSERT_TRUE(a.response);
  EXPECT_EQ(a.response->action, "pause");
  EXPECT_TRUE(a.response->ok);
  EXPECT_EQ(a.response->container, "id-victim");
  EXPECT_NE(a.response->detail.find("paused victim (the container of pid 4242, by its cgroup)"), std::string::npos)
      << a.response->detail;
  // The final record, after the loop is gone: the same container, no second action.
  std::filesystem::remove_all(proc.p / "4242");
  Alert fin = swap_alert("AU003", "");
  fin.time_ms = 1765000000000 + 300000;
  r->handle(fin);
  EXPECT_EQ(fin.response->action, "pause");
  EXPECT_NE(fin.response->detail.find("already paused by this watcher"), std::string::npos);
  EXPECT_EQ(f.daemon.posts().size(), 1u);
  // A host process (its cgroup names no container) is never acted on.
  write(proc.p / "77" / "stat", "77 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1\n");
  write(proc.p / "77" / "cgroup", "0::/user.slice/session-1.scope\n");
  Alert host = swap_alert("AU002", "");
  host.swap->pid = 77;
  host.time_ms = 1765000000000 + 300000;
  r->handle(host);
  EXPECT_EQ(host.response->action, "none");
  EXPECT_EQ(host.response->detail, "pid 77 is not known to be in a container: tocsin acts only on containers");
}
