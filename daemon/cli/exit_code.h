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
// `fetch`: the fetch failed: DNS, connect, timeout, HTTP status, size limit, truncation, redirect, proxy or
// decoding (the error kind is printed). A bad URL or unusable --ca-file is a usage error (2).
inline constexpr int kExitFetchFailed = 5;
// `fetch`: the TLS handshake or certificate verification failed. Kept apart from 5 because it can mean that
// someone is intercepting the connection, not that the vendor is down.
inline constexpr int kExitTlsFailed = 6;
// `allowlist`: the target could not be read (tool missing, no permission, set or file missing, unparsable output,
// timeout); the error kind is printed. Never reported as an empty allowlist.
inline constexpr int kExitTargetUnreadable = 7;

}  // namespace allowdrift::cli
