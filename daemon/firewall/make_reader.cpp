// The one switch from a target kind to its backend.
#include "firewall/allowlist_reader.h"
#include "firewall/file_reader.h"
#include "firewall/plain_file.h"

namespace allowdrift::firewall {
namespace {

class UnsupportedReader final : public AllowlistReader {
 public:
  explicit UnsupportedReader(std::string text) : text_(std::move(text)) {}
  ReadResult<ChangeSignal> change_signal() override { return error(); }
  ReadResult<Allowlist> read() override { return error(); }

 private:
  ReadError error() const {
    return {ReadErrorKind::kUnsupported, "target '" + text_ + "': this kind is not supported yet"};
  }
  std::string text_;
};

}  // namespace

std::unique_ptr<AllowlistReader> make_reader(const TargetSpec& spec, const ReaderOptions& options) {
  const auto file = [&](TextParser parser) {
    return std::make_unique<FileReader>(spec.path, std::move(parser), options.max_output_bytes);
  };
  switch (spec.kind) {
    case TargetKind::kFile:
      return file(parse_plain_file);
    default:
      break;
  }
  return std::make_unique<UnsupportedReader>(spec.text);
}

}  // namespace allowdrift::firewall
