#include "net/content_decoding.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace allowdrift::net {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

FetchError decode_error(std::string message) { return FetchError{FetchErrorKind::kDecode, std::move(message), 0, {}}; }

// RAII for a z_stream set up with inflateInit2.
class Inflater {
 public:
  explicit Inflater(int window_bits) { ok_ = inflateInit2(&z_, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&z_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& z() { return z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

enum class Outcome { kDone, kTooLarge, kCorrupt, kTruncated };

// Inflates `in` into `out`; with `members`, a gzip stream may hold several members back to back (RFC 1952 §2.2).
Outcome inflate_all(std::string_view in, int window_bits, bool members, std::size_t limit, std::string& out) {
  Inflater inflater(window_bits);
  if (!inflater.ok()) return Outcome::kCorrupt;
  z_stream& z = inflater.z();
  // zlib's avail_in is 32-bit; bodies are far below that (the body limit), but feed in slices to be exact.
  std::size_t offset = 0;
  std::string chunk(kChunk, '\0');
  while (true) {
    if (z.avail_in == 0 && offset < in.size()) {
      const std::size_t n = std::min<std::size_t>(in.size() - offset, std::numeric_limits<uInt>::max());
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + offset));
      z.avail_in = static_cast<uInt>(n);
      offset += n;
    }
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > limit) return Outcome::kTooLarge;
    out.append(chunk.data(), produced);
    if (rc == Z_STREAM_END) {
      const bool more = z.avail_in > 0 || offset < in.size();
      if (!more) return Outcome::kDone;
      if (!members) return Outcome::kCorrupt;  // bytes after the end of the stream
      if (inflateReset(&z) != Z_OK) return Outcome::kCorrupt;
      continue;
    }
    if (rc == Z_BUF_ERROR) {
      // No progress possible: either the input ran out before the end of the stream, or a bug.
      if (z.avail_in == 0 && offset >= in.size()) return Outcome::kTruncated;
      continue;
    }
    if (rc != Z_OK) return Outcome::kCorrupt;
    if (produced == 0 && z.avail_in == 0 && offset >= in.size()) return Outcome::kTruncated;
  }
}

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

boost::system::result<std::string, FetchError> finish(Outcome outcome, std::string out, std::string_view name,
                                                      std::size_t limit) {
  switch (outcome) {
    case Outcome::kDone:
      return out;
    case Outcome::kTooLarge:
      return FetchError{
          FetchErrorKind::kTooLarge,
          "decoded " + std::string(name) + " body exceeds the limit of " + std::to_string(limit) + " bytes",
          0,
          {}};
    case Outcome::kTruncated:
      return decode_error(std::string(name) + " body ends before the end of the compressed stream");
    case Outcome::kCorrupt:
      break;
  }
  return decode_error("corrupt " + std::string(name) + " body");
}

}  // namespace

boost::system::result<std::string, FetchError> decode_content(std::string_view content_encoding, std::string body,
                                                              std::size_t limit) {
  const std::string encoding = trimmed_lower(content_encoding);
  if (encoding.empty() || encoding == "identity") {
    if (body.size() > limit) {
      return FetchError{
          FetchErrorKind::kTooLarge, "body exceeds the limit of " + std::to_string(limit) + " bytes", 0, {}};
    }
    return body;
  }
  std::string out;
  if (encoding == "gzip" || encoding == "x-gzip") {
    const Outcome outcome = inflate_all(body, 16 + MAX_WBITS, true, limit, out);
    return finish(outcome, std::move(out), "gzip", limit);
  }
  if (encoding == "deflate") {
    // RFC 9110 says zlib format; some servers send raw deflate. Try zlib first, raw when the header is wrong.
    Outcome outcome = inflate_all(body, MAX_WBITS, false, limit, out);
    if (outcome == Outcome::kCorrupt) {
      out.clear();
      outcome = inflate_all(body, -MAX_WBITS, false, limit, out);
    }
    return finish(outcome, std::move(out), "deflate", limit);
  }
  return decode_error("unsupported Content-Encoding '" + encoding.substr(0, 64) + "'");
}

}  // namespace allowdrift::net
