// `allowdrift history [SOURCE]`: what the state database knows of each source, or the snapshots of one source.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

// `args` are the arguments after "history". Returns the process exit status (cli/exit_code.h).
int run_history(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
