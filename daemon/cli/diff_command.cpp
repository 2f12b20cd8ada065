#include "cli/diff_command.h"

#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "cli/list_file.h"
#include "diff/diff_report.h"
#include "diff/list_diff.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <optional>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "usage: allowdrift diff [--only missing|stale] [--format text|json] PUBLISHED LOCAL\n"
    "\n"
    "Compares a published allowlist with a local one. Each file holds one entry per line: IPv4/IPv6\n"
    "addresses, CIDR prefixes, a.b.c.d/netmask, first-last ranges, domain names and *.wildcards;\n"
    "'#' and ';' start comments. Use - for standard input.\n"
    "\n"
    "  missing  published, not allowed by LOCAL (an outage risk)\n"
    "  stale    allowed by LOCAL, not published (an exposure risk)\n"
    "\n"
    "A list with no entries is refused (a failed download is not an empty list) unless --allow-empty.\n"
    "\n"
    "Exit status: 0 nothing differs, 1 something differs, 2 bad usage or input (nothing compared).\n"
    "With --only, the status reflects that side alone.\n";

void write_stdout(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// Prints "file:line: severity: message" lines, compiler style, so editors can jump to them.
void print_diagnostics(const std::string& file, const std::vector<feeds::ListDiagnostic>& items, std::size_t total,
                       std::string_view severity) {
  for (const auto& d : items) std::cerr << file << ':' << d.line << ": " << severity << ": " << d.message << '\n';
  if (total > items.size()) std::cerr << file << ": " << (total - items.size()) << " more " << severity << "s\n";
}

}  // namespace

int run_diff(const std::vector<std::string>& args) {
  std::string only;
  std::string format = "text";
  std::vector<std::string> files;

  po::options_description options("options");
  options.add_options()                                                    //
      ("help,h", "show this help")                                         //
      ("only", po::value(&only), "print one bare list: missing or stale")  //
      ("format", po::value(&format), "text (default) or json")             //
      ("allow-empty", "accept a list with no entries")                     //
      ("files", po::value(&files), "PUBLISHED LOCAL");
  po::positional_options_description positional;
  positional.add("files", 2);

  po::variables_map vm;
  if (const auto done = parse_command_line("diff", args, options, positional, kUsage, vm)) return *done;
  if (files.size() != 2) {
    std::cerr << "allowdrift diff: expected two files, PUBLISHED and LOCAL\n\n" << kUsage;
    return kExitBadInput;
  }
  diff::Side side = diff::Side::kBoth;
  if (only == "missing") {
    side = diff::Side::kMissing;
  } else if (only == "stale") {
    side = diff::Side::kStale;
  } else if (vm.count("only") != 0) {
    std::cerr << "allowdrift diff: --only takes 'missing' or 'stale', not '" << only << "'\n";
    return kExitBadInput;
  }
  if (!valid_format("diff", format)) return kExitBadInput;
  if (files[0] == "-" && files[1] == "-") {
    std::cerr << "allowdrift diff: only one of PUBLISHED and LOCAL can be standard input\n";
    return kExitBadInput;
  }

  // Origins are only needed for the full report; bare lists of a million blocks skip that memory.
  feeds::PlainListOptions list_options;
  list_options.keep_origins = side == diff::Side::kBoth;

  bool readable = true;
  std::vector<ListFileResult> lists;
  for (const auto& file : files) {
    lists.push_back(read_list_file(file, list_options));
    const auto& r = lists.back();
    if (r.io_error) {
      std::cerr << "allowdrift diff: " << *r.io_error << '\n';
      readable = false;
      continue;
    }
    print_diagnostics(file, r.list.errors, r.list.error_count, "error");
    print_diagnostics(file, r.list.warnings, r.list.warning_count, "warning");
    if (!r.list.ok()) readable = false;
    // Invariant: "could not read" never becomes "empty". An empty download compared against a local list would
    // report every local entry stale, and a script acting on that would wipe the allowlist.
    if (r.list.ok() && r.list.ip_entries + r.list.domain_entries == 0 && vm.count("allow-empty") == 0) {
      std::cerr << file << ": error: no entries (use --allow-empty if an empty list is expected)\n";
      readable = false;
    }
  }
  if (!readable) {
    std::cerr << "allowdrift diff: nothing compared: fix the input above\n";
    return kExitBadInput;
  }

  const auto& published = lists[0].list;
  const auto& local = lists[1].list;
  const diff::ListDiff result = diff::compare_lists(published.ips, published.domains, local.ips, local.domains);
  const diff::NamedList published_named{files[0], published};
  const diff::NamedList local_named{files[1], local};

  if (format == "json") {
    write_stdout(diff::json_report(result, published_named, local_named, side));
  } else {
    diff::OutputSink sink(write_stdout);
    if (side == diff::Side::kBoth) {
      diff::write_text_report(result, published_named, local_named, sink);
    } else {
      diff::write_bare_list(result, side, sink);
    }
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::cerr << "allowdrift diff: cannot write the output\n";
    return kExitBadInput;
  }

  bool differs = !result.empty();
  if (side == diff::Side::kMissing) differs = !result.missing_ips.empty() || !result.missing_domains.empty();
  if (side == diff::Side::kStale) differs = !result.stale_ips.empty() || !result.stale_domains.empty();
  return differs ? kExitDrift : kExitOk;
}

}  // namespace allowdrift::cli
