#include "net/fake_fetcher.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace allowdrift::net {
namespace {

FetchResult run(Fetcher& fetcher, FetchRequest request) {
  boost::asio::io_context io;
  std::optional<FetchResult> out;
  boost::asio::co_spawn(io, fetcher.fetch(std::move(request)),
                        [&](std::exception_ptr, FetchResult r) { out = std::move(r); });
  io.run();
  return *out;
}

TEST(FakeFetcher, AnswersInOrderRepeatsTheLastAndRecords) {
  FakeFetcher fake;
  fake.add("https://a/", FetchError{FetchErrorKind::kTimeout, "slow", 0, {}});
  fake.add_body("https://a/", "192.0.2.0/24\n");
  FetchRequest request;
  request.url = "https://a/";
  request.validators.etag = "\"v1\"";

  const auto first = run(fake, request);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, FetchErrorKind::kTimeout);
  const auto second = run(fake, request);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "192.0.2.0/24\n");
  EXPECT_TRUE(run(fake, request));  // the last answer repeats

  request.url = "https://unknown/";
  EXPECT_EQ(run(fake, request).error().kind, FetchErrorKind::kConnect);
  ASSERT_EQ(fake.requests().size(), 4u);
  EXPECT_EQ(fake.requests()[0].validators.etag, "\"v1\"");
}

}  // namespace
}  // namespace allowdrift::net
