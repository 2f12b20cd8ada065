// The one switch from a target kind to its backend.
#include "firewall/allowlist_reader.h"
#include "firewall/dnsmasq_conf.h"
#include "firewall/file_reader.h"
#include "firewall/firewalld_xml.h"
#include "firewall/ipset_save.h"
#include "firewall/iptables_chain.h"
#include "firewall/nft_readers.h"
#include "firewall/nginx_conf.h"
#include "firewall/plain_file.h"
#include "firewall/postfix_tables.h"
#include "firewall/squid_acl.h"
#include "firewall/tool_readers.h"
#include "firewall/ufw_rules.h"

namespace allowdrift::firewall {
namespace {

class UnsupportedReader final : public AllowlistReader {
 public:
  explicit UnsupportedReader(std::string text) : text_(std::move(text)) {}
  ReadResult<ChangeSignal> change_signal() override { return error(); }
  ReadResult<Allowlist> read() override { return error(); }

 private:
  ReadError error() const {
    return {ReadErrorKind::kUnsupported, "target '" + text_ + "': this kind is not supported yet"};
  }
  std::string text_;
};

}  // namespace

std::unique_ptr<AllowlistReader> make_reader(const TargetSpec& spec, const ReaderOptions& options) {
  const auto file = [&](TextParser parser) {
    return std::make_unique<FileReader>(spec.path, std::move(parser), options.max_output_bytes);
  };
  switch (spec.kind) {
    case TargetKind::kFile:
      return file(parse_plain_file);
    case TargetKind::kFirewalldZone:
      return file(parse_firewalld_zone);
    case TargetKind::kFirewalldIpset:
      return file(parse_firewalld_ipset);
    case TargetKind::kPostfixCidr:
      return file(parse_postfix_cidr);
    case TargetKind::kMynetworks:
      return file(parse_mynetworks);
    case TargetKind::kNginx:
      return file(parse_nginx_conf);
    case TargetKind::kSquid:
      return file(parse_squid_acl);
    case TargetKind::kDnsmasq:
      return file(parse_dnsmasq_conf);
    case TargetKind::kIptables:
    case TargetKind::kIp6tables:
      return make_iptables_reader(spec, options);
    case TargetKind::kIptablesSave:
      return file([table = spec.table, chain = spec.name](std::string_view text, std::string_view source) {
        return parse_iptables_save_chain(text, source, table, chain);
      });
    case TargetKind::kIpset:
      return make_ipset_reader(spec, options);
    case TargetKind::kIpsetSave:
      return file([name = spec.name](std::string_view text, std::string_view source) {
        return parse_ipset_save_set(text, source, name);
      });
    case TargetKind::kUfw:
      return file(parse_ufw_rules);
    case TargetKind::kNftSet:
      return make_nft_set_reader(spec, options);
    case TargetKind::kNftChain:
      return make_nft_chain_reader(spec, options);
    case TargetKind::kNftJson:
      return make_nft_json_reader(spec, options);
    default:
      break;
  }
  return std::make_unique<UnsupportedReader>(spec.text);
}

}  // namespace allowdrift::firewall
