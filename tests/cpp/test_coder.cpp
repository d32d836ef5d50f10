// Tests of include/reinscore/coder.hpp: how ItemCoder turns a cell (code name, numeric
// code, label, number, missing code, blank) into a value and a reason, on the scales of
// the mini test instrument and of the shipped RSS instrument; and Coder::code_column.
#include <reinscore/reinscore.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

using namespace reinscore;

namespace {

Instrument mini() { return Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json"); }
Instrument rss() { return Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json"); }

const Scale& scale(const Instrument& ins, const std::string& id) {
  for (const auto& s : ins.scales)
    if (s.id == id) return s;
  throw std::invalid_argument("no scale " + id);
}

// The cell must be answered with value `v`.
::testing::AssertionResult Answered(const CodedCell& c, double v) {
  if (c.reason != Reason::answered)
    return ::testing::AssertionFailure()
           << "reason " << to_string(c.reason) << ", expected answered";
  if (!(std::fabs(c.value - v) <= 1e-12))
    return ::testing::AssertionFailure() << "value " << c.value << ", expected " << v;
  return ::testing::AssertionSuccess();
}

// The cell must be unanswered for reason `r`, with a NaN value.
::testing::AssertionResult Missing(const CodedCell& c, Reason r) {
  if (c.reason != r)
    return ::testing::AssertionFailure()
           << "reason " << to_string(c.reason) << ", expected " << to_string(r);
  if (!std::isnan(c.value))
    return ::testing::AssertionFailure() << "value " << c.value << ", expected NaN";
  return ::testing::AssertionSuccess();
}

}  // namespace

// ---- Categorical scales ----------------------------------------------------------------

TEST(ItemCoder, CodeNames) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  EXPECT_TRUE(Answered(lik3.code("low"), 0.0));
  EXPECT_TRUE(Answered(lik3.code("mid"), 0.5));
  EXPECT_TRUE(Answered(lik3.code("high"), 1.0));
  EXPECT_TRUE(Answered(lik3.code("  high\t"), 1.0));  // surrounding blanks are ignored
  EXPECT_TRUE(Answered(lik3.code("high\r"), 1.0));    // a stray CR from a CRLF file too
  const ItemCoder yn(scale(ins, "yn"), false);
  EXPECT_TRUE(Answered(yn.code("no"), 0.0));
  EXPECT_TRUE(Answered(yn.code("yes"), 1.0));
}

TEST(ItemCoder, CodeNamesAreExactOnlyLabelsIgnoreCase) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  // "MID" is neither the code "mid" (exact) nor the label "Middle".
  EXPECT_TRUE(Missing(lik3.code("MID"), Reason::invalid_code));
  // "HIGH" matches the label "High" (same spelling as the code, other case).
  EXPECT_TRUE(Answered(lik3.code("HIGH"), 1.0));
}

TEST(ItemCoder, NumericCodes) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  EXPECT_TRUE(Answered(lik3.code("1"), 0.0));
  EXPECT_TRUE(Answered(lik3.code("2"), 0.5));
  EXPECT_TRUE(Answered(lik3.code("3"), 1.0));
  EXPECT_TRUE(Answered(lik3.code(" 3 "), 1.0));
  EXPECT_TRUE(Answered(lik3.code("3.0"), 1.0));  // a numeric export written as a float
  EXPECT_TRUE(Answered(lik3.code("+2"), 0.5));
  EXPECT_TRUE(Answered(lik3.code("2e0"), 0.5));
  EXPECT_TRUE(Answered(lik3.code(2.0), 0.5));
  const ItemCoder yn(scale(ins, "yn"), false);
  EXPECT_TRUE(Answered(yn.code("0"), 0.0));
  EXPECT_TRUE(Answered(yn.code(1.0), 1.0));
}

TEST(ItemCoder, LabelsIgnoreCaseAndExtraSpaces) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  EXPECT_TRUE(Answered(lik3.code("Middle"), 0.5));
  EXPECT_TRUE(Answered(lik3.code("middle"), 0.5));
  EXPECT_TRUE(Answered(lik3.code("  MIDDLE "), 0.5));
  EXPECT_TRUE(Answered(lik3.code("Low"), 0.0));
  EXPECT_TRUE(Missing(lik3.code("Don't know"), Reason::dont_know));
  EXPECT_TRUE(Missing(lik3.code("DON'T   KNOW"), Reason::dont_know));
  EXPECT_TRUE(Missing(lik3.code("don't\tknow"), Reason::dont_know));
  EXPECT_TRUE(Missing(lik3.code("not applicable"), Reason::not_applicable));
  EXPECT_TRUE(Missing(lik3.code("REFUSED"), Reason::refused));
  // Spaces inside a word are not extra spaces.
  EXPECT_TRUE(Missing(lik3.code("Mid dle"), Reason::invalid_code));
  EXPECT_TRUE(Missing(lik3.code("Dontknow"), Reason::invalid_code));
}

TEST(ItemCoder, MissingCodes) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  EXPECT_TRUE(Missing(lik3.code("dk"), Reason::dont_know));
  EXPECT_TRUE(Missing(lik3.code("ref"), Reason::refused));
  EXPECT_TRUE(Missing(lik3.code("na"), Reason::not_applicable));
  EXPECT_TRUE(Missing(lik3.code("8"), Reason::dont_know));
  EXPECT_TRUE(Missing(lik3.code("9"), Reason::refused));
  EXPECT_TRUE(Missing(lik3.code("7"), Reason::not_applicable));
  EXPECT_TRUE(Missing(lik3.code("9.0"), Reason::refused));
  EXPECT_TRUE(Missing(lik3.code(8.0), Reason::dont_know));
  // yn has no not-applicable code: 7 is just a wrong number there.
  const ItemCoder yn(scale(ins, "yn"), false);
  EXPECT_TRUE(Missing(yn.code("7"), Reason::out_of_range));
  EXPECT_TRUE(Missing(yn.code("na"), Reason::invalid_code));
}

TEST(ItemCoder, MissingMeaningSkippedFromTheScale) {
  Scale s = scale(mini(), "yn");
  s.missing.push_back(MissingCode{"skip", 66, "Skipped by routing", Reason::skipped});
  const ItemCoder yn(s, false);
  EXPECT_TRUE(Missing(yn.code("skip"), Reason::skipped));
  EXPECT_TRUE(Missing(yn.code("66"), Reason::skipped));
  EXPECT_TRUE(Missing(yn.code("skipped by routing"), Reason::skipped));
}

TEST(ItemCoder, EmptyAndBlankCellsAreSkipped) {
  const Instrument ins = mini();
  for (const char* id : {"lik3", "yn", "count"}) {
    const ItemCoder c(scale(ins, id), false);
    for (const char* cell : {"", " ", "   ", "\t", " \t ", "\r"}) {
      EXPECT_TRUE(Missing(c.code(cell), Reason::skipped)) << id << " '" << cell << "'";
    }
  }
}

TEST(ItemCoder, UnknownTextIsAnInvalidCode) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  for (const char* cell : {"maybe", "hgh", "low-ish", "0x2", "nan", "inf", "3 3", "+-2"}) {
    EXPECT_TRUE(Missing(lik3.code(cell), Reason::invalid_code)) << cell;
  }
  // A decimal too large for a double is a number, outside every range (the scale has
  // numeric codes): docs/instrument-format.md, "Coding".
  EXPECT_TRUE(Missing(lik3.code("1e999"), Reason::out_of_range));
}

TEST(ItemCoder, NumberNotAmongNumericCodesIsOutOfRange) {
  const Instrument ins = mini();
  const ItemCoder lik3(scale(ins, "lik3"), false);
  for (const char* cell : {"4", "0", "-1", "2.5", "10", "88"}) {
    EXPECT_TRUE(Missing(lik3.code(cell), Reason::out_of_range)) << cell;
  }
  EXPECT_TRUE(Missing(lik3.code(4.0), Reason::out_of_range));
  EXPECT_TRUE(Missing(lik3.code(1.5), Reason::out_of_range));
}

TEST(ItemCoder, NumberOnACategoricalScaleWithoutNumericCodesIsAnInvalidCode) {
  Scale s;
  s.id = "words";
  s.codes = {AnswerCode{"bad", std::nullopt, "Bad", 0.0},
             AnswerCode{"good", std::nullopt, "Good", 1.0}};
  const ItemCoder c(s, false);
  EXPECT_TRUE(Answered(c.code("good"), 1.0));
  EXPECT_TRUE(Missing(c.code("1"), Reason::invalid_code));
  EXPECT_TRUE(Missing(c.code(0.0), Reason::invalid_code));
}

// ---- Numeric scales --------------------------------------------------------------------

TEST(ItemCoder, NumericScaleMapsTheRangeOntoZeroOne) {
  const Instrument ins = mini();
  const ItemCoder count(scale(ins, "count"), false);  // 0..10
  EXPECT_TRUE(Answered(count.code("0"), 0.0));
  EXPECT_TRUE(Answered(count.code("10"), 1.0));
  EXPECT_TRUE(Answered(count.code("5"), 0.5));
  EXPECT_TRUE(Answered(count.code("2.5"), 0.25));
  EXPECT_TRUE(Answered(count.code("7.50"), 0.75));
  EXPECT_TRUE(Answered(count.code(" 7.50 "), 0.75));
  EXPECT_TRUE(Answered(count.code("1e1"), 1.0));
  EXPECT_TRUE(Answered(count.code(3.0), 0.3));
  // Another range: (x - min) / (max - min).
  Scale s;
  s.id = "age";
  s.type = ScaleType::numeric;
  s.min = 18;
  s.max = 58;
  const ItemCoder age(s, false);
  EXPECT_TRUE(Answered(age.code("28"), 0.25));
  EXPECT_TRUE(Answered(age.code("48.0"), 0.75));
  EXPECT_TRUE(Answered(age.code(18.0), 0.0));
}

TEST(ItemCoder, NumericScaleOutOfRangeIsNeverClipped) {
  const Instrument ins = mini();
  const ItemCoder count(scale(ins, "count"), false);
  for (const char* cell : {"11", "-1", "10.0001", "-0.5", "97", "99"}) {
    EXPECT_TRUE(Missing(count.code(cell), Reason::out_of_range)) << cell;
  }
  EXPECT_TRUE(Missing(count.code(std::numeric_limits<double>::infinity()), Reason::out_of_range));
  EXPECT_TRUE(Missing(count.code("ten"), Reason::invalid_code));
}

TEST(ItemCoder, NumericScaleMissingCodes) {
  const Instrument ins = mini();
  const ItemCoder count(scale(ins, "count"), false);
  EXPECT_TRUE(Missing(count.code("dk"), Reason::dont_know));
  EXPECT_TRUE(Missing(count.code("98"), Reason::dont_know));
  EXPECT_TRUE(Missing(count.code("98.0"), Reason::dont_know));
  EXPECT_TRUE(Missing(count.code(98.0), Reason::dont_know));
}

TEST(ItemCoder, NumericScaleReversed) {
  const Instrument ins = mini();
  const ItemCoder count(scale(ins, "count"), true);
  EXPECT_TRUE(Answered(count.code("0"), 1.0));
  EXPECT_TRUE(Answered(count.code("10"), 0.0));
  EXPECT_TRUE(Answered(count.code("2.5"), 0.75));
  EXPECT_TRUE(Answered(count.code("7.50"), 0.25));
  EXPECT_TRUE(Missing(count.code("11"), Reason::out_of_range));
  EXPECT_TRUE(Missing(count.code("98"), Reason::dont_know));
}

TEST(ItemCoder, NaNIsAnEmptyCell) {
  const Instrument ins = mini();
  for (const char* id : {"lik3", "yn", "count"}) {
    const ItemCoder c(scale(ins, id), false);
    EXPECT_TRUE(Missing(c.code(std::numeric_limits<double>::quiet_NaN()), Reason::skipped)) << id;
  }
}

TEST(ItemCoder, ReverseItemsFlipValuesNotMissingCodes) {
  const Instrument ins = mini();
  const ItemCoder yn(scale(ins, "yn"), true);
  EXPECT_TRUE(Answered(yn.code("yes"), 0.0));
  EXPECT_TRUE(Answered(yn.code("no"), 1.0));
  EXPECT_TRUE(Answered(yn.code("1"), 0.0));
  EXPECT_TRUE(Answered(yn.code("No"), 1.0));
  EXPECT_TRUE(Missing(yn.code("dk"), Reason::dont_know));
  const ItemCoder lik3(scale(ins, "lik3"), true);
  EXPECT_TRUE(Answered(lik3.code("low"), 1.0));
  EXPECT_TRUE(Answered(lik3.code("mid"), 0.5));
  EXPECT_TRUE(Answered(lik3.code("3"), 0.0));
  EXPECT_TRUE(Missing(lik3.code("na"), Reason::not_applicable));
  EXPECT_TRUE(Missing(lik3.code("4"), Reason::out_of_range));
}

// ---- The RSS scales --------------------------------------------------------------------

TEST(ItemCoderRss, FivePointScales) {
  const Instrument ins = rss();
  const ItemCoder sat(scale(ins, "satisfaction5"), false);
  EXPECT_TRUE(Answered(sat.code("very_dissatisfied"), 0.0));
  EXPECT_TRUE(Answered(sat.code("dissatisfied"), 0.25));
  EXPECT_TRUE(Answered(sat.code("neutral"), 0.5));
  EXPECT_TRUE(Answered(sat.code("satisfied"), 0.75));
  EXPECT_TRUE(Answered(sat.code("very_satisfied"), 1.0));
  EXPECT_TRUE(Answered(sat.code("4"), 0.75));
  EXPECT_TRUE(Answered(sat.code("Neither satisfied nor dissatisfied"), 0.5));
  EXPECT_TRUE(Answered(sat.code("neither  SATISFIED nor dissatisfied "), 0.5));
  EXPECT_TRUE(Answered(sat.code("Very Satisfied"), 1.0));
  EXPECT_TRUE(Missing(sat.code("88"), Reason::dont_know));
  EXPECT_TRUE(Missing(sat.code("dont_know"), Reason::dont_know));
  EXPECT_TRUE(Missing(sat.code("99"), Reason::refused));
  EXPECT_TRUE(Missing(sat.code("refused to answer"), Reason::refused));
  EXPECT_TRUE(Missing(sat.code("6"), Reason::out_of_range));
  EXPECT_TRUE(Missing(sat.code("77"), Reason::out_of_range));  // no N/A on this scale
  EXPECT_TRUE(Missing(sat.code("very satisfied!"), Reason::invalid_code));
  const ItemCoder agree(scale(ins, "agreement5"), false);
  EXPECT_TRUE(Answered(agree.code("Strongly agree"), 1.0));
  EXPECT_TRUE(Answered(agree.code("neutral"), 0.5));
  EXPECT_TRUE(Answered(agree.code("neither agree nor disagree"), 0.5));
}

TEST(ItemCoderRss, YesNoWithNotApplicable) {
  const Instrument ins = rss();
  const ItemCoder yn(scale(ins, "yes_no_na"), false);
  EXPECT_TRUE(Answered(yn.code("yes"), 1.0));
  EXPECT_TRUE(Answered(yn.code("0"), 0.0));
  EXPECT_TRUE(Missing(yn.code("not_applicable"), Reason::not_applicable));
  EXPECT_TRUE(Missing(yn.code("77"), Reason::not_applicable));
  EXPECT_TRUE(Missing(yn.code("Not applicable"), Reason::not_applicable));
  EXPECT_TRUE(Missing(yn.code("2"), Reason::out_of_range));
}

TEST(CoderRss, ReverseItemsOfTheInstrument) {
  const Instrument ins = rss();
  const Coder coder(ins);
  ASSERT_EQ(26u, coder.items());
  const std::size_t food = ins.item_index("food_reduced");            // frequency5, reversed
  const std::size_t social = ins.item_index("social_participation");  // frequency5
  ASSERT_NE(Instrument::npos, food);
  ASSERT_TRUE(ins.items[food].reverse);
  ASSERT_FALSE(ins.items[social].reverse);
  EXPECT_TRUE(Answered(coder.item(food).code("never"), 1.0));
  EXPECT_TRUE(Answered(coder.item(food).code("often"), 0.25));
  EXPECT_TRUE(Answered(coder.item(food).code("5"), 0.0));
  EXPECT_TRUE(Answered(coder.item(social).code("never"), 0.0));
  EXPECT_TRUE(Answered(coder.item(social).code("often"), 0.75));
  const std::size_t psych = ins.item_index("wants_psych_support");  // yes_no, reversed
  EXPECT_TRUE(Answered(coder.item(psych).code("yes"), 0.0));
  EXPECT_TRUE(Missing(coder.item(psych).code("refused"), Reason::refused));
  EXPECT_THROW((void)coder.item(26), std::out_of_range);
}

// ---- Coder ------------------------------------------------------------------------------

TEST(Coder, OneItemCoderPerItemInInstrumentOrder) {
  const Instrument ins = mini();
  const Coder coder(ins);
  ASSERT_EQ(7u, coder.items());
  EXPECT_TRUE(Answered(coder.item(0).code("high"), 1.0));                // e1 lik3
  EXPECT_TRUE(Answered(coder.item(1).code("yes"), 0.0));                 // e2 yn, reversed
  EXPECT_TRUE(Answered(coder.item(2).code("4"), 0.4));                   // e3 count
  EXPECT_TRUE(Answered(coder.item(4).code("high"), 0.0));                // s2 lik3, reversed
  EXPECT_TRUE(Missing(coder.item(6).code("na"), Reason::invalid_code));  // p2 yn: no N/A
}

TEST(Coder, CodeColumnFillsACodedBlock) {
  const Instrument ins = mini();
  const Coder coder(ins);
  CodedBlock b;
  b.resize(5, 7);
  b.values.setConstant(-1);
  b.reasons.setConstant(255);
  const std::vector<std::string> e1 = {"low", "3", "Refused", "", "bogus"};
  const std::vector<std::string_view> e3 = {"7.50", "11", "98", " ", "0"};
  coder.code_column(0, e1, b);
  coder.code_column(2, e3, b);
  EXPECT_EQ(5, b.rows());
  EXPECT_EQ(7, b.items());
  // Column 0.
  EXPECT_EQ(Reason::answered, b.reason(0, 0));
  EXPECT_DOUBLE_EQ(0.0, b.values(0, 0));
  EXPECT_EQ(Reason::answered, b.reason(1, 0));
  EXPECT_DOUBLE_EQ(1.0, b.values(1, 0));
  EXPECT_EQ(Reason::refused, b.reason(2, 0));
  EXPECT_TRUE(std::isnan(b.values(2, 0)));
  EXPECT_EQ(Reason::skipped, b.reason(3, 0));
  EXPECT_TRUE(std::isnan(b.values(3, 0)));
  EXPECT_EQ(Reason::invalid_code, b.reason(4, 0));
  EXPECT_TRUE(std::isnan(b.values(4, 0)));
  // Column 2.
  EXPECT_EQ(Reason::answered, b.reason(0, 2));
  EXPECT_DOUBLE_EQ(0.75, b.values(0, 2));
  EXPECT_EQ(Reason::out_of_range, b.reason(1, 2));
  EXPECT_EQ(Reason::dont_know, b.reason(2, 2));
  EXPECT_EQ(Reason::skipped, b.reason(3, 2));
  EXPECT_EQ(Reason::answered, b.reason(4, 2));
  EXPECT_DOUBLE_EQ(0.0, b.values(4, 2));
  // Other columns are left alone.
  for (Eigen::Index r = 0; r < 5; ++r) {
    EXPECT_DOUBLE_EQ(-1.0, b.values(r, 1));
    EXPECT_EQ(255, b.reasons(r, 1));
  }
  // Values are NaN exactly where the reason is not `answered`.
  for (Eigen::Index r = 0; r < 5; ++r)
    for (Eigen::Index k : {0, 2})
      EXPECT_EQ(b.reason(r, k) != Reason::answered, std::isnan(b.values(r, k))) << r << "," << k;
  EXPECT_THROW(coder.code_column(7, e1, b), std::out_of_range);
}

// The perfect-hash table (all three lookups) must agree with a std::unordered_map on every key and
// on near-misses: strings of every length from 0 to 300 (across the 3/8/16-byte load boundaries and
// the 255-byte limit of a slot), the same bytes shifted, a byte changed at every position, and
// prefixes and suffixes.
TEST(CodeTable, AgreesWithAHashMapOnKeysAndNearMisses) {
  std::mt19937_64 rng(20261127);
  std::uniform_int_distribution<int> byte('a', 'z');
  std::unordered_map<std::string, double> ref;
  detail::CodeTable table;
  std::vector<std::string> keys;
  for (std::size_t len = 0; len <= 300; len += (len < 40 ? 1 : 37)) {
    std::string k;
    for (std::size_t i = 0; i < len; ++i) k += static_cast<char>(byte(rng));
    keys.push_back(k);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const double v = static_cast<double>(i);
    ref.emplace(keys[i], v);
    table.insert(keys[i], CodedCell{v, Reason::answered});
    table.insert(keys[i], CodedCell{-1.0, Reason::answered});  // first spelling wins
  }
  std::vector<std::string> probes = keys;
  for (const auto& k : keys) {
    for (std::size_t i = 0; i < k.size(); ++i) {
      std::string m = k;
      m[i] = static_cast<char>(m[i] == 'A' ? 'B' : 'A');
      probes.push_back(m);
    }
    if (!k.empty()) {
      probes.push_back(k.substr(1));
      probes.push_back(k.substr(0, k.size() - 1));
    }
    probes.push_back(k + "x");
    probes.push_back("x" + k);
  }
  std::size_t hits = 0;
  for (const auto& p : probes) {
    const auto it = ref.find(p);
    const CodedCell* cell = table.find(p);
    CodedCell copy;
    const bool found = table.find(p, copy);
    // find_padded reads 16 bytes past the string: make them anything but zero.
    const std::string padded = p + std::string(16, 'Z');
    CodedCell fast;
    const bool found_padded = table.find_padded(std::string_view(padded).substr(0, p.size()), fast);
    ASSERT_EQ(cell != nullptr, it != ref.end()) << "length " << p.size();
    ASSERT_EQ(found, it != ref.end()) << "length " << p.size();
    ASSERT_EQ(found_padded, it != ref.end()) << "length " << p.size();
    if (found_padded) {
      EXPECT_EQ(fast.value, it->second);
    }
    if (it == ref.end()) continue;
    ++hits;
    EXPECT_EQ(cell->value, it->second);
    EXPECT_EQ(copy.value, it->second);
    EXPECT_EQ(copy.reason, Reason::answered);
  }
  EXPECT_GE(hits, keys.size());
}

namespace {

// Every key is found with its own cell, through all three lookups, and near-misses are not.
void ExpectTableHolds(const detail::CodeTable& table, const std::vector<std::string>& keys) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string padded = keys[i] + std::string(16, 'Z');
    const std::string_view view = std::string_view(padded).substr(0, keys[i].size());
    CodedCell a, b;
    ASSERT_TRUE(table.find(keys[i], a)) << i;
    ASSERT_TRUE(table.find_padded(view, b)) << i;
    ASSERT_EQ(a.value, static_cast<double>(i));
    ASSERT_EQ(b.value, static_cast<double>(i));
    const std::string miss = keys[i] + "#";
    ASSERT_EQ(table.find(miss), nullptr) << i;
  }
}

detail::CodeTable BuildTable(const std::vector<std::string>& keys) {
  detail::CodeTable table;
  for (std::size_t i = 0; i < keys.size(); ++i)
    table.insert(keys[i], CodedCell{static_cast<double>(i), Reason::answered});
  table.build();
  return table;
}

}  // namespace

// An instrument file is untrusted: building the table of a scale must end in bounded time
// for any set of codes. These sets defeated the old search for a perfect hash (it grew the
// table without bound for keys that agree in their first 16 bytes and length).
TEST(CodeTable, KeysSharingLongPrefixesAndLengths) {
  std::vector<std::string> keys;
  for (int i = 0; i < 10000; ++i) {
    std::string k(40, 'p');  // same 40-byte prefix and the same length for all
    const std::string n = std::to_string(100000 + i);
    k.replace(k.size() - n.size(), n.size(), n);
    keys.push_back(k);
  }
  const auto table = BuildTable(keys);
  EXPECT_FALSE(table.perfect());  // too many keys for the perfect layout: linear probing
  EXPECT_EQ(table.size(), keys.size());
  ExpectTableHolds(table, keys);
}

TEST(CodeTable, SmallScalesGetTheOneProbeLayout) {
  // Lengths 17 to 40 with a shared 16-byte prefix: separated by hashing all their bytes.
  std::vector<std::string> keys;
  for (int i = 0; i < 24; ++i) keys.push_back(std::string(16 + i / 8 + 1, 's') + std::to_string(i));
  keys.push_back("");
  keys.push_back(std::string("a\0b", 3));  // NUL bytes are key bytes too
  keys.push_back(std::string("a\0", 2));
  keys.push_back("very_satisfied");
  const auto table = BuildTable(keys);
  EXPECT_TRUE(table.perfect());
  ExpectTableHolds(table, keys);
}

TEST(CodeTable, EqualLengthKeysInEveryCount) {
  for (std::size_t n : {1u, 10u, 63u, 64u, 65u, 100u, 1000u}) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < n; ++i) {
      std::string k = std::to_string(i);
      keys.push_back(std::string(8 - std::min<std::size_t>(8, k.size()), '0') + k);
    }
    const auto table = BuildTable(keys);
    EXPECT_EQ(table.perfect(), n <= 64) << n;  // the search is only tried on small sets
    ExpectTableHolds(table, keys);
  }
}

// Numbers in cells: one rule for decimals a double cannot hold (docs/instrument-format.md).
TEST(ParseDecimal, TooLargeIsAnOutOfRangeNumberTooSmallRoundsToZero) {
  double x = 1;
  EXPECT_EQ(detail::parse_decimal("1e400", x), detail::Decimal::too_large);
  EXPECT_EQ(x, std::numeric_limits<double>::infinity());
  EXPECT_EQ(detail::parse_decimal("-123456789e302", x), detail::Decimal::too_large);
  EXPECT_EQ(x, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(detail::parse_decimal("1e-400", x), detail::Decimal::number);
  EXPECT_EQ(x, 0.0);
  EXPECT_EQ(detail::parse_decimal("0.000001e-318", x), detail::Decimal::number);
  EXPECT_EQ(x, 0.0);
  EXPECT_EQ(detail::parse_decimal("4e-320", x), detail::Decimal::number);  // subnormal
  EXPECT_EQ(x, 4e-320);
  EXPECT_EQ(detail::parse_decimal("+2", x), detail::Decimal::number);
  EXPECT_EQ(x, 2.0);
  for (const char* bad : {"", "+", "+-2", "++2", "inf", "nan", "0x10", "1e", "1.2.3", " 1"})
    EXPECT_EQ(detail::parse_decimal(bad, x), detail::Decimal::not_a_number) << bad;
  EXPECT_FALSE(detail::parse_number("1e400", x));  // not a finite number for weights
  EXPECT_TRUE(detail::parse_number("1e-400", x));
}

TEST(ItemCoder, NumbersTooLargeForADoubleAreOutOfRange) {
  Scale numeric;
  numeric.id = "n";
  numeric.type = ScaleType::numeric;
  numeric.min = 0;
  numeric.max = 10;
  const ItemCoder c(numeric, false);
  EXPECT_EQ(c.code("1e400").reason, Reason::out_of_range);
  EXPECT_EQ(c.code("-1e400").reason, Reason::out_of_range);
  const CodedCell tiny = c.code("1e-400");
  EXPECT_EQ(tiny.reason, Reason::answered);
  EXPECT_EQ(tiny.value, 0.0);
}
