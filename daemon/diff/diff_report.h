// Renders a ListDiff for people (text), for programs (JSON) and for scripts (a bare list).
#pragma once

#include "diff/list_diff.h"
#include "diff/output_sink.h"
#include "feeds/plain_list.h"

#include <string>

namespace allowdrift::diff {

enum class Side { kBoth, kMissing, kStale };

struct NamedList {
  std::string name;  // as the user gave it, e.g. the file path
  const feeds::PlainList& list;
};

// One entry per line: the minimal CIDR blocks (IPv4, then IPv6, ascending), then the domain patterns.
// `side` must be kMissing or kStale.
void write_bare_list(const ListDiff& diff, Side side, OutputSink& out);

// A report that names, for every block and domain, the entry and line it came from. The lists must have been
// parsed with keep_origins.
void write_text_report(const ListDiff& diff, const NamedList& published, const NamedList& local, OutputSink& out);

// JSON: with kBoth an object with both sides, origins, counts and warnings; with kMissing or kStale a bare array
// of strings, the JSON twin of write_bare_list.
std::string json_report(const ListDiff& diff, const NamedList& published, const NamedList& local, Side side);

}  // namespace allowdrift::diff
