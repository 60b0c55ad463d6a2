// XML escaping, working-directory-relative paths and issue fingerprints for the CI formats.
#include "report/markup.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "core/text_sanitize.hpp"

namespace tocsin::report {

std::string xml_escape(std::string_view raw) {
  std::string s = sanitize_for_terminal(raw, {.keep_tab = true, .keep_newline = true});
  std::string o;
  o.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      case '\n': o += "&#10;"; break;
      case '\t': o += "&#9;"; break;
      default:
        // U+FFFE and U+FFFF are valid UTF-8 but not XML 1.0 characters.
        if (s.compare(i, 2, "\xEF\xBF") == 0 && i + 2 < s.size() &&
            (s[i + 2] == '\xBE' || s[i + 2] == '\xBF')) {
          o += s[i + 2] == '\xBE' ? "\\u{FFFE}" : "\\u{FFFF}";
          i += 2;
        } else {
          o += c;
        }
    }
  }
  return o;
}

RelPath relative_to_cwd(std::string_view file) {
  namespace fs = std::filesystem;
  std::string_view f = file;
  while (f.substr(0, 2) == "./") f.remove_prefix(2);
  fs::path p(f);
  const bool relative = p.is_relative();
  // A plain relative path that does not climb stays as given: it is what the user typed.
  if (relative && f.substr(0, 3) != "../" && f != "..") return {std::string(f), true};
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return {std::string(f), false};
  fs::path abs = (relative ? cwd / p : p).lexically_normal();
  fs::path rel = abs.lexically_relative(cwd);
  if (!rel.empty() && *rel.begin() != "..") return {rel.generic_string(), true};
  return {abs.generic_string(), false};
}

std::string issue_fingerprint(std::string_view file, std::string_view fingerprint) {
  // Two FNV-1a 64 passes with different offsets: 128 bits, as GitLab's MD5 examples have.
  auto fnv = [&](uint64_t h) {
    auto mix = [&](unsigned char c) {
      h ^= c;
      h *= 1099511628211ULL;
    };
    for (char c : file) mix(static_cast<unsigned char>(c));
    mix(0);
    for (char c : fingerprint) mix(static_cast<unsigned char>(c));
    return h;
  };
  return fmt::format("{:016x}{:016x}", fnv(1469598103934665603ULL), fnv(0x84222325cbf29ce4ULL));
}

namespace {

// Inline Markdown of one line to text: `code`, **strong**, *em*, [text](url).
std::string inline_text(std::string_view line) {
  std::string o;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '`') continue;
    if (c == '*' && (i + 1 < line.size() && line[i + 1] == '*')) {
      ++i;
      continue;
    }
    if (c == '[') {
      size_t close = line.find("](", i);
      size_t end = close == std::string_view::npos ? close : line.find(')', close);
      if (end != std::string_view::npos) {
        o += inline_text(line.substr(i + 1, close - i - 1));
        o += " (";
        o += line.substr(close + 2, end - close - 2);
        o += ")";
        i = end;
        continue;
      }
    }
    o += c;
  }
  return o;
}

}  // namespace

std::string markdown_to_text(std::string_view md) {
  std::string o;
  bool fence = false;
  size_t i = 0;
  while (i < md.size()) {
    size_t nl = md.find('\n', i);
    if (nl == std::string_view::npos) nl = md.size();
    std::string_view line = md.substr(i, nl - i);
    i = nl + 1;
    if (line.substr(0, 3) == "```") {
      fence = !fence;  // the fence line itself goes; the code keeps its lines, indented
      continue;
    }
    if (fence) {
      o += "    ";
      o += line;
    } else {
      size_t h = 0;
      while (h < line.size() && line[h] == '#') ++h;
      if (h > 0 && h < line.size() && line[h] == ' ') line.remove_prefix(h + 1);
      o += inline_text(line);
    }
    o += '\n';
  }
  while (!o.empty() && o.back() == '\n') o.pop_back();
  return o;
}

std::string doc_first_paragraph(std::string_view md) {
  size_t at = md.find("## What it finds");
  if (at == std::string_view::npos) {
    at = md.find("\n\n");  // after the title line
    at = at == std::string_view::npos ? 0 : at + 2;
  } else {
    at = md.find('\n', at);
    at = at == std::string_view::npos ? md.size() : at + 1;
  }
  std::string_view rest = md.substr(at);
  while (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
  size_t end = rest.find("\n\n");
  std::string text = markdown_to_text(rest.substr(0, end));
  for (auto& c : text)
    if (c == '\n') c = ' ';
  return text;
}

std::string docs_base_url() {
  const char* env = std::getenv("TOCSIN_DOCS_URL");
  std::string base = env && *env ? env : TOCSIN_DOCS_URL;
  if (base.back() != '/') base += '/';
  return base;
}

}  // namespace tocsin::report
