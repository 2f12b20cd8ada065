// `allowdrift fetch-worker`: not a command for people. The daemon runs one per fetch (net/worker_fetcher.h) so that
// the long-lived process never builds a TLS context: the request arrives on stdin and the result leaves on stdout
// (net/fetch_wire.h).
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

// Exit 0 whenever a result was written, failed fetches included (the failure is in the result); 2 when the request
// could not be read or had no place in the protocol (why, on stderr); 4 when the result could not be written, or
// `--parent-pid PID` names a process that is no longer this one's parent.
int run_fetch_worker(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
