// Selectors: which strings of a published JSON document are entries, in a small path syntax (a strict subset of
// jq paths, plus object filters). Compiled once, evaluated against any number of documents: by the walk over a
// parsed document below (for_each_value, for_each_string), or on the parser's events without a document
// (json_select_stream.h, what extract_json uses); the two give the same strings, paths and errors.
//
//   selector := first { '.' member | bracket }
//   first    := member | bracket
//   member   := key [ '?' ] | '*'
//   bracket  := '[' [ filter { ',' filter } ] ']'
//   filter   := key { '.' key } [ '?' ] '=' literal { '|' literal }
//   key      := name | quoted
//   literal  := quoted | bare
//   name     := one or more of  A-Z a-z 0-9 _ - $ @
//   bare     := one or more of  A-Z a-z 0-9 _ - $ @ . : / +
//   quoted   := '"' ... '"', with \" \\ and \xNN as the only escapes
// Spaces are allowed around ',', '|' and '=' inside brackets, nowhere else outside quotes.
//
// Meaning, step by step from the document root:
//   key        the member of an object. An absent key is an error naming its path ("dependabot: no such key"),
//              never an empty list: GitHub dropped `dependabot` from /meta, and that must surface.
//   key?       the member where present: an absent key selects nothing. For items that carry one of several
//              keys (Google's ipv4Prefix / ipv6Prefix), and only where the vendor's schema says so.
//   *          every member value of an object, in document order.
//   []         every element of an array.
//   [f,...]    the elements of an array that pass every filter (AND). A filter `field=v1|v2` passes when the
//              element's field (a key path below the element, e.g. properties.region) equals one of the
//              literals (OR). An array-valued field passes when it contains one of them (Atlassian's
//              product[] and direction[]). A bare literal equals a JSON string with that text, the boolean
//              true or false when it reads so, or an integer with that decimal text; a quoted literal equals
//              only a string. An element that is not an object, or lacks the field, is an error naming its
//              path; `field?=v` lets an absent field simply not match.
// Stepping into the wrong kind of value (a key on an array, [] on a string, ...) is an error naming the path.
//
// The selected values must be strings, or arrays of strings (flattened one level: Salesforce's array-valued
// ip_prefix); anything else is an error naming the path. Every string keeps its path (`prefixes[17].ip_prefix`,
// `prefixes[3].ip_prefix[1]`) so that an invalid entry is reported where it is.
//
// Examples, one per published feed (tests/unit/feeds/json_list_test.cpp runs each on a real copy):
//   AWS ip-ranges.json           prefixes[service=EC2,region=ap-southeast-3].ip_prefix
//                                ipv6_prefixes[service=EC2,region=ap-southeast-3].ipv6_prefix
//   Salesforce ip-ranges.json    prefixes[].ip_prefix                     (each ip_prefix is an array)
//   Google goog.json             prefixes[].ipv4Prefix?   and   prefixes[].ipv6Prefix?
//   Google cloud.json            prefixes[scope=us-central1].ipv4Prefix?
//   GitHub /meta                 hooks     web     actions     domains.actions
//   Azure Service Tags           values[name=AzureCloud.westeurope].properties.addressPrefixes
//                                values[properties.systemService=AzureFrontDoor].properties.addressPrefixes
//   Atlassian ip-ranges          items[product=jira,direction=egress].cidr
//   Oracle public_ip_ranges      regions[].cidrs[].cidr      regions[region=eu-frankfurt-1].cidrs[tags=OSN].cidr
//   Datadog ip-ranges            webhooks.prefixes_ipv4      synthetics.prefixes_ipv6
//   Fastly public-ip-list        addresses     ipv6_addresses
//   Zscaler recommended          hubPrefixes
//   Zscaler cenr                 "zscaler.net".*.*[].range
//   Imperva ips API              ipRanges      ipv6Ranges
//   Microsoft 365 endpoints      [serviceArea=Exchange].ips?          [serviceArea=Exchange].urls?
//                                [serviceArea=Common,category=Optimize|Allow,required=true].ips?
//   Change tokens (json_list.h)  syncToken   createDate   changeNumber   last_updated_timestamp   version
#pragma once

#include "model/parse_error.h"

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace allowdrift::feeds {

inline constexpr std::size_t kMaxSelectorLength = 1024;
inline constexpr std::size_t kMaxSelectorSteps = 32;

// Where a selected value sits: the keys and indexes from the root. Keys point into the evaluated document.
class JsonPath {
 public:
  std::string str() const;  // prefixes[17].ip_prefix (json_document.h quoting)
  std::size_t depth() const { return steps_.size(); }

  // For the evaluator.
  void push_key(std::string_view key) { steps_.push_back({key, 0, false}); }
  void push_index(std::size_t index) { steps_.push_back({{}, index, true}); }
  void pop() { steps_.pop_back(); }

 private:
  struct Step {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };
  std::vector<Step> steps_;
};

struct SelectedString {
  std::string path;
  std::string value;
};

class JsonSelector {
 public:
  // Errors name the character position (1-based) and what was expected there.
  static model::ParseResult<JsonSelector> compile(std::string_view text);

  const std::string& text() const { return text_; }

  // Calls `on_value` with each selected value and its path, in document order. The first error, from the walk
  // or returned by `on_value`, ends the walk and is returned.
  using ValueVisitor = std::function<model::ParseResult<void>(const JsonPath&, const boost::json::value&)>;
  model::ParseResult<void> for_each_value(const boost::json::value& doc, const ValueVisitor& on_value) const;

  // As above, with the selected strings: a string value, or each element of an array of strings.
  using StringVisitor = std::function<model::ParseResult<void>(const JsonPath&, std::string_view)>;
  model::ParseResult<void> for_each_string(const boost::json::value& doc, const StringVisitor& on_string) const;

  // Every selected string with its path (tests, `allowdrift extract`).
  model::ParseResult<std::vector<SelectedString>> select_strings(const boost::json::value& doc) const;

  struct Step;  // compiled form, json_selector_steps.h
  const std::vector<Step>& steps() const { return *steps_; }

 private:
  JsonSelector() = default;  // only compile() makes one

  std::string text_;
  std::shared_ptr<const std::vector<Step>> steps_;  // immutable once compiled; copies share it
};

}  // namespace allowdrift::feeds
