// `allowdrift extract`: what a source yields. Users check a preset, or their own selector, with it before trusting
// it: from the network, or from a saved copy with --from FILE.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

int run_extract(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
