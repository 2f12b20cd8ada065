// The one place that maps [[alert]] tables to channel objects.
#pragma once

#include "app/alerter.h"
#include "config/config.h"

#include <boost/system/result.hpp>

#include <string>
#include <vector>

namespace allowdrift::app {

boost::system::result<std::vector<ChannelEntry>, std::string> make_channels(const config::Config& config);

}  // namespace allowdrift::app
