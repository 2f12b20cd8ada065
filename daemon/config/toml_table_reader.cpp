#include "config/toml_table_reader.h"

#include "config/quantity.h"

#include <algorithm>

namespace allowdrift::config {
namespace {

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

}  // namespace

void ErrorSink::add(const std::string& file, std::size_t line, const std::string& message) {
  messages.push_back(line == 0 ? file + ": " + message : file + ":" + std::to_string(line) + ": " + message);
  lines_.push_back(line);
}

std::vector<std::string> ErrorSink::in_file_order() && {
  std::vector<std::size_t> order(messages.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lines_[a] < lines_[b]; });
  std::vector<std::string> out;
  out.reserve(order.size());
  for (const auto i : order) out.push_back(std::move(messages[i]));
  return out;
}

TableReader::TableReader(const toml::table& table, const std::string& file, std::string label, ErrorSink& errors)
    : table_(table), file_(file), label_(std::move(label)), errors_(errors) {}

const toml::node* TableReader::get(std::string_view key) {
  used_.emplace(key);
  return table_.get(key);
}

std::string TableReader::name_of(std::string_view key) const {
  return label_ == "top level" ? "key '" + std::string(key) + "'" : "key '" + std::string(key) + "' in " + label_;
}

void TableReader::error_at(std::string_view key, const std::string& message) {
  const toml::node* node = table_.get(key);
  const auto line = node != nullptr ? node->source().begin.line : table_.source().begin.line;
  errors_.add(file_, line, name_of(key) + ": " + message);
}

void TableReader::type_error(std::string_view key, const toml::node& node, std::string_view expected) {
  errors_.add(file_, node.source().begin.line,
              name_of(key) + ": expected " + std::string(expected) + ", got " + std::string(type_name(node)));
}

std::string TableReader::where() const { return file_ + ":" + std::to_string(table_.source().begin.line); }

bool TableReader::string(std::string_view key, std::string& out) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  if (const auto* s = node->as_string()) {
    out = s->get();
    return true;
  }
  type_error(key, *node, "a string");
  return false;
}

bool TableReader::required_string(std::string_view key, std::string& out) {
  if (table_.get(key) == nullptr) {
    used_.emplace(key);
    errors_.add(file_, table_.source().begin.line, label_ + ": missing required key '" + std::string(key) + "'");
    return false;
  }
  return string(key, out);
}

bool TableReader::string_array(std::string_view key, std::vector<std::string>& out) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  const auto* array = node->as_array();
  if (array == nullptr) {
    type_error(key, *node, "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  for (const auto& item : *array) {
    const auto* s = item.as_string();
    if (s == nullptr) {
      type_error(key, item, "an array of strings");
      return false;
    }
    values.push_back(s->get());
  }
  out = std::move(values);
  return true;
}

bool TableReader::required_string_array(std::string_view key, std::vector<std::string>& out) {
  if (table_.get(key) == nullptr) {
    used_.emplace(key);
    errors_.add(file_, table_.source().begin.line, label_ + ": missing required key '" + std::string(key) + "'");
    return false;
  }
  return string_array(key, out);
}

bool TableReader::string_map(std::string_view key, std::map<std::string, std::string>& out) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  const auto* table = node->as_table();
  if (table == nullptr) {
    type_error(key, *node, "a table of strings, e.g. { service = \"EC2\" }");
    return false;
  }
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : *table) {
    const auto* s = v.as_string();
    if (s == nullptr) {
      type_error(key, v, "a table of strings");
      return false;
    }
    values.emplace(std::string(k.str()), s->get());
  }
  out = std::move(values);
  return true;
}

bool TableReader::boolean(std::string_view key, bool& out) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  if (const auto* b = node->as_boolean()) {
    out = b->get();
    return true;
  }
  type_error(key, *node, "true or false");
  return false;
}

bool TableReader::integer(std::string_view key, int& out, int min, int max) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  const auto* i = node->as_integer();
  if (i == nullptr) {
    type_error(key, *node, "an integer");
    return false;
  }
  if (i->get() < min || i->get() > max) {
    error_at(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
                      std::to_string(i->get()));
    return false;
  }
  out = static_cast<int>(i->get());
  return true;
}

bool TableReader::fraction(std::string_view key, double& out) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  double value = 0;
  if (const auto* f = node->as_floating_point()) {
    value = f->get();
  } else if (const auto* i = node->as_integer()) {
    value = static_cast<double>(i->get());
  } else {
    type_error(key, *node, "a number between 0 and 1");
    return false;
  }
  if (!(value >= 0.0 && value <= 1.0)) {
    error_at(key, "must be between 0 and 1");
    return false;
  }
  out = value;
  return true;
}

bool TableReader::duration(std::string_view key, std::chrono::seconds& out, std::chrono::seconds min) {
  std::string text;
  const auto* node = table_.get(key);
  if (node != nullptr && !node->is_string()) {
    used_.emplace(key);
    type_error(key, *node, "a duration string such as \"6h\"");
    return false;
  }
  if (!string(key, text)) return false;
  auto parsed = parse_duration(text);
  if (!parsed) {
    error_at(key, parsed.error().message);
    return false;
  }
  if (*parsed < min) {
    error_at(key, "must be at least " + format_duration(min) + ", not " + text);
    return false;
  }
  out = *parsed;
  return true;
}

bool TableReader::duration_or_never(std::string_view key, std::optional<std::chrono::seconds>& out,
                                    std::chrono::seconds min) {
  if (const auto* node = table_.get(key); node != nullptr && node->is_string() && node->as_string()->get() == "never") {
    used_.emplace(key);
    out = std::nullopt;
    return true;
  }
  std::chrono::seconds value{};
  if (!duration(key, value, min)) return false;
  out = value;
  return true;
}

bool TableReader::size(std::string_view key, std::uint64_t& out) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  if (const auto* i = node->as_integer()) {
    if (i->get() <= 0) {
      error_at(key, "must be positive");
      return false;
    }
    out = static_cast<std::uint64_t>(i->get());
    return true;
  }
  const auto* s = node->as_string();
  if (s == nullptr) {
    type_error(key, *node, "a size such as \"32MiB\" or a number of bytes");
    return false;
  }
  auto parsed = parse_size(s->get());
  if (!parsed || *parsed == 0) {
    error_at(key, parsed ? "must be positive" : parsed.error().message);
    return false;
  }
  out = *parsed;
  return true;
}

void TableReader::array_of_tables(std::string_view key, const std::function<void(TableReader&)>& each) {
  const auto* node = get(key);
  if (node == nullptr) return;
  const auto* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    errors_.add(file_, node->source().begin.line,
                name_of(key) + ": expected [[" + std::string(key) + "]] tables, got " + std::string(type_name(*node)));
    return;
  }
  std::size_t n = 0;
  for (const auto& item : *array) {
    TableReader reader(*item.as_table(), file_, "[[" + std::string(key) + "]] #" + std::to_string(++n), errors_);
    reader.kind_ = key;
    each(reader);
  }
}

void TableReader::accept_all() {
  for (const auto& [k, v] : table_) used_.emplace(k.str());
}

void TableReader::name(const std::string& name) {
  if (!kind_.empty() && !name.empty()) label_ = "[[" + kind_ + "]] '" + name + "'";
}

void TableReader::finish() {
  for (const auto& [k, v] : table_) {
    if (used_.count(k.str()) == 0) {
      errors_.add(file_, k.source().begin.line, name_of(k.str()) + ": unknown key");
      used_.emplace(k.str());  // report once even if finish() runs twice
    }
  }
}

}  // namespace allowdrift::config
