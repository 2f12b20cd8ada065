// Exit statuses of the subcommands, documented in the README.
#pragma once

namespace allowdrift::cli {

inline constexpr int kExitOk = 0;        // nothing differs
inline constexpr int kExitDrift = 1;     // something differs
inline constexpr int kExitBadInput = 2;  // usage error, unreadable file or invalid entry (nothing compared)

}  // namespace allowdrift::cli
