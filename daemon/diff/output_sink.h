// A buffered text sink: rendering stays pure (it only appends), the caller decides where bytes go.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace allowdrift::diff {

class OutputSink {
 public:
  using Flush = std::function<void(std::string_view)>;
  explicit OutputSink(Flush flush, std::size_t buffer_size = 1 << 16) : flush_(std::move(flush)), limit_(buffer_size) {
    buffer_.reserve(buffer_size);
  }
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;
  ~OutputSink() { flush(); }

  void write(std::string_view s) {
    buffer_.append(s);
    if (buffer_.size() >= limit_) flush();
  }
  void write(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= limit_) flush();
  }
  void flush() {
    if (!buffer_.empty()) flush_(buffer_);
    buffer_.clear();
  }

 private:
  Flush flush_;
  std::size_t limit_;
  std::string buffer_;
};

}  // namespace allowdrift::diff
