// A fresh directory under /tmp for one test, removed with everything in it at scope exit.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace tocsin::test {

struct TempDir {
  std::filesystem::path p;
  explicit TempDir(const std::string& prefix = "tocsin-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    p = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(p); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace tocsin::test
