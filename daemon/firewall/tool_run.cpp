#include "firewall/tool_run.h"

namespace allowdrift::firewall::detail {

std::string first_line(std::string_view text) {
  while (!text.empty() && (text.front() == '\n' || text.front() == '\r')) text.remove_prefix(1);
  text = text.substr(0, text.find('\n'));
  std::string out;
  for (const char c : text.substr(0, 300)) {
    const auto u = static_cast<unsigned char>(c);
    out += u >= 0x20 && u < 0x7f ? c : '?';
  }
  return out;
}

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string Tool::command(const std::vector<std::string>& args) const {
  std::string out = name_;
  for (const auto& a : args) out += " " + a;
  return out;
}

ReadResult<sys::ProcessResult> Tool::run(const std::vector<std::string>& args) {
  const std::string search = options_.tool_path.empty() ? sys::default_search_path() : options_.tool_path;
  if (resolved_.empty()) {
    auto found = sys::find_program(name_, search);
    if (!found) {
      if (found.error().kind == sys::SpawnError::Kind::kPermission) {
        return ReadError{ReadErrorKind::kPermission, found.error().message};
      }
      return ReadError{ReadErrorKind::kToolMissing, name_ + " is not installed (not found in the search path \"" +
                                                        search + "\"): install the " + package_ +
                                                        " package, or set the tool path"};
    }
    resolved_ = *found;
  }
  std::vector<std::string> argv{resolved_};
  argv.insert(argv.end(), args.begin(), args.end());
  sys::ProcessOptions process;
  process.timeout = options_.tool_timeout;
  process.max_stdout_bytes = options_.max_output_bytes;
  process.search_path = search;
  auto result = sys::run_process(argv, process);
  if (!result) {
    const auto kind = result.error().kind;
    if (kind == sys::SpawnError::Kind::kNotFound) resolved_.clear();  // removed since: look it up again next time
    return ReadError{kind == sys::SpawnError::Kind::kNotFound     ? ReadErrorKind::kToolMissing
                     : kind == sys::SpawnError::Kind::kPermission ? ReadErrorKind::kPermission
                                                                  : ReadErrorKind::kIo,
                     result.error().message};
  }
  using Outcome = sys::ProcessResult::Outcome;
  switch (result->outcome) {
    case Outcome::kTimedOut:
      return ReadError{ReadErrorKind::kTimeout, command(args) + " " + result->describe()};
    case Outcome::kStdoutTooLarge:
      return ReadError{ReadErrorKind::kOutputTooLarge,
                       command(args) + " " + result->describe() + " (the limit is the reader's output cap)"};
    case Outcome::kSignaled:
      return ReadError{ReadErrorKind::kIo,
                       command(args) + " was " + result->describe() + ": " + first_line(result->err)};
    case Outcome::kExited:
      break;
  }
  return std::move(*result);
}

ReadError Tool::failure(const std::vector<std::string>& args, const sys::ProcessResult& result) const {
  const std::string said = first_line(result.err);
  // iptables-nft: "Could not fetch rule set generation id: Permission denied (you must be root)"; iptables-legacy:
  // "Cannot initialize: Permission denied (you must be root)" or "/proc/net/ip_tables_names: Permission denied";
  // ipset: "Kernel error received: Operation not permitted".
  if (result.err.find("Permission denied") != std::string::npos ||
      result.err.find("Operation not permitted") != std::string::npos ||
      result.err.find("you must be root") != std::string::npos) {
    return {ReadErrorKind::kPermission,
            command(args) + ": permission denied (\"" + said +
                "\"): reading netfilter state needs CAP_NET_ADMIN. Run as root, or grant it to the daemon "
                "(systemd: AmbientCapabilities=CAP_NET_ADMIN); iptables-legacy needs root with CAP_NET_RAW too"};
  }
  return {ReadErrorKind::kIo, command(args) + " " + result.describe() + ": \"" + said + "\""};
}

}  // namespace allowdrift::firewall::detail
