// Scan and hunt read the same command lines the same way: SH001 (a shell command in a script)
// and the audit model (an EXECVE argv) agree on which lines are copies, in which direction, of
// which container path. The grammar is one (core/container_cli); this holds it to that.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "audit/detections/model.hpp"
#include "iac/parse/shell.hpp"
#include "iac/rules/script/sh001.hpp"

using namespace tocsin;

TEST(CopyGrammar, ScanAndHuntAgreeOnEveryLine) {
  const std::vector<std::string> lines = {
      "docker cp ./app.conf web:/etc/app.conf",
      "docker --context prod container cp -a f web:/x",
      "docker compose -f x.yml cp svc:/a b",
      "podman cp /etc/hosts web:/etc/hosts",
      "nerdctl -n k8s.io cp web:/a /tmp/a",
      "kubectl -n ns1 cp ns1/web-0:/var/log/a /tmp/a -c app",
      "kubectl --as-uid 1000 cp f ns/pod:/x",            // the audit table lacked --as-uid
      "kubectl --cache-dir /tmp/c cp ns/pod:/x /tmp/x",  // and --cache-dir
      "kubectl cp /x:y /tmp/z",                          // SH001 said local, the audit model pod "/x"
      "docker cp a b web:/c",                            // three operands: SH001 took the first two
      "docker cp web:/a db:/b",                          // SH001 took the first container
      "docker cp http://h/x /tmp/y",
      "docker cp a b",
      "docker ps -a",
      "docker cp --help a web:/b",
  };
  for (const auto& line : lines) {
    auto script = sh::parse(line);
    auto scan = iac::script::find_container_copies(script);
    std::istringstream in(line);
    std::vector<std::string> argv;
    for (std::string w; in >> w;) argv.push_back(w);
    auto hunt = audit::parse_copy_command(argv);
    ASSERT_EQ(scan.size(), hunt ? 1u : 0u) << line;
    if (!hunt) continue;
    EXPECT_EQ(scan[0].to_container, hunt->direction == "to-container") << line;
    EXPECT_EQ(scan[0].container, hunt->container) << line;
    EXPECT_EQ(scan[0].container_path, hunt->path) << line;
    EXPECT_EQ(scan[0].local, hunt->local) << line;
  }
}
