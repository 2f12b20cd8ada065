// The daemon's configuration as plain structs, built by load_config() (config_loader.h) from one TOML file,
// default /etc/allowdrift/allowdrift.toml. config/allowdrift.toml documents every key.
#pragma once

#include "alert/alert_event.h"
#include "feeds/source_spec.h"
#include "firewall/target_spec.h"
#include "net/fetch_types.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::config {

using std::chrono::seconds;

// Fetch and freshness settings: global defaults, overridable per [[source]].
struct FetchSettings {
  seconds interval{6 * 3600};  // between fetches (with jitter)
  seconds timeout{60};         // per attempt: resolve + connect + TLS + whole read
  seconds connect_timeout{10};
  std::uint64_t max_body = 32u << 20;  // decoded bytes
  int retries = 3;                     // attempts per fetch, including the first
  int max_redirects = 5;               // https-only redirects followed per attempt
  seconds max_age{3 * 86400};          // a last accepted list older than this raises data_stale
  int fail_alert_after = 3;            // consecutive failed fetches before fetch_failing
  // The daemon: after a failed fetch, the next one comes this long later, doubling with each further failure, up
  // to `interval` (a list unreachable at boot is not left unknown for hours; fetch_failing comes within about
  // retry_after_failure x (2^fail_alert_after - 1)).
  seconds retry_after_failure{15 * 60};
  // A list held back as suspect that the source keeps publishing unchanged for this long (counted from when it
  // first arrived, or from the last time the old list was confirmed, whichever is later) is accepted at the next
  // fetch: a vendor that really shrank its list must not leave the checks on the old one for ever. nullopt:
  // "never" (only a changed list ends the hold). Below max_age, so that data_stale does not fire first: when
  // not set, 2 days, or half of max_age when that is 2 days or less; when set, it must be.
  std::optional<seconds> accept_suspect_after{2 * 86400};
  bool accept_suspect_after_set = false;  // written in the configuration (globally or for the source)
};

struct SourceConfig {
  std::string name;
  std::string where;  // "file:line" of its [[source]] header, for messages
  std::optional<std::string> preset;
  std::map<std::string, std::string> params;
  std::optional<std::string> ca_file;
  FetchSettings fetch;
  feeds::SourceSpec spec;  // resolved: the preset instantiated (URL override applied) or url + format + select
};

struct TargetConfig {
  std::string name;
  std::string where;
  firewall::TargetSpec spec;
  seconds interval{300};  // how often its change signal is polled
  seconds max_age{3600};  // re-read even when the signal has not moved
  seconds timeout{30};    // a tool that runs longer is killed
};

enum class StaleScope : std::uint8_t {
  kTarget,     // everything the target allows that the sources do not publish (a dedicated allowlist)
  kPublished,  // only entries the sources published at some point and dropped since (a shared allowlist)
};

struct CheckConfig {
  std::string name;
  std::string where;
  std::vector<std::string> sources;
  std::string target;
  bool report_missing = true;
  bool report_stale = true;
  StaleScope stale_scope = StaleScope::kTarget;
  alert::Severity missing_severity = alert::Severity::kCritical;
  alert::Severity stale_severity = alert::Severity::kWarning;
  // A published entry covered only by a local rule this broad (prefix length at most this) is reported as
  // information: the local list "allows" it, but so it does half the internet.
  int broad_v4 = 8;
  int broad_v6 = 32;
};

enum class AlertType : std::uint8_t { kSyslog, kWebhook, kExec };

struct AlertConfig {
  AlertType type = AlertType::kSyslog;
  std::string where;
  std::vector<alert::EventKind> events;  // empty: every kind
  alert::Severity min_severity = alert::Severity::kInfo;
  // syslog
  std::string facility = "daemon";
  std::string socket = "/dev/log";
  std::string ident = "allowdrift";
  // webhook
  std::string url;       // secret: never logged
  std::string url_file;  // or: a file holding the URL (e.g. a systemd credential), read when channels are built
  std::optional<std::string> ca_file;
  // exec
  std::vector<std::string> command;  // argv, no shell
  seconds timeout{10};
};

struct Config {
  std::string file;  // where it was loaded from
  std::string state_dir = "/var/lib/allowdrift";
  std::string log_level = "info";  // trace, debug, info, warn, error
  // proxy = "http://[user:password@]host:port" (never logged), or proxy_from_environment = true: a ProxyConfig
  // with from_environment set (https_proxy / no_proxy read by the fetcher for each URL).
  std::optional<net::ProxyConfig> proxy;
  seconds reminder{86400};  // an unchanged open problem is re-sent after this long
  // --once starts no fetch after this long (each has its own limits), and waits for a target reading until then
  // (or until the fetches end, when later)
  seconds once_deadline{300};
  seconds target_interval{300};  // default of [[target]] interval
  seconds target_max_age{3600};  // default of [[target]] max_age
  std::string presets_dir;       // extra or replacing presets (*.toml); "" = the built-in ones only
  // Retention of the state database, applied after each --once run and daily by the daemon. A source's last
  // accepted snapshot is never deleted, whatever these say.
  seconds keep_history{180 * 86400};   // snapshots and target readings older than this may go...
  int keep_snapshots = 30;             // ...but each source keeps at least this many
  seconds keep_fetch_log{30 * 86400};  // fetch attempts older than this go
  FetchSettings fetch;                 // defaults of every [[source]]
  std::vector<SourceConfig> sources;
  std::vector<TargetConfig> targets;
  std::vector<CheckConfig> checks;
  std::vector<AlertConfig> alerts;

  const SourceConfig* find_source(std::string_view name) const;
  const TargetConfig* find_target(std::string_view name) const;
};

}  // namespace allowdrift::config
