// Content-Encoding: the fetcher asks for gzip (lists compress about 5:1) and decodes gzip and deflate with zlib,
// holding the decoded size to the body limit so that a gzip bomb fails instead of filling memory.
#pragma once

#include "net/fetch_types.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace allowdrift::net {

// Decodes `body` by its Content-Encoding header value. Empty or "identity": returned as is. "gzip" / "x-gzip"
// (concatenated members allowed) and "deflate" (zlib-wrapped, or raw as some servers send): decoded.
// kTooLarge when the decoded size would exceed `limit`; kDecode for any other encoding, a chain of encodings,
// a corrupt or cut stream, or bytes after its end.
boost::system::result<std::string, FetchError> decode_content(std::string_view content_encoding, std::string body,
                                                              std::size_t limit);

}  // namespace allowdrift::net
