// `--sink clickhouse://…` for hunt and watch: opens the shipper (with its spool) and the
// recorder, and reports at the end what was shipped, what is still spooled, and what could not
// be shipped. What the drivers call, and all they call.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "store/recorder.hpp"
#include "store/shipper.hpp"

namespace tocsin::store {

struct SinkOptions {
  std::string url;
  std::string credentials_file;  // empty: the environment (url.hpp)
  std::string spool_path;        // empty: default_spool_path()
  std::string state_dir;         // where the default spool goes (empty: TOCSIN_STATE_DIR, /var/lib/tocsin)
  std::string host;              // rows of a log without node=; empty: this machine's name
  uint64_t spool_max_bytes = 256ull << 20;
  uint64_t close_wait_ms = 10000;  // at the end, how long to keep trying to empty the spool
  bool streaming = false;          // watch
  std::function<void(const std::string&)> note;
};

class Sink {
 public:
  static Result<std::unique_ptr<Sink>> open(SinkOptions opt);
  std::unique_ptr<audit::Detection> tap() { return recorder_->tap(); }
  void alert(const Alert& a) { recorder_->alert(a); }
  // Ships what is left; an error when rows could not be shipped nor spooled (the spool was
  // full). Rows still spooled are a note: the next run with this spool sends them.
  Status finish();

 private:
  SinkOptions opt_;
  std::unique_ptr<Shipper> shipper_;
  std::unique_ptr<Recorder> recorder_;
};

// <state dir>/store-spool-HOST-PORT-DB.jsonl
std::string default_spool_path(const StoreUrl& url, const std::string& state_dir);

}  // namespace tocsin::store
