// `allowdrift diff PUBLISHED LOCAL`: compares two plain lists (feeds/plain_list.h) and prints what is missing
// locally and what is stale.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

// `args` are the arguments after "diff". Returns the process exit status (cli/exit_code.h).
int run_diff(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
