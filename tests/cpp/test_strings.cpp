// Tests of include/reinscore/detail/strings.hpp: trimming and case folding of answers and
// labels, and parse_decimal(), the one rule for numbers in cells (docs/instrument-format.md,
// "Coding"): whole-string decimals only, overflow reported, underflow rounded.
#include <reinscore/detail/strings.hpp>

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

using reinscore::detail::Decimal;
using reinscore::detail::fold_case;
using reinscore::detail::parse_decimal;
using reinscore::detail::parse_number;
using reinscore::detail::trim;

namespace {

Decimal kind(std::string_view s) {
  double out = 12345.0;
  return parse_decimal(s, out);
}

/// parse_decimal(s) must be a number equal to `want` (bit for bit, sign of zero included).
::testing::AssertionResult ParsesTo(std::string_view s, double want) {
  double out = 12345.0;
  const Decimal d = parse_decimal(s, out);
  if (d != Decimal::number)
    return ::testing::AssertionFailure() << "'" << s << "' is not read as a number";
  if (!(out == want) || std::signbit(out) != std::signbit(want))
    return ::testing::AssertionFailure() << "'" << s << "' read as " << out << ", not " << want;
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(Trim, SpacesTabsAndATrailingCarriageReturn) {
  EXPECT_EQ(trim("  \t yes \t\r"), "yes");
  EXPECT_EQ(trim("a b"), "a b") << "inner white space stays";
  EXPECT_EQ(trim(" \t\r"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x\r\r"), "x");
  // Only a trailing \r (a CRLF line end) goes; other control characters are data.
  EXPECT_EQ(trim("\rx"), "\rx");
  EXPECT_EQ(trim("x\n"), "x\n");
  EXPECT_EQ(trim("\xC2\xA0x"), "\xC2\xA0x") << "no-break space is not trimmed";
}

TEST(FoldCase, LowerCaseAsciiAndOneSpace) {
  EXPECT_EQ(fold_case("  Very   Satisfied\t"), "very satisfied");
  EXPECT_EQ(fold_case("Don't\t\tKNOW"), "don't know");
  EXPECT_EQ(fold_case(""), "");
  EXPECT_EQ(fold_case(" \t "), "");
  // Bytes of multi-byte UTF-8 characters are left alone (never a locale's tolower).
  EXPECT_EQ(fold_case("\xC3\x89"
                      "COLE"),
            "\xC3\x89"
            "cole");
  EXPECT_EQ(fold_case("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(fold_case("A1-B2_C3"), "a1-b2_c3");
  // The same folding for a label and for an answer typed differently.
  EXPECT_EQ(fold_case("Not  applicable "), fold_case("not applicable"));
}

TEST(ParseDecimal, PlainDecimals) {
  EXPECT_TRUE(ParsesTo("3", 3.0));
  EXPECT_TRUE(ParsesTo("3.0", 3.0));
  EXPECT_TRUE(ParsesTo("+2", 2.0));
  EXPECT_TRUE(ParsesTo("-1e2", -100.0));
  EXPECT_TRUE(ParsesTo("1E-2", 0.01));
  EXPECT_TRUE(ParsesTo(".5", 0.5));
  EXPECT_TRUE(ParsesTo("5.", 5.0));
  EXPECT_TRUE(ParsesTo("007", 7.0));
  EXPECT_TRUE(ParsesTo("-0", -0.0));
  EXPECT_TRUE(ParsesTo("0.1", 0.1)) << "rounded like the compiler rounds the literal";
  EXPECT_TRUE(ParsesTo("1.7976931348623157e308", DBL_MAX));
  EXPECT_TRUE(ParsesTo("0e999999", 0.0));
  EXPECT_TRUE(ParsesTo("0.00001e313", 1e308));
}

TEST(ParseDecimal, NotNumbers) {
  for (const char* s :
       {"",         "+",   "-",   "+-1", "-+1",  "++1",  "--1",  " 3",   "3 ",    "1,5",
        "1e",       "1e+", "e5",  ".",   "1..2", "abc",  "3a",   "inf",  "-inf",  "+inf",
        "infinity", "INF", "nan", "NaN", "-nan", "+nan", "0x10", "0X1A", "0x1p3", "-0x1"}) {
    EXPECT_EQ(kind(s), Decimal::not_a_number) << "'" << s << "'";
    double out = 0;
    EXPECT_FALSE(parse_number(s, out)) << "'" << s << "'";
  }
}

TEST(ParseDecimal, TooLargeIsReportedWithItsSign) {
  double out = 0;
  EXPECT_EQ(parse_decimal("1e400", out), Decimal::too_large);
  EXPECT_EQ(out, std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_decimal("-1e400", out), Decimal::too_large);
  EXPECT_EQ(out, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_decimal("+1e400", out), Decimal::too_large);
  EXPECT_EQ(out, std::numeric_limits<double>::infinity());
  EXPECT_EQ(kind("1.8e308"), Decimal::too_large);
  EXPECT_EQ(kind("100000e304"), Decimal::too_large) << "digits left of the point count";
  EXPECT_EQ(kind("00010e308"), Decimal::too_large) << "leading zeros do not";
  EXPECT_EQ(kind("1e99999999999999999999"), Decimal::too_large);
  EXPECT_EQ(kind("1" + std::string(400, '0')), Decimal::too_large);
  EXPECT_FALSE(parse_number("1e400", out)) << "parse_number wants a finite number";
}

TEST(ParseDecimal, UnderflowRoundsToTheNearestDouble) {
  EXPECT_TRUE(ParsesTo("1e-400", 0.0));
  EXPECT_TRUE(ParsesTo("-1e-400", -0.0));
  EXPECT_TRUE(ParsesTo("1e-99999999999999999999", 0.0));
  EXPECT_TRUE(ParsesTo("0." + std::string(400, '0') + "1", 0.0));
  // Subnormals are kept, rounded as the compiler rounds the same literal.
  EXPECT_TRUE(ParsesTo("2.5e-320", 2.5e-320));
  EXPECT_TRUE(ParsesTo("4.9e-324", std::numeric_limits<double>::denorm_min()));
  EXPECT_TRUE(ParsesTo("-4.9e-324", -std::numeric_limits<double>::denorm_min()));
  EXPECT_TRUE(ParsesTo("10e-330", 0.0));
  EXPECT_TRUE(ParsesTo("0.001e-320", 1e-323));
  EXPECT_TRUE(ParsesTo("123456789012345678901234567890e-350", 123456789012345678901234567890e-350));
  double out = 1;
  EXPECT_TRUE(parse_number("1e-400", out));
  EXPECT_EQ(out, 0.0);
}
