// Builds the `tocsin es-query` DSL. Fields assumed (the seed's flattened export):
//   m_eventTs           event time (range filter and sort; --time-field to change)
//   h_type              record type of the document's main record (DAEMON_* for audit loss)
//   b_arch, b_ARCH      SYSCALL arch= raw hex (c000003e) and the ENRICHED name (x86_64)
//   b_syscall, b_SYSCALL  syscall number, and its ENRICHED name
//   b_exe, b_comm, b_key  SYSCALL exe=, comm=, key=
//   EXECVE_b_a0..a2, EXECVE_b_allArgs, EXECVE_b_argc   the EXECVE record
//   CWD_b_cwd, PATH_b_name                             CWD and PATH records
// Each clause is written to work whether a field is mapped as keyword, text or number: names
// are matched with lenient `match` (never a shard failure on a numeric field), numbers only
// together with their arch (59 is execve on x86_64 but pipe2 on aarch64).
#include "audit/es_query.hpp"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

namespace tocsin::audit {
namespace {

using Json = nlohmann::ordered_json;

struct ArchNumbers {
  std::string_view hex;   // AUDIT_ARCH_* as auditd prints it
  std::string_view name;  // ENRICHED ARCH= value
  std::string_view alt;   // another spelling seen for it, or empty
  // Syscall numbers (-1: the ABI has no such call).
  int execve, execveat, rename, renameat, renameat2, symlink, symlinkat;
};

// From the kernel's syscall tables (arch/x86/entry/syscalls, include/uapi/asm-generic/unistd.h,
// arch/arm/tools/syscall.tbl).
constexpr ArchNumbers kArches[] = {
    {"c000003e", "x86_64", "", 59, 322, 82, 264, 316, 88, 266},
    {"40000003", "i386", "", 11, 358, 38, 302, 353, 83, 304},
    {"c00000b7", "aarch64", "", 221, 281, -1, 38, 276, -1, 36},
    {"40000028", "armeb", "arm", 11, 387, 38, 329, 382, 83, 331},
};

Json terms(std::string_view field, Json values) {
  return Json{{"terms", Json{{std::string(field), std::move(values)}}}};
}

Json lenient_match(std::string_view field, std::string_view words) {
  return Json{{"match", Json{{std::string(field),
                              Json{{"query", words}, {"operator", "or"}, {"lenient", true}}}}}};
}

Json wildcard(std::string_view field, std::string_view pattern) {
  return Json{{"wildcard", Json{{std::string(field), Json{{"value", pattern}}}}}};
}

Json any_of(Json clauses, std::string_view name = {}) {
  Json b{{"should", std::move(clauses)}, {"minimum_should_match", 1}};
  if (!name.empty()) b["_name"] = name;
  return Json{{"bool", std::move(b)}};
}

Json all_of(Json clauses, std::string_view name = {}) {
  Json b{{"filter", std::move(clauses)}};
  if (!name.empty()) b["_name"] = name;
  return Json{{"bool", std::move(b)}};
}

// Events of these syscalls, by ENRICHED name, by name in b_syscall, or by number per arch.
Json syscalls_clause(const std::vector<std::string_view>& names) {
  Json should = Json::array();
  std::string words;
  for (auto n : names) {
    if (!words.empty()) words += ' ';
    words += n;
  }
  should.push_back(terms("b_SYSCALL", Json(names)));
  should.push_back(lenient_match("b_syscall", words));
  for (const auto& a : kArches) {
    Json numbers = Json::array();
    for (auto n : names) {
      int nr = -1;
      if (n == "execve") nr = a.execve;
      else if (n == "execveat") nr = a.execveat;
      else if (n == "rename") nr = a.rename;
      else if (n == "renameat") nr = a.renameat;
      else if (n == "renameat2") nr = a.renameat2;
      else if (n == "symlink") nr = a.symlink;
      else if (n == "symlinkat") nr = a.symlinkat;
      if (nr >= 0) numbers.push_back(nr);
    }
    if (numbers.empty()) continue;
    should.push_back(all_of(Json::array(
        {any_of(Json::array({terms("b_arch", Json::array({a.hex})),
                             terms("b_ARCH", a.alt.empty() ? Json::array({a.name})
                                                           : Json::array({a.name, a.alt}))})),
         terms("b_syscall", numbers)})));
  }
  return any_of(std::move(should));
}

bool is_duration(std::string_view s) {
  if (s.size() < 2) return false;
  char unit = s.back();
  if (unit != 's' && unit != 'm' && unit != 'h' && unit != 'd' && unit != 'w' && unit != 'M' &&
      unit != 'y')
    return false;
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  return true;
}

bool is_iso_date(std::string_view s) {
  // YYYY-MM-DD, optionally followed by T and a time; digits where digits belong.
  if (s.size() < 10 || s.size() > 40) return false;
  for (size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != ' ') return false;
  for (size_t i = 11; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.' && c != 'Z' &&
        c != '+' && c != '-')
      return false;
  }
  return true;
}

bool safe_field_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '.' && c != '@' &&
        c != '-')
      return false;
  return true;
}

bool safe_index(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '.' && c != '*' &&
        c != '-' && c != ',' && c != ':')
      return false;
  return true;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += '\'';
  return out;
}

}  // namespace

Result<EsQueryFormat> parse_es_query_format(std::string_view s) {
  if (s == "body" || s == "json") return EsQueryFormat::Body;
  if (s == "console" || s == "kibana") return EsQueryFormat::Console;
  if (s == "curl") return EsQueryFormat::Curl;
  return Error{fmt::format("unknown format '{}': use body, console or curl", s)};
}

Result<std::string> es_since_bound(std::string_view since) {
  if (is_duration(since)) return fmt::format("now-{}", since);
  if (is_iso_date(since)) return std::string(since);
  return Error{fmt::format(
      "--since '{}': use a duration (90m, 24h, 7d, 2w) or a date (2026-11-22, "
      "2026-11-22T07:00:00Z)",
      since)};
}

Result<std::string> generate_es_query(const EsQueryOptions& opts) {
  auto bound = es_since_bound(opts.since);
  if (!bound) return bound.error();
  if (!safe_field_name(opts.time_field))
    return Error{fmt::format("--time-field '{}': not a field name", opts.time_field)};
  if (!safe_index(opts.index))
    return Error{fmt::format("--index '{}': not an index pattern", opts.index)};
  if (opts.size < 1 || opts.size > 10000)
    return Error{fmt::format("--size {}: use 1..10000 (page further with search_after)", opts.size)};

  static const std::vector<std::string_view> kClients = {"docker", "podman", "nerdctl", "kubectl"};
  static const std::vector<std::string_view> kRuntime = {
      "dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "runc", "crun"};

  Json should = Json::array();

  // 1. Container copy commands, whoever ran them: no b_tty condition, so cron jobs, CI runners
  // and scripts over ssh without a terminal are kept (the seed query's first blind spot).
  Json exec = any_of(Json::array({syscalls_clause({"execve", "execveat"}),
                                  Json{{"exists", Json{{"field", "EXECVE_b_argc"}}}},
                                  Json{{"exists", Json{{"field", "EXECVE_b_allArgs"}}}}}));
  Json client = Json::array();
  for (auto c : kClients) {
    client.push_back(wildcard("EXECVE_b_a0", fmt::format("*{}", c)));
    client.push_back(wildcard("b_exe", fmt::format("*/{}", c)));
  }
  client.push_back(terms("b_comm", Json(kClients)));
  Json cp = Json::array({terms("EXECVE_b_a1", Json::array({"cp"})),
                         terms("EXECVE_b_a2", Json::array({"cp"})),
                         terms("EXECVE_b_a3", Json::array({"cp"})),
                         Json{{"match", Json{{"EXECVE_b_allArgs",
                                              Json{{"query", "cp"}, {"lenient", true}}}}}},
                         wildcard("EXECVE_b_allArgs", "* cp *")});
  should.push_back(all_of(Json::array({exec, any_of(client), any_of(cp)}), "tocsin_copy_client"));

  // 2. The daemon's copy helpers and everything the runtime does (its writes, mounts, chdirs,
  // and the containerd-shim -id command lines that attribute processes to containers).
  Json runtime = Json::array({terms("EXECVE_b_a0", Json::array({"docker-untar", "docker-tar"})),
                              terms("b_comm", Json::array({"docker-untar", "docker-tar"}))});
  for (auto r : kRuntime) runtime.push_back(wildcard("b_exe", fmt::format("*/{}", r)));
  runtime.push_back(wildcard("b_exe", "*/containerd-shim*"));
  should.push_back(any_of(std::move(runtime), "tocsin_runtime"));

  // 3. Swap loops: every rename flavour (renameat2 is how RENAME_EXCHANGE loops run), by number
  // per arch and by name.
  Json swap = syscalls_clause({"rename", "renameat", "renameat2"});
  swap["bool"]["_name"] = "tocsin_swap";
  should.push_back(std::move(swap));

  // 4. Symlinks created (the other half of a swap, /proc/self/exe links).
  Json sym = syscalls_clause({"symlink", "symlinkat"});
  sym["bool"]["_name"] = "tocsin_symlink";
  should.push_back(std::move(sym));

  // 5. /proc/self/fd working directories and /proc/<pid>/exe targets (AU007).
  should.push_back(any_of(Json::array({wildcard("CWD_b_cwd", "/proc/*"),
                                       wildcard("PATH_b_name", "/proc/*/fd/*"),
                                       wildcard("PATH_b_name", "/proc/*/exe"),
                                       wildcard("EXECVE_b_a0", "/proc/*")}),
                          "tocsin_proc"));

  // 6. Events tagged by `tocsin audit-rules`.
  should.push_back(Json{{"prefix", Json{{"b_key", Json{{"value", opts.key_prefix + "_"},
                                                       {"_name", "tocsin_key"}}}}}});

  // 7. The audit system reporting its own data loss (AU008).
  should.push_back(any_of(Json::array({Json{{"prefix", Json{{"h_type", "DAEMON_"}}}},
                                       terms("h_type", Json::array({"DAEMON_ERR", "DAEMON_ABORT",
                                                                    "DAEMON_END", "DAEMON_START",
                                                                    "DAEMON_RESUME"})),
                                       Json{{"exists", Json{{"field", "b_lost"}}}}}),
                          "tocsin_audit_loss"));

  Json body;
  body["size"] = opts.size;
  body["track_total_hits"] = true;
  body["sort"] = Json::array(
      {Json{{opts.time_field, Json{{"order", "asc"}, {"unmapped_type", "date"}}}},
       Json{{"_doc", "asc"}}});
  body["query"] = Json{
      {"bool", Json{{"filter", Json::array({Json{{"range", Json{{opts.time_field,
                                                                  Json{{"gte", *bound}}}}}}})},
                    {"should", std::move(should)},
                    {"minimum_should_match", 1}}}};

  std::string text = body.dump(2);
  switch (opts.format) {
    case EsQueryFormat::Body:
      return text + "\n";
    case EsQueryFormat::Console:
      return fmt::format("GET {}/_search\n{}\n", opts.index, text);
    case EsQueryFormat::Curl:
      return fmt::format(
          "curl -sS -H 'Content-Type: application/json' -X POST {} --data-binary @- <<'TOCSIN_EOF'\n"
          "{}\nTOCSIN_EOF\n",
          shell_quote(fmt::format("{}/{}/_search", opts.url, opts.index)), text);
  }
  return text;
}

}  // namespace tocsin::audit
