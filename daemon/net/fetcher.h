// The one interface the rest of the daemon fetches through. The real implementation is HTTPS over Boost.Beast
// (https_fetcher.h); unit tests of callers use FakeFetcher (fake_fetcher.h).
#pragma once

#include "net/fetch_types.h"

#include <boost/asio/awaitable.hpp>

namespace allowdrift::net {

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Never throws for network or HTTP failures: they are FetchError values. Completes within
  // request.retry.max_attempts * request.deadline plus backoff, whatever the server does.
  virtual boost::asio::awaitable<FetchResult> fetch(FetchRequest request) = 0;
};

}  // namespace allowdrift::net
