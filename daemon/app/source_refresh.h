// One source brought up to date: poll its version endpoint when it has one, fetch conditionally, extract, judge the
// new list against the last accepted one, and record the snapshot and the attempt in the store. Failures are
// outcomes, never exceptions (one source never stops the others).
#pragma once

#include "app/fetch_slots.h"
#include "config/config.h"
#include "net/fetcher.h"
#include "store/snapshot_store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace allowdrift::app {

enum class RefreshKind : std::uint8_t {
  kChanged,    // a new list was accepted
  kBaseline,   // the first list of this source was accepted
  kUnchanged,  // 304, same version, or same content: last confirmed moved
  kSuspect,    // a new list was held back (shrank, grew, token backwards)
  kRejected,   // the body was unusable (parse error, empty, too many bad tokens)
  kFailed,     // the fetch failed (DNS, TLS, timeout, HTTP status...)
};
std::string_view to_string(RefreshKind kind);

struct RefreshOutcome {
  std::string source;
  RefreshKind kind = RefreshKind::kFailed;
  std::string error_kind;  // for kFailed: the fetch error kind ("dns", "tls", ...); "parse" for kRejected
  std::string message;     // why it failed, was rejected or held back
  std::optional<std::int64_t> snapshot_id;
  // The content of snapshot_id when this refresh stored it as the accepted list, for the evaluations that follow
  // (the daemon drops it once they ran; a later evaluation reads the store).
  std::shared_ptr<const std::vector<store::SectionContent>> accepted_content;
  std::vector<std::string> added;  // for kChanged: entries that appeared (minimal CIDR blocks, then domains)
  std::vector<std::string> removed;
  std::int64_t duration_ms = 0;
  bool failed() const { return kind == RefreshKind::kFailed || kind == RefreshKind::kRejected; }
};

struct RefreshContext {
  net::Fetcher& fetcher;
  store::SnapshotStore& store;
  std::optional<net::ProxyConfig> proxy;
  // Where the store's work runs (each read and transaction, with the body's digest and extraction): the calling
  // thread when empty. --once gives it a thread of its own, so the lists' parsing and storing go on while this
  // thread does the network. It must run one job at a time (a one-thread pool or a strand: the database connection
  // is never used by two threads at once), and the database must be used by nothing else until the refreshes are
  // done.
  std::optional<boost::asio::any_io_executor> store_executor = std::nullopt;
  // --once: the source fetches in one of the run's slots, taken before its first fetch and given back before its
  // storing; when its turn would come after `run_deadline`, it is not started (FetchNotStarted). Null in the
  // daemon, whose sources each run on a timer of their own.
  FetchSlots* fetch_slots = nullptr;
  // --once: the run's deadline. A source not started by then is not started at all (with fetch_slots), and a
  // fetch started before it ends by it, retries included (FetchRequest::overall_deadline).
  std::optional<std::chrono::steady_clock::time_point> run_deadline = std::nullopt;
};

boost::asio::awaitable<RefreshOutcome> refresh_source(const config::SourceConfig& source, RefreshContext context);

}  // namespace allowdrift::app
