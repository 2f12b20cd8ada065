// Reads a file of tests/data/ (real captured lists, see tests/data/README.md) for the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace allowdrift::testing {

inline std::string read_test_data(const std::string& relative) {
  std::ifstream in(std::string(ALLOWDRIFT_TEST_DATA) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read tests/data/" << relative;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace allowdrift::testing
