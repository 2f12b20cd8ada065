// allowdrift_bench_gen: prints a deterministic random prefix list (see prefix_gen.h), one entry per line.
//
//   allowdrift_bench_gen --family 4 --count 1000000 --seed 1 > P        # the published list
//   allowdrift_bench_gen --family 4 --count 1000000 --seed 1 --local > A  # P perturbed: the local list
#include "prefix_gen.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

namespace {

constexpr const char* kUsage =
    "usage: allowdrift_bench_gen [--family 4|6] [--count N] [--seed S] [--local]\n"
    "                            [--drop PCT] [--change PCT] [--add PCT]\n"
    "\n"
    "Prints N random IPv4 or IPv6 prefixes, one per line, the same for the same options.\n"
    "Without --local: the published list P. With --local: P with PCT% of its entries dropped (--drop, default 8),\n"
    "PCT% given another prefix length (--change, default 4) and PCT% of N new entries (--add, default 8),\n"
    "shuffled. Use the same --family, --count and --seed for both lists.\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "allowdrift_bench_gen: " << message << "\n\n" << kUsage;
  std::exit(2);
}

double parse_percent(std::string_view name, const std::string& text) {
  std::size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(v >= 0.0 && v <= 100.0)) usage_error(std::string(name) + " takes a percentage 0-100");
  return v;
}

std::uint64_t parse_unsigned(std::string_view name, const std::string& text) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-')
    usage_error(std::string(name) + " takes an unsigned integer");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using allowdrift::bench::Family;
  allowdrift::bench::GenOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--family") {
      const std::string f = value();
      if (f != "4" && f != "6") usage_error("--family takes 4 or 6");
      o.family = f == "4" ? Family::kV4 : Family::kV6;
    } else if (arg == "--count") {
      o.count = parse_unsigned(arg, value());
    } else if (arg == "--seed") {
      o.seed = parse_unsigned(arg, value());
    } else if (arg == "--local") {
      o.local = true;
    } else if (arg == "--drop") {
      o.drop = parse_percent(arg, value());
    } else if (arg == "--change") {
      o.change = parse_percent(arg, value());
    } else if (arg == "--add") {
      o.add = parse_percent(arg, value());
    } else {
      usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }

  const std::string text = allowdrift::bench::to_text(o.family, allowdrift::bench::generate(o));
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    std::cerr << "allowdrift_bench_gen: cannot write the output\n";
    return 1;
  }
  return 0;
}
