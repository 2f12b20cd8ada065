// `allowdrift --once` (one check of everything, monitoring-plugin exit codes) and `allowdrift check-config`.
#pragma once

#include <string>
#include <vector>

namespace allowdrift::cli {

int run_once(const std::vector<std::string>& args);
int run_check_config(const std::vector<std::string>& args);

// check-config's exit status for an invalid configuration (sysexits EX_CONFIG); systemd's
// RestartPreventExitStatus=78 keeps a broken config from restart-looping.
inline constexpr int kExitConfig = 78;

}  // namespace allowdrift::cli
