#include "net/fetch_types.h"

namespace allowdrift::net {

std::string_view to_string(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::kConfig:
      return "config";
    case FetchErrorKind::kDns:
      return "dns";
    case FetchErrorKind::kConnect:
      return "connect";
    case FetchErrorKind::kTls:
      return "tls";
    case FetchErrorKind::kTimeout:
      return "timeout";
    case FetchErrorKind::kHttpStatus:
      return "http_status";
    case FetchErrorKind::kTooLarge:
      return "too_large";
    case FetchErrorKind::kTruncated:
      return "truncated";
    case FetchErrorKind::kRedirect:
      return "redirect";
    case FetchErrorKind::kProxy:
      return "proxy";
    case FetchErrorKind::kDecode:
      return "decode";
    case FetchErrorKind::kWorker:
      return "worker";
  }
  return "unknown";
}

std::string_view to_string(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
  }
  return "GET";
}

}  // namespace allowdrift::net
