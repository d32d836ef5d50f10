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

// -- copied columns (--id, --keep) of malformed rows, and JSON that is always UTF-8 -------

#include "io/csv_reader.hpp"

#include <reinscore/instrument.hpp>

#include <boost/json.hpp>

#include <memory>
#include <sstream>
#include <vector>

namespace {

using reinscore::io::OutputFormat;

const reinscore::Instrument& mini() {
  static const auto ins =
      reinscore::Instrument::load(std::string(REINSCORE_TEST_DATA_DIR) + "/instruments/mini.json");
  return ins;
}

struct Scored {
  std::vector<std::string> lines;  // output lines, header first for CSV
  std::string text;
};

Scored score_csv(const std::string& csv, OutputFormat format, const std::vector<std::string>& pass,
                 std::shared_ptr<const reinscore::io::Pseudonymiser> pseudonymiser = {},
                 std::vector<bool> pseudonymise = {}) {
  reinscore::io::OpenOptions opts;
  opts.delimiter = ',';
  auto reader = reinscore::io::make_csv_reader(std::make_unique<std::istringstream>(csv),
                                               "test.csv", csv.size(), opts);
  const auto binding = reinscore::io::bind_columns(mini(), reader->header(), {});
  reinscore::io::WriterConfig cfg;
  cfg.format = format;
  for (const auto& name : pass)
    for (std::size_t c = 0; c < binding.header.size(); ++c)
      if (binding.header[c] == name) cfg.pass_columns.push_back(c);
  cfg.pseudonymiser = std::move(pseudonymiser);
  cfg.pseudonymise = std::move(pseudonymise);
  std::ostringstream out;
  reinscore::io::ScoreWriter writer(out, mini(), binding, cfg);
  const reinscore::io::BatchScorer scorer(mini(), mini().weights(), binding);
  writer.write_header();
  reinscore::io::RecordBatch batch;
  reinscore::io::BatchResult res;
  std::string buf;
  while (reader->next(batch, 3)) {  // several batches
    scorer.run(batch, res);
    writer.format(batch, res, scorer.scorer(), buf);
    writer.write(buf);
  }
  Scored s;
  s.text = out.str();
  std::istringstream lines(s.text);
  for (std::string line; std::getline(lines, line);) s.lines.push_back(line);
  return s;
}

const std::string kHeader = "id,e1,e2,e3,s1,s2,p1,p2,note\n";
// Row 2 clean; row 3 split at the wrong delimiter (one field holding every answer);
// row 4 too short; row 5 an id that is not UTF-8; row 6 a note that is not UTF-8.
const std::string kRows =
    "A1,low,yes,2,mid,high,low,no,x\n"
    "A2;low;yes;2;mid;high;low;no;secret answer\n"
    "A3,low,yes\n"
    "A\xE9"
    "4,low,yes,2,mid,high,low,no,x\n"
    "A5,low,yes,2,mid,high,low,no,caf\xE9\n";

}  // namespace

TEST(ScoreWriterPassColumns, CopiedOnlyWhenTheFieldWasReadCleanly) {
  const auto s = score_csv(kHeader + kRows, OutputFormat::csv, {"id", "note"});
  ASSERT_EQ(s.lines.size(), 6u);
  EXPECT_EQ(s.lines[0].rfind("id,note,", 0), 0u);
  EXPECT_EQ(s.lines[1].rfind("A1,x,", 0), 0u);
  // The wrong-delimiter row: nothing of its raw line reaches any column.
  EXPECT_EQ(s.lines[2].rfind(",,", 0), 0u) << s.lines[2];
  EXPECT_EQ(s.text.find("secret"), std::string::npos);
  EXPECT_EQ(s.text.find("low;yes"), std::string::npos);
  EXPECT_NE(s.lines[2].find("id: id_unreadable: ragged_row"), std::string::npos) << s.lines[2];
  EXPECT_NE(s.lines[2].find("note: id_unreadable: ragged_row"), std::string::npos);
  EXPECT_EQ(s.lines[3].rfind(",,", 0), 0u) << s.lines[3];
  EXPECT_NE(s.lines[3].find("ragged_row: 3 fields, header has 9"), std::string::npos);
  EXPECT_NE(s.lines[3].find("id: id_unreadable: ragged_row"), std::string::npos);
  // An id that is not UTF-8 is left empty and flagged; the clean note is kept.
  EXPECT_EQ(s.lines[4].rfind(",x,", 0), 0u) << s.lines[4];
  EXPECT_NE(s.lines[4].find("id: id_unreadable: invalid_utf8"), std::string::npos);
  EXPECT_EQ(s.lines[4].find("note: id_unreadable"), std::string::npos);
  // A clean id is kept even when another field of the row is not UTF-8.
  EXPECT_EQ(s.lines[5].rfind("A5,,", 0), 0u) << s.lines[5];
  EXPECT_NE(s.lines[5].find("note: id_unreadable: invalid_utf8"), std::string::npos);
  EXPECT_EQ(s.lines[5].find("id: id_unreadable"), std::string::npos);
}

TEST(ScoreWriterPassColumns, JsonLinesAreValidUtf8AndNeverCarryTheRawLine) {
  const auto s = score_csv(kHeader + kRows, OutputFormat::jsonl, {"id", "note"});
  ASSERT_EQ(s.lines.size(), 5u);
  const std::vector<std::string> ids = {"A1", "", "", "", "A5"};
  for (std::size_t i = 0; i < s.lines.size(); ++i) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(s.lines[i], ec);  // rejects invalid UTF-8
    ASSERT_FALSE(ec) << "line " << i << ": " << ec.message();
    EXPECT_EQ(v.at("id").as_string(), ids[i]);
  }
  EXPECT_EQ(s.text.find("secret"), std::string::npos);
}

TEST(AppendJsonString, ReplacesInvalidBytesWithReplacementCharacter) {
  const auto json = [](std::string_view s) {
    std::string out;
    reinscore::io::append_json_string(out, s);
    return out;
  };
  EXPECT_EQ(json("plain"), "\"plain\"");
  EXPECT_EQ(json("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(json("caf\xE9"), "\"caf\xEF\xBF\xBD\"");
  EXPECT_EQ(json("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate
  EXPECT_EQ(json("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // an overlong '/'
  EXPECT_EQ(json("\xF4\x90\x80\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(json("a\xF0\x9F\x98"), "\"a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // cut short
  for (const std::string s : {"caf\xE9", "\xFF\xFE", "x\x80y\"q\\\n"}) {
    boost::system::error_code ec;
    boost::json::parse(json(s), ec);
    EXPECT_FALSE(ec) << ec.message();
  }
}

TEST(ScoreWriterPseudonymise, IdsAndChosenKeptColumnsOnly) {
  reinscore::io::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i + 1);
  const auto p = std::make_shared<const reinscore::io::Pseudonymiser>(key);
  const std::string csv = kHeader + "A1,low,yes,2,mid,high,low,no,x\n" +
                          " A1 ,low,yes,2,mid,high,low,no,x\n" + ",low,yes,2,mid,high,low,no,x\n" +
                          "A2;low;yes;2;mid;high;low;no;secret\n";
  const auto s = score_csv(csv, OutputFormat::csv, {"id", "note"}, p, {true, false});
  ASSERT_EQ(s.lines.size(), 5u);
  const std::string a1 = (*p)("A1");
  ASSERT_EQ(a1.size(), 32u);
  EXPECT_EQ(s.lines[1].rfind(a1 + ",x,", 0), 0u) << s.lines[1];
  EXPECT_EQ(s.lines[2].rfind(a1 + ",x,", 0), 0u) << "ids are trimmed as panel trims them";
  EXPECT_EQ(s.lines[3].rfind(",x,", 0), 0u) << "an empty id stays empty";
  EXPECT_EQ(s.lines[4].rfind(",,", 0), 0u) << "an unreadable id stays empty";
  EXPECT_EQ(s.text.find("A1"), std::string::npos);
}
