// The daemon's Fetcher: each fetch runs in a short-lived child, `allowdrift fetch-worker` (cli/fetch_worker_command.h),
// which does the TLS and HTTP work with HttpsFetcher and hands back the result (net/fetch_wire.h). The long-lived
// process then never creates a TLS context: loading a trust store and running OpenSSL's handshake and provider code
// leaves about 4 MB of libcrypto's pages resident for good, a quarter of the idle daemon (bench/README.md). It also
// keeps the TLS stack's work with a remote server out of the process that holds CAP_NET_ADMIN and the store: the
// worker runs without any capability (the daemon's ambient CAP_NET_ADMIN is not passed on, and a root worker drops
// what it inherits before it reads its request) and dies with the daemon. It is not a sandbox: it runs as the daemon's
// user, so a worker subverted by a server could still open the state database; the daemon treats its answer as
// untrusted input (fetch_wire.h bounds and checks it, and the body is held to the request's limit). A worker costs
// about 10 ms per fetch (process start, TLS context, handshake), noise at the daemon's intervals; `--once` and the CLI
// commands, which exit right after, fetch in-process.
#pragma once

#include "net/fetcher.h"

#include <chrono>
#include <string>
#include <vector>

namespace allowdrift::net {

struct WorkerFetcherOptions {
  // This very binary by default: /proc/self/exe stays the running version's file after an upgrade replaced it on
  // disk, so the worker always speaks the daemon's protocol.
  std::string executable = "/proc/self/exe";
  // Variables passed on to the worker when this process has them (a child gets only LC_ALL and PATH otherwise):
  // the ones a fetch reads, for the proxy (proxy_from_environment) and OpenSSL's trust store and configuration.
  std::vector<std::string> pass_environment{"https_proxy",   "HTTPS_PROXY",  "no_proxy",    "NO_PROXY",
                                            "SSL_CERT_FILE", "SSL_CERT_DIR", "OPENSSL_CONF"};
  // Added to the worst-case duration of a fetch (every attempt's deadline and the waits between them) before the
  // worker is killed: its start and exit.
  std::chrono::milliseconds grace{5'000};
};

class WorkerFetcher : public Fetcher {
 public:
  WorkerFetcher() = default;
  explicit WorkerFetcher(WorkerFetcherOptions options) : options_(std::move(options)) {}

  // A worker that fails to start, crashes or breaks the protocol is a kWorker error (with its stderr's first line);
  // one that outlives the worst case is killed, a kTimeout error.
  boost::asio::awaitable<FetchResult> fetch(FetchRequest request) override;

  // The longest a fetch of `request` may take, retries included (what the worker is given before it is killed,
  // less the grace).
  static std::chrono::milliseconds worst_case(const FetchRequest& request);

 private:
  WorkerFetcherOptions options_;
};

}  // namespace allowdrift::net
