// The real Fetcher: HTTPS over Boost.Beast and OpenSSL 3, one request per connection, every wait bounded by the
// request's deadline. See ../shared/research/reliability.md §1 for why each step is done the way it is.
#pragma once

#include "net/fetcher.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace allowdrift::net {

struct HttpsFetcherOptions {
  std::string user_agent;  // empty: "allowdrift/<version>"
  // Host name -> IP address used instead of DNS (curl's --resolve). For tests that need a certificate name on
  // loopback; the name is still what SNI and certificate verification use.
  std::map<std::string, std::string> resolve_overrides;
  // Seeds the backoff jitter; unset: from std::random_device.
  std::optional<std::uint64_t> jitter_seed;
};

class HttpsFetcher : public Fetcher {
 public:
  HttpsFetcher();
  explicit HttpsFetcher(HttpsFetcherOptions options);
  ~HttpsFetcher() override;
  HttpsFetcher(const HttpsFetcher&) = delete;
  HttpsFetcher& operator=(const HttpsFetcher&) = delete;

  // Runs on the executor of the awaiting coroutine. Never throws for network, TLS or HTTP failures.
  boost::asio::awaitable<FetchResult> fetch(FetchRequest request) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace allowdrift::net
