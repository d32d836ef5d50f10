// Tests of src/io/score_writer: numbers are written in std::to_chars' shortest form
// (through a memo of recent values), and CSV text is escaped for spreadsheets.
#include "io/score_writer.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <string_view>

using reinscore::io::append_csv_text;
using reinscore::io::append_number;

namespace {

std::string shortest(double x) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

}  // namespace

// Many distinct values (far more than the memo holds) interleaved with repeated ones: every
// text must be std::to_chars' own, whether it came from the memo or not.
TEST(AppendNumber, IsToCharsShortestFormForFreshAndRepeatedValues) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<std::uint64_t> bits;
  const double repeated[] = {1.0, 0.0, 0.5, 1.0 / 3.0, 0.7142857142857143, -0.0, 1e-300, 5e-324};
  for (int i = 0; i < 200000; ++i) {
    double x = i % 3 == 0 ? repeated[i % 8] : unit(rng);
    if (i % 7 == 0) x = std::bit_cast<double>(bits(rng));  // any bit pattern
    std::string out = "prefix,";
    append_number(out, x);
    if (std::isnan(x)) {
      ASSERT_EQ(out, "prefix,") << "NaN is an empty cell";
    } else {
      ASSERT_EQ(out, "prefix," + shortest(x)) << "at draw " << i;
    }
  }
}

TEST(AppendCsvText, QuotesAndNeutralisesFormulas) {
  const auto esc = [](std::string_view s, char d = ',') {
    std::string out;
    append_csv_text(out, s, d);
    return out;
  };
  EXPECT_EQ(esc("plain"), "plain");
  EXPECT_EQ(esc(""), "");
  EXPECT_EQ(esc("a,b"), "\"a,b\"");
  EXPECT_EQ(esc("a;b"), "a;b");
  EXPECT_EQ(esc("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(esc("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(esc("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(esc("=1+2"), "\"'=1+2\"");
  EXPECT_EQ(esc("+1"), "\"'+1\"");
  EXPECT_EQ(esc("-1"), "\"'-1\"");
  EXPECT_EQ(esc("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(esc("a-b"), "a-b");
}
