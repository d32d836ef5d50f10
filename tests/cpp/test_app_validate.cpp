// app::validate_file / validate_frame / DelimiterCheck (include/reinscore/app/validate.hpp):
// counts checked against small inputs worked out by hand.
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/validate.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using reinscore::Instrument;
using namespace reinscore::app;

namespace {

const Instrument& mini() {
  static const Instrument ins = Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json");
  return ins;
}

class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text) {
    path_ = fs::temp_directory_path() /
            ("reinscore-test-app-validate-" + std::to_string(std::random_device{}()) + "-" + name);
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

std::vector<std::string> texts(const Table& t, const std::string& column) {
  const Column& c = t.at(column);
  std::vector<std::string> out;
  for (std::size_t r = 0; r < t.rows(); ++r)
    out.push_back(c.cell(r) == Cell::value ? c.text[r] : "<missing>");
  return out;
}

std::vector<double> numbers(const Table& t, const std::string& column) {
  const Column& c = t.at(column);
  std::vector<double> out;
  for (std::size_t r = 0; r < t.rows(); ++r)
    out.push_back(c.cell(r) == Cell::value ? c.values[r] : -1);
  return out;
}

double summary(const Report& r, const std::string& column) {
  return r.table("summary").at(column).values.at(0);
}

// Rows (spreadsheet numbers, header = 1):
//  2 clean; 3 e1 "lo w" (invalid), e3 11 (out of range); 4 blank; 5 ragged;
//  6 e1 " lo w " (the same answer once trimmed), s1 dk, s2 ref, p1 na, p2 "1" (yes);
//  7 e3 -1 (out of range), s1 "zz" (invalid).
const char* const kExport =
    "id,e1,e2,e3,s1,s2,p1,p2\n"
    "A,low,yes,3,mid,high,low,no\n"
    "B,lo w,yes,11,mid,high,low,no\n"
    ",,,,,,,\n"
    "C,mid,maybe\n"
    "D, lo w ,no,2,dk,ref,na,1\n"
    "E,high,yes,-1,zz,high,low,no\n";

}  // namespace

TEST(AppValidate, CountsRowsAndAnswersOfAFile) {
  const TempFile f("export.csv", kExport);
  const Report r = validate_file(f.path(), mini(), {}, ValidateRequest{});
  EXPECT_EQ(r.command, "validate");
  EXPECT_EQ(summary(r, "rows"), 6);
  EXPECT_EQ(summary(r, "columns"), 8);
  EXPECT_EQ(r.table("summary").at("delimiter").text.at(0), ",");
  EXPECT_EQ(summary(r, "items"), 7);
  EXPECT_EQ(summary(r, "items_matched"), 7);
  EXPECT_EQ(summary(r, "invalid_rows"), 5);  // rows 3, 6, 7 (answers), 4 (blank), 5 (ragged)
  EXPECT_EQ(r.table("summary").at("result").text.at(0), "problems found");
  EXPECT_FALSE(is_clean(r));

  const Table& p = r.table("problems");
  EXPECT_EQ(texts(p, "rule"),
            (std::vector<std::string>{"ragged_row", "empty_row", "invalid_code", "out_of_range",
                                      "out_of_range", "invalid_code"}));
  EXPECT_EQ(texts(p, "column"),
            (std::vector<std::string>{"<missing>", "<missing>", "e1", "e3", "e3", "s1"}));
  // Answers numbered per column in the order of their text: "-1" before "11".
  EXPECT_EQ(texts(p, "answer"),
            (std::vector<std::string>{"<missing>", "<missing>", "#1", "#1", "#2", "#1"}));
  EXPECT_EQ(numbers(p, "count"), (std::vector<double>{1, 1, 2, 1, 1, 1}));
  EXPECT_EQ(texts(p, "rows"), (std::vector<std::string>{"5", "4", "3, 6", "7", "3", "7"}));
  for (const auto& m : texts(p, "message")) {
    EXPECT_NE(m, "<missing>");
    EXPECT_EQ(m.find("lo w"), std::string::npos) << "no answer in a message";
  }

  const Table& rows = r.table("problem_rows");
  EXPECT_EQ(numbers(rows, "problem"), (std::vector<double>{1, 2, 3, 3, 4, 5, 6}));
  EXPECT_EQ(numbers(rows, "row"), (std::vector<double>{5, 4, 3, 6, 7, 3, 7}));

  // Cells of the 4 rows that are neither blank nor ragged, per reason.
  const Table& cells = r.table("cells");
  EXPECT_EQ(texts(cells, "column"),
            (std::vector<std::string>{"e1", "e2", "e3", "s1", "s2", "p1", "p2"}));
  EXPECT_EQ(numbers(cells, "answered"), (std::vector<double>{2, 4, 2, 2, 3, 3, 4}));
  EXPECT_EQ(numbers(cells, "invalid_code"), (std::vector<double>{2, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(numbers(cells, "out_of_range"), (std::vector<double>{0, 0, 2, 0, 0, 0, 0}));
  EXPECT_EQ(numbers(cells, "dont_know"), (std::vector<double>{0, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(numbers(cells, "refused"), (std::vector<double>{0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(numbers(cells, "not_applicable"), (std::vector<double>{0, 0, 0, 0, 0, 1, 0}));

  ASSERT_EQ(r.notes.size(), 1u);  // answers withheld
  EXPECT_NE(r.notes[0].text.find("--show-codes"), std::string::npos);
  const std::string everything = render(r, Format::json) + render(r, Format::table);
  for (const char* answer : {"lo w", "zz", "maybe"})
    EXPECT_EQ(everything.find(answer), std::string::npos) << answer;
}

TEST(AppValidate, ShowCodesShowsTrimmedAnswers) {
  const TempFile f("export.csv", kExport);
  ValidateRequest req;
  req.show_codes = true;
  const Report r = validate_file(f.path(), mini(), {}, req);
  EXPECT_EQ(texts(r.table("problems"), "answer"),
            (std::vector<std::string>{"<missing>", "<missing>", "lo w", "-1", "11", "zz"}));
  EXPECT_TRUE(r.notes.empty());
}

TEST(AppValidate, AFrameGivesTheSameAnswersAtPositions) {
  // Rows 2, 3, 6 and 7 of kExport as a frame: e3 numeric, the others factorised text.
  std::vector<FrameColumn> cols;
  const auto text = [&](std::string name, std::vector<std::int64_t> code,
                        std::vector<std::string> levels) {
    FrameColumn c;
    c.name = std::move(name);
    c.code = std::move(code);
    c.levels = std::move(levels);
    cols.push_back(std::move(c));
  };
  text("e1", {0, 1, 2, 3}, {"low", "lo w", " lo w ", "high"});
  text("e2", {0, 0, 1, 0}, {"yes", "no"});
  FrameColumn e3;
  e3.name = "e3";
  e3.numeric = true;
  e3.number = {3, 11, 2, -1};
  cols.push_back(e3);
  text("s1", {0, 0, 1, 2}, {"mid", "dk", "zz"});
  text("s2", {0, 0, 1, 0}, {"high", "ref"});
  text("p1", {0, 0, 1, -1}, {"low", "na"});  // -1: an empty cell (skipped)
  text("p2", {0, 0, 1, 0}, {"no", "1"});
  ValidateRequest req;
  req.show_codes = true;
  const Report r = validate_frame(cols, mini(), {}, req);
  EXPECT_EQ(summary(r, "rows"), 4);
  EXPECT_EQ(summary(r, "invalid_rows"), 3);
  EXPECT_EQ(r.table("summary").at("delimiter").cell(0), Cell::missing);
  const Table& p = r.table("problems");
  EXPECT_EQ(texts(p, "answer"), (std::vector<std::string>{"lo w", "-1", "11", "zz"}));
  EXPECT_EQ(texts(p, "rows"), (std::vector<std::string>{"2, 3", "4", "2", "4"}));
  EXPECT_EQ(numbers(r.table("cells"), "skipped"), (std::vector<double>{0, 0, 0, 0, 0, 1, 0}));
}

TEST(AppValidate, HeaderProblemsAndNoRows) {
  const TempFile f("header.csv", "id,e1,e2,e3,s1,s2,p1\n");
  const Report r = validate_file(f.path(), mini(), {}, ValidateRequest{});
  const Table& p = r.table("problems");
  EXPECT_EQ(texts(p, "rule"), (std::vector<std::string>{"no_data_rows", "missing_column"}));
  EXPECT_EQ(texts(p, "column"), (std::vector<std::string>{"<missing>", "p2"}));
  EXPECT_EQ(summary(r, "items_matched"), 6);
  EXPECT_EQ(summary(r, "rows"), 0);
  EXPECT_FALSE(is_clean(r));
}

TEST(AppValidate, CleanFile) {
  const TempFile f("clean.csv", "e1;e2;e3;s1;s2;p1;p2\nlow;yes;3;mid;high;low;no\n");
  const Report r = validate_file(f.path(), mini(), {}, ValidateRequest{});
  EXPECT_TRUE(is_clean(r));
  EXPECT_EQ(r.table("summary").at("result").text.at(0), "clean");
  EXPECT_EQ(r.table("summary").at("delimiter").text.at(0), ";");
  EXPECT_EQ(r.table("problems").rows(), 0u);
  EXPECT_TRUE(r.notes.empty());
}

TEST(AppValidate, ColumnMapBindsRenamedColumns) {
  const TempFile f("renamed.csv", "E1,e2,e3,s1,s2,p1,p2\nlow,yes,3,mid,high,low,no\n");
  EXPECT_FALSE(is_clean(validate_file(f.path(), mini(), {}, ValidateRequest{})));
  EXPECT_TRUE(is_clean(validate_file(f.path(), mini(), {{"E1", "e1"}}, ValidateRequest{})));
}

TEST(AppValidate, ListsFiftyAnswersPerColumnAndCountsTheRest) {
  std::string text = "e1,e2,e3,s1,s2,p1,p2\n";
  for (int i = 0; i < 60; ++i) text += "bad" + std::to_string(100 + i) + ",yes,3,mid,high,low,no\n";
  const TempFile f("many.csv", text);
  const Report r = validate_file(f.path(), mini(), {}, ValidateRequest{});
  const Table& p = r.table("problems");
  ASSERT_EQ(p.rows(), max_answers_listed + 1);
  EXPECT_EQ(p.at("answer").cell(max_answers_listed), Cell::missing);
  EXPECT_EQ(p.at("count").values.at(max_answers_listed), 10);
  EXPECT_EQ(p.at("rows").cell(max_answers_listed), Cell::missing);
  EXPECT_EQ(summary(r, "invalid_rows"), 60);
}

TEST(AppValidate, FirstRowsOnlyAreListed) {
  std::string text = "e1,e2,e3,s1,s2,p1,p2\n";
  for (int i = 0; i < 7; ++i) text += "bad,yes,3,mid,high,low,no\n";
  const TempFile f("seven.csv", text);
  const Report r = validate_file(f.path(), mini(), {}, ValidateRequest{});
  const Table& p = r.table("problems");
  EXPECT_EQ(texts(p, "rows"), (std::vector<std::string>{"2, 3, 4, 5, 6, ..."}));
  EXPECT_EQ(p.at("count").values.at(0), 7);
  EXPECT_EQ(r.table("problem_rows").rows(), max_rows_listed);
}

TEST(AppValidate, ControlBytesOfAnAnswerAreNotPrinted) {
  const TempFile f("escape.csv", "e1,e2,e3,s1,s2,p1,p2\n\x1b[31mred,yes,3,mid,high,low,no\n");
  ValidateRequest req;
  req.show_codes = true;
  const Report r = validate_file(f.path(), mini(), {}, req);
  EXPECT_EQ(r.table("problems").at("answer").text.at(0), "?[31mred");
}

TEST(AppValidate, DelimiterMismatchIsAProblem) {
  // The header is split at ',' (three columns), each row holds one field with ';'.
  const TempFile f("mixed.csv", "e1,e2,e3\nlow;yes;3\nmid;no;4\nhigh;yes;5\n");
  const Report r = validate_file(f.path(), mini(), {}, ValidateRequest{});
  const Table& p = r.table("problems");
  ASSERT_GE(p.rows(), 1u);
  EXPECT_EQ(p.at("rule").text.at(0), "delimiter_mismatch");
  EXPECT_NE(p.at("message").text.at(0).find("3 of 3 rows are a single field"), std::string::npos);
}

TEST(AppValidate, DelimiterOption) {
  EXPECT_EQ(delimiter_option(""), 0);
  EXPECT_EQ(delimiter_option("tab"), '\t');
  EXPECT_EQ(delimiter_option("\\t"), '\t');
  EXPECT_EQ(delimiter_option(";"), ';');
  for (const char* bad : {"ab", "\"", "\n", "\xc3\xa9"}) {
    try {
      (void)delimiter_option(bad);
      ADD_FAILURE() << bad;
    } catch (const option_error& e) {
      EXPECT_EQ(e.option(), "--delimiter");
      EXPECT_EQ(e.rule(), "bad_option");
    }
  }
  ValidateRequest req;
  req.delimiter = "::";
  EXPECT_THROW(req.check(), option_error);
}

TEST(AppValidate, UnreadableFileThrowsTheReadersError) {
  EXPECT_THROW(validate_file("/no/such/export.csv", mini(), {}, ValidateRequest{}), std::exception);
}

TEST(DelimiterCheck, OneColumnHeaderHoldingAnotherDelimiter) {
  const DelimiterCheck c({"a;b;c"}, ',');
  const std::string p = c.problem();
  EXPECT_NE(p.find("single column holding ';'"), std::string::npos) << p;
  EXPECT_NE(p.find("split at ','"), std::string::npos) << p;
}

TEST(DelimiterCheck, MostRowsUnsplit) {
  DelimiterCheck c({"a", "b", "c"}, ',');
  for (int i = 0; i < 3; ++i) c.add(1, "x;y;z");
  c.add(3, "x");
  EXPECT_NE(c.problem().find("3 of 4 rows are a single field"), std::string::npos) << c.problem();
}

TEST(DelimiterCheck, MostRowsTooWide) {
  DelimiterCheck c({"a", "b"}, ';');
  c.add(5, "x");
  c.add(5, "x");
  c.add(2, "x");
  EXPECT_NE(c.problem().find("2 of 3 rows have more than twice the header's 2 fields"),
            std::string::npos)
      << c.problem();
}

TEST(DelimiterCheck, AFewOddRowsAreNotAMismatch) {
  DelimiterCheck c({"a", "b", "c"}, ',');
  c.add(1, "x;y");
  c.add(3, "x");
  EXPECT_EQ(c.problem(), "");                                // half the rows or fewer
  EXPECT_EQ(DelimiterCheck({"a", "b"}, ',').problem(), "");  // no rows at all
}
