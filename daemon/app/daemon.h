// The long-running daemon: one io_context thread; every source on its own timer (staggered at start, with jitter),
// every target polled through its cheap change signal; checks re-evaluated when a source accepted a new list or a
// target changed; SIGHUP reloads (a bad new config leaves the old one running and says why); SIGTERM/SIGINT stop at
// once, even mid-fetch (a snapshot is one SQLite transaction: it is written whole or not at all); systemd
// notifications READY, STATUS, WATCHDOG, RELOADING and STOPPING.
#pragma once

#include <string>

namespace allowdrift::app {

struct DaemonOptions {
  std::string config_path;
  std::string state_dir;  // overrides the config's, when set
};

// Runs until SIGTERM/SIGINT. Returns the process exit status (78 when the initial config is invalid).
int run_daemon(const DaemonOptions& options);

}  // namespace allowdrift::app
