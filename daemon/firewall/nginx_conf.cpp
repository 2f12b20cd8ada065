#include "firewall/nginx_conf.h"

#include "firewall/config_text.h"
#include "firewall/first_match.h"
#include "model/domain_pattern.h"

#include <string>
#include <vector>

namespace allowdrift::firewall {
namespace {

using model::quote_token;

constexpr std::string_view kFirstMatch = "nginx applies the first allow or deny that matches";

struct Word {
  std::string text;
  std::size_t line = 0;
};

class NginxParser {
 public:
  NginxParser(std::string_view text, std::string_view source) : text_(text), source_(source) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  ReadResult<Allowlist> run() {
    blocks_.push_back({});
    std::vector<Word> words;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (is_blank(c)) {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == ';') {
        if (words.empty()) return error(line_, "unexpected ';'");
        if (auto e = directive(words); !e.empty()) return ReadError{ReadErrorKind::kParse, std::move(e)};
        words.clear();
        ++pos_;
      } else if (c == '{') {
        if (words.empty()) return error(line_, "unexpected '{'");
        if (auto e = open_block(words); !e.empty()) return ReadError{ReadErrorKind::kParse, std::move(e)};
        words.clear();
        ++pos_;
      } else if (c == '}') {
        if (!words.empty() || blocks_.size() == 1) return error(line_, "unexpected '}'");
        close_block();
        ++pos_;
      } else {
        auto w = word();
        if (!w) return w.error();
        words.push_back(std::move(*w));
      }
    }
    if (!words.empty()) return error(words.front().line, "unexpected end of file, expecting ';' or '}'");
    if (blocks_.size() > 1) {
      return error(blocks_.back().line, "unexpected end of file, expecting '}' for the block opened here");
    }
    close_block();
    if (allows_ == 0 && real_ips_ == 0 && denies_ > 0) {
      out_.warnings.push_back(std::string(source_) + ": no allow or set_real_ip_from directives; its " +
                              std::to_string(denies_) +
                              " deny directives are not allowlist entries, so this file allows nothing");
    }
    return std::move(out_);
  }

 private:
  struct Block {
    std::size_t line = 0;
    bool opaque = false;  // geo, map, ...: their contents are not directives
    std::vector<OrderedRule> rules;
  };

  ReadError error(std::size_t line, std::string_view what) const { return parse_error(source_, line, what); }
  std::string message(std::size_t line, std::string_view what) const {
    return origin(source_, line) + ": " + std::string(what);
  }

  // One word, quoted or not, with nginx's escapes ("\;" is part of a word, "${var}" holds braces).
  ReadResult<Word> word() {
    Word w;
    w.line = line_;
    const char quote = text_[pos_];
    if (quote == '"' || quote == '\'') {
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size()) return error(w.line, "unexpected end of file in a quoted string");
        char c = text_[pos_++];
        if (c == quote) break;
        if (c == '\n') ++line_;
        if (c == '\\' && pos_ < text_.size()) {
          c = text_[pos_++];
          if (c == '\n') ++line_;
          if (c == 't') c = '\t';
          if (c == 'r') c = '\r';
          if (c == 'n') c = '\n';
        }
        w.text += c;
      }
      if (pos_ < text_.size()) {
        const char next = text_[pos_];
        if (!is_blank(next) && next != ';' && next != '{' && next != '}') {
          return error(line_,
                       "unexpected " + quote_token(std::string_view(&text_[pos_], 1)) + " after a quoted string");
        }
      }
      return w;
    }
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (is_blank(c) || c == ';' || c == '{' || c == '}') {
        if (c == '{' && w.text.ends_with('$')) {
          // ${name}: the braces belong to the variable.
          const auto close = text_.find('}', pos_);
          if (close == std::string_view::npos) return error(line_, "unterminated ${ variable");
          const auto inner = text_.substr(pos_, close + 1 - pos_);
          if (inner.find('\n') != std::string_view::npos) return error(line_, "unterminated ${ variable");
          w.text += inner;
          pos_ = close + 1;
          continue;
        }
        break;
      }
      if (c == '\\' && pos_ + 1 < text_.size()) {
        ++pos_;
        if (text_[pos_] == '\n') ++line_;
      }
      w.text += text_[pos_++];
    }
    return w;
  }

  std::string open_block(const std::vector<Word>& words) {
    const std::string& name = words.front().text;
    if (name == "allow" || name == "deny" || name == "set_real_ip_from") {
      return message(words.front().line, "directive " + quote_token(name) + " does not take a block");
    }
    Block block;
    block.line = words.front().line;
    block.opaque = blocks_.back().opaque || name == "geo" || name == "map" || name == "split_clients" ||
                   name == "types" || name == "charset_map";
    if (name == "geo" && !blocks_.back().opaque) {
      out_.warnings.push_back(origin(source_, block.line) +
                              ": the addresses of a geo block map to variables, which this reader does not evaluate; "
                              "not part of the allowlist");
    }
    blocks_.push_back(std::move(block));
    return {};
  }

  void close_block() {
    add_first_match(blocks_.back().rules, out_, kFirstMatch);
    blocks_.pop_back();
  }

  std::string directive(const std::vector<Word>& words) {
    if (blocks_.back().opaque) return {};
    const std::string& name = words.front().text;
    const std::size_t line = words.front().line;
    const bool access = name == "allow" || name == "deny";
    if (access || name == "set_real_ip_from") {
      if (words.size() != 2) return message(line, "invalid number of arguments in " + quote_token(name) + " directive");
      return access ? access_rule(name == "allow", words[1].text, line) : real_ip(words[1].text, line);
    }
    if (name == "include" && words.size() == 2) {
      out_.warnings.push_back(origin(source_, line) + ": include " + quote_token(words[1].text) +
                              " is not followed; read that file as its own target (nginx:PATH)");
    }
    return {};
  }

  // ADDRESS or ADDRESS/LENGTH (ngx_ptocidr); the error text is empty on success.
  std::string address(std::string_view arg, std::size_t line, model::IpEntry& entry) {
    auto parsed = model::parse_ip_entry(arg);
    if (!parsed) return message(line, parsed.error().message);
    if (parsed->form != model::EntryForm::kAddress && parsed->form != model::EntryForm::kPrefix) {
      return message(line, quote_token(arg) + ": nginx accepts ADDRESS or ADDRESS/LENGTH here");
    }
    entry = *parsed;
    const std::string note = model::describe_normalization(entry, arg);
    if (!note.empty()) out_.warnings.push_back(origin(source_, line) + ": " + note);
    return {};
  }

  std::string access_rule(bool allow, std::string_view arg, std::size_t line) {
    OrderedRule rule;
    rule.allow = allow;
    rule.origin = origin(source_, line);
    rule.text = std::string(allow ? "allow " : "deny ") + std::string(arg);
    if (arg == "unix:") {
      out_.warnings.push_back(rule.origin + ": " + quote_token(rule.text) +
                              " applies to clients on UNIX-domain sockets, not to addresses; skipped");
      return {};
    }
    if (arg == "all") {
      rule.match = {whole_family(model::Family::kV4), whole_family(model::Family::kV6)};
      if (allow) {
        out_.warnings.push_back(rule.origin + ": 'allow all': every address is allowed (0.0.0.0/0 and ::/0)");
      }
    } else {
      model::IpEntry entry;
      if (auto e = address(arg, line, entry); !e.empty()) return e;
      rule.match.push_back(entry);
    }
    ++(allow ? allows_ : denies_);
    blocks_.back().rules.push_back(std::move(rule));
    return {};
  }

  std::string real_ip(std::string_view arg, std::size_t line) {
    const std::string where = origin(source_, line);
    if (arg == "unix:") {
      out_.warnings.push_back(where +
                              ": 'set_real_ip_from unix:' trusts UNIX-domain socket clients, not addresses; "
                              "skipped");
      return {};
    }
    if (!model::parse_ip_entry(arg)) {
      const auto name = model::parse_domain_pattern(arg);
      if (name && !name->wildcard) {
        out_.warnings.push_back(where + ": set_real_ip_from " + quote_token(arg) +
                                " is a host name that nginx resolves when it starts: not compared");
        return {};
      }
    }
    model::IpEntry entry;
    if (auto e = address(arg, line, entry); !e.empty()) return e;
    out_.ips.push_back({entry, where});
    ++real_ips_;
    return {};
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::vector<Block> blocks_;
  Allowlist out_;
  std::size_t allows_ = 0;
  std::size_t denies_ = 0;
  std::size_t real_ips_ = 0;
};

}  // namespace

ReadResult<Allowlist> parse_nginx_conf(std::string_view text, std::string_view source) {
  return NginxParser(text, source).run();
}

}  // namespace allowdrift::firewall
