// Exit statuses of the subcommands, documented in the README.
#pragma once

namespace allowdrift::cli {

inline constexpr int kExitOk = 0;        // nothing differs
inline constexpr int kExitDrift = 1;     // something differs
inline constexpr int kExitBadInput = 2;  // usage error, unreadable file or invalid entry (nothing compared)
// The state database could not be read: missing, not allowdrift's, corrupt, newer schema, locked (history,
// changes). Distinct from 2 so that a script can tell "you asked wrongly" from "the daemon's state is unusable".
inline constexpr int kExitStoreError = 3;
// An unexpected failure (out of memory, a bug): reported on stderr, never a silent abort.
inline constexpr int kExitInternal = 4;

}  // namespace allowdrift::cli
