// Tests for src/io/csv_reader.hpp: RFC 4180 tokenizing, delimiter detection, record numbers,
// UTF-8 flags, file-level errors, and a property test comparing small-buffer reads with a
// simple reference parser.
#include "io/csv_reader.hpp"
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace {

using reinscore::input_error;
using reinscore::io::make_csv_reader;
using reinscore::io::OpenOptions;
using reinscore::io::RecordBatch;
using reinscore::io::TableReader;

using Rows = std::vector<std::vector<std::string>>;

const std::string kBad = std::string(REINSCORE_TEST_DATA_DIR) + "/bad/";

struct ReadResult {
  std::vector<std::string> header;
  Rows rows;
  std::vector<std::uint64_t> record;
  std::vector<std::uint8_t> flags;
};

std::unique_ptr<TableReader> open_string(const std::string& text, OpenOptions opts = {}) {
  return make_csv_reader(std::make_unique<std::istringstream>(text), "test.csv", text.size(), opts);
}

ReadResult drain(TableReader& reader, std::size_t max_rows = 1000) {
  ReadResult out;
  out.header = reader.header();
  RecordBatch batch;
  while (reader.next(batch, max_rows)) {
    EXPECT_LE(batch.rows(), max_rows);
    EXPECT_EQ(batch.offsets.size(), batch.rows() + 1);
    EXPECT_EQ(batch.flags.size(), batch.rows());
    EXPECT_EQ(batch.offsets.back(), batch.fields.size());
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      std::vector<std::string> row;
      for (const auto f : batch.row(r)) {
        // Every field is a view into the batch's own storage.
        if (!f.empty()) {
          EXPECT_GE(f.data(), batch.storage.data());
          EXPECT_LE(f.data() + f.size(), batch.storage.data() + batch.storage.size());
        }
        row.emplace_back(f);
      }
      out.rows.push_back(std::move(row));
      out.record.push_back(batch.record[r]);
      out.flags.push_back(batch.flags[r]);
    }
  }
  return out;
}

ReadResult read_string(const std::string& text, OpenOptions opts = {},
                       std::size_t max_rows = 1000) {
  auto reader = open_string(text, opts);
  return drain(*reader, max_rows);
}

/// Runs `fn` and returns the input_error it throws (fails the test if it throws none).
template <class Fn>
input_error expect_input_error(Fn&& fn) {
  try {
    fn();
  } catch (const input_error& e) {
    return e;
  }
  ADD_FAILURE() << "expected reinscore::input_error";
  return input_error("none", "none");
}

// ---------------------------------------------------------------------------------------------
// Reference parser: a byte-at-a-time reading of the same rules, written for clarity only.

bool ref_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

ReadResult reference_parse(std::string s, char d) {
  ReadResult out;
  if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.erase(0, 3);
  std::size_t i = 0;
  const std::size_t n = s.size();
  std::uint64_t row_number = 1;
  while (i < n) {
    std::vector<std::string> row;
    bool valid = true;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string field;
      if (i < n && s[i] == '"') {
        ++i;
        for (;;) {
          if (i == n) throw std::runtime_error("unterminated");
          if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          field += s[i++];
        }
        if (i < n && s[i] != d && s[i] != '\n' && s[i] != '\r') throw std::runtime_error("bad");
      } else {
        while (i < n && s[i] != d && s[i] != '\n' && s[i] != '\r') {
          if (s[i] == '"') throw std::runtime_error("bad");
          field += s[i++];
        }
      }
      valid = valid && ref_valid_utf8(field);
      row.push_back(field);
      if (i == n) {
        end_of_record = true;
      } else if (s[i] == d) {
        ++i;
      } else {  // line break
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ++i;
        ++i;
        end_of_record = true;
      }
    }
    if (row_number == 1) {
      out.header = row;  // untrimmed; the generator writes no surrounding spaces
    } else {
      out.rows.push_back(row);
      out.record.push_back(row_number);
      out.flags.push_back(valid ? 0 : 1);
    }
    ++row_number;
  }
  return out;
}

/// Random well-formed CSV: quoted fields with delimiters, line breaks and doubled quotes,
/// multi-byte and invalid UTF-8, ragged rows, blank lines, LF/CRLF/CR, optional final break.
std::string random_csv(std::mt19937& rng, char d) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  // "\x0A" is a line feed (spelled so that clang-format keeps the list compact).
  static const std::vector<std::string> pieces = {
      "a", "bc", "very_satisfied", "never", "12", " ", "\xC3\xA9", "\xE2\x82\xAC",
      "\xF0\x9F\x98\x80", ",", ";", "\t", "\"", "\x0A", "\r\x0A", "x y",
      // longer than the reader's 64-byte scan blocks, so that fields end in later blocks
      std::string(70, 'z')};
  std::string out;
  if (pick(4) == 0) out += "\xEF\xBB\xBF";
  const int columns = 2 + pick(4);
  const int records = pick(30);
  for (int r = 0; r <= records; ++r) {
    int fields = columns;
    if (r > 0 && pick(6) == 0) fields = 1 + pick(columns + 3);  // ragged
    for (int f = 0; f < fields; ++f) {
      if (f > 0) out += d;
      std::string value;
      if (r == 0) {
        value = "col" + std::to_string(f);
      } else {
        const int len = pick(4);
        for (int k = 0; k < len; ++k) value += pieces[pick(static_cast<int>(pieces.size()))];
        if (pick(25) == 0) value += '\xFF';  // invalid UTF-8
      }
      const bool needs_quotes = value.find_first_of(std::string("\"\r\n") + d) != std::string::npos;
      if (needs_quotes || pick(5) == 0) {
        std::string quoted = "\"";
        for (const char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        value = quoted + "\"";
      }
      out += value;
    }
    const bool last = r == records;
    if (!last || pick(2) == 0) {
      const int eol = pick(6);
      out += eol < 3 ? "\n" : (eol < 5 ? "\r\n" : "\r");
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

TEST(CsvReader, SimpleFile) {
  const auto res = read_string("interview_id,econ_satisfaction\nR1,very_satisfied\nR2,\n");
  EXPECT_EQ(res.header, (std::vector<std::string>{"interview_id", "econ_satisfaction"}));
  EXPECT_EQ(res.rows, (Rows{{"R1", "very_satisfied"}, {"R2", ""}}));
  EXPECT_EQ(res.record, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(res.flags, (std::vector<std::uint8_t>{0, 0}));
}

TEST(CsvReader, QuotedFieldsAreUnescaped) {
  const std::string text =
      "id,comment,last\n"
      "1,\"a,b\",x\n"
      "2,\"line one\nline two\",y\n"
      "3,\"she said \"\"yes\"\"\",z\n"
      "4,\"\",\"\"\"\"\n"
      "5,\"crlf\r\ninside\",\"end\"\n";
  const auto res = read_string(text);
  EXPECT_EQ(res.rows, (Rows{{"1", "a,b", "x"},
                            {"2", "line one\nline two", "y"},
                            {"3", "she said \"yes\"", "z"},
                            {"4", "", "\""},
                            {"5", "crlf\r\ninside", "end"}}));
}

TEST(CsvReader, QuotedHeaderNames) {
  const auto res = read_string("\"interview_id\",\"econ,satisfaction\"\n1,2\n");
  EXPECT_EQ(res.header, (std::vector<std::string>{"interview_id", "econ,satisfaction"}));
}

TEST(CsvReader, CrlfLineEndings) {
  const auto res = read_string("a,b\r\n1,2\r\n3,\r\n");
  EXPECT_EQ(res.header, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(res.rows, (Rows{{"1", "2"}, {"3", ""}}));
}

TEST(CsvReader, LoneCrEndsARecord) {
  const auto res = read_string("a,b\r1,2\r3,4");
  EXPECT_EQ(res.rows, (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(CsvReader, BomIsStripped) {
  const auto reader = open_string("\xEF\xBB\xBFinterview_id,x\n1,2\n");
  EXPECT_EQ(reader->header()[0], "interview_id");
}

TEST(CsvReader, BomAndCrlfFile) {
  auto reader = make_csv_reader(kBad + "bom_crlf.csv", {});
  const auto res = drain(*reader);
  EXPECT_EQ(res.header,
            (std::vector<std::string>{"interview_id", "econ_satisfaction", "food_reduced"}));
  EXPECT_EQ(res.rows, (Rows{{"R001", "very_satisfied", "never"}, {"R002", "satisfied", "rarely"}}));
  EXPECT_EQ(res.record, (std::vector<std::uint64_t>{2, 3}));
}

TEST(CsvReader, DetectsDelimiter) {
  EXPECT_EQ(open_string("a,b,c\n")->delimiter(), ',');
  EXPECT_EQ(open_string("a;b;c\n1;2;3\n")->delimiter(), ';');
  EXPECT_EQ(open_string("a\tb\tc\n")->delimiter(), '\t');
  EXPECT_EQ(open_string("abc\n")->delimiter(), ',');
  // Ties prefer ','; only characters outside quotes count; only the header line counts.
  EXPECT_EQ(open_string("a,b;c\n")->delimiter(), ',');
  EXPECT_EQ(open_string("a\tb,c\n")->delimiter(), ',');
  EXPECT_EQ(open_string("\"a,b,c\";d;e\n")->delimiter(), ';');
  EXPECT_EQ(open_string("a;b\n1,2,3,4,5\n")->delimiter(), ';');
  EXPECT_EQ(open_string("a;b\r\n1,2,3,4,5\r\n")->delimiter(), ';');
}

TEST(CsvReader, SemicolonAndTabFiles) {
  const auto semi = read_string("a;b\n\"1;2\";3\n");
  EXPECT_EQ(semi.header, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(semi.rows, (Rows{{"1;2", "3"}}));
  const auto tab = read_string("a\tb\n1,5\t3\n");
  EXPECT_EQ(tab.rows, (Rows{{"1,5", "3"}}));
}

TEST(CsvReader, DelimiterDetectedAcrossBlocks) {
  OpenOptions opts;
  opts.buffer_bytes = 4;
  auto reader = open_string("interview_id;econ_satisfaction;food_reduced\n1;2;3\n", opts);
  EXPECT_EQ(reader->delimiter(), ';');
  EXPECT_EQ(reader->header().size(), 3u);
}

TEST(CsvReader, ExplicitDelimiterOverridesDetection) {
  OpenOptions opts;
  opts.delimiter = ',';
  auto reader = make_csv_reader(kBad + "semicolon_wrong_delimiter.csv", opts);
  EXPECT_EQ(reader->delimiter(), ',');
  EXPECT_EQ(reader->header(),
            (std::vector<std::string>{"interview_id;econ_satisfaction;food_reduced"}));
}

TEST(CsvReader, SemicolonExportDetected) {
  auto reader = make_csv_reader(kBad + "semicolon_wrong_delimiter.csv", {});
  EXPECT_EQ(reader->delimiter(), ';');
  const auto res = drain(*reader);
  EXPECT_EQ(res.header,
            (std::vector<std::string>{"interview_id", "econ_satisfaction", "food_reduced"}));
  EXPECT_EQ(res.rows.size(), 2u);
  EXPECT_EQ(res.rows[0], (std::vector<std::string>{"R001", "very_satisfied", "never"}));
}

TEST(CsvReader, HeaderIsTrimmedButDataIsNot) {
  const auto res =
      read_string("  interview_id ,\" econ_satisfaction \",\tfood_reduced\t\n 1 , 2 ,3\n");
  EXPECT_EQ(res.header,
            (std::vector<std::string>{"interview_id", "econ_satisfaction", "food_reduced"}));
  EXPECT_EQ(res.rows, (Rows{{" 1 ", " 2 ", "3"}}));
}

TEST(CsvReader, LineBreaksAtEndOfFile) {
  EXPECT_EQ(read_string("a\n1\n").rows, (Rows{{"1"}}));    // lone trailing newline: no record
  EXPECT_EQ(read_string("a\n1").rows, (Rows{{"1"}}));      // last record without newline
  EXPECT_EQ(read_string("a\n1\r\n").rows, (Rows{{"1"}}));  // same with CRLF
  EXPECT_EQ(read_string("a,b\n1,").rows, (Rows{{"1", ""}}));
  EXPECT_EQ(read_string("a\n\"1\"").rows, (Rows{{"1"}}));
  // A blank line is a record with one empty field (it is a row in a spreadsheet too).
  const auto blank = read_string("a\n1\n\n2\n\n");
  EXPECT_EQ(blank.rows, (Rows{{"1"}, {""}, {"2"}, {""}}));
  EXPECT_EQ(blank.record, (std::vector<std::uint64_t>{2, 3, 4, 5}));
}

TEST(CsvReader, RaggedRowsAreDelivered) {
  auto reader = make_csv_reader(kBad + "ragged.csv", {});
  const auto res = drain(*reader);
  ASSERT_EQ(res.rows.size(), 4u);
  EXPECT_EQ(res.rows[0].size(), 3u);
  EXPECT_EQ(res.rows[1], (std::vector<std::string>{"R002", "satisfied"}));
  EXPECT_EQ(res.rows[2], (std::vector<std::string>{"R003", "neutral", "rarely", "extra"}));
  EXPECT_EQ(res.rows[3].size(), 3u);
  EXPECT_EQ(res.record, (std::vector<std::uint64_t>{2, 3, 4, 5}));
}

TEST(CsvReader, DuplicateHeaderNamesAreKept) {
  auto reader = make_csv_reader(kBad + "duplicate_columns.csv", {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"interview_id", "econ_satisfaction",
                                                        "food_reduced", "econ_satisfaction"}));
  EXPECT_EQ(drain(*reader).rows.size(), 1u);
}

TEST(CsvReader, EmptyFile) {
  const auto from_file =
      expect_input_error([] { make_csv_reader(kBad + "empty.csv", OpenOptions{}); });
  EXPECT_EQ(from_file.rule(), "empty_file");
  EXPECT_NE(std::string(from_file.what()).find("the file is empty"), std::string::npos);
  for (const std::string text : {"", "\xEF\xBB\xBF", "\n", "\r\n", "  \n"}) {
    const auto e = expect_input_error([&] { open_string(text); });
    EXPECT_EQ(e.rule(), "empty_file") << "input size " << text.size();
  }
}

TEST(CsvReader, BlankHeaderLine) {
  const auto e = expect_input_error([] { open_string("\ninterview_id\n1\n"); });
  EXPECT_EQ(e.rule(), "empty_header");
  EXPECT_EQ(e.row(), 1u);
}

TEST(CsvReader, HeaderOnly) {
  auto reader = make_csv_reader(kBad + "header_only.csv", {});
  EXPECT_EQ(reader->header().size(), 3u);
  RecordBatch batch;
  EXPECT_FALSE(reader->next(batch, 10));
  EXPECT_EQ(batch.rows(), 0u);
  EXPECT_FALSE(reader->next(batch, 10));

  auto no_newline = open_string("a,b");
  EXPECT_EQ(no_newline->header(), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(no_newline->next(batch, 10));
}

TEST(CsvReader, UnterminatedQuoteReportsRowAndColumn) {
  auto reader = make_csv_reader(kBad + "unterminated_quote.csv", {});
  const auto e = expect_input_error([&] { drain(*reader); });
  EXPECT_EQ(e.rule(), "unterminated_quote");
  EXPECT_EQ(e.row(), 3u);
  EXPECT_EQ(e.column(), "econ_satisfaction");
  EXPECT_EQ(std::string(e.what()).find("satisfied,never"), std::string::npos);
}

TEST(CsvReader, UnterminatedQuoteWithSmallBufferAndInHeader) {
  OpenOptions opts;
  opts.buffer_bytes = 5;
  const auto e = expect_input_error([&] {
    auto reader = open_string("a,b\n1,2\n\"x\ny\",\"3\n4\n5\n", opts);
    drain(*reader);
  });
  EXPECT_EQ(e.rule(), "unterminated_quote");
  EXPECT_EQ(e.row(), 3u);
  EXPECT_EQ(e.column(), "b");

  const auto in_header = expect_input_error([] { open_string("a,\"b\n1,2\n"); });
  EXPECT_EQ(in_header.rule(), "unterminated_quote");
  EXPECT_EQ(in_header.row(), 1u);

  // Beyond the header's width the message names the field number instead.
  const auto extra = expect_input_error([] { drain(*open_string("a\n1,\"2\n")); });
  EXPECT_EQ(extra.row(), 2u);
  EXPECT_EQ(extra.column(), "");
  EXPECT_NE(std::string(extra.what()).find("field 2"), std::string::npos);
}

TEST(CsvReader, BadQuoteReportsRowAndColumn) {
  const std::string head = "interview_id,econ_satisfaction,food_reduced\nR1,satisfied,never\n";
  const auto mid = expect_input_error([&] { drain(*open_string(head + "R2,SEC\"RET,never\n")); });
  EXPECT_EQ(mid.rule(), "bad_quote");
  EXPECT_EQ(mid.row(), 3u);
  EXPECT_EQ(mid.column(), "econ_satisfaction");
  EXPECT_EQ(std::string(mid.what()).find("SEC"), std::string::npos);

  const auto after =
      expect_input_error([&] { drain(*open_string(head + "R2,x,\"SECRET\"TAIL\n")); });
  EXPECT_EQ(after.rule(), "bad_quote");
  EXPECT_EQ(after.row(), 3u);
  EXPECT_EQ(after.column(), "food_reduced");
  EXPECT_EQ(std::string(after.what()).find("SECRET"), std::string::npos);
  EXPECT_EQ(std::string(after.what()).find("TAIL"), std::string::npos);

  const auto in_header = expect_input_error([] { open_string("a,b\"c\n1,2\n"); });
  EXPECT_EQ(in_header.rule(), "bad_quote");
  EXPECT_EQ(in_header.row(), 1u);
}

TEST(CsvReader, BadQuoteAfterMultiLineRecord) {
  const auto e = expect_input_error([] { drain(*open_string("a,b\n\"1\n\n\",2\n3,4\n5,6\"\n")); });
  EXPECT_EQ(e.rule(), "bad_quote");
  EXPECT_EQ(e.row(), 4u);  // header, the 3-line record (row 2), "3,4" (row 3)
  EXPECT_EQ(e.column(), "b");
}

TEST(CsvReader, InvalidUtf8RowIsFlagged) {
  auto reader = make_csv_reader(kBad + "invalid_utf8.csv", {});
  const auto res = drain(*reader);
  ASSERT_EQ(res.rows.size(), 3u);
  EXPECT_EQ(res.flags, (std::vector<std::uint8_t>{0, reinscore::io::row_invalid_utf8, 0}));
  EXPECT_EQ(res.rows[1][2], "n\xE9ver");  // delivered as is

  // Valid multi-byte text is not flagged; overlong forms and surrogates are.
  const auto mixed = read_string(
      "a\n\xC3\xA9t\xC3\xA9\n\xC0\xAF\n\xED\xA0\x80\n\xF0\x9F\x98\x80\n\xE2\x82\n\xF4\x90\x80\x80"
      "\n");
  EXPECT_EQ(mixed.flags, (std::vector<std::uint8_t>{0, 1, 1, 0, 1, 1}));
}

TEST(CsvReader, InvalidUtf8InHeaderThrows) {
  const auto e = expect_input_error([] { open_string("interview_id,\xFF\xFE\n1,2\n"); });
  EXPECT_EQ(e.rule(), "invalid_utf8");
  EXPECT_EQ(e.row(), 1u);
}

TEST(CsvReader, RecordNumbersCountRecordsNotLines) {
  const auto res = read_string("a,b\n1,\"x\ny\nz\"\n2,\"p\r\nq\"\r\n3,4\n");
  EXPECT_EQ(res.rows.size(), 3u);
  EXPECT_EQ(res.record, (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(res.rows[2], (std::vector<std::string>{"3", "4"}));
}

TEST(CsvReader, BatchesRespectMaxRowsAndAreIndependent) {
  std::string text = "a,b\n";
  for (int i = 0; i < 25; ++i) text += std::to_string(i) + ",\"v" + std::to_string(i) + "\"\"\"\n";
  OpenOptions opts;
  opts.buffer_bytes = 16;
  auto reader = open_string(text, opts);
  RecordBatch first;
  RecordBatch second;
  ASSERT_TRUE(reader->next(first, 10));
  ASSERT_TRUE(reader->next(second, 10));
  EXPECT_EQ(first.rows(), 10u);
  EXPECT_EQ(second.rows(), 10u);
  // The first batch is untouched by reading the second one.
  EXPECT_EQ(first.row(9)[0], "9");
  EXPECT_EQ(first.row(9)[1], "v9\"");
  EXPECT_EQ(first.record.front(), 2u);
  EXPECT_EQ(second.record.front(), 12u);
  ASSERT_TRUE(reader->next(first, 10));
  EXPECT_EQ(first.rows(), 5u);
  EXPECT_EQ(first.row(4)[1], "v24\"");
  EXPECT_FALSE(reader->next(first, 10));

  // max_rows = 1 delivers one record at a time; 0 is treated as 1.
  EXPECT_EQ(read_string(text, {}, 1).rows.size(), 25u);
  auto one = open_string(text);
  ASSERT_TRUE(one->next(first, 0));
  EXPECT_EQ(first.rows(), 1u);
}

TEST(CsvReader, BytesReadReachesTotal) {
  std::string text = "\xEF\xBB\xBFinterview_id,econ_satisfaction\r\n";
  for (int i = 0; i < 200; ++i) {
    text += 'R';
    text += std::to_string(i);
    text += ",very_satisfied\r\n";
  }
  OpenOptions opts;
  opts.buffer_bytes = 64;
  auto reader = open_string(text, opts);
  EXPECT_EQ(reader->bytes_total(), text.size());
  std::uint64_t last = reader->bytes_read();
  EXPECT_GT(last, 0u);
  RecordBatch batch;
  while (reader->next(batch, 7)) {
    EXPECT_GE(reader->bytes_read(), last);
    EXPECT_LE(reader->bytes_read(), text.size());
    last = reader->bytes_read();
  }
  EXPECT_EQ(reader->bytes_read(), reader->bytes_total());

  auto file = make_csv_reader(kBad + "ragged.csv", {});
  EXPECT_EQ(file->bytes_total(), std::filesystem::file_size(kBad + "ragged.csv"));
  drain(*file);
  EXPECT_EQ(file->bytes_read(), file->bytes_total());

  auto unknown = make_csv_reader(std::make_unique<std::istringstream>("a\n1\n"), "pipe", 0, {});
  EXPECT_EQ(unknown->bytes_total(), 0u);
}

TEST(CsvReader, UnreadableFile) {
  const std::string path = kBad + "does_not_exist.csv";
  const auto e = expect_input_error([&] { make_csv_reader(path, OpenOptions{}); });
  EXPECT_EQ(e.rule(), "unreadable_file");
  EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos);

  const auto dir = expect_input_error([] { make_csv_reader(kBad, OpenOptions{}); });
  EXPECT_EQ(dir.rule(), "unreadable_file");
}

TEST(CsvReader, StreamErrorIsUnreadable) {
  struct Broken : std::streambuf {
    int_type underflow() override { throw std::runtime_error("disk gone"); }
  };
  auto buf = std::make_shared<Broken>();
  struct Holder : std::istream {
    explicit Holder(std::shared_ptr<std::streambuf> b) : std::istream(b.get()), keep(b) {}
    std::shared_ptr<std::streambuf> keep;
  };
  const auto e = expect_input_error(
      [&] { make_csv_reader(std::make_unique<Holder>(buf), "broken.csv", 0, OpenOptions{}); });
  EXPECT_EQ(e.rule(), "unreadable_file");
  EXPECT_NE(std::string(e.what()).find("broken.csv"), std::string::npos);
}

TEST(CsvReader, RejectsImpossibleDelimiter) {
  OpenOptions opts;
  opts.delimiter = '"';
  EXPECT_THROW(open_string("a\n", opts), std::invalid_argument);
}

TEST(CsvReader, RecordTooLarge) {
  std::string text = "a,b\n1,\"";
  text.append((std::size_t{64} << 20) + 10, 'x');
  const auto e = expect_input_error([&] { drain(*open_string(text)); });
  EXPECT_EQ(e.rule(), "record_too_large");
  EXPECT_EQ(e.row(), 2u);
}

TEST(CsvReader, LongRecordLargerThanBuffer) {
  const std::string big(100000, 'z');
  OpenOptions opts;
  opts.buffer_bytes = 7;
  const auto res = read_string("a,b\n\"" + big + "\"," + big + "\n1,2\n", opts);
  EXPECT_EQ(res.rows, (Rows{{big, big}, {"1", "2"}}));
}

// Property test: for random well-formed inputs, tiny buffers (records straddling every block
// boundary) and any batch size give the same result as one large buffer and the reference parser.
TEST(CsvReader, SmallBuffersMatchReferenceParser) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    const char d = seed % 3 == 0 ? ';' : (seed % 3 == 1 ? ',' : '\t');
    const std::string text = random_csv(rng, d);
    SCOPED_TRACE("seed " + std::to_string(seed));
    const ReadResult expected = reference_parse(text, d);

    OpenOptions large;
    const ReadResult big = read_string(text, large);
    EXPECT_EQ(big.header, expected.header);
    EXPECT_EQ(big.rows, expected.rows);
    EXPECT_EQ(big.record, expected.record);
    EXPECT_EQ(big.flags, expected.flags);
    EXPECT_EQ(open_string(text)->delimiter(), d);

    for (const std::size_t buffer : {1, 2, 3, 7, 13, 64, 100, 257}) {
      OpenOptions small;
      small.buffer_bytes = buffer;
      const std::size_t max_rows = 1 + seed % 5;
      const ReadResult got = read_string(text, small, max_rows);
      EXPECT_EQ(got.header, expected.header) << "buffer " << buffer;
      EXPECT_EQ(got.rows, expected.rows) << "buffer " << buffer;
      EXPECT_EQ(got.record, expected.record) << "buffer " << buffer;
      EXPECT_EQ(got.flags, expected.flags) << "buffer " << buffer;
    }
  }
}

TEST(CsvReader, ReadsFromFileWithSmallBuffer) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("reinscore_csv_test_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".csv");
  std::mt19937 rng(42);
  const std::string text = random_csv(rng, ',');
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  OpenOptions opts;
  opts.buffer_bytes = 7;
  opts.delimiter = ',';
  auto reader = make_csv_reader(path.string(), opts);
  const auto got = drain(*reader, 3);
  const auto expected = reference_parse(text, ',');
  EXPECT_EQ(got.rows, expected.rows);
  EXPECT_EQ(reader->bytes_read(), text.size());
  std::filesystem::remove(path);
}

// ---- Limits (table.hpp Limits) ------------------------------------------------------------

TEST(CsvReaderLimits, FieldLargerThanTheLimit) {
  OpenOptions opts;
  opts.limits.max_field_bytes = 10;
  EXPECT_EQ(read_string("a,b\n1,0123456789\n", opts).rows, (Rows{{"1", "0123456789"}}));
  for (const std::string row : {"1,01234567890\n", "1,\"0123\n456789\"\"\"\n"}) {
    for (const std::size_t buffer : {std::size_t{4}, std::size_t{1} << 20}) {
      opts.buffer_bytes = buffer;
      const auto e = expect_input_error([&] { drain(*open_string("a,b\n2,3\n" + row, opts)); });
      EXPECT_EQ(e.rule(), "field_too_large");
      EXPECT_EQ(e.row(), 3u);
      EXPECT_EQ(e.column(), "b");
      EXPECT_EQ(std::string(e.what()).find("0123"), std::string::npos) << e.what();
    }
  }
  // In the header, and right of it (named by its number); the default limit is 1 MiB.
  EXPECT_EQ(expect_input_error([] {
              OpenOptions small;
              small.limits.max_field_bytes = 3;
              open_string("abcd,b\n", small);
            }).row(),
            1u);
  const std::string mib(std::size_t{1} << 20, 'x');
  EXPECT_EQ(read_string("a\n" + mib + "\n").rows, (Rows{{mib}}));
  const auto e = expect_input_error([&] { drain(*open_string("a\n1," + mib + "x\n")); });
  EXPECT_EQ(e.rule(), "field_too_large");
  EXPECT_NE(std::string(e.what()).find("(field 2)"), std::string::npos) << e.what();
}

TEST(CsvReaderLimits, RecordsWithMoreFieldsThanTheLimit) {
  OpenOptions opts;
  opts.limits.max_columns = 3;
  EXPECT_EQ(read_string("a,b,c\n1,2,3\n1,2\n", opts).rows, (Rows{{"1", "2", "3"}, {"1", "2"}}));
  const auto header = expect_input_error([&] { open_string("a,b,c,d\n", opts); });
  EXPECT_EQ(header.rule(), "too_many_columns");
  EXPECT_EQ(header.row(), 1u);
  const auto row =
      expect_input_error([&] { drain(*open_string("a,b\n1,2\n1,\"2\",3,4\n", opts)); });
  EXPECT_EQ(row.rule(), "too_many_columns");
  EXPECT_EQ(row.row(), 3u);
  // A line of delimiters stops at the limit, long before the record ends.
  const auto commas =
      expect_input_error([] { drain(*open_string("a\n" + std::string(10000000, ',') + "\n")); });
  EXPECT_EQ(commas.rule(), "too_many_columns");
  EXPECT_EQ(commas.row(), 2u);
}

TEST(CsvReaderLimits, RecordLimitIsAnOption) {
  OpenOptions opts;
  opts.buffer_bytes = 16;
  opts.limits.max_record_bytes = 100;
  EXPECT_EQ(read_string("a\n" + std::string(90, 'x') + "\n", opts).rows,
            (Rows{{std::string(90, 'x')}}));
  const auto e = expect_input_error(
      [&] { drain(*open_string("a\n1\n\"" + std::string(200, 'x') + "\"\n", opts)); });
  EXPECT_EQ(e.rule(), "record_too_large");
  EXPECT_EQ(e.row(), 3u);
}

TEST(CsvReaderLimits, BatchesEndAtTheBatchLimits) {
  std::string text = "a,b,c\n";
  for (int r = 0; r < 50; ++r) text += std::to_string(r) + ",x,y\n";
  const auto all = read_string(text);
  for (const bool by_fields : {true, false}) {
    OpenOptions opts;
    opts.buffer_bytes = 64;
    if (by_fields) {
      opts.limits.max_batch_fields = 10;  // 4 rows of 3 fields
    } else {
      opts.limits.max_batch_bytes = 20;  // rows of 6 or 7 bytes: 3 or 4 rows
    }
    auto reader = open_string(text, opts);
    RecordBatch batch;
    std::size_t rows = 0;
    while (reader->next(batch, 1000)) {
      EXPECT_LE(batch.rows(), 4u);
      rows += batch.rows();
    }
    EXPECT_EQ(rows, 50u);
    EXPECT_EQ(read_string(text, opts).rows, all.rows);
  }
}

TEST(CsvReaderLimits, WideFixtures) {
  const auto header = expect_input_error([] { make_csv_reader(kBad + "wide_header.csv", {}); });
  EXPECT_EQ(header.rule(), "too_many_columns");
  EXPECT_EQ(header.row(), 1u);
  auto reader = make_csv_reader(kBad + "wide_row.csv", {});
  const auto row = expect_input_error([&] { drain(*reader); });
  EXPECT_EQ(row.rule(), "too_many_columns");
  EXPECT_EQ(row.row(), 3u);
}

}  // namespace
