// The one place that maps [[alert]] tables to channel objects.
#pragma once

#include "app/alerter.h"
#include "config/config.h"
#include "net/fetcher.h"

#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace allowdrift::app {

// What a webhook channel posts through; empty: the in-process HTTPS client.
using FetcherFactory = std::function<std::unique_ptr<net::Fetcher>()>;

boost::system::result<std::vector<ChannelEntry>, std::string> make_channels(const config::Config& config,
                                                                            const FetcherFactory& make_fetcher = {});

}  // namespace allowdrift::app
