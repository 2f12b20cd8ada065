#include "app/make_channels.h"

#include "alert/exec_channel.h"
#include "alert/syslog_channel.h"
#include "alert/syslog_format.h"
#include "alert/webhook_channel.h"
#include "sys/file_read.h"

#include <unistd.h>

#include <array>

namespace allowdrift::app {

namespace {

// The machine that saw the drift, named in webhook and exec events (several hosts may alert into one channel).
std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return "";
  return buf.data();
}

}  // namespace

boost::system::result<std::vector<ChannelEntry>, std::string> make_channels(const config::Config& config,
                                                                            const FetcherFactory& make_fetcher) {
  std::vector<ChannelEntry> out;
  alert::RenderOptions render;
  render.host = host_name();
  for (const auto& a : config.alerts) {
    std::unique_ptr<alert::AlertChannel> channel;
    switch (a.type) {
      case config::AlertType::kSyslog: {
        alert::SyslogOptions o;
        o.socket_path = a.socket;
        const auto facility = alert::parse_syslog_facility(a.facility);
        if (!facility) return a.where + ": unknown syslog facility '" + a.facility + "'";
        o.facility = *facility;
        o.ident = a.ident;
        o.render = render;
        channel = std::make_unique<alert::SyslogChannel>(std::move(o));
        break;
      }
      case config::AlertType::kWebhook: {
        alert::WebhookOptions o;
        o.url = a.url;
        if (!a.url_file.empty()) {
          // Kept out of the (world-readable) config: a 0600 file or a systemd credential.
          sys::FileReadOptions read;
          read.max_bytes = 8192;
          auto text = sys::read_file(a.url_file, read);
          if (!text) return a.where + ": url_file: " + text.error().message;
          o.url = text->bytes;
          while (!o.url.empty() && (o.url.back() == '\n' || o.url.back() == '\r' || o.url.back() == ' '))
            o.url.pop_back();
          if (o.url.rfind("https://", 0) != 0)
            return a.where + ": url_file " + a.url_file + ": the URL must be https://";
        }
        o.ca_file = a.ca_file;
        o.proxy = config.proxy;
        o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(a.timeout);
        o.render = render;
        channel = std::make_unique<alert::WebhookChannel>(std::move(o), make_fetcher ? make_fetcher() : nullptr);
        break;
      }
      case config::AlertType::kExec: {
        alert::ExecOptions o;
        o.argv = a.command;
        o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(a.timeout);
        o.render = render;
        channel = std::make_unique<alert::ExecChannel>(std::move(o));
        break;
      }
    }
    out.push_back({a, std::move(channel)});
  }
  return out;
}

}  // namespace allowdrift::app
