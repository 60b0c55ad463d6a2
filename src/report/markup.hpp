// Helpers shared by the CI formats (codeclimate, junit, checkstyle, SARIF): XML-safe text,
// paths relative to the working directory, and a report-unique issue fingerprint.
#pragma once
#include <string>
#include <string_view>

namespace tocsin::report {

// Text for an XML 1.0 attribute value or element content. The input is sanitized first
// (sanitize_for_terminal: C0 controls and invalid UTF-8 become `\xNN`, C1/bidi `\u{…}`), so
// no character XML 1.0 forbids remains (U+FFFE/U+FFFF too); then & < > " ' are escaped, and
// tab and newline become character references so attribute values keep them.
std::string xml_escape(std::string_view raw);

// A path as a consumer in the checkout wants it: "./" prefixes dropped, and an absolute path
// or a "../" path that lands inside the working directory made relative to it. Paths
// outside the working directory are returned lexically normalized (absolute when they were,
// or when they leave it through "..") with `inside` false.
struct RelPath {
  std::string path;
  bool inside = true;
};
RelPath relative_to_cwd(std::string_view file);

// 32 hex digits identifying one finding within a report (a file and its HASH:N fingerprint).
std::string issue_fingerprint(std::string_view file, std::string_view fingerprint);

// Plain text of a rule doc's Markdown (SARIF help.text): headings without their #, `code`
// and **emphasis** without their marks, [text](url) as "text (url)"; lists and code blocks
// keep their lines.
std::string markdown_to_text(std::string_view md);
// The first paragraph of the doc's "What it finds" section (else of the body) as plain text:
// SARIF fullDescription, longer than the one-line summary.
std::string doc_first_paragraph(std::string_view md);

// The CSS both HTML reports (scan, hunt) start with: page, header, severity badges.
inline constexpr std::string_view kHtmlBaseStyle = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:20px}
.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px}
.sev-info{background:#607d8b}.sev-low{background:#1976d2}.sev-medium{background:#f9a825;color:#000}
.sev-high{background:#d84315}.sev-critical{background:#8e24aa}
)";

// Where rule docs are published: $TOCSIN_DOCS_URL when set (must end in '/'), else the
// build's TOCSIN_DOCS_URL. A rule's page is docs_base_url() + "docs/rules/ID.md".
std::string docs_base_url();

}  // namespace tocsin::report
