// Audit data is attacker-controlled (a container process picks its argv, comm and paths): the
// hunt text report shows it escaped, JSONL keeps it exact but terminal-safe and never throws.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/alert.hpp"
#include "report/report.hpp"

using namespace tocsin;

namespace {

bool has_raw_control(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    if (c >= 0x80 && c <= 0xBF && (i == 0 || static_cast<unsigned char>(s[i - 1]) < 0x80)) return true;
  }
  return false;
}

std::vector<Alert> hostile_alerts() {
  Alert copy;
  copy.rule = "AU001";
  copy.severity = tocsin::Severity::info;
  copy.time_ms = 1795331084708;
  copy.host = "node\x1b[2J";
  copy.event_ids = {"1795331084.708:1"};
  copy.message = "docker cp";
  copy.user = AlertUser{1000, 0, 0, 3, std::string("pts\x1b]0;x\x07")};
  copy.docker_cp = AlertCopy{"to-container", "victim\x1b[31m", "/w/dir\xc2\x9b" "2J/\xff", std::string("/")};
  copy.copy_id = 7;
  copy.command = "docker cp payload victim:/w/dir\x1b[2J";
  Alert race = copy;
  race.rule = "AU004";
  race.severity = tocsin::Severity::critical;
  race.message = "resolved to \x1b[8m/\n";
  Alert swap;
  swap.rule = "AU002";
  swap.severity = tocsin::Severity::high;
  swap.message = "swap loop by comm=\"x\x1b[2J\"";
  swap.swap = AlertSwap{7601, {"/w/dir\x1b[1m", "/w/dir-link\xe2\x80\xae"}, 4337, 390};
  swap.file = "audit\x1b[2J.log";
  swap.line = 3;
  return {copy, race, swap};
}

}  // namespace

TEST(AlertText, NoControlByteFromTheLogReachesTheReport) {
  std::string out = report::render_alerts_text(hostile_alerts(), false);
  EXPECT_FALSE(has_raw_control(out)) << out;
  EXPECT_NE(out.find("node\\x1b[2J"), std::string::npos) << out;
  EXPECT_NE(out.find("tty=pts\\x1b]0;x\\x07"), std::string::npos) << out;
  EXPECT_NE(out.find("victim\\x1b[31m"), std::string::npos) << out;
  EXPECT_NE(out.find("/w/dir\\u{9b}2J/\\xff"), std::string::npos) << out;
  EXPECT_NE(out.find("resolved to \\x1b[8m/\\x0a"), std::string::npos) << out;
  EXPECT_NE(out.find("/w/dir-link\\u{202e}"), std::string::npos) << out;
  EXPECT_NE(out.find("audit\\x1b[2J.log:3"), std::string::npos) << out;
}

TEST(AlertJsonl, InvalidUtf8AndControlsStayOneParseableLine) {
  for (const auto& a : hostile_alerts()) {
    std::string line;
    ASSERT_NO_THROW(line = report::alert_jsonl(a));
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_FALSE(has_raw_control(line)) << line;
    auto j = nlohmann::json::parse(line);
    if (a.docker_cp) {
      std::string path = j["docker_cp"]["path"];
      EXPECT_EQ(path.rfind("/w/dir\xc2\x9b" "2J/", 0), 0u);  // exact once parsed
      EXPECT_NE(path.find("\xef\xbf\xbd"), std::string::npos);  // the bad byte as U+FFFD
      EXPECT_NE(line.find("\\u009b"), std::string::npos) << line;
    }
  }
}
