// `allowdrift accept SOURCE`: an administrator accepts the list a source published that was held back as suspect
// (a sharp shrink, say, that the vendor confirms), instead of waiting for accept_suspect_after.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

// `args` are the arguments after "accept". Returns the process exit status (cli/exit_code.h).
int run_accept(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
