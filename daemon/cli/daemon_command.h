// `allowdrift [daemon] [--config PATH] [--state-dir DIR]`: the service (what systemd runs).
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

int run_daemon_command(const std::vector<std::string>& args);

}  // namespace allowdrift::cli
