// libFuzzer target: the fetch worker's protocol (daemon/net/fetch_wire.h). The daemon decodes what a worker
// process wrote after talking TLS to a vendor and reading its bytes; a worker subverted by that data must not be
// able to do more to the daemon than fail the fetch. Input: the first byte picks the decoder (even: result, odd:
// request), the rest is the frame.
// Checked on every run:
//   - no crash, no sanitizer report, no exception out of the decoder; a refusal has a message;
//   - what decodes encodes again to a frame that decodes to the same values (nothing is read that is not kept,
//     and the body is exactly what followed the header line).
#include "fuzz_check.h"
#include "net/fetch_wire.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace allowdrift;

std::string describe(const net::FetchResult& r) {
  if (!r) {
    const auto& e = r.error();
    return "error " + std::string(net::to_string(e.kind)) + " " + std::to_string(e.http_status) + " " +
           std::to_string(e.retry_after ? e.retry_after->count() : -1) + " " + e.message;
  }
  return "response " + std::to_string(r->not_modified) + " " + std::to_string(r->status) + " " + r->final_url + " " +
         r->validators.etag.value_or("-") + " " + r->validators.last_modified.value_or("-") + " " + r->content_type +
         " " + std::to_string(r->wire_bytes) + " " + std::to_string(r->redirects) + " " + std::to_string(r->attempts) +
         " " + std::to_string(r->elapsed.count()) + " " + r->body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view frame(reinterpret_cast<const char*>(data) + 1, size - 1);
  fuzz::g_input = frame;
  if ((data[0] & 1) == 0) {
    const auto got = net::decode_result(std::string(frame));
    if (!got) {
      FUZZ_CHECK(!got.error().empty(), std::string("refusal without a message"));
      return 0;
    }
    const auto again = net::decode_result(net::encode_result(*got));
    FUZZ_CHECK(again.has_value(), "re-encoded result refused: " + (again ? std::string() : again.error()));
    FUZZ_CHECK(describe(*again) == describe(*got), "round trip changed " + describe(*got));
    if (*got) FUZZ_CHECK(frame.ends_with((*got)->body), std::string("body is not what followed the header"));
  } else {
    const auto got = net::decode_request(frame);
    if (!got) {
      FUZZ_CHECK(!got.error().empty(), std::string("refusal without a message"));
      return 0;
    }
    FUZZ_CHECK(!got->url.empty(), std::string("request without a URL"));
    const auto reencoded = net::encode_request(*got);
    const auto again = net::decode_request(reencoded);
    FUZZ_CHECK(again.has_value(), "re-encoded request refused: " + (again ? std::string() : again.error()));
    FUZZ_CHECK(net::encode_request(*again) == reencoded, std::string("round trip changed the request"));
    FUZZ_CHECK(frame.ends_with(got->body), std::string("body is not what followed the header"));
  }
  return 0;
}
