#include "net/fetch_wire.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

namespace allowdrift::net {
namespace {

namespace json = boost::json;

// Thrown inside a decoder only, turned into its error value.
struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::array kKinds{FetchErrorKind::kConfig,   FetchErrorKind::kDns,       FetchErrorKind::kConnect,
                            FetchErrorKind::kTls,      FetchErrorKind::kTimeout,   FetchErrorKind::kHttpStatus,
                            FetchErrorKind::kTooLarge, FetchErrorKind::kTruncated, FetchErrorKind::kRedirect,
                            FetchErrorKind::kProxy,    FetchErrorKind::kDecode,    FetchErrorKind::kWorker};

// The JSON line and the body after it.
std::pair<json::object, std::string_view> split_frame(std::string_view frame) {
  const auto eol = frame.substr(0, kMaxWireHeaderBytes + 1).find('\n');
  if (eol == std::string_view::npos) {
    if (frame.size() > kMaxWireHeaderBytes)
      throw WireError("no header line in the first " + std::to_string(kMaxWireHeaderBytes) + " bytes");
    throw WireError("no header line");
  }
  boost::system::error_code ec;
  json::value header = json::parse(frame.substr(0, eol), ec);
  if (ec) throw WireError("header is not JSON: " + ec.message());
  if (!header.is_object()) throw WireError("header is not a JSON object");
  return {std::move(header.as_object()), frame.substr(eol + 1)};
}

std::string header_line(const json::object& header) {
  std::string out = json::serialize(header);  // escapes every control character: no raw newline in it
  out += '\n';
  return out;
}

std::string join_frame(const json::object& header, std::string_view body) { return header_line(header) += body; }

// Typed reads of a header's fields; a missing key is the default, a wrong type an error naming the key.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}

  bool has(std::string_view key) const { return o_.contains(key); }

  std::string text(std::string_view key) const {
    const auto* v = o_.if_contains(key);
    if (v == nullptr) return {};
    if (!v->is_string()) throw WireError(std::string(key) + ": expected a string");
    return std::string(v->get_string());
  }

  std::optional<std::string> optional_text(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    return text(key);
  }

  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min = 0,
                       std::int64_t max = std::numeric_limits<std::int64_t>::max()) const {
    const auto* v = o_.if_contains(key);
    if (v == nullptr) return fallback;
    boost::system::error_code ec;
    const auto n = v->to_number<std::int64_t>(ec);
    if (ec || !v->is_number() || n < min || n > max) {
      throw WireError(std::string(key) + ": expected an integer from " + std::to_string(min) + " to " +
                      std::to_string(max));
    }
    return n;
  }

  bool boolean(std::string_view key) const {
    const auto* v = o_.if_contains(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) throw WireError(std::string(key) + ": expected true or false");
    return v->get_bool();
  }

  const json::object* object(std::string_view key) const {
    const auto* v = o_.if_contains(key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) throw WireError(std::string(key) + ": expected an object");
    return &v->get_object();
  }

 private:
  const json::object& o_;
};

std::string_view take_body(std::string_view rest, const Fields& f) {
  const auto n = f.integer("body_bytes", 0);
  if (static_cast<std::uint64_t>(n) != rest.size()) {
    throw WireError("body_bytes is " + std::to_string(n) + " but " + std::to_string(rest.size()) + " bytes follow");
  }
  return rest;
}

std::int64_t clamp_to_int64(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(n, std::numeric_limits<std::int64_t>::max()));
}

void put_optional(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
}

}  // namespace

std::optional<FetchErrorKind> fetch_error_kind_from_string(std::string_view name) {
  for (const auto k : kKinds)
    if (to_string(k) == name) return k;
  return std::nullopt;
}

std::string encode_request(const FetchRequest& r) {
  json::object o;
  o["url"] = r.url;
  o["method"] = to_string(r.method);
  if (!r.content_type.empty()) o["content_type"] = r.content_type;
  put_optional(o, "etag", r.validators.etag);
  put_optional(o, "last_modified", r.validators.last_modified);
  o["connect_timeout_ms"] = r.connect_timeout.count();
  o["deadline_ms"] = r.deadline.count();
  o["overall_deadline_ms"] = r.overall_deadline.count();
  o["body_limit"] = clamp_to_int64(r.body_limit);  // max_body may be configured up to 2^64-1
  o["header_limit"] = clamp_to_int64(r.header_limit);
  o["max_redirects"] = r.max_redirects;
  put_optional(o, "ca_file", r.ca_file);
  if (r.proxy) {
    json::object p;
    p["host"] = r.proxy->host;
    p["port"] = r.proxy->port;
    put_optional(p, "user", r.proxy->user);
    put_optional(p, "password", r.proxy->password);
    p["from_environment"] = r.proxy->from_environment;
    o["proxy"] = std::move(p);
  }
  json::object retry;
  retry["max_attempts"] = r.retry.max_attempts;
  retry["initial_backoff_ms"] = r.retry.initial_backoff.count();
  retry["max_backoff_ms"] = r.retry.max_backoff.count();
  retry["max_retry_after_s"] = r.retry.max_retry_after.count();
  o["retry"] = std::move(retry);
  o["body_bytes"] = static_cast<std::int64_t>(r.body.size());
  return join_frame(o, r.body);
}

boost::system::result<FetchRequest, std::string> decode_request(std::string_view frame) {
  try {
    auto [header, rest] = split_frame(frame);
    const Fields f(header);
    FetchRequest r;
    r.url = f.text("url");
    if (r.url.empty()) throw WireError("url: missing");
    const auto method = f.has("method") ? f.text("method") : "GET";
    if (method == "POST") {
      r.method = HttpMethod::kPost;
    } else if (method != "GET") {
      throw WireError("method: expected GET or POST, not '" + method + "'");
    }
    r.content_type = f.text("content_type");
    r.validators = {f.optional_text("etag"), f.optional_text("last_modified")};
    r.connect_timeout = std::chrono::milliseconds(f.integer("connect_timeout_ms", r.connect_timeout.count(), 1));
    r.deadline = std::chrono::milliseconds(f.integer("deadline_ms", r.deadline.count(), 1));
    r.overall_deadline = std::chrono::milliseconds(f.integer("overall_deadline_ms", r.overall_deadline.count(), 0));
    r.body_limit = static_cast<std::size_t>(f.integer("body_limit", static_cast<std::int64_t>(r.body_limit), 1));
    r.header_limit = static_cast<std::size_t>(f.integer("header_limit", static_cast<std::int64_t>(r.header_limit), 1));
    r.max_redirects = static_cast<int>(f.integer("max_redirects", r.max_redirects, 0, 1000));
    r.ca_file = f.optional_text("ca_file");
    if (const auto* p = f.object("proxy")) {
      const Fields pf(*p);
      ProxyConfig proxy;
      proxy.host = pf.text("host");
      proxy.port = static_cast<std::uint16_t>(pf.integer("port", proxy.port, 1, 65535));
      proxy.user = pf.optional_text("user");
      proxy.password = pf.optional_text("password");
      proxy.from_environment = pf.boolean("from_environment");
      r.proxy = std::move(proxy);
    }
    if (const auto* retry = f.object("retry")) {
      const Fields rf(*retry);
      r.retry.max_attempts = static_cast<int>(rf.integer("max_attempts", r.retry.max_attempts, 1, 100));
      r.retry.initial_backoff =
          std::chrono::milliseconds(rf.integer("initial_backoff_ms", r.retry.initial_backoff.count()));
      r.retry.max_backoff = std::chrono::milliseconds(rf.integer("max_backoff_ms", r.retry.max_backoff.count()));
      r.retry.max_retry_after = std::chrono::seconds(rf.integer("max_retry_after_s", r.retry.max_retry_after.count()));
    }
    r.body = std::string(take_body(rest, f));
    return r;
  } catch (const WireError& e) {
    return {boost::system::in_place_error, std::string("fetch request: ") + e.what()};
  }
}

std::string encode_result_header(const FetchResult& result) {
  json::object o;
  if (!result) {
    const auto& e = result.error();
    json::object err;
    err["kind"] = to_string(e.kind);
    err["message"] = e.message;
    if (e.http_status != 0) err["http_status"] = e.http_status;
    if (e.retry_after) err["retry_after_s"] = e.retry_after->count();
    o["error"] = std::move(err);
    o["body_bytes"] = 0;
    return header_line(o);
  }
  const auto& r = *result;
  o["not_modified"] = r.not_modified;
  o["status"] = r.status;
  o["final_url"] = r.final_url;
  put_optional(o, "etag", r.validators.etag);
  put_optional(o, "last_modified", r.validators.last_modified);
  if (!r.content_type.empty()) o["content_type"] = r.content_type;
  o["wire_bytes"] = static_cast<std::int64_t>(r.wire_bytes);
  o["redirects"] = r.redirects;
  o["attempts"] = r.attempts;
  o["elapsed_ms"] = r.elapsed.count();
  o["body_bytes"] = static_cast<std::int64_t>(r.body.size());
  return header_line(o);
}

std::string encode_result(const FetchResult& result) {
  auto frame = encode_result_header(result);
  if (result) frame += result->body;
  return frame;
}

boost::system::result<FetchResult, std::string> decode_result(std::string frame) {
  try {
    auto [header, rest] = split_frame(frame);
    const Fields f(header);
    if (const auto* e = f.object("error")) {
      const Fields ef(*e);
      FetchError error;
      const auto kind = ef.text("kind");
      const auto parsed = fetch_error_kind_from_string(kind);
      if (!parsed) throw WireError("error.kind: unknown kind '" + kind + "'");
      error.kind = *parsed;
      error.message = ef.text("message");
      error.http_status = static_cast<int>(ef.integer("http_status", 0, 0, 999));
      if (ef.has("retry_after_s")) error.retry_after = std::chrono::seconds(ef.integer("retry_after_s", 0));
      take_body(rest, f);
      return {boost::system::in_place_value, FetchResult(std::move(error))};
    }
    FetchResponse r;
    r.not_modified = f.boolean("not_modified");
    if (!f.has("status")) throw WireError("status: missing (neither an error nor a response)");
    r.status = static_cast<int>(f.integer("status", 0, 100, 999));
    r.final_url = f.text("final_url");
    r.validators = {f.optional_text("etag"), f.optional_text("last_modified")};
    r.content_type = f.text("content_type");
    r.wire_bytes = static_cast<std::size_t>(f.integer("wire_bytes", 0));
    r.redirects = static_cast<int>(f.integer("redirects", 0, 0, 1000));
    r.attempts = static_cast<int>(f.integer("attempts", 1, 1, 100));
    r.elapsed = std::chrono::milliseconds(f.integer("elapsed_ms", 0));
    take_body(rest, f);
    frame.erase(0, frame.size() - rest.size());  // the header: what remains is the body, in the same buffer
    r.body = std::move(frame);
    return {boost::system::in_place_value, FetchResult(std::move(r))};
  } catch (const WireError& e) {
    return {boost::system::in_place_error, std::string("fetch result: ") + e.what()};
  }
}

}  // namespace allowdrift::net
