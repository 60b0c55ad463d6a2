// The shipper without a server (the store at a closed loopback port): rows go to the spool,
// fsynced, bounded, locked against a second writer, and are kept for the next run; a full spool
// counts the rows it could not take instead of dropping them in silence. (Replay against a
// real server is tested in tests/e2e/store_cluster.test.sh.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/shipper.hpp"
#include "temp_dir.hpp"

namespace tocsin::store {
namespace {

Client unreachable() {
  auto u = parse_store_url("clickhouse://127.0.0.1:1/fleet");  // nothing listens on port 1
  ClientOptions o;
  o.connect_timeout_ms = 500;
  return Client(*u, Credentials{}, o);
}

Row row(int i) {
  Row r;
  r["host"] = "h";
  r["key"] = std::to_string(i);
  return r;
}

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(StoreShipper, SpoolsWhileUnreachableAndKeepsRowsForTheNextRun) {
  test::TempDir d("tocsin-store");
  ShipperOptions o;
  o.spool_path = (d.p / "state" / "spool.jsonl").string();  // the directory is created
  o.flush_ms = 10;
  o.backoff_min_ms = 10;
  std::vector<std::string> notes;
  o.note = [&notes](const std::string& n) { notes.push_back(n); };
  {
    auto s = Shipper::open(unreachable(), o);
    ASSERT_TRUE(s) << s.error().message;
    for (int i = 0; i < 10; ++i) (*s)->add(i % 2 ? Table::Copies : Table::Alerts, row(i));
    // A second writer of the same spool is refused while the first holds it.
    auto second = Shipper::open(unreachable(), o);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("in use"), std::string::npos);
    ShipStats st = (*s)->close(100);
    EXPECT_EQ(st.rows_added, 10u);
    EXPECT_EQ(st.rows_sent, 0u);
    EXPECT_EQ(st.rows_unshipped, 0u);
    EXPECT_GE(st.rows_spooled, 10u);
    EXPECT_GT(st.spool_bytes, 0u);
    EXPECT_GT(st.failures, 0u);
  }
  std::string spool = slurp(o.spool_path);
  for (int i = 0; i < 10; ++i)
    EXPECT_NE(spool.find(fmt::format("{}\t{{\"host\":\"h\",\"key\":\"{}\"}}\n", i % 2 ? 1 : 0, i)), std::string::npos) << i;
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.front().find("spooling"), std::string::npos);
  // The next run finds the rows and says it will replay them; nothing is lost while it cannot.
  notes.clear();
  auto again = Shipper::open(unreachable(), o);
  ASSERT_TRUE(again);
  ShipStats st = (*again)->close(50);
  EXPECT_EQ(st.spool_bytes, spool.size());
  EXPECT_EQ(slurp(o.spool_path), spool);
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.front().find("replaying"), std::string::npos);
}

TEST(StoreShipper, AFullSpoolCountsWhatItCouldNotTake) {
  test::TempDir d("tocsin-store");
  ShipperOptions o;
  o.spool_path = (d.p / "spool.jsonl").string();
  o.spool_max_bytes = 200;
  o.flush_ms = 10;
  o.batch_rows = 1;
  std::vector<std::string> notes;
  o.note = [&notes](const std::string& n) { notes.push_back(n); };
  auto s = Shipper::open(unreachable(), o);
  ASSERT_TRUE(s);
  for (int i = 0; i < 50; ++i) (*s)->add(Table::Alerts, row(i));
  ShipStats st = (*s)->close(0);
  EXPECT_EQ(st.rows_added, 50u);
  EXPECT_GT(st.rows_unshipped, 0u);
  EXPECT_EQ(st.rows_spooled + st.rows_unshipped, 50u);
  EXPECT_LE(st.spool_bytes, 200u);
  bool full = false;
  for (const auto& n : notes) full |= n.find("full") != std::string::npos;
  EXPECT_TRUE(full);
}

TEST(StoreShipper, RefusesASpoolThatIsNotARegularFile) {
  test::TempDir d("tocsin-store");
  ShipperOptions o;
  o.spool_path = d.p.string();  // a directory
  EXPECT_FALSE(Shipper::open(unreachable(), o));
  std::filesystem::create_symlink("/etc/passwd", d.p / "link");
  o.spool_path = (d.p / "link").string();  // a symlink is not followed
  EXPECT_FALSE(Shipper::open(unreachable(), o));
}

}  // namespace
}  // namespace tocsin::store
