// Why a local allowlist could not be read. Each kind is distinct because each has a different fix, and none of
// them is ever turned into an empty allowlist: only a set that exists and is empty reads as empty.
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace allowdrift::firewall {

enum class ReadErrorKind : std::uint8_t {
  kBadSpec,         // the target text itself is malformed ("nft:inet/filter")
  kToolMissing,     // nft, iptables-save or ipset is not installed / not on PATH
  kPermission,      // no CAP_NET_ADMIN, or a file we may not read; the message names what to grant
  kNotFound,        // the set, chain, table or file does not exist; the message lists what does
  kParse,           // output or file content we do not understand, with file:line
  kTimeout,         // the tool did not finish in time
  kOutputTooLarge,  // the tool or file exceeded the output cap
  kUnsafeFile,      // a world-writable file allowlist (anyone could widen it)
  kUnsupported,     // the schema or feature is not one we can read faithfully (json_schema_version, set type)
  kIo,              // any other system error
};

// Stable names for logs, JSON and exit messages: "bad-spec", "tool-missing", "permission", ...
std::string_view to_string(ReadErrorKind kind);

struct ReadError {
  ReadErrorKind kind = ReadErrorKind::kIo;
  std::string message;  // complete sentence; names the target, file:line or tool and what was expected
};

class ReadErrorException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_exception_from_error(const ReadError& e, const boost::source_location&) {
  throw ReadErrorException(std::string(to_string(e.kind)) + ": " + e.message);
}

template <class T>
using ReadResult = boost::system::result<T, ReadError>;

}  // namespace allowdrift::firewall
