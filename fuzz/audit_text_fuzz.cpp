// libFuzzer target for the audit text parser entry point: bytes → TextSource (lexer, assembler,
// gzip sniffing) → every Event accessor. Any crash, leak or sanitizer report is a bug. The
// detection engine behind it has its own target (hunt_fuzz).
#include <cstddef>
#include <cstdint>
#include <string>

#include "audit/text_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::audit;
  TextSourceOptions opts;
  opts.max_line = 4096;  // exercise the long-line path with small inputs
  opts.read_chunk = 1024;
  opts.assembler.max_in_flight = 16;
  opts.assembler.watermark_ms = 1000;
  TextSource src = TextSource::from_memory(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz.log", opts);
  (void)src.for_each([](Event&& ev) {
    (void)ev.argv();
    (void)ev.paths();
    (void)ev.proctitle();
    (void)ev.keys();
    (void)ev.syscall_name();
    (void)ev.cwd();
    (void)ev.cwd_view();
    (void)ev.pid();
    (void)ev.auid();
    (void)ev.exe_view();
    (void)ev.comm_view();
    for (size_t i = 0; i < ev.record_count(); ++i) {
      auto r = ev.record(i);
      for (size_t f = 0; f < r.field_count(); ++f) {
        (void)r.str(r.field_at(f).key);
        (void)r.num(r.field_at(f).key);
      }
      for (size_t f = 0; f < r.interp_count(); ++f) (void)r.interp_at(f);
    }
    return true;
  });
  return 0;
}
