// The one interface between the daemon and a local allowlist: a cheap change signal and a full read. Each backend
// splits into "get the bytes" (run a tool with an argv vector, dump over netlink, read a file) and a pure parser;
// readers never change the firewall. make_reader() is the one place that maps a TargetSpec to a backend.
#pragma once

#include "firewall/allowlist.h"
#include "firewall/read_error.h"
#include "firewall/target_spec.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace allowdrift::firewall {

// Equal signals mean the allowlist has not changed since the reading taken with that signal: the nftables ruleset
// generation id, a file's device, inode, size and mtime, or a hash of a tool's (cheap) output.
struct ChangeSignal {
  std::string value;
  friend bool operator==(const ChangeSignal&, const ChangeSignal&) = default;
};

struct ReaderOptions {
  std::chrono::milliseconds tool_timeout{30'000};  // a tool that runs longer is killed: kTimeout
  std::size_t max_output_bytes = 512u << 20;       // tool output or file size cap: kOutputTooLarge
  std::string tool_path;                           // PATH used to find nft/iptables-save/ipset ("" = $PATH)
};

class AllowlistReader {
 public:
  virtual ~AllowlistReader() = default;
  // Cheap next to read(): the daemon calls it every tick and reads only when it moved.
  virtual ReadResult<ChangeSignal> change_signal() = 0;
  virtual ReadResult<Allowlist> read() = 0;
  // True when reading waits on a tool (iptables-save, ipset) for up to its timeout; false for a file or an
  // in-process netlink dump, which take a moment. The daemon reads the former on a thread of its own.
  virtual bool runs_tools() const { return false; }
};

std::unique_ptr<AllowlistReader> make_reader(const TargetSpec& spec, const ReaderOptions& options);

}  // namespace allowdrift::firewall
