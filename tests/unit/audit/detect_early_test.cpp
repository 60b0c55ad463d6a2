// Early verdicts (EngineOptions::early, what `watch` runs with; docs/live.md): AU001 at the copy
// client's exec, AU002 at the loop's establishing exchange, AU003 as soon as a copy and an
// established loop on its path overlap, AU004 at the helper's exec when its a1 shows another
// directory. Each early record is delivered at the event that decides it, and the final records
// are exactly hunt's. Hand-made events (the lab's scenario, detect_helpers.hpp), then every lab
// recording through the hunt driver.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "audit/hunt.hpp"
#include "detect_helpers.hpp"
#include "report/report.hpp"

using namespace tocsin::audit;
using namespace tocsin::audit::testing;
using namespace tocsin::audit::testing::scenario;
using tocsin::Alert;

namespace {

// An alert as delivered, with the id of the last event fed before it came (empty: at finish).
struct Delivered {
  Alert alert;
  std::string at_event;
};

std::vector<Delivered> stream(const std::string& log, bool early) {
  EngineOptions opt;
  opt.early = early;
  Engine engine(opt);
  std::vector<Delivered> out;
  std::string last;
  engine.set_sink([&](Alert&& a) { out.push_back({std::move(a), last}); });
  auto src = TextSource::from_memory(log, "t.log");
  (void)src.for_each([&](Event&& ev) {
    last = event_id(ev);
    engine.on_event(ev);
    return true;
  });
  last.clear();
  engine.finish();
  return out;
}

std::vector<const Delivered*> find(const std::vector<Delivered>& d, const std::string& rule, bool early) {
  std::vector<const Delivered*> out;
  for (const auto& x : d)
    if (x.alert.rule == rule && x.alert.early == early) out.push_back(&x);
  return out;
}

// The final records, rendered, in delivery order.
std::vector<std::string> finals(const std::vector<Delivered>& d) {
  std::vector<std::string> out;
  for (const auto& x : d)
    if (!x.alert.early) out.push_back(tocsin::report::alert_jsonl(x.alert));
  return out;
}

}  // namespace

TEST(DetectEarly, LoopIsReportedAtItsEstablishingExchange) {
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(w.rename2(7601, 2010, "/w/dir", "/w/dir-link"));
  auto d = stream(w.text(), true);
  auto early = find(d, "AU002", true);
  ASSERT_EQ(early.size(), 1u);
  const Alert& e = early[0]->alert;
  EXPECT_EQ(early[0]->at_event, ids[kLoopMinRenames - 1]);  // delivered with the 32nd exchange
  EXPECT_EQ(e.event_ids, (std::vector<std::string>{ids[0], ids[kLoopMinRenames - 1]}));
  ASSERT_TRUE(e.swap);
  EXPECT_EQ(e.swap->count, kLoopMinRenames);
  EXPECT_EQ(e.actor_container, "victim");  // what --respond acts on
  EXPECT_NE(e.message.find("still running"), std::string::npos) << e.message;
  EXPECT_NE(tocsin::report::alert_jsonl(e).find("\"stage\":\"early\""), std::string::npos);
  auto fin = find(d, "AU002", false);
  ASSERT_EQ(fin.size(), 1u);
  EXPECT_EQ(fin[0]->alert.swap->count, 100u);
  EXPECT_EQ(fin[0]->alert.event_ids, (std::vector<std::string>{ids[0], ids.back()}));
  EXPECT_EQ(tocsin::report::alert_jsonl(fin[0]->alert).find("\"stage\""), std::string::npos);
  EXPECT_EQ(finals(d), finals(stream(w.text(), false)));
}

TEST(DetectEarly, ShortRenameBurstIsNeverEarly) {
  // 31 exchanges: below the threshold, neither an early nor a final AU002.
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  loop(w, 7601, static_cast<int>(kLoopMinRenames) - 1);
  auto d = stream(w.text(), true);
  EXPECT_TRUE(find(d, "AU002", true).empty());
  EXPECT_TRUE(find(d, "AU002", false).empty());
}

TEST(DetectEarly, RacedCopyIsReportedAtTheClientAndTheHelper) {
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  loop(w, 7601, 40);
  std::string helper;
  std::string client = copy_to(w, 3001, "/w/dir/payload", "/", &helper);  // won: the helper got /
  loop(w, 7601, 40);
  auto d = stream(w.text(), true);
  auto e1 = find(d, "AU001", true), e3 = find(d, "AU003", true), e4 = find(d, "AU004", true);
  ASSERT_EQ(e1.size(), 1u);
  ASSERT_EQ(e3.size(), 1u);
  ASSERT_EQ(e4.size(), 1u);
  EXPECT_EQ(e1[0]->at_event, client);
  EXPECT_EQ(e3[0]->at_event, client);  // the loop was established before the copy began
  EXPECT_EQ(e4[0]->at_event, helper);
  EXPECT_EQ(e3[0]->alert.actor_container, "victim");
  EXPECT_EQ(e4[0]->alert.docker_cp->resolved_path, "/");
  EXPECT_EQ(e3[0]->alert.event_ids.front(), client);
  // Every early record comes before the final one of the same alert, which comes at the copy's
  // close; the finals are hunt's, byte for byte.
  for (const auto* e : {e1[0], e3[0], e4[0]}) {
    auto f = find(d, e->alert.rule, false);
    ASSERT_EQ(f.size(), 1u) << e->alert.rule;
    EXPECT_EQ(f[0]->alert.event_ids.front(), e->alert.event_ids.front());
    EXPECT_LT(e, f[0]) << e->alert.rule;
  }
  EXPECT_EQ(finals(d), finals(stream(w.text(), false)));
}

TEST(DetectEarly, LoopStartingDuringACopyIsReportedAtItsEstablishment) {
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  std::string client = w.execve(3001, 1500, {"/usr/bin/docker", "cp", "/root/payload", "victim:/w/dir/payload"},
                                "/usr/bin/docker", "docker", kAdmin);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(w.rename2(7601, 2010, "/w/dir", "/w/dir-link"));
  auto d = stream(w.text(), true);
  auto e3 = find(d, "AU003", true);
  ASSERT_EQ(e3.size(), 1u);
  EXPECT_EQ(e3[0]->at_event, ids[kLoopMinRenames - 1]);
  EXPECT_EQ(e3[0]->alert.event_ids.front(), client);
  EXPECT_EQ(find(d, "AU003", false).size(), 1u);
}

TEST(DetectEarly, LoopExchangeReadAfterTheCopysExecIsReportedThen) {
  // The loop's exchanges stop being read for 700 ms (a loaded kernel backlog holds them), the
  // copy's exec is read in between: at the exec the loop looks quiet; its next exchange shows
  // that the two overlap.
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  loop(w, 7601, 40);
  w.advance(700);
  std::string client = w.execve(3001, 1500, {"/usr/bin/docker", "cp", "/root/payload", "victim:/w/dir/payload"},
                                "/usr/bin/docker", "docker", kAdmin);
  std::string next = w.rename2(7601, 2010, "/w/dir", "/w/dir-link");
  loop(w, 7601, 20);
  auto d = stream(w.text(), true);
  auto e3 = find(d, "AU003", true);
  ASSERT_EQ(e3.size(), 1u);
  EXPECT_EQ(e3[0]->at_event, next);
  EXPECT_EQ(e3[0]->alert.event_ids.front(), client);
  EXPECT_EQ(find(d, "AU003", false).size(), 1u);
  EXPECT_EQ(finals(d), finals(stream(w.text(), false)));
}

TEST(DetectEarly, BenignCopyGetsOnlyItsEarlyAu001) {
  LogWriter w;
  std::string helper;
  std::string client = copy_to(w, 3001, "/w/dir/report.txt", "/w/dir", &helper);
  // A loop on another path of the same container does not race this copy.
  start_loop_process(w, 7601, "/srv/a", "/srv/b");
  loop(w, 7601, 40, "/srv/a", "/srv/b");
  auto d = stream(w.text(), true);
  auto e1 = find(d, "AU001", true);
  ASSERT_EQ(e1.size(), 1u);
  EXPECT_EQ(e1[0]->at_event, client);
  EXPECT_TRUE(find(d, "AU003", true).empty());
  EXPECT_TRUE(find(d, "AU004", true).empty());
  EXPECT_TRUE(find(d, "AU003", false).empty());
  EXPECT_EQ(find(d, "AU002", true).size(), 1u);  // the loop itself is still a loop
}

TEST(DetectEarly, HuntHasNoEarlyRecords) {
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  loop(w, 7601, 40);
  copy_to(w, 3001, "/w/dir/payload", "/");
  for (const auto& x : stream(w.text(), false)) EXPECT_FALSE(x.alert.early) << x.alert.rule;
  auto r = hunt_text(w.text());
  EXPECT_EQ(r.stats.early, 0u);
}

// Every lab recording (docker and podman, raw, enriched and the community rule set): with early
// verdicts the final alerts are hunt's; every early record is followed by its final one (same
// rule and first event id); AU001, AU002 and AU003 finals all had their early record; no other
// rule reports early; benign sessions get no early AU002/AU003/AU004.
TEST(DetectEarly, RecordingsFinalsAreHuntsAndEveryEarlyRecordHasItsFinal) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TOCSIN_SOURCE_DIR) / "tests/e2e/recordings";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 7 || name.substr(name.size() - 7) != ".log.gz") continue;
    ++files;
    auto run = [&](bool early) {
      std::vector<Alert> got;
      HuntOptions opt;
      opt.inputs = {entry.path().string()};
      opt.engine.early = early;
      opt.jobs = 1;
      opt.on_alert = [&](Alert&& a) { got.push_back(std::move(a)); };
      auto r = run_hunt(std::move(opt));
      EXPECT_TRUE(r.ok()) << name;
      return got;
    };
    auto with = run(true), without = run(false);
    std::vector<std::string> fin_with, fin_without;
    std::map<std::pair<std::string, std::string>, size_t> early_at, final_at;
    for (size_t i = 0; i < with.size(); ++i) {
      const Alert& a = with[i];
      ASSERT_FALSE(a.event_ids.empty()) << name << " " << a.rule;
      auto key = std::make_pair(a.rule, a.event_ids.front());
      if (a.early) {
        EXPECT_TRUE(a.rule == "AU001" || a.rule == "AU002" || a.rule == "AU003" || a.rule == "AU004")
            << name << ": early " << a.rule;
        EXPECT_TRUE(early_at.emplace(key, i).second) << name << ": early record twice " << a.message;
      } else {
        fin_with.push_back(tocsin::report::alert_jsonl(a));
        final_at.emplace(key, i);
      }
    }
    for (const auto& a : without) fin_without.push_back(tocsin::report::alert_jsonl(a));
    std::sort(fin_with.begin(), fin_with.end());
    std::sort(fin_without.begin(), fin_without.end());
    EXPECT_EQ(fin_with, fin_without) << name;
    for (const auto& [key, at] : early_at) {
      auto f = final_at.find(key);
      ASSERT_NE(f, final_at.end()) << name << ": early " << key.first << " " << key.second << " has no final";
      EXPECT_LT(at, f->second) << name << ": " << key.first << " early after final";
    }
    for (const auto& [key, at] : final_at) {
      if (key.first == "AU001" || key.first == "AU002" || key.first == "AU003") {
        EXPECT_TRUE(early_at.count(key)) << name << ": final " << key.first << " " << key.second << " had no early";
      }
    }
    if (name.find("benign") != std::string::npos) {
      for (const auto& [key, at] : early_at) EXPECT_EQ(key.first, "AU001") << name;
    }
  }
  EXPECT_GE(files, 15);
}
