// extract() (source_spec.h) with the bytes fed in pieces, for a saved copy read from disk block by block. A JSON
// source is read while the bytes stream past (JsonListReader), so a large feed is never held whole: the memory is
// the entries, not the file (bench/README.md, "JSON feeds against jq"). Text and HTML sources need the whole page
// and collect it first. Any cut of the input gives the result extract() gives for the whole.
#pragma once

#include "feeds/source_spec.h"

#include <memory>
#include <string>
#include <string_view>

namespace allowdrift::feeds {

class SourceReader {
 public:
  explicit SourceReader(const SourceSpec& spec);  // `spec` must outlive the reader

  void write(std::string_view chunk);
  model::ParseResult<ExtractedList> finish();  // once, after the last write

 private:
  const SourceSpec& spec_;
  std::unique_ptr<JsonListReader> json_;
  std::string bytes_;  // other formats
};

}  // namespace allowdrift::feeds
