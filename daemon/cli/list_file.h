// Reads a plain list file from disk (or standard input for "-") in fixed-size chunks into the pure parser, so a
// million-line list never sits in memory as text.
#pragma once

#include "feeds/plain_list.h"

#include <optional>
#include <string>

namespace allowdrift::cli {

struct ListFileResult {
  feeds::PlainList list;
  std::optional<std::string> io_error;  // set when the file could not be read; `list` is then meaningless
};

ListFileResult read_list_file(const std::string& path, feeds::PlainListOptions options);

}  // namespace allowdrift::cli
