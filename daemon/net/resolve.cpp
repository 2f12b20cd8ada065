#include "net/resolve.h"

#include "sys/detached_call.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <functional>
#include <utility>

namespace allowdrift::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

asio::awaitable<boost::system::result<tcp::resolver::results_type, FetchError>> resolve(
    const std::string& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline,
    const std::map<std::string, std::string>& overrides) {
  const std::string service = std::to_string(port);
  std::string literal = host;
  if (const auto it = overrides.find(host); it != overrides.end()) literal = it->second;
  boost::system::error_code aec;
  const auto address = asio::ip::make_address(literal, aec);
  if (!aec) co_return tcp::resolver::results_type::create(tcp::endpoint(address, port), host, service);

  struct Lookup {
    boost::system::error_code ec;
    tcp::resolver::results_type results;
  };
  // A named function object: GCC 12 mishandles temporaries inside a co_await expression.
  std::function<Lookup()> lookup = [host, service] {
    asio::io_context local;
    tcp::resolver resolver(local);
    Lookup l;
    l.results = resolver.resolve(host, service, l.ec);
    return l;
  };
  const auto found = co_await sys::call_detached(std::move(lookup), deadline);
  if (!found) co_return FetchError{FetchErrorKind::kTimeout, "timed out resolving " + host, 0, {}};
  if (found->ec || found->results.empty()) {
    co_return FetchError{
        FetchErrorKind::kDns,
        "cannot resolve " + host + ": " + (found->ec ? found->ec.message() : std::string("no address")),
        0,
        {}};
  }
  co_return found->results;
}

}  // namespace allowdrift::net
