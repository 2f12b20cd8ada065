// `allowdrift fetch URL`: one fetch with the daemon's HTTPS client, for debugging TLS, proxies and firewalls.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

// `args` are the arguments after "fetch". Returns the process exit status (cli/exit_code.h).
int run_fetch(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
