// Internal to the live readers (tool_readers.cpp): running one netfilter tool with the reader options, and
// turning what went wrong into a ReadError with the fix in its message.
#pragma once

#include "firewall/allowlist_reader.h"
#include "sys/child_process.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::firewall::detail {

class Tool {
 public:
  // `name` is looked up on options.tool_path (or $PATH) on first use, and again after a failed lookup only.
  Tool(std::string name, std::string package, const ReaderOptions& options)
      : name_(std::move(name)), package_(std::move(package)), options_(options) {}

  // The tool's result when it ran to completion, whatever its exit status; kToolMissing, kPermission (not
  // executable), kTimeout, kOutputTooLarge or kIo otherwise.
  ReadResult<sys::ProcessResult> run(const std::vector<std::string>& args);

  // For a non-zero exit: kPermission when stderr says so (with the capability to grant), kIo otherwise; both
  // quote the tool's first stderr line.
  ReadError failure(const std::vector<std::string>& args, const sys::ProcessResult& result) const;

  // "iptables-save -t filter"
  std::string command(const std::vector<std::string>& args) const;

 private:
  std::string name_;
  std::string package_;
  ReaderOptions options_;
  std::string resolved_;
};

// The first line of a tool's stderr, printable ASCII only and at most 300 bytes, for messages.
std::string first_line(std::string_view text);

// 64-bit FNV-1a, chained through `hash`.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 14695981039346656037ull);

}  // namespace allowdrift::firewall::detail
