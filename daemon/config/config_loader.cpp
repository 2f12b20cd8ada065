#include "config/config_loader.h"

#include "alert/syslog_format.h"
#include "config/quantity.h"
#include "config/toml_table_reader.h"
#include "feeds/preset.h"
#include "net/proxy_config.h"
#include "net/tls_context.h"
#include "net/url.h"
#include "sys/file_read.h"

#include <toml++/toml.h>

#include <dirent.h>
#include <algorithm>
#include <map>
#include <set>

namespace allowdrift::config {
namespace {

// Relative paths in the config are relative to the config file's directory, so a config and the files beside it
// move together (and the shipped example runs from the source tree as installed).
std::string resolve_path(const std::string& config_file, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  const auto slash = config_file.rfind('/');
  if (slash == std::string::npos) return path;
  return config_file.substr(0, slash + 1) + path;
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

// Checks a [[source]], [[target]] or [[check]] name (it keys the store, alert records and log lines).
void check_name(TableReader& r, std::string_view kind, const std::string& name) {
  if (!valid_name(name))
    r.error_at("name", std::string(kind) + " name '" + name + "' must be 1 to 64 letters, digits, - _ or .");
}

// A URL to fetch from or post to, parsed as the fetcher will (host, port 1-65535, no credentials) so that a typo
// fails here and at check-config, not at the first fetch. `secret`: the message must not repeat the URL.
void check_url(TableReader& r, std::string_view key, const std::string& url, bool secret, Checks checks) {
  if (checks == Checks::kDaemon) return;  // the https:// prefix is checked; the worker parses the rest
  const auto parsed = net::parse_https_url(url);
  if (parsed) return;
  r.error_at(key, secret ? "a webhook url must be a valid https:// URL with a host (and a port from 1 to 65535)"
                         : parsed.error().message + " in '" + url + "'");
}

std::optional<alert::Severity> parse_severity(std::string_view text) {
  if (text == "critical") return alert::Severity::kCritical;
  if (text == "error") return alert::Severity::kError;
  if (text == "warning") return alert::Severity::kWarning;
  if (text == "notice") return alert::Severity::kNotice;
  if (text == "info") return alert::Severity::kInfo;
  return std::nullopt;
}

std::optional<alert::EventKind> parse_event_kind(std::string_view text) {
  using K = alert::EventKind;
  for (const K k :
       {K::kDriftNew, K::kDriftChanged, K::kDriftResolved, K::kDriftReminder, K::kUpstreamChanged, K::kFetchFailing,
        K::kFetchRecovered, K::kDataStale, K::kDataFresh, K::kSuspectHeld, K::kTargetUnreadable, K::kTargetRecovered}) {
    if (alert::to_string(k) == text) return k;
  }
  return std::nullopt;
}

// Durations, sizes and counts shared by the global level (defaults) and [[source]] (overrides).
void read_fetch_settings(TableReader& r, FetchSettings& fetch) {
  r.duration("interval", fetch.interval, std::chrono::seconds{1});
  r.duration("timeout", fetch.timeout, std::chrono::seconds{1});
  r.duration("connect_timeout", fetch.connect_timeout, std::chrono::seconds{1});
  r.size("max_body", fetch.max_body);
  r.integer("retries", fetch.retries, 1, 10);
  r.integer("max_redirects", fetch.max_redirects, 0, 20);
  r.duration("max_age", fetch.max_age, std::chrono::seconds{60});
  r.integer("fail_alert_after", fetch.fail_alert_after, 1, 1000);
  r.duration("retry_after_failure", fetch.retry_after_failure, std::chrono::seconds{1});
  if (r.duration_or_never("accept_suspect_after", fetch.accept_suspect_after, std::chrono::seconds{1}))
    fetch.accept_suspect_after_set = true;
}

class Loader {
 public:
  Loader(const std::string& file, const feeds::PresetCatalog& catalog, ErrorSink& errors, Checks checks)
      : file_(file), catalog_(catalog), errors_(errors), checks_(checks) {}

  Config load(const toml::table& root) {
    Config config;
    config.file = file_;
    TableReader r(root, file_, "top level", errors_);
    r.string("state_dir", config.state_dir);
    if (r.string("log_level", config.log_level)) {
      static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
      if (kLevels.count(config.log_level) == 0) {
        r.error_at("log_level", "log_level must be trace, debug, info, warn or error, not '" + config.log_level + "'");
      }
    }
    std::string proxy;
    if (r.string("proxy", proxy)) {
      auto parsed = net::parse_proxy_url(proxy);  // its messages never repeat the password
      if (parsed) {
        config.proxy = *parsed;
      } else {
        r.error_at("proxy", parsed.error().message);
      }
    }
    bool proxy_from_environment = false;
    if (r.boolean("proxy_from_environment", proxy_from_environment) && proxy_from_environment) {
      if (config.proxy) {
        r.error_at("proxy_from_environment", "set either proxy or proxy_from_environment, not both");
      } else {
        config.proxy = net::ProxyConfig{};
        config.proxy->from_environment = true;
      }
    }
    r.duration("reminder", config.reminder, std::chrono::seconds{60});
    r.duration("once_deadline", config.once_deadline, std::chrono::seconds{1});
    r.duration("target_interval", config.target_interval, std::chrono::seconds{1});
    r.duration("target_max_age", config.target_max_age, std::chrono::seconds{1});
    r.string("presets_dir", config.presets_dir);
    r.duration("keep_history", config.keep_history, std::chrono::seconds{86400});
    r.integer("keep_snapshots", config.keep_snapshots, 1, 1'000'000);
    r.duration("keep_fetch_log", config.keep_fetch_log, std::chrono::seconds{86400});
    read_fetch_settings(r, config.fetch);
    r.array_of_tables("source", [&](TableReader& t) { read_source(t, config); });
    r.array_of_tables("target", [&](TableReader& t) { read_target(t, config); });
    r.array_of_tables("check", [&](TableReader& t) { read_check(t, config); });
    r.array_of_tables("alert", [&](TableReader& t) { read_alert(t, config); });
    r.finish();
    if (config.checks.empty() && errors_.messages.empty()) {
      errors_.add(file_, 0, "no [[check]]: nothing would be compared (add a [[check]] with sources and a target)");
    }
    return config;
  }

 private:
  void read_source(TableReader& r, Config& config) {
    SourceConfig s;
    s.where = r.where();
    s.fetch = config.fetch;
    if (r.required_string("name", s.name)) check_name(r, "source", s.name);
    r.name(s.name);
    if (config.find_source(s.name) != nullptr) r.error_at("name", "a [[source]] named '" + s.name + "' already exists");
    std::string preset, url, format, token;
    std::vector<std::string> select;
    const bool has_preset = r.string("preset", preset);
    const bool has_url = r.string("url", url);
    const bool has_format = r.string("format", format);
    const bool has_select = r.string_array("select", select);
    const bool has_token = r.string("change_token", token);
    r.string_map("params", s.params);
    std::string ca_file;
    if (r.string("ca_file", ca_file)) {
      s.ca_file = resolve_path(file_, ca_file);
      check_ca_file(r, *s.ca_file);
    }
    read_fetch_settings(r, s.fetch);
    // Settings that contradict each other, whichever level (global or this source) set them.
    if (s.fetch.interval >= s.fetch.max_age) {
      r.error_at("interval", "interval (" + format_duration(s.fetch.interval) + ") must be shorter than max_age (" +
                                 format_duration(s.fetch.max_age) +
                                 "): the list would be reported too old before every next fetch");
    }
    if (!s.fetch.accept_suspect_after_set && s.fetch.accept_suspect_after &&
        *s.fetch.accept_suspect_after >= s.fetch.max_age)
      s.fetch.accept_suspect_after = s.fetch.max_age / 2;  // the default gives way to a shorter max_age
    if (s.fetch.accept_suspect_after && *s.fetch.accept_suspect_after >= s.fetch.max_age) {
      r.error_at("accept_suspect_after", "accept_suspect_after (" + format_duration(*s.fetch.accept_suspect_after) +
                                             ") must be shorter than max_age (" + format_duration(s.fetch.max_age) +
                                             "), or data_stale fires while a suspect list waits");
    }
    // fetch_failing counts failed attempts in the fetch log: pruning them sooner would keep it from ever firing.
    if (s.fetch.interval * s.fetch.fail_alert_after > config.keep_fetch_log) {
      r.error_at("fail_alert_after", "fail_alert_after (" + std::to_string(s.fetch.fail_alert_after) +
                                         ") x interval (" + format_duration(s.fetch.interval) +
                                         ") is longer than keep_fetch_log (" + format_duration(config.keep_fetch_log) +
                                         "): failures would be pruned before fetch_failing could be alerted");
    }
    feeds::GuardPolicy guards;
    const bool has_may_be_empty = r.boolean("may_be_empty", guards.may_be_empty);
    const bool has_max_shrink = r.fraction("max_shrink", guards.max_shrink);

    if (has_preset) {
      s.preset = preset;
      if (has_format || has_select || has_token) {
        r.error_at(has_format   ? "format"
                   : has_select ? "select"
                                : "change_token",
                   "a [[source]] with a preset takes its format and selectors from the preset; remove them or the "
                   "preset");
      }
      const feeds::Preset* p = catalog_.find(preset);
      if (p == nullptr) {
        std::string known;
        for (const auto& k : catalog_.all()) known += (known.empty() ? "" : ", ") + k.name;
        r.error_at("preset", "no preset named '" + preset + "' (known: " + known + ")");
      } else {
        auto spec = feeds::instantiate(*p, s.params, has_url ? std::optional<std::string>(url) : std::nullopt);
        if (!spec) {
          r.error_at("preset", spec.error().message);
        } else {
          s.spec = std::move(*spec);
        }
      }
    } else if (has_url) {
      if (!has_format) {
        r.error_at("url", "a [[source]] with a url needs format = \"text\", \"json\" or \"html\"");
      } else {
        auto spec = feeds::make_source_spec(format, select, token, {});
        if (!spec) {
          r.error_at(has_select ? "select" : "format", spec.error().message);
        } else {
          s.spec = std::move(*spec);
          s.spec.url = url;
        }
      }
      if (!s.params.empty()) r.error_at("params", "params apply to presets only");
    } else {
      r.error_at("name", "[[source]] '" + s.name + "' needs a preset or a url");
    }
    if (!s.spec.url.empty() && s.spec.url.rfind("https://", 0) != 0) {
      r.error_at(has_url ? "url" : "preset", "only https:// URLs are fetched, not '" + s.spec.url + "'");
    } else if (!s.spec.url.empty()) {
      check_url(r, has_url ? "url" : "preset", s.spec.url, false, checks_);
    }
    s.spec.name = s.name;
    if (has_may_be_empty) s.spec.guards.may_be_empty = guards.may_be_empty;
    if (has_max_shrink) s.spec.guards.max_shrink = guards.max_shrink;
    r.finish();
    config.sources.push_back(std::move(s));
  }

  // A CA file must give at least one certificate now: OpenSSL would otherwise start with no trust anchor and
  // every fetch through it would fail, hours later for a daemon. How closely: checks_ (config_loader.h).
  void check_ca_file(TableReader& r, const std::string& path) {
    if (checks_ == Checks::kPure) return;
    auto [it, first] = ca_files_.try_emplace(path);
    if (first) it->second = net::check_ca_file(path, checks_ == Checks::kFull);
    if (it->second) r.error_at("ca_file", *it->second);
  }

  void read_target(TableReader& r, Config& config) {
    TargetConfig t;
    t.where = r.where();
    t.interval = config.target_interval;
    t.max_age = config.target_max_age;
    if (r.required_string("name", t.name)) check_name(r, "target", t.name);
    r.name(t.name);
    if (config.find_target(t.name) != nullptr) r.error_at("name", "a [[target]] named '" + t.name + "' already exists");
    std::string spec;
    if (r.required_string("spec", spec)) {
      auto parsed = firewall::parse_target_spec(spec);
      if (!parsed) {
        r.error_at("spec", parsed.error().message);
      } else {
        t.spec = std::move(*parsed);
        t.spec.path = resolve_path(file_, t.spec.path);
      }
    }
    r.duration("interval", t.interval, std::chrono::seconds{1});
    r.duration("max_age", t.max_age, std::chrono::seconds{1});
    r.duration("timeout", t.timeout, std::chrono::seconds{1});
    r.finish();
    config.targets.push_back(std::move(t));
  }

  void read_check(TableReader& r, Config& config) {
    CheckConfig c;
    c.where = r.where();
    if (r.required_string("name", c.name)) check_name(r, "check", c.name);
    r.name(c.name);
    for (const auto& other : config.checks) {
      if (other.name == c.name) r.error_at("name", "a [[check]] named '" + c.name + "' already exists");
    }
    if (r.required_string_array("sources", c.sources)) {
      if (c.sources.empty()) r.error_at("sources", "sources must name at least one [[source]]");
      for (std::size_t i = 0; i < c.sources.size(); ++i) {
        const auto& s = c.sources[i];
        if (config.find_source(s) == nullptr) r.error_at("sources", "no [[source]] named '" + s + "'");
        if (std::find(c.sources.begin(), c.sources.begin() + static_cast<std::ptrdiff_t>(i), s) !=
            c.sources.begin() + static_cast<std::ptrdiff_t>(i))
          r.error_at("sources", "source '" + s + "' is named twice");
      }
    }
    if (r.required_string("target", c.target) && config.find_target(c.target) == nullptr) {
      r.error_at("target", "no [[target]] named '" + c.target + "'");
    }
    std::vector<std::string> report;
    if (r.string_array("report", report)) {
      c.report_missing = std::count(report.begin(), report.end(), "missing") > 0;
      c.report_stale = std::count(report.begin(), report.end(), "stale") > 0;
      for (const auto& item : report) {
        if (item != "missing" && item != "stale")
          r.error_at("report", "report takes \"missing\" and/or \"stale\", not '" + item + "'");
      }
      if (report.empty()) r.error_at("report", "report must hold \"missing\", \"stale\" or both");
    }
    std::string scope;
    if (r.string("stale_scope", scope)) {
      if (scope == "target") {
        c.stale_scope = StaleScope::kTarget;
      } else if (scope == "published") {
        c.stale_scope = StaleScope::kPublished;
      } else {
        r.error_at("stale_scope",
                   "stale_scope must be \"target\" (the whole target) or \"published\" (only entries "
                   "the sources once published), not '" +
                       scope + "'");
      }
    }
    severity(r, "missing_severity", c.missing_severity);
    severity(r, "stale_severity", c.stale_severity);
    r.integer("broad_v4", c.broad_v4, 0, 32);
    r.integer("broad_v6", c.broad_v6, 0, 128);
    r.finish();
    config.checks.push_back(std::move(c));
  }

  void read_alert(TableReader& r, Config& config) {
    AlertConfig a;
    a.where = r.where();
    std::string type;
    if (!r.required_string("type", type)) {
      r.accept_all();  // without a type, no key can be judged
      return;
    }
    std::vector<std::string> events;
    if (r.string_array("events", events)) {
      for (const auto& e : events) {
        if (const auto k = parse_event_kind(e)) {
          a.events.push_back(*k);
        } else {
          r.error_at("events", "unknown event '" + e + "'");
        }
      }
    }
    severity(r, "min_severity", a.min_severity);
    if (type == "syslog") {
      a.type = AlertType::kSyslog;
      if (r.string("facility", a.facility) && !alert::parse_syslog_facility(a.facility)) {
        r.error_at("facility", "unknown syslog facility '" + a.facility + "' (" + alert::syslog_facility_names() + ")");
      }
      r.string("socket", a.socket);
      r.string("ident", a.ident);
    } else if (type == "webhook") {
      a.type = AlertType::kWebhook;
      const bool has_url = r.string("url", a.url);
      const bool has_file = r.string("url_file", a.url_file);
      if (has_url == has_file) {
        r.error_at(has_url ? "url_file" : "type", "a webhook needs exactly one of url and url_file");
      } else if (has_url && a.url.rfind("https://", 0) != 0) {
        r.error_at("url", "a webhook url must be https://");  // the URL itself may hold a secret: not repeated
      } else if (has_url) {
        check_url(r, "url", a.url, true, checks_);
      }
      if (has_file) a.url_file = resolve_path(file_, a.url_file);
      std::string ca;
      if (r.string("ca_file", ca)) {
        a.ca_file = resolve_path(file_, ca);
        check_ca_file(r, *a.ca_file);
      }
      r.duration("timeout", a.timeout, std::chrono::seconds{1});
    } else if (type == "exec") {
      a.type = AlertType::kExec;
      if (r.required_string_array("command", a.command) &&
          (a.command.empty() || a.command.front().empty() || a.command.front().front() != '/')) {
        r.error_at("command",
                   "command must be an argv array starting with an absolute path, e.g. [\"/usr/local/bin/page\", "
                   "\"--team\", \"net\"]");
      }
      r.duration("timeout", a.timeout, std::chrono::seconds{1});
    } else {
      r.accept_all();
      r.error_at("type", "alert type must be \"syslog\", \"webhook\" or \"exec\", not '" + type + "'");
    }
    r.finish();
    config.alerts.push_back(std::move(a));
  }

  void severity(TableReader& r, std::string_view key, alert::Severity& out) {
    std::string text;
    if (!r.string(key, text)) return;
    if (const auto s = parse_severity(text)) {
      out = *s;
    } else {
      r.error_at(key, std::string(key) + " must be critical, error, warning, notice or info, not '" + text + "'");
    }
  }

  const std::string& file_;
  const feeds::PresetCatalog& catalog_;
  ErrorSink& errors_;
  Checks checks_;
  std::map<std::string, std::optional<std::string>> ca_files_;  // each file checked once: ten sources share one
};

}  // namespace

const SourceConfig* Config::find_source(std::string_view name) const {
  const auto it = std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return s.name == name; });
  return it == sources.end() ? nullptr : &*it;
}

const TargetConfig* Config::find_target(std::string_view name) const {
  const auto it = std::find_if(targets.begin(), targets.end(), [&](const auto& t) { return t.name == name; });
  return it == targets.end() ? nullptr : &*it;
}

ConfigResult parse_config(std::string_view text, const std::string& file, const std::vector<PresetText>& extra_presets,
                          Checks checks) {
  ErrorSink errors;
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    errors.add(file, e.source().begin.line, std::string(e.description()));
    return ConfigErrors{std::move(errors).in_file_order()};
  }
  // The built-in presets (tested with the binary) are parsed only when a source names one or the configuration
  // brings preset files of its own (always checked; their variants may build on a built-in one).
  bool names_a_preset = !extra_presets.empty();
  if (const auto* sources = root["source"].as_array()) {
    for (const auto& s : *sources)
      if (const auto* t = s.as_table(); t != nullptr && t->contains("preset")) names_a_preset = true;
  }
  std::vector<feeds::PresetFile> files;
  if (names_a_preset) files.assign(feeds::embedded_preset_files().begin(), feeds::embedded_preset_files().end());
  for (const auto& p : extra_presets) files.push_back({p.name, p.text});
  auto catalog = feeds::PresetCatalog::load(files);
  if (!catalog) {
    errors.add(file, 0, "presets: " + catalog.error().message);
    return ConfigErrors{std::move(errors).in_file_order()};
  }
  Loader loader(file, *catalog, errors, checks);
  auto config = loader.load(root);
  if (!errors.messages.empty()) return ConfigErrors{std::move(errors).in_file_order()};
  return config;
}

namespace {

// The file, the presets it names, and the parse.
ConfigResult read_config(const std::string& path, Checks checks) {
  sys::FileReadOptions options;
  options.max_bytes = 1u << 20;
  auto contents = sys::read_file(path, options);
  if (!contents) return ConfigErrors{{contents.error().message}};

  // presets_dir is read before the full parse: its presets must be known when [[source]] tables are checked.
  std::vector<PresetText> extra;
  try {
    const auto root = toml::parse(contents->bytes, path);
    if (auto dir = root["presets_dir"].value<std::string>(); dir && !dir->empty()) {
      *dir = resolve_path(path, *dir);
      DIR* d = ::opendir(dir->c_str());
      if (d == nullptr) return ConfigErrors{{path + ": presets_dir '" + *dir + "' cannot be opened"}};
      std::vector<std::string> names;
      while (const dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0) names.push_back(name);
      }
      ::closedir(d);
      std::sort(names.begin(), names.end());
      for (const auto& name : names) {
        auto preset = sys::read_file(*dir + "/" + name, options);
        if (!preset) return ConfigErrors{{path + ": presets_dir: " + preset.error().message}};
        extra.push_back({*dir + "/" + name, std::move(preset->bytes)});
      }
    }
  } catch (const toml::parse_error&) {
    // Reported with its line by parse_config below.
  }
  return parse_config(contents->bytes, path, extra, checks);
}

}  // namespace

ConfigResult load_config(const std::string& path, const std::string& state_dir_override, Checks checks) {
  auto loaded = read_config(path, checks);
  if (loaded && !state_dir_override.empty()) loaded->state_dir = state_dir_override;
  return loaded;
}

}  // namespace allowdrift::config
