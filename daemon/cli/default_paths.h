// Where the commands look for the daemon's files when not told otherwise.
#pragma once

namespace allowdrift::cli {

// The systemd unit's StateDirectory=allowdrift (systemd.exec(5): /var/lib/ + the name).
inline constexpr const char* kDefaultStateDb = "/var/lib/allowdrift/state.db";

}  // namespace allowdrift::cli
