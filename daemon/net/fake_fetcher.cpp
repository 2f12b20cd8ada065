#include "net/fake_fetcher.h"

namespace allowdrift::net {

void FakeFetcher::add(const std::string& url, FetchResult result) { scripts_[url].push_back(std::move(result)); }

void FakeFetcher::add_body(const std::string& url, std::string body) {
  FetchResponse response;
  response.status = 200;
  response.final_url = url;
  response.wire_bytes = body.size();
  response.body = std::move(body);
  add(url, std::move(response));
}

FetchResult FakeFetcher::next(const FetchRequest& request) {
  requests_.push_back(request);
  const auto it = scripts_.find(request.url);
  if (it == scripts_.end() || it->second.empty()) {
    return FetchError{FetchErrorKind::kConnect, "no scripted response for " + request.url, 0, {}};
  }
  FetchResult result = it->second.front();
  if (it->second.size() > 1) it->second.pop_front();
  return result;
}

boost::asio::awaitable<FetchResult> FakeFetcher::fetch(FetchRequest request) { co_return next(request); }

}  // namespace allowdrift::net
