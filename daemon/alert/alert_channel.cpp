#include "alert/alert_channel.h"

namespace allowdrift::alert {

boost::asio::awaitable<std::optional<std::string>> AlertChannel::deliver_async(AlertEvent event) {
  co_return deliver(event);
}

}  // namespace allowdrift::alert
