#include "feeds/source_reader.h"

namespace allowdrift::feeds {

SourceReader::SourceReader(const SourceSpec& spec) : spec_(spec) {
  if (const auto* json = std::get_if<JsonListSpec>(&spec.format)) json_ = std::make_unique<JsonListReader>(*json);
}

void SourceReader::write(std::string_view chunk) {
  if (json_) {
    json_->write(chunk);
  } else {
    bytes_.append(chunk);
  }
}

model::ParseResult<ExtractedList> SourceReader::finish() {
  if (!json_) return extract(bytes_, spec_);
  return keep_sections(json_->finish(), spec_);
}

}  // namespace allowdrift::feeds
