// `tocsin --version`: the version plus what the binary was built with (compiler, libraries,
// rule count), so a bug report says which build it is about.
#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "core/rule_catalog.hpp"

#ifndef TOCSIN_YAML_CPP_VERSION
#define TOCSIN_YAML_CPP_VERSION "unknown"
#endif
#ifndef TOCSIN_SIMDJSON_VERSION
#define TOCSIN_SIMDJSON_VERSION "unknown"
#endif

namespace tocsin::cli {

std::string version_text() {
#if defined(__clang__)
  const std::string compiler = fmt::format("clang {}", __clang_version__);
#elif defined(__GNUC__)
  const std::string compiler = fmt::format("g++ {}", __VERSION__);
#else
  const std::string compiler = "unknown";
#endif
  size_t scan_rules = 0, hunt_rules = 0, runtime_rules = 0;
  for (const auto& r : rule_catalog()) {
    if (r.family == "audit") ++hunt_rules;
    else if (r.family == "runtime") ++runtime_rules;
    else ++scan_rules;
  }
  // Runtime versions where the library reports one (what is actually loaded), else the
  // version the build saw.
  return fmt::format(
      "tocsin {}\n"
      "rules: {} ({} scan, {} hunt, {} runtime)\n"
      "compiler: {}, C++ {}\n"
      "libraries: fmt {}.{}.{}, yaml-cpp {}, simdjson {}, nlohmann-json {}.{}.{}, CLI11 {}, zlib {}, {}, curl {}\n",
      TOCSIN_VERSION, rule_catalog().size(), scan_rules, hunt_rules, runtime_rules, compiler, __cplusplus,
      FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100, TOCSIN_YAML_CPP_VERSION,
      TOCSIN_SIMDJSON_VERSION, NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH,
      CLI11_VERSION, zlibVersion(), OpenSSL_version(OPENSSL_VERSION), curl_version_info(CURLVERSION_NOW)->version);
}

}  // namespace tocsin::cli
