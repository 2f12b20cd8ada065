// Name resolution for one fetch, bounded by its deadline. An active getaddrinfo cannot be cancelled
// (chriskohlhoff/asio#470), and Asio's resolver thread is joined when the io_context shuts down, so a hung lookup
// would hold up exit: each lookup runs on a detached thread of its own (sys::call_detached), and at the deadline
// the fetch stops waiting and the late answer is dropped.
#pragma once

#include "net/fetch_types.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace allowdrift::net {

// `overrides`: host name -> address used instead of DNS (HttpsFetcherOptions::resolve_overrides). An address
// literal resolves to itself without a lookup.
boost::asio::awaitable<boost::system::result<boost::asio::ip::tcp::resolver::results_type, FetchError>> resolve(
    const std::string& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline,
    const std::map<std::string, std::string>& overrides);

}  // namespace allowdrift::net
