#include "sys/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace allowdrift::sys {
namespace {

// glibc has no wrapper and libcap is not a build dependency; the kernel's ABI is stable (version 3: 64-bit sets).
std::uint64_t combine(std::uint32_t low, std::uint32_t high) { return (std::uint64_t{high} << 32) | low; }

}  // namespace

boost::system::result<CapabilitySets, std::string> current_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return std::string("capget: ") + std::strerror(errno);
  return CapabilitySets{combine(data[0].permitted, data[1].permitted), combine(data[0].effective, data[1].effective),
                        combine(data[0].inheritable, data[1].inheritable)};
}

std::optional<std::string> drop_all_capabilities() {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    return std::string("clearing the ambient set: ") + std::strerror(errno);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return std::string("capset: ") + std::strerror(errno);
  return std::nullopt;
}

}  // namespace allowdrift::sys
