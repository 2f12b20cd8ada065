// A reader for the file-backed targets: the bytes come from a file (refused when world-writable, capped in size),
// the change signal is the file's identity (device, inode, size, mtime), and a pure parser does the rest.
#pragma once

#include "firewall/allowlist_reader.h"

#include <functional>
#include <string>
#include <string_view>

namespace allowdrift::firewall {

using TextParser = std::function<ReadResult<Allowlist>(std::string_view text, std::string_view source)>;

class FileReader final : public AllowlistReader {
 public:
  FileReader(std::string path, TextParser parser, std::size_t max_bytes)
      : path_(std::move(path)), parser_(std::move(parser)), max_bytes_(max_bytes) {}
  ReadResult<ChangeSignal> change_signal() override;
  ReadResult<Allowlist> read() override;

 private:
  std::string path_;
  TextParser parser_;
  std::size_t max_bytes_;
};

}  // namespace allowdrift::firewall
