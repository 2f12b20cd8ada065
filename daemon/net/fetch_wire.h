// The fetch worker's protocol (worker_fetcher.h): a FetchRequest goes to `allowdrift fetch-worker` on its stdin, a
// FetchResult comes back on its stdout. Each is one frame: a JSON object on one line, then the body's bytes as they
// are (`body_bytes` of them; a body may be megabytes of anything, which a JSON string would have to escape). Pure
// functions: the worker and the daemon are the same binary, but a decoder still refuses what it does not expect,
// with a message naming the field, rather than fetch with half a request.
#pragma once

#include "net/fetch_types.h"

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace allowdrift::net {

std::optional<FetchErrorKind> fetch_error_kind_from_string(std::string_view name);

std::string encode_request(const FetchRequest& request);
boost::system::result<FetchRequest, std::string> decode_request(std::string_view frame);

std::string encode_result(const FetchResult& result);
boost::system::result<FetchResult, std::string> decode_result(std::string_view frame);

}  // namespace allowdrift::net
