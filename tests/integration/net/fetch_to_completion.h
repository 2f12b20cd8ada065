// One fetch run to its end on an io_context of its own: what the fetcher's tests need to call a coroutine from a
// plain test body. An exception escaping the fetch (it reports every failure as a FetchError) fails the test.
#pragma once

#include "net/fetcher.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace allowdrift::net::testing {

inline FetchResult fetch_to_completion(Fetcher& fetcher, FetchRequest request) {
  boost::asio::io_context ioc;
  std::optional<FetchResult> result;
  boost::asio::co_spawn(ioc, fetcher.fetch(std::move(request)), [&](std::exception_ptr error, FetchResult r) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "exception escaped fetch: " << e.what();
      } catch (...) {
        ADD_FAILURE() << "exception escaped fetch";
      }
      return;
    }
    result.emplace(std::move(r));
  });
  ioc.run();
  if (!result) return FetchError{FetchErrorKind::kConfig, "no result (exception)", 0, std::nullopt};
  return std::move(*result);
}

}  // namespace allowdrift::net::testing
