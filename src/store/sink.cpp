// Sink: shipper + recorder behind --sink.
#include "store/sink.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

namespace tocsin::store {

std::string default_spool_path(const StoreUrl& url, const std::string& state_dir) {
  std::string dir = state_dir;
  if (dir.empty()) {
    const char* env = std::getenv("TOCSIN_STATE_DIR");
    dir = env && *env ? env : "/var/lib/tocsin";
  }
  std::string host;
  for (char c : url.host) host.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '_');
  return fmt::format("{}/store-spool-{}-{}-{}.jsonl", dir, host, url.port, url.database);
}

Result<std::unique_ptr<Sink>> Sink::open(SinkOptions opt) {
  auto client = connect(opt.url, opt.credentials_file);
  if (!client) return client.error();
  if (opt.host.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) opt.host = buf;
    if (opt.host.empty()) return Error{"this machine has no host name: give --host-name"};
  }
  ShipperOptions so;
  so.spool_path = opt.spool_path.empty() ? default_spool_path(client->url(), opt.state_dir) : opt.spool_path;
  so.spool_max_bytes = opt.spool_max_bytes;
  so.note = opt.note;
  auto shipper = Shipper::open(std::move(*client), so);
  if (!shipper) return shipper.error();
  auto s = std::unique_ptr<Sink>(new Sink());
  s->opt_ = std::move(opt);
  s->shipper_ = std::move(*shipper);
  s->recorder_ = std::make_unique<Recorder>(*s->shipper_, s->opt_.host, s->opt_.streaming);
  return s;
}

Status Sink::finish() {
  recorder_->finish();
  ShipStats st = shipper_->close(opt_.close_wait_ms);
  if (opt_.note) {
    std::string spooled = st.spool_bytes ? fmt::format("; {} bytes stay spooled for the next run ({})", st.spool_bytes,
                                                       st.last_error.empty() ? "store unreachable" : st.last_error)
                                         : std::string();
    opt_.note(fmt::format("store: {} rows added by this run, {} rows shipped{}", st.rows_added, st.rows_sent, spooled));
  }
  if (st.rows_unshipped)
    return Error{fmt::format("{} rows were not shipped: the spool was full or could not be written (see above)",
                             st.rows_unshipped)};
  return ok_status();
}

}  // namespace tocsin::store
