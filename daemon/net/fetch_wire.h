// The fetch worker's protocol (worker_fetcher.h): a FetchRequest goes to `allowdrift fetch-worker` on its stdin, a
// FetchResult comes back on its stdout. Each is one frame: a JSON object on one line, then the body's bytes as they
// are (`body_bytes` of them; a body may be megabytes of anything, which a JSON string would have to escape). Pure
// functions: the worker and the daemon are the same binary, but a decoder still refuses what it does not expect,
// with a message naming the field, rather than fetch with half a request.
#pragma once

#include "net/fetch_types.h"

#include <boost/system/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::net {

// The longest header line a decoder reads. What a header holds (URLs, validators, an error message) is far below
// it; a longer line is refused before it is parsed, so a worker cannot make the daemon build a huge JSON tree.
inline constexpr std::size_t kMaxWireHeaderBytes = 256 * 1024;

std::optional<FetchErrorKind> fetch_error_kind_from_string(std::string_view name);

std::string encode_request(const FetchRequest& request);
boost::system::result<FetchRequest, std::string> decode_request(std::string_view frame);

// The header line (with its '\n'); the body's bytes follow it as they are. Two pieces, so that the worker writes
// a body of megabytes without first copying it into one frame.
std::string encode_result_header(const FetchResult& result);
std::string encode_result(const FetchResult& result);  // header and body in one string
// Takes the frame by value: the body is the frame's own buffer once the header is cut off, not a copy.
boost::system::result<FetchResult, std::string> decode_result(std::string frame);

}  // namespace allowdrift::net
