// The live (not zombie) children of a process whose command line holds an argument, from /proc: how the tests find
// the daemon's `fetch-worker` processes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace allowdrift::testing {

inline std::vector<pid_t> children_with_argument(pid_t parent, const std::string& argument) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat_in(entry.path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(stat_in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent || state == "Z") continue;
    std::ifstream cmdline_in(entry.path() / "cmdline");
    const std::string cmdline((std::istreambuf_iterator<char>(cmdline_in)), std::istreambuf_iterator<char>());
    if (cmdline.find('\0' + argument + '\0') != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

}  // namespace allowdrift::testing
