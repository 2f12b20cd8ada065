#include "cli/allowlist_command.h"

#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "firewall/allowlist_reader.h"
#include "firewall/target_spec.h"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <iostream>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;
namespace json = boost::json;

constexpr const char* kUsage =
    "usage: allowdrift allowlist [--verbose] [--format text|json] SPEC\n"
    "\n"
    "Reads a local allowlist target and prints what it allows: the minimal sorted CIDR list (IPv4\n"
    "first), then the domains. Nothing is changed. SPEC is KIND:ARGS, for example\n"
    "  nft:inet/filter/allowed          nft-chain:inet/filter/input     nft-json:ruleset.json#filter/allowed\n"
    "  iptables:INPUT                   iptables-save:rules.v4#INPUT    ipset:cf\n"
    "  ipset-save:ipset.conf#cf         ufw:/etc/ufw/user.rules         firewalld-zone:public.xml\n"
    "  firewalld-ipset:cf.xml           postfix-cidr:access.cidr        mynetworks:/etc/postfix/mynetworks\n"
    "  nginx:cloudflare.conf            squid:whitelist.txt             dnsmasq:dnsmasq.conf\n"
    "  file:/etc/allowdrift/local.txt\n"
    "\n"
    "  --verbose     every entry as found, with where it came from (set, rule, file:line)\n"
    "  --format F    text (default) or json\n"
    "\n"
    "Exit status: 0 read (an existing empty set is read too), 2 bad usage or SPEC, 7 the target could not\n"
    "be read; the error kind is printed (tool-missing, permission, not-found, parse, timeout, ...).\n";

std::string entry_text(const model::IpEntry& entry) {
  model::IpSetBuilder one;
  one.add(entry);
  const auto cidrs = std::move(one).build().to_cidr_strings();
  std::string out;
  for (const auto& c : cidrs) out += (out.empty() ? "" : " ") + c;
  return out;
}

std::string render_text(const firewall::Allowlist& list, bool verbose) {
  std::string out;
  if (verbose) {
    for (const auto& ip : list.ips) out += entry_text(ip.entry) + "\t" + ip.origin + "\n";
    for (const auto& ip : list.excluded) out += "!" + entry_text(ip.entry) + "\t" + ip.origin + " (excluded)\n";
    for (const auto& d : list.domains) out += d.pattern.to_string() + "\t" + d.origin + "\n";
    return out;
  }
  for (const auto& cidr : list.ip_set().to_cidr_strings()) out += cidr + "\n";
  for (const auto& d : list.domain_set().patterns()) out += d.to_string() + "\n";
  return out;
}

std::string render_json(const firewall::TargetSpec& spec, const firewall::Allowlist& list, bool verbose) {
  json::array ips;
  for (const auto& cidr : list.ip_set().to_cidr_strings()) ips.emplace_back(cidr);
  json::array domains;
  for (const auto& d : list.domain_set().patterns()) domains.emplace_back(d.to_string());
  json::array warnings;
  for (const auto& w : list.warnings) warnings.emplace_back(w);
  json::object out{{"target", spec.text},
                   {"ips", std::move(ips)},
                   {"domains", std::move(domains)},
                   {"warnings", std::move(warnings)}};
  if (verbose) {
    json::array entries;
    for (const auto& ip : list.ips)
      entries.push_back(json::object{{"entry", entry_text(ip.entry)}, {"origin", ip.origin}});
    for (const auto& ip : list.excluded) {
      entries.push_back(json::object{{"entry", entry_text(ip.entry)}, {"origin", ip.origin}, {"excluded", true}});
    }
    for (const auto& d : list.domains)
      entries.push_back(json::object{{"entry", d.pattern.to_string()}, {"origin", d.origin}});
    out["entries"] = std::move(entries);
  }
  return json::serialize(out) + "\n";
}

}  // namespace

int run_allowlist(const std::vector<std::string>& args) {
  std::string format = "text";
  std::string spec_text;
  po::options_description options("options");
  options.add_options()                                         //
      ("help,h", "show this help")                              //
      ("verbose,v", "show where each entry came from")          //
      ("format", po::value(&format), "text (default) or json")  //
      ("spec", po::value(&spec_text), "SPEC");
  po::positional_options_description positional;
  positional.add("spec", 1);
  po::variables_map vm;
  if (const auto done = parse_command_line("allowlist", args, options, positional, kUsage, vm)) return *done;
  if (!valid_format("allowlist", format)) return kExitBadInput;
  if (spec_text.empty()) {
    std::cerr << "allowdrift allowlist: expected a target SPEC\n\n" << kUsage;
    return kExitBadInput;
  }
  const auto spec = firewall::parse_target_spec(spec_text);
  if (!spec) {
    std::cerr << "allowdrift allowlist: " << spec.error().message << '\n';
    return kExitBadInput;
  }
  const auto reader = firewall::make_reader(*spec, firewall::ReaderOptions{});
  const auto list = reader->read();
  if (!list) {
    std::cerr << "allowdrift allowlist: " << firewall::to_string(list.error().kind) << ": " << list.error().message
              << '\n';
    return kExitTargetUnreadable;
  }
  for (const auto& w : list->warnings) std::cerr << "allowdrift allowlist: warning: " << w << '\n';
  const bool verbose = vm.count("verbose") != 0;
  return write_output("allowlist", format == "json" ? render_json(*spec, *list, verbose) : render_text(*list, verbose));
}

}  // namespace allowdrift::cli
