#include "cli/fetch_command.h"

#include "cli/blocking_fetch.h"
#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "net/https_fetcher.h"
#include "net/proxy_config.h"
#include "net/url.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include <cmath>
#include <exception>
#include <iostream>
#include <optional>
#include <sstream>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;
namespace net = allowdrift::net;

constexpr const char* kUsage =
    "usage: allowdrift fetch [--ca-file FILE] [--proxy URL | --use-env-proxy] [--etag E] [--last-modified DATE]\n"
    "                        [--timeout S] [--connect-timeout S] [--max-bytes N] [--max-redirects N]\n"
    "                        [--attempts N] [--body] URL\n"
    "\n"
    "Fetches an https URL with the daemon's own client (TLS 1.2+, certificate and host name always verified,\n"
    "deadline, size limit, redirects, gzip, proxy CONNECT, retries) and prints what it got: status, final URL,\n"
    "validators, body size, redirects and attempts; or the error kind and message.\n"
    "\n"
    "  --ca-file FILE       trust only the CA certificates in this PEM file (default: the system store,\n"
    "                       SSL_CERT_FILE / SSL_CERT_DIR honoured)\n"
    "  --proxy URL          HTTP proxy, http://[user:password@]host[:port] (CONNECT tunnel)\n"
    "  --use-env-proxy      take the proxy from https_proxy, unless no_proxy matches the host (of each URL,\n"
    "                       redirects included)\n"
    "  --etag E             send If-None-Match: E\n"
    "  --last-modified D    send If-Modified-Since: D\n"
    "  --timeout S          deadline of each attempt in seconds, redirects included (default 60)\n"
    "  --connect-timeout S  TCP connect timeout in seconds (default 10)\n"
    "  --max-bytes N        body limit in bytes, after decompression (default 33554432)\n"
    "  --max-redirects N    redirects to follow (default 5)\n"
    "  --attempts N         attempts for transient failures (default 3; 1: no retry)\n"
    "  --body               write the body to stdout; the summary then goes to stderr\n"
    "\n"
    "Exit status: 0 fetched (also 304 not modified), 2 bad usage, bad URL or unusable CA file, 5 the fetch\n"
    "failed (DNS, connect, timeout, HTTP status, size, truncation, redirect, proxy, decoding), 6 TLS failed\n"
    "(handshake or certificate verification).\n";

std::optional<std::chrono::milliseconds> seconds_option(const char* name, double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > 86400) {
    std::cerr << "allowdrift fetch: --" << name << " takes seconds between 0 and 86400, not " << seconds << '\n';
    return std::nullopt;
  }
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::ceil(seconds * 1000))};
}

std::string summary(const net::FetchResponse& r) {
  std::ostringstream out;
  if (r.not_modified) out << "not modified\n";
  out << "status: " << r.status << '\n'                                        //
      << "final_url: " << r.final_url << '\n'                                  //
      << "etag: " << r.validators.etag.value_or("") << '\n'                    //
      << "last_modified: " << r.validators.last_modified.value_or("") << '\n'  //
      << "content_type: " << r.content_type << '\n'                            //
      << "body_bytes: " << r.body.size() << '\n'                               //
      << "wire_bytes: " << r.wire_bytes << '\n'                                //
      << "redirects: " << r.redirects << '\n'                                  //
      << "attempts: " << r.attempts << '\n'                                    //
      << "elapsed_ms: " << r.elapsed.count() << '\n';
  return out.str();
}

}  // namespace

int run_fetch(const std::vector<std::string>& args) {
  net::FetchRequest request;
  std::string ca_file, proxy_url, etag, last_modified;
  double timeout_s = 60, connect_timeout_s = 10;
  std::uint64_t max_bytes = request.body_limit;
  int max_redirects = request.max_redirects;
  int attempts = request.retry.max_attempts;

  po::options_description options("options");
  options.add_options()                                                          //
      ("help,h", "show this help")                                               //
      ("ca-file", po::value(&ca_file), "CA file")                                //
      ("proxy", po::value(&proxy_url), "proxy URL")                              //
      ("use-env-proxy", "proxy from https_proxy / no_proxy")                     //
      ("etag", po::value(&etag), "If-None-Match")                                //
      ("last-modified", po::value(&last_modified), "If-Modified-Since")          //
      ("timeout", po::value(&timeout_s), "deadline (s)")                         //
      ("connect-timeout", po::value(&connect_timeout_s), "connect timeout (s)")  //
      ("max-bytes", po::value(&max_bytes), "body limit")                         //
      ("max-redirects", po::value(&max_redirects), "redirects")                  //
      ("attempts", po::value(&attempts), "attempts")                             //
      ("body", "print the body")                                                 //
      ("url", po::value(&request.url)->required(), "URL");
  po::positional_options_description positional;
  positional.add("url", 1);
  po::variables_map vm;
  if (const auto done = parse_command_line("fetch", args, options, positional, kUsage, vm)) return *done;

  const auto deadline = seconds_option("timeout", timeout_s);
  const auto connect_timeout = seconds_option("connect-timeout", connect_timeout_s);
  if (!deadline || !connect_timeout) return kExitBadInput;
  if (max_bytes == 0 || max_redirects < 0 || attempts < 1) {
    std::cerr << "allowdrift fetch: --max-bytes and --attempts take a positive number, --max-redirects 0 or more\n";
    return kExitBadInput;
  }
  if (vm.count("proxy") != 0 && vm.count("use-env-proxy") != 0) {
    std::cerr << "allowdrift fetch: --proxy and --use-env-proxy exclude each other\n";
    return kExitBadInput;
  }
  request.deadline = *deadline;
  request.connect_timeout = *connect_timeout;
  request.body_limit = static_cast<std::size_t>(max_bytes);
  request.max_redirects = max_redirects;
  request.retry.max_attempts = attempts;
  if (vm.count("ca-file") != 0) request.ca_file = ca_file;
  if (vm.count("etag") != 0) request.validators.etag = etag;
  if (vm.count("last-modified") != 0) request.validators.last_modified = last_modified;
  if (vm.count("proxy") != 0) {
    auto proxy = net::parse_proxy_url(proxy_url);
    if (!proxy) {
      std::cerr << "allowdrift fetch: --proxy: " << proxy.error().message << '\n';
      return kExitBadInput;
    }
    request.proxy = *proxy;
    std::cerr << "proxy: " << net::to_string(*request.proxy) << '\n';
  } else if (vm.count("use-env-proxy") != 0) {
    const auto url = net::parse_https_url(request.url);
    if (!url) {
      std::cerr << "allowdrift fetch: config: " << url.error().message << '\n';
      return kExitBadInput;
    }
    // Checked and shown for the first URL here; the fetcher reads the environment again for every redirect hop,
    // so no_proxy applies to each URL.
    auto proxy = net::proxy_from_environment(url->host);
    if (!proxy) {
      std::cerr << "allowdrift fetch: " << proxy.error().message << '\n';
      return kExitBadInput;
    }
    std::cerr << "proxy: " << (*proxy ? net::to_string(**proxy) : "none") << " (https_proxy / no_proxy for "
              << url->host << ")\n";
    request.proxy = net::ProxyConfig{};
    request.proxy->from_environment = true;
  }

  const net::FetchResult fetched = fetch_blocking(request);
  const auto* result = &fetched;
  if (!*result) {
    const net::FetchError& error = result->error();
    std::cerr << "error: " << net::to_string(error.kind) << ": " << error.message << '\n';
    return exit_code_for(error);
  }
  const net::FetchResponse& response = **result;
  if (vm.count("body") != 0) {
    std::cerr << summary(response);
    return write_output("fetch", response.body);
  }
  return write_output("fetch", summary(response));
}

}  // namespace allowdrift::cli
