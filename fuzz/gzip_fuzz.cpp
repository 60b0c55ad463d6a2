// libFuzzer target for the gzip reader under every hunt input (audit/input_stream): bytes →
// InputStream (gzip sniffed by content) read in small pieces. Invariants: the stream ends, the
// bytes it says it used are within the input, and an input it reports no damage for was
// decompressed completely: zlib alone, member by member, gives the same bytes.
#include <zlib.h>

#include <string>

#include "audit/input_stream.hpp"
#include "fuzz_util.hpp"

namespace {

// Reference: every gzip member of `in` inflated with zlib; nullopt on any error.
std::optional<std::string> zlib_gunzip(std::string_view in) {
  std::string out;
  size_t pos = 0;
  while (pos < in.size()) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    zs.avail_in = static_cast<uInt>(in.size() - pos);
    int rc = Z_OK;
    char buf[4096];
    while (rc == Z_OK) {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      rc = inflate(&zs, Z_NO_FLUSH);
      out.append(buf, sizeof buf - zs.avail_out);
      if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
    }
    size_t used = in.size() - pos - zs.avail_in;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) return std::nullopt;
    pos += used;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::audit;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  MemoryStream raw(in);
  InputStream s(raw);
  std::string out;
  char buf[777];  // odd size: members and buffers end at odd places
  for (size_t n; (n = s.read(buf, sizeof buf)) > 0;) {
    out.append(buf, n);
    if (out.size() > (64u << 20)) return 0;  // a zip bomb is not this target's subject
  }
  if (s.raw_bytes() > size) __builtin_trap();
  if (s.out_bytes() != out.size()) __builtin_trap();
  if (!s.gzip()) {
    if (out != in) __builtin_trap();
    return 0;
  }
  if (s.issues().empty()) {
    auto ref = zlib_gunzip(in);
    if (!ref || *ref != out) __builtin_trap();  // clean by our reader, not by zlib
  }
  return 0;
}
