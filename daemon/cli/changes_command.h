// `allowdrift changes SOURCE [FROM] [TO]`: the entries a source added and removed between two of its snapshots.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

// `args` are the arguments after "changes". Returns the process exit status (cli/exit_code.h).
int run_changes(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
