// The calling thread's capability sets, read and dropped through capget/capset (capabilities(7)). Used by the fetch
// worker, which must run with none whatever it inherited (net/worker_fetcher.h).
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace allowdrift::sys {

struct CapabilitySets {
  std::uint64_t permitted = 0;
  std::uint64_t effective = 0;
  std::uint64_t inheritable = 0;
};

boost::system::result<CapabilitySets, std::string> current_capabilities();

// Empties the permitted, effective, inheritable and ambient sets. Lowering one's own sets needs no privilege, but
// a seccomp filter may refuse capset (the shipped unit's `SystemCallFilter=~@privileged` does): an error then,
// with the reason.
std::optional<std::string> drop_all_capabilities();

}  // namespace allowdrift::sys
