// `allowdrift status`: what the store says about every check and source, without fetching or reading anything.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

int run_status(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
