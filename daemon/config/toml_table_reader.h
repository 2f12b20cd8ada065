// Typed, strict access to one TOML table of the config: every read records the key as known, wrong types and
// values are reported with the file, line and key, and finish() reports the keys nobody asked for (typos such as
// `intervall` must not be ignored silently).
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::config {

struct ErrorSink {
  std::vector<std::string> messages;
  void add(const std::string& file, std::size_t line, const std::string& message);
  // The messages by line (a file's own, line 0, first), each line's in the order they were found: the loader
  // reads tables by kind (every source, then every target, ...), not in the order the file has them.
  std::vector<std::string> in_file_order() &&;

 private:
  std::vector<std::size_t> lines_;
};

class TableReader {
 public:
  // `label` names the table in messages: "top level", "[[source]] #2".
  TableReader(const toml::table& table, const std::string& file, std::string label, ErrorSink& errors);

  // Each returns true when the key is present with the right type (and a valid value); false when absent or
  // wrong (then an error was recorded). `out` is left alone unless the read succeeds.
  bool string(std::string_view key, std::string& out);
  bool required_string(std::string_view key, std::string& out);
  bool string_array(std::string_view key, std::vector<std::string>& out);
  bool required_string_array(std::string_view key, std::vector<std::string>& out);
  bool string_map(std::string_view key, std::map<std::string, std::string>& out);
  bool boolean(std::string_view key, bool& out);
  bool integer(std::string_view key, int& out, int min, int max);
  bool fraction(std::string_view key, double& out);  // 0.0 ..= 1.0
  bool duration(std::string_view key, std::chrono::seconds& out, std::chrono::seconds min);
  // A duration, or "never" (nullopt).
  bool duration_or_never(std::string_view key, std::optional<std::chrono::seconds>& out, std::chrono::seconds min);
  bool size(std::string_view key, std::uint64_t& out);
  // [[key]]: calls `each` with a reader for every table of the array.
  void array_of_tables(std::string_view key, const std::function<void(TableReader&)>& each);

  void error_at(std::string_view key, const std::string& message);  // at the key's line, or the table's
  std::string where() const;                                        // "FILE:LINE" of the table
  void finish();                                                    // unknown keys -> errors
  void accept_all();                   // every key counts as known (a table already reported as unusable as a whole)
  void name(const std::string& name);  // messages then say "[[source]] 'cloudflare'" instead of "#2"

 private:
  const toml::node* get(std::string_view key);
  void type_error(std::string_view key, const toml::node& node, std::string_view expected);
  std::string name_of(std::string_view key) const;

  const toml::table& table_;
  const std::string& file_;
  std::string label_;
  std::string kind_;  // "source" for [[source]] tables
  ErrorSink& errors_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace allowdrift::config
