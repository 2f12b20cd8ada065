// Runs one fetch to completion on a private io_context, for the one-shot CLI commands (fetch, extract).
#pragma once

#include "net/fetch_types.h"

namespace allowdrift::cli {

// Network and HTTP failures are values; anything else (a bug) propagates as an exception.
net::FetchResult fetch_blocking(const net::FetchRequest& request);

// The exit status for a failed fetch (cli/exit_code.h): bad usage for configuration errors, TLS for TLS, else
// fetch failed.
int exit_code_for(const net::FetchError& error);

}  // namespace allowdrift::cli
