#include "cli/blocking_fetch.h"

#include "cli/exit_code.h"
#include "net/https_fetcher.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace allowdrift::cli {

net::FetchResult fetch_blocking(const net::FetchRequest& request) {
  boost::asio::io_context io;
  net::HttpsFetcher fetcher;
  std::optional<net::FetchResult> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, fetcher.fetch(request), [&](std::exception_ptr e, net::FetchResult r) {
    failure = e;
    result = std::move(r);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

int exit_code_for(const net::FetchError& error) {
  if (error.kind == net::FetchErrorKind::kConfig) return kExitBadInput;
  if (error.kind == net::FetchErrorKind::kTls) return kExitTlsFailed;
  return kExitFetchFailed;
}

}  // namespace allowdrift::cli
