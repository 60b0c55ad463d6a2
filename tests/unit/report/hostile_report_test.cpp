// Hostile input through the scan reporters: control bytes, invalid UTF-8 and bidi controls in
// file names, messages and source lines never reach the output raw; huge lines give bounded
// snippets; JSON/SARIF never throw and stay parseable.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/text_sanitize.hpp"
#include "report/report.hpp"
#include "report/snippet.hpp"

using namespace tocsin;
using nlohmann::json;

namespace {

// True when `s` holds a byte a terminal acts on: C0 other than \t and \n, DEL, a raw or
// UTF-8-encoded C1 control, or a bidi override.
bool has_control(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    if (s.substr(i, 3) == "\xe2\x80\xae") return true;
    if (c >= 0x80 && c <= 0xBF) {
      // continuation byte: must follow a lead or another continuation byte
      if (i == 0 || static_cast<unsigned char>(s[i - 1]) < 0x80) return true;
    }
  }
  return false;
}

struct Hostile {
  std::string name = "evil\x1b]0;pwned\x07/Dockerfile\x1b[2J";
  SourcePtr src;
  std::vector<Finding> findings;
  std::map<std::string, SourcePtr> sources;
  explicit Hostile(std::string content = "FROM alpine\nRUN chmod 777 /x\x1b[2J \x9b" "31m \xc0\xaf \xe2\x80\xae end\n") {
    src = std::make_shared<SourceFile>(name, std::move(content));
    sources[name] = src;
    Finding f;
    f.rule = "DF010";
    f.severity = Severity::high;
    f.file = name;
    f.range = src->range_of(src->line_start(2), src->line_start(2) + src->line_text(2).size());
    f.message = "`/x\x1b[2J` is world-writable\nsecond line \xc2\x9b" "1m \xff";
    f.related.push_back({f.range, "note \x1b[31m red"});
    Fix fix;
    fix.description = "fix \x1b[5m";
    f.fix = fix;
    findings.push_back(f);
  }
  report::ScanReport rep() const { return {1, findings, sources}; }
};

}  // namespace

TEST(HostileReport, TextHasNoControlBytesButShowsThemEscaped) {
  Hostile h;
  std::string out = report::render_text(h.rep(), {false, true});
  EXPECT_FALSE(has_control(out)) << out;
  EXPECT_NE(out.find("evil\\x1b]0;pwned\\x07/Dockerfile\\x1b[2J:2:1:"), std::string::npos) << out;
  EXPECT_NE(out.find("world-writable\\x0asecond line \\u{9b}1m \\xff"), std::string::npos) << out;
  EXPECT_NE(out.find("RUN chmod 777 /x\\x1b[2J \\x9b31m \\xc0\\xaf \\u{202e} end"), std::string::npos) << out;
  EXPECT_NE(out.find("note \\x1b[31m red"), std::string::npos) << out;
  EXPECT_NE(out.find("fix \\x1b[5m"), std::string::npos) << out;
  // The caret spans the escaped line, so it stays under the text it marks.
  std::string shown = "RUN chmod 777 /x\\x1b[2J \\x9b31m \\xc0\\xaf \\u{202e} end";
  EXPECT_NE(out.find("| ^" + std::string(display_columns(shown) - 1, '~') + "\n"), std::string::npos) << out;
  // Colour codes are ours only.
  std::string colored = report::render_text(h.rep(), {true, true});
  EXPECT_EQ(colored.find("\x1b[2J"), std::string::npos);
  EXPECT_EQ(colored.find("\x1b]0"), std::string::npos);
}

TEST(HostileReport, GithubAnnotationsAreOneSanitizedLine) {
  Hostile h;
  std::string out = report::render_github(h.rep());
  EXPECT_FALSE(has_control(out.substr(0, out.size() - 1))) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_NE(out.find("file=evil\\x1b]0;pwned\\x07/Dockerfile\\x1b[2J,"), std::string::npos) << out;
  EXPECT_NE(out.find("world-writable\\x0asecond line"), std::string::npos) << out;
}

TEST(HostileReport, JsonAndSarifNeverThrowAndCarryNoRawControls) {
  Hostile h;
  std::string j, s;
  ASSERT_NO_THROW(j = report::render_json(h.rep()));
  ASSERT_NO_THROW(s = report::render_sarif(h.rep()));
  EXPECT_FALSE(has_control(j)) << j;
  EXPECT_FALSE(has_control(s));
  auto jd = json::parse(j);
  EXPECT_EQ(jd["findings"][0]["file"], h.name);  // C0 escaped by JSON, the value is exact
  auto sd = json::parse(s);
  std::string msg = sd["runs"][0]["results"][0]["message"]["text"];
  EXPECT_NE(msg.find("\xc2\x9b"), std::string::npos);  // C1 as \u009b: same string once parsed
  EXPECT_NE(s.find("\\u009b"), std::string::npos);
  EXPECT_NE(s.find("\\u202e"), std::string::npos);
}

TEST(HostileReport, HugeLinesGiveBoundedSnippets) {
  std::string line = "RUN echo " + std::string(3'000'000, 'a') + " && chmod 777 /x && echo " + std::string(1'000'000, 'b');
  Hostile h("FROM alpine\n" + line + "\n");
  // The finding covers `chmod 777 /x` in the middle of the line.
  size_t at = line.find("chmod");
  size_t off = h.src->line_start(2) + at;
  h.findings[0].range = h.src->range_of(off, off + 12);
  std::string out = report::render_text(h.rep(), {false, true});
  EXPECT_LT(out.size(), 2000u) << out.size();
  EXPECT_NE(out.find("…"), std::string::npos);
  // The caret sits under `chmod`, after the clipped prefix.
  size_t src_line = out.find("    2 | ");
  ASSERT_NE(src_line, std::string::npos);
  size_t eol = out.find('\n', src_line);
  std::string shown = out.substr(src_line + 8, eol - src_line - 8);
  size_t caret_line = out.find("      | ", eol);
  std::string caret = out.substr(caret_line + 8, out.find('\n', caret_line) - caret_line - 8);
  size_t chmod_at = shown.find("chmod 777 /x");
  ASSERT_NE(chmod_at, std::string::npos) << shown;
  EXPECT_EQ(display_columns(shown.substr(0, chmod_at)), caret.find('^')) << shown << "\n" << caret;
  EXPECT_EQ(caret.size() - caret.find('^'), 12u);

  std::string sarif = report::render_sarif(h.rep());
  auto doc = json::parse(sarif);
  EXPECT_LT(doc["runs"][0]["results"].dump().size(), 5000u);  // not the 4 MB line
  auto physical = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  auto region = physical["region"];
  EXPECT_EQ(region["snippet"]["text"], "chmod 777 /x");
  EXPECT_FALSE(region.contains("contextRegion"));  // SARIF: beside region, in physicalLocation
  std::string ctx = physical["contextRegion"]["snippet"]["text"];
  EXPECT_LE(ctx.size(), report::kSnippetMaxBytes + 2 * report::kClipMarker.size() + 3);
  EXPECT_NE(ctx.find("chmod 777 /x"), std::string::npos);
  EXPECT_EQ(ctx.rfind("…", 0), 0u);
  // contextRegion columns point at the shown part of the line.
  auto c0 = physical["contextRegion"]["startColumn"].get<size_t>();
  auto c1 = physical["contextRegion"]["endColumn"].get<size_t>();
  EXPECT_EQ(ctx.substr(3, ctx.size() - 6), line.substr(c0 - 1, c1 - c0));
  // A long range is clipped too.
  h.findings[0].range = h.src->range_of(h.src->line_start(2), h.src->line_start(2) + line.size());
  auto r2 = json::parse(report::render_sarif(h.rep()))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
  std::string snip = r2["snippet"]["text"];
  EXPECT_LE(snip.size(), report::kSnippetMaxBytes + report::kClipMarker.size());
  EXPECT_EQ(snip.substr(snip.size() - 3), "…");
}

TEST(Snippet, WindowsStayOnCodePointBoundaries) {
  std::string line;
  for (int i = 0; i < 400; ++i) line += "é";  // two bytes each
  auto w = report::snippet_window(line, 400, 402);
  EXPECT_EQ(w.begin % 2, 0u);
  EXPECT_EQ(w.end % 2, 0u);
  EXPECT_LE(w.end - w.begin, report::kSnippetMaxBytes);
  EXPECT_TRUE(w.clipped_left());
  EXPECT_TRUE(w.clipped_right(line));
  auto whole = report::snippet_window("short line", 2, 4);
  EXPECT_EQ(whole.begin, 0u);
  EXPECT_EQ(whole.end, 10u);
  EXPECT_EQ(report::clip(line, 11), "ééééé…");
  EXPECT_EQ(report::byte_of_column("aé b", 3), 3u);
  EXPECT_EQ(report::column_of_byte("aé b", 3), 3u);
}

TEST(JsonForTerminal, EscapesC1AndBidiInsideValidJson) {
  nlohmann::json j = {{"msg", "a\xc2\x9b" "2Jb\x7f" "c\xe2\x80\xae" "d…é"}, {"k\xc2\x85", 1}};
  std::string s = j.dump();
  escape_json_for_terminal(s);
  EXPECT_EQ(s.find("\xc2\x9b"), std::string::npos) << s;
  EXPECT_EQ(s.find('\x7f'), std::string::npos) << s;
  EXPECT_EQ(s.find("\xe2\x80\xae"), std::string::npos) << s;
  EXPECT_NE(s.find("\\u009b"), std::string::npos) << s;
  EXPECT_NE(s.find("\\u202e"), std::string::npos) << s;
  EXPECT_NE(s.find("…é"), std::string::npos) << s;  // printable non-ASCII stays as it is
  // Same document after the round trip.
  EXPECT_EQ(nlohmann::json::parse(s), j);
  std::string plain = R"({"a":"b"})";
  escape_json_for_terminal(plain);
  EXPECT_EQ(plain, R"({"a":"b"})");
}
