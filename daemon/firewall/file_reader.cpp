#include "firewall/file_reader.h"

#include "sys/file_read.h"

namespace allowdrift::firewall {
namespace {

ReadError to_read_error(const sys::FileError& e) {
  using Kind = sys::FileError::Kind;
  switch (e.kind) {
    case Kind::kNotFound:
      return {ReadErrorKind::kNotFound, e.message};
    case Kind::kPermission:
      return {ReadErrorKind::kPermission, e.message};
    case Kind::kUnsafe:
      return {ReadErrorKind::kUnsafeFile, e.message};
    case Kind::kTooLarge:
      return {ReadErrorKind::kOutputTooLarge, e.message};
    case Kind::kIo:
      break;
  }
  return {ReadErrorKind::kIo, e.message};
}

}  // namespace

ReadResult<ChangeSignal> FileReader::change_signal() {
  auto id = sys::identify_file(path_);
  if (!id) return to_read_error(id.error());
  return ChangeSignal{"file:" + id->to_string()};
}

ReadResult<Allowlist> FileReader::read() {
  sys::FileReadOptions options;
  options.max_bytes = max_bytes_;
  auto contents = sys::read_file(path_, options);
  if (!contents) return to_read_error(contents.error());
  return parser_(contents->bytes, path_);
}

}  // namespace allowdrift::firewall
