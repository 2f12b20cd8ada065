// `allowdrift allowlist SPEC`: what a local allowlist target allows, as the daemon would read it.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

int run_allowlist(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
