// Expected failures of the pure parsers are values, not exceptions.
#pragma once

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>

namespace allowdrift::model {

// Why a token was rejected; `message` names the token and the rule it broke.
struct ParseError {
  std::string message;
};

// Thrown only when a caller calls .value() on a failed result without checking it (a programming error).
class ParseErrorException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_exception_from_error(const ParseError& e, const boost::source_location&) {
  throw ParseErrorException(e.message);
}

template <class T>
using ParseResult = boost::system::result<T, ParseError>;

}  // namespace allowdrift::model
