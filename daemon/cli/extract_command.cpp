#include "cli/extract_command.h"

#include "cli/blocking_fetch.h"
#include "cli/command_line.h"
#include "cli/exit_code.h"
#include "feeds/list_guards.h"
#include "feeds/preset.h"
#include "feeds/source_reader.h"
#include "feeds/version_gate.h"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

namespace allowdrift::cli {
namespace {

namespace po = boost::program_options;
namespace json = boost::json;

constexpr const char* kUsage =
    "usage: allowdrift extract PRESET [--param K=V]... [--url URL] [--from FILE] [--format text|json]\n"
    "       allowdrift extract --source-format text|json|html [--select EXPR]... [--token EXPR]\n"
    "                          [--anchor SECTION=HOST]... --url URL | --from FILE\n"
    "       allowdrift extract --list\n"
    "\n"
    "Shows what a source yields: its normalized entries per section (one per line; the text output is itself a\n"
    "plain list), the vendor's change token, and the verdict of the validation guards. Without --from, the\n"
    "source's URL is fetched with the same HTTPS client as the daemon (--ca-file for a private CA).\n"
    "\n"
    "Sources with a version endpoint (Microsoft 365) are polled there first; with --previous-version V the list\n"
    "is fetched only when the version moved (--version-from FILE reads a saved version document).\n"
    "\n"
    "Exit status: 0 the input yields a usable list, 2 bad usage or the input is rejected (the reason is printed),\n"
    "5 the fetch failed, 6 TLS verification failed.\n";

// The file's bytes (as many as its size said) in blocks of 64 KiB, each handed to `take` and then reused. A saved
// feed is extracted while it is read (feeds/source_reader.h), never held whole: the 4 MB Azure file alone was a
// quarter of the peak memory of `extract --from` (bench/README.md).
bool read_file_blocks(const std::string& path, const std::function<void(std::string_view)>& take, std::string& error) {
  constexpr std::uintmax_t kBlock = 64 * 1024;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) {
    error = "cannot read " + model::quote_token(path) + (ec ? ": " + ec.message() : "");
    return false;
  }
  std::string block(static_cast<std::size_t>(std::min(size, kBlock)), '\0');
  for (std::uintmax_t left = size; left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<std::uintmax_t>(left, block.size()));
    in.read(block.data(), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in.gcount()) != n) {
      error = "cannot read " + model::quote_token(path) + ": short read";
      return false;
    }
    take(std::string_view(block.data(), n));
    left -= n;
  }
  return true;
}

std::optional<std::string> read_whole_file(const std::string& path, std::string& error) {
  std::string text;
  if (!read_file_blocks(
          path, [&](std::string_view block) { text.append(block); }, error))
    return std::nullopt;
  return text;
}

// The bytes of `file` when given, else of `url` fetched with the daemon's client. On failure, prints why and
// returns the exit status.
std::optional<int> load(const std::string& file, const std::string& url, const std::string& ca_file, std::string& out) {
  if (!file.empty()) {
    std::string error;
    auto read = read_whole_file(file, error);
    if (!read) {
      std::cerr << "allowdrift extract: " << error << '\n';
      return kExitBadInput;
    }
    out = std::move(*read);
    return std::nullopt;
  }
  net::FetchRequest request;
  request.url = url;
  if (!ca_file.empty()) request.ca_file = ca_file;
  auto fetched = fetch_blocking(request);
  if (!fetched) {
    std::cerr << "allowdrift extract: fetch " << url << ": " << net::to_string(fetched.error().kind) << ": "
              << fetched.error().message << '\n';
    return exit_code_for(fetched.error());
  }
  out = std::move(fetched->body);
  return std::nullopt;
}

std::string section_label(const std::string& name) { return name.empty() ? "(single section)" : name; }

std::string text_output(const feeds::SourceSpec& spec, const feeds::ExtractedList& list,
                        const feeds::GuardReport& report) {
  std::ostringstream out;
  out << "# source " << spec.name << " (" << to_string(spec.source_format()) << ")";
  if (!spec.url.empty()) out << ' ' << spec.url;
  out << '\n';
  if (list.change_token) out << "# change token " << *list.change_token << '\n';
  out << "# verdict " << to_string(report.verdict) << '\n';
  for (const auto& r : report.reasons) out << "#   reason: " << r << '\n';
  for (const auto& f : report.flags) out << "#   flag: " << f << '\n';
  for (const auto& w : list.warnings) out << "#   warning: " << w << '\n';
  if (list.rejected_tokens > 0) out << "# " << list.rejected_tokens << " rejected token(s)\n";
  for (const auto& s : list.rejected_samples) out << "#   rejected: " << s << '\n';
  for (const auto& section : list.sections) {
    const auto cidrs = section.ips.to_cidr_strings();
    out << "# section " << section_label(section.name) << ": " << section.ip_entries << " IP entries -> "
        << cidrs.size() << " blocks, " << section.domains.size() << " domains\n";
    for (const auto& c : cidrs) out << c << '\n';
    for (const auto& d : section.domains) out << d.to_string() << '\n';
  }
  return out.str();
}

std::string json_output(const feeds::SourceSpec& spec, const feeds::ExtractedList& list,
                        const feeds::GuardReport& report) {
  json::array sections;
  for (const auto& section : list.sections) {
    json::array ips;
    for (const auto& c : section.ips.to_cidr_strings()) ips.emplace_back(c);
    json::array domains;
    for (const auto& d : section.domains) domains.emplace_back(d.to_string());
    sections.push_back(json::object{{"name", section.name},
                                    {"ip_entries", section.ip_entries},
                                    {"ips", std::move(ips)},
                                    {"domains", std::move(domains)}});
  }
  json::object root{{"source", spec.name},
                    {"format", to_string(spec.source_format())},
                    {"url", spec.url},
                    {"verdict", to_string(report.verdict)},
                    {"reasons", json::value_from(report.reasons)},
                    {"flags", json::value_from(report.flags)},
                    {"warnings", json::value_from(list.warnings)},
                    {"rejected_tokens", list.rejected_tokens},
                    {"rejected_samples", json::value_from(list.rejected_samples)},
                    {"sections", std::move(sections)}};
  root["change_token"] = list.change_token ? json::value(*list.change_token) : json::value(nullptr);
  return json::serialize(root) + "\n";
}

// KEY=VALUE pairs of repeated options.
std::optional<std::map<std::string, std::string>> pairs(const std::vector<std::string>& items, const char* option) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "allowdrift extract: " << option << " takes KEY=VALUE, not " << model::quote_token(item) << '\n';
      return std::nullopt;
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

// A source from the command line instead of a preset.
std::optional<feeds::SourceSpec> spec_from_options(const std::string& format_text,
                                                   const std::vector<std::string>& selects, const std::string& token,
                                                   const std::vector<std::string>& anchors) {
  const auto named = pairs(anchors, "--anchor");
  if (!named) return std::nullopt;
  auto spec = feeds::make_source_spec(format_text, selects, token, {named->begin(), named->end()});
  if (!spec) {
    std::cerr << "allowdrift extract: " << spec.error().message << '\n';
    return std::nullopt;
  }
  spec->name = "command line";
  return std::move(*spec);
}

}  // namespace

int run_extract(const std::vector<std::string>& args) {
  std::string preset_name;
  std::vector<std::string> params;
  std::string url;
  std::string from;
  std::string format = "text";
  std::string source_format;
  std::vector<std::string> selects;
  std::string token;
  std::vector<std::string> anchors;
  std::string ca_file;
  std::string previous_version;
  std::string version_from;

  po::options_description options("options");
  options.add_options()                                                                                 //
      ("help,h", "show this help")                                                                      //
      ("list", "list the presets")                                                                      //
      ("preset", po::value(&preset_name), "PRESET")                                                     //
      ("param", po::value(&params)->composing(), "preset parameter K=V")                                //
      ("url", po::value(&url), "fetch this URL instead of the preset's")                                //
      ("from", po::value(&from), "read a saved copy instead of fetching")                               //
      ("format", po::value(&format), "text (default) or json")                                          //
      ("source-format", po::value(&source_format), "text, json or html")                                //
      ("select", po::value(&selects)->composing(), "json selector")                                     //
      ("token", po::value(&token), "json selector of the change token")                                 //
      ("anchor", po::value(&anchors)->composing(), "html section SECTION=HOST")                         //
      ("ca-file", po::value(&ca_file), "CA certificates for the fetch")                                 //
      ("previous-version", po::value(&previous_version), "skip the list if the version is still this")  //
      ("version-from", po::value(&version_from), "read the version document from a file");
  po::positional_options_description positional;
  positional.add("preset", 1);
  po::variables_map vm;
  if (const auto done = parse_command_line("extract", args, options, positional, kUsage, vm)) return *done;
  if (!valid_format("extract", format)) return kExitBadInput;

  // The built-in presets are parsed only for a run that names one or lists them: parsing them all cost more than
  // extracting a small list with --source-format.
  std::optional<feeds::PresetCatalog> catalog;
  if (vm.count("list") != 0 || vm.count("preset") != 0) {
    auto loaded = feeds::PresetCatalog::load(feeds::embedded_preset_files());
    if (!loaded) {
      std::cerr << "allowdrift extract: built-in presets: " << loaded.error().message << '\n';
      return kExitInternal;
    }
    catalog = std::move(*loaded);
  }
  if (vm.count("list") != 0) {
    std::string out;
    for (const auto& p : catalog->all()) {
      out += p.name + "  " + p.description;
      std::string ps;
      for (const auto& [k, v] : p.params) ps += (ps.empty() ? "" : ", ") + k + "=" + v;
      for (const auto& r : p.required) ps += (ps.empty() ? "" : ", ") + r + " (required)";
      if (!ps.empty()) out += "  [" + ps + "]";
      out += '\n';
    }
    return write_output("extract", out);
  }

  std::optional<feeds::SourceSpec> spec;
  if (vm.count("preset") != 0) {
    if (vm.count("source-format") != 0) {
      std::cerr << "allowdrift extract: give a PRESET or --source-format, not both\n";
      return kExitBadInput;
    }
    const feeds::Preset* preset = catalog->find(preset_name);
    if (preset == nullptr) {
      std::cerr << "allowdrift extract: no preset named " << model::quote_token(preset_name)
                << " ('allowdrift extract --list' shows them)\n";
      return kExitBadInput;
    }
    const auto given = pairs(params, "--param");
    if (!given) return kExitBadInput;
    auto bound = feeds::instantiate(*preset, *given, url.empty() ? std::nullopt : std::optional<std::string>(url));
    if (!bound) {
      std::cerr << "allowdrift extract: " << bound.error().message << '\n';
      return kExitBadInput;
    }
    spec = std::move(*bound);
  } else if (vm.count("source-format") != 0) {
    spec = spec_from_options(source_format, selects, token, anchors);
    if (!spec) return kExitBadInput;
    spec->url = url;
  } else {
    std::cerr << "allowdrift extract: give a PRESET or --source-format\n\n" << kUsage;
    return kExitBadInput;
  }

  // Sources with a version endpoint (Microsoft 365): poll it first, fetch the list only when the version moved.
  std::optional<std::string> version;
  if (spec->version_url && (from.empty() || !version_from.empty())) {
    std::string version_bytes;
    if (const auto failed = load(version_from, *spec->version_url, ca_file, version_bytes)) return *failed;
    auto parsed = feeds::parse_version(version_bytes, *spec->version_select);
    if (!parsed) {
      std::cerr << "allowdrift extract: rejected: version document: " << parsed.error().message << '\n';
      return kExitBadInput;
    }
    version = *parsed;
    const auto check = feeds::check_version(
        previous_version.empty() ? std::nullopt : std::optional<std::string>(previous_version), *version);
    std::cerr << "version " << *version << ": " << feeds::to_string(check) << '\n';
    if (check == feeds::VersionCheck::kUnchanged)
      return write_output(
          "extract", "# source " + spec->name + ": version " + *version + " unchanged; the list was not fetched\n");
  }

  if (from.empty() && spec->url.empty()) {
    std::cerr << "allowdrift extract: nothing to read: give --url or --from\n";
    return kExitBadInput;
  }
  model::ParseResult<feeds::ExtractedList> list = model::ParseError{};
  if (!from.empty()) {
    feeds::SourceReader reader(*spec);
    std::string error;
    if (!read_file_blocks(
            from, [&](std::string_view block) { reader.write(block); }, error)) {
      std::cerr << "allowdrift extract: " << error << '\n';
      return kExitBadInput;
    }
    list = reader.finish();
  } else {
    std::string bytes;
    if (const auto failed = load({}, spec->url, ca_file, bytes)) return *failed;
    list = feeds::extract(bytes, *spec);
  }
  if (!list) {
    std::cerr << "allowdrift extract: rejected: " << list.error().message << '\n';
    return kExitBadInput;
  }
  if (version) list->change_token = version;  // the version endpoint's version is the snapshot's change token
  // With --previous-version, a version that went backwards makes the list suspect (list_guards.h).
  feeds::ExtractedList previous;
  if (!previous_version.empty()) previous.change_token = previous_version;
  const auto report = feeds::judge(*list, previous_version.empty() ? nullptr : &previous, spec->guards);
  const int written =
      write_output("extract", format == "json" ? json_output(*spec, *list, report) : text_output(*spec, *list, report));
  if (written != kExitOk) return written;
  if (report.verdict == feeds::Verdict::kReject) {
    std::cerr << "allowdrift extract: rejected: " << report.reasons.front() << '\n';
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace allowdrift::cli
