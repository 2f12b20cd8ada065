// A scripted Fetcher for unit tests of callers: answers from a queue per URL and records every request.
#pragma once

#include "net/fetcher.h"

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace allowdrift::net {

class FakeFetcher : public Fetcher {
 public:
  // Queues `result` for the next fetch of `url`. The last queued result of a URL is repeated once the queue
  // would run empty; a URL with nothing queued answers kConnect "no scripted response".
  void add(const std::string& url, FetchResult result);
  void add_body(const std::string& url, std::string body);  // a 200 with that body

  boost::asio::awaitable<FetchResult> fetch(FetchRequest request) override;
  FetchResult next(const FetchRequest& request);  // the same, without a coroutine

  const std::vector<FetchRequest>& requests() const { return requests_; }

 private:
  std::map<std::string, std::deque<FetchResult>> scripts_;
  std::vector<FetchRequest> requests_;
};

}  // namespace allowdrift::net
