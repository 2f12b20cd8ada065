#include "firewall/read_error.h"

namespace allowdrift::firewall {

std::string_view to_string(ReadErrorKind kind) {
  switch (kind) {
    case ReadErrorKind::kBadSpec:
      return "bad-spec";
    case ReadErrorKind::kToolMissing:
      return "tool-missing";
    case ReadErrorKind::kPermission:
      return "permission";
    case ReadErrorKind::kNotFound:
      return "not-found";
    case ReadErrorKind::kParse:
      return "parse";
    case ReadErrorKind::kTimeout:
      return "timeout";
    case ReadErrorKind::kOutputTooLarge:
      return "output-too-large";
    case ReadErrorKind::kUnsafeFile:
      return "unsafe-file";
    case ReadErrorKind::kUnsupported:
      return "unsupported";
    case ReadErrorKind::kIo:
      return "io";
  }
  return "io";
}

}  // namespace allowdrift::firewall
