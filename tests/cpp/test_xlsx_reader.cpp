// Tests for the streaming XLSX reader. Workbooks are written with libzip by the tests
// themselves (only the parts the reader needs), so no binary fixtures are involved apart
// from tests/data/sample.xlsx and tests/data/bad/truncated.xlsx (made by
// tests/data/make_bad_xlsx.py).
#include "io/xlsx_reader.hpp"
#include <reinscore/error.hpp>

#include <gtest/gtest.h>
#include <zip.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using reinscore::input_error;
using reinscore::io::make_xlsx_reader;
using reinscore::io::OpenOptions;
using reinscore::io::RecordBatch;
using reinscore::io::TableReader;

namespace {

struct Part {
  std::string name;
  std::string data;
};

struct Row {
  std::uint64_t record;
  std::vector<std::string> fields;
  bool operator==(const Row&) const = default;
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << "{" << r.record << ":";
  for (const auto& f : r.fields) *os << " '" << f << "'";
  *os << "}";
}

constexpr const char* kXmlDecl = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)";
constexpr const char* kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRelNs =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string worksheet(const std::string& rows) {
  return std::string(kXmlDecl) + R"(<worksheet xmlns=")" + kMainNs + R"(" xmlns:r=")" + kRelNs +
         R"("><dimension ref="A1"/><sheetData>)" + rows + "</sheetData></worksheet>";
}

std::string shared_strings(const std::vector<std::string>& items) {
  std::string xml = std::string(kXmlDecl) + R"(<sst xmlns=")" + kMainNs + R"(" count=")" +
                    std::to_string(items.size()) + R"(" uniqueCount=")" +
                    std::to_string(items.size()) + R"(">)";
  for (const auto& s : items) xml += "<si><t>" + s + "</t></si>";
  return xml + "</sst>";
}

/// Parts of a workbook whose sheets are xl/worksheets/sheet<i>.xml.
std::vector<Part> workbook(const std::vector<std::pair<std::string, std::string>>& sheets,
                           const std::optional<std::string>& sst = std::nullopt) {
  std::string types = std::string(kXmlDecl) +
                      R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/)"
                      R"(content-types"><Default Extension="rels" ContentType="application/)"
                      R"(vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" )"
                      R"(ContentType="application/xml"/></Types>)";
  std::string book = std::string(kXmlDecl) + R"(<workbook xmlns=")" + kMainNs + R"(" xmlns:r=")" +
                     kRelNs + R"("><sheets>)";
  std::string rels = std::string(kXmlDecl) +
                     R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/)"
                     R"(relationships">)";
  std::vector<Part> parts;
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    book += R"(<sheet name=")" + sheets[i].first + R"(" sheetId=")" + n + R"(" r:id="rId)" + n +
            R"("/>)";
    rels += R"(<Relationship Id="rId)" + n + R"(" Type=")" + kRelNs +
            R"(/worksheet" Target="worksheets/sheet)" + n + R"(.xml"/>)";
    parts.push_back({"xl/worksheets/sheet" + n + ".xml", sheets[i].second});
  }
  if (sst) {
    rels += R"(<Relationship Id="rIdS" Type=")" + std::string(kRelNs) +
            R"(/sharedStrings" Target="sharedStrings.xml"/>)";
    parts.push_back({"xl/sharedStrings.xml", *sst});
  }
  parts.push_back({"[Content_Types].xml", types});
  parts.push_back({"xl/workbook.xml", book + "</sheets></workbook>"});
  parts.push_back({"xl/_rels/workbook.xml.rels", rels + "</Relationships>"});
  return parts;
}

/// Writes `parts` as a zip archive, deflated, or stored (uncompressed) when `store`.
void write_zip(const fs::path& file, const std::vector<Part>& parts, bool store = false) {
  int err = 0;
  zip_t* zip = zip_open(file.string().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(zip, nullptr) << "zip_open error " << err;
  for (const auto& p : parts) {
    zip_source_t* src = zip_source_buffer(zip, p.data.data(), p.data.size(), 0);
    ASSERT_NE(src, nullptr);
    const zip_int64_t index = zip_file_add(zip, p.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    ASSERT_GE(index, 0) << zip_strerror(zip);
    if (store) {
      ASSERT_EQ(zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0),
                0);
    }
  }
  ASSERT_EQ(zip_close(zip), 0);
}

std::vector<Row> read_all(TableReader& reader, std::size_t max_rows = 1000) {
  std::vector<Row> rows;
  RecordBatch batch;
  while (reader.next(batch, max_rows)) {
    EXPECT_LE(batch.rows(), max_rows);
    EXPECT_EQ(batch.offsets.size(), batch.rows() + 1);
    EXPECT_EQ(batch.flags.size(), batch.rows());
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      Row row{batch.record[r], {}};
      for (const auto f : batch.row(r)) row.fields.emplace_back(f);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

class XlsxReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("reinscore_xlsx_" + std::string(info->name()) + "_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string make(const std::vector<Part>& parts, const std::string& name = "book.xlsx") {
    const fs::path file = dir_ / name;
    write_zip(file, parts);
    return file.string();
  }
  std::string make_sheet(const std::string& rows,
                         const std::optional<std::string>& sst = std::nullopt) {
    return make(workbook({{"Sheet1", worksheet(rows)}}, sst));
  }

  /// Opens `path` expecting an input_error; returns it.
  static input_error open_error(const std::string& path, const OpenOptions& opts = {}) {
    try {
      auto reader = make_xlsx_reader(path, opts);
      read_all(*reader);
    } catch (const input_error& e) {
      return e;
    }
    ADD_FAILURE() << "no input_error for " << path;
    return input_error("none", "none");
  }

  fs::path dir_;
};

TEST_F(XlsxReaderTest, SharedStrings) {
  const auto path =
      make_sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)"
                 R"(<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>)"
                 R"(<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>3</v></c></row>)",
                 shared_strings({"interview_id", "econ_satisfaction", "I000001", "very_satisfied",
                                 "I000002"}));
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"interview_id", "econ_satisfaction"}));
  EXPECT_EQ(reader->delimiter(), 0);
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"I000001", "very_satisfied"}},
                                                 {3, {"I000002", "very_satisfied"}}}));
}

TEST_F(XlsxReaderTest, InlineStringsAndEntities) {
  const auto path = make_sheet(
      R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>)"
      R"(<c r="B1" t="inlineStr"><is><t xml:space="preserve"> answer </t></is></c></row>)"
      R"(<row r="2"><c r="A2" t="inlineStr"><is><t>a&amp;b &lt;c&gt;</t></is></c>)"
      R"(<c r="B2" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"id", "answer"}));    // trimmed
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"a&b <c>", " x "}}}));  // data untrimmed
}

TEST_F(XlsxReaderTest, NumbersBooleansErrorsAndFormulas) {
  const auto path =
      make_sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>)"
                 R"(<c r="B1" t="inlineStr"><is><t>b</t></is></c>)"
                 R"(<c r="C1" t="inlineStr"><is><t>c</t></is></c>)"
                 R"(<c r="D1" t="inlineStr"><is><t>d</t></is></c>)"
                 R"(<c r="E1" t="inlineStr"><is><t>e</t></is></c>)"
                 R"(</row>)"
                 R"(<row r="2"><c r="A2"><v>3</v></c><c r="B2" t="n"><v>0.75</v></c>)"
                 R"(<c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c>)"
                 R"(<c r="E2" t="str"><f>A2&amp;"x"</f><v>3x</v></c></row>)"
                 R"(<row r="3"><c r="A3"><v>1.5E-3</v></c><c r="B3"><f>A2*2</f><v>6</v></c>)"
                 R"(<c r="C3" t="b"><v>0</v></c><c r="D3" t="e"><v>#DIV/0!</v></c>)"
                 R"(<c r="E3" t="str"><f>""</f><v></v></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"3", "0.75", "TRUE", "#N/A", "3x"}},
                                                 {3, {"1.5E-3", "6", "FALSE", "#DIV/0!", ""}}}));
}

TEST_F(XlsxReaderTest, GapsInCellsAndRaggedRows) {
  const auto path = make_sheet(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>)"
      R"(<c r="C1" t="s"><v>2</v></c><c r="D1" s="3"/></row>)"  // styled blank: not a column
      R"(<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>3</v></c></row>)"
      R"(<row r="3"><c r="B3"><v>2</v></c></row>)"
      R"(<row r="4"><c r="A4"><v>1</v></c><c r="E4"><v>5</v></c></row>)"      // beyond header
      R"(<row r="5"><c><v>1</v></c><c><v>2</v></c><c r="D5" s="1"/></row>)",  // no refs
      shared_strings({"x", "y", "z"}));
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"1", "", "3"}},
                                                 {3, {"", "2", ""}},
                                                 {4, {"1", "", "", "5"}},  // ragged: +1
                                                 {5, {"1", "2", ""}}}));
}

TEST_F(XlsxReaderTest, SkippedAndBlankRowsKeepRowNumbers) {
  const auto path =
      make_sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)"
                 R"(<row r="2"><c r="A2"><v>1</v></c></row>)"
                 R"(<row r="3" s="2" customFormat="1"/>)"  // present but blank
                 R"(<row r="6"><c r="B6"><v>6</v></c></row>)"
                 R"(<row r="7"><c r="A7" s="1"/></row>)"  // trailing blank rows: not delivered
                 R"(<row r="9" s="1"/>)",
                 shared_strings({"x", "y"}));
  for (const std::size_t batch : {std::size_t{1}, std::size_t{2}, std::size_t{1000}}) {
    auto reader = make_xlsx_reader(path, {});
    EXPECT_EQ(read_all(*reader, batch),
              (std::vector<Row>{// blank and absent rows: one empty field, as a CSV blank line
                                {2, {"1", ""}},
                                {3, {""}},
                                {4, {""}},
                                {5, {""}},
                                {6, {"", "6"}}}))
        << "batch " << batch;
  }
}

TEST_F(XlsxReaderTest, HeaderIsFirstNonBlankRow) {
  const auto path = make_sheet(
      R"(<row r="1" s="1"/><row r="2"><c r="A2" t="inlineStr"><is><t>  </t></is></c></row>)"
      R"(<row r="3"><c r="B3" t="inlineStr"><is><t> id </t></is></c></row>)"
      R"(<row r="4"><c r="B4"><v>7</v></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"", "id"}));
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{4, {"", "7"}}}));
}

TEST_F(XlsxReaderTest, RowsWithoutNumbersFollowOn) {
  const auto path =
      make_sheet(R"(<row><c t="inlineStr"><is><t>h</t></is></c></row><row><c><v>1</v></c></row>)"
                 R"(<row r="4"><c><v>4</v></c></row><row><c><v>5</v></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"1"}}, {3, {""}}, {4, {"4"}}, {5, {"5"}}}));
}

TEST_F(XlsxReaderTest, RichTextAndPhoneticRuns) {
  const std::string sst = std::string(kXmlDecl) + R"(<sst xmlns=")" + kMainNs +
                          R"("><si><t>id</t></si>)"
                          R"(<si><r><rPr><b/></rPr><t>very_</t></r><r><t>satisfied</t></r></si>)"
                          R"(<si><t>text</t><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>)"
                          R"(<si><t>line_x000D__x000A_two _x005F_x0041_</t></si></sst>)";
  const auto path = make_sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"
                               R"(<row r="2"><c r="A2" t="s"><v>1</v></c></row>)"
                               R"(<row r="3"><c r="A3" t="s"><v>2</v></c></row>)"
                               R"(<row r="4"><c r="A4" t="s"><v>3</v></c></row>)",
                               sst);
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(
      read_all(*reader),
      (std::vector<Row>{{2, {"very_satisfied"}}, {3, {"text"}}, {4, {"line\r\ntwo _x0041_"}}}));
}

TEST_F(XlsxReaderTest, InlineRichText) {
  const auto path = make_sheet(
      R"(<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><rPr/><t>b</t></r></is></c>)"
      R"(</row><row r="2"><c r="A2" t="inlineStr"><is><t>v</t><rPh><t>no</t></rPh></is></c>)"
      R"(</row>)");
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"ab"}));
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"v"}}}));
}

TEST_F(XlsxReaderTest, ChoosesSheetByName) {
  const auto first =
      worksheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>notes</t></is></c></row>)");
  const auto second =
      worksheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>interview_id</t></is></c></row>)"
                R"(<row r="2"><c r="A2" t="inlineStr"><is><t>I1</t></is></c></row>)");
  const auto path = make(workbook({{"Notes", first}, {"Returnee Survey", second}}));

  EXPECT_EQ(make_xlsx_reader(path, {})->header(), (std::vector<std::string>{"notes"}));
  OpenOptions opts;
  opts.sheet = "Returnee Survey";
  auto reader = make_xlsx_reader(path, opts);
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"interview_id"}));
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"I1"}}}));
  opts.sheet = "returnee survey";  // exact match first, then ignoring ASCII case
  EXPECT_EQ(make_xlsx_reader(path, opts)->header(), (std::vector<std::string>{"interview_id"}));
}

TEST_F(XlsxReaderTest, UnknownSheetListsAvailableSheets) {
  const auto ws = worksheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)");
  const auto path = make(workbook({{"Data", ws}, {"Choices", ws}}));
  OpenOptions opts;
  opts.sheet = "Survey";
  const auto e = open_error(path, opts);
  EXPECT_EQ(e.rule(), "unknown_sheet");
  EXPECT_NE(std::string(e.what()).find("'Survey'"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("'Data', 'Choices'"), std::string::npos) << e.what();
}

TEST_F(XlsxReaderTest, PrefixedNamespacesAndRootRelationships) {
  // Workbook at a non-default place found through _rels/.rels, absolute targets, and the
  // main namespace bound to a prefix (as the Open XML SDK writes it).
  const std::string ws =
      std::string(kXmlDecl) + R"(<x:worksheet xmlns:x=")" + kMainNs +
      R"("><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>h</x:t></x:is></x:c>)"
      R"(</x:row><x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c></x:row></x:sheetData>)"
      R"(</x:worksheet>)";
  const std::string rel_types =
      R"(http://schemas.openxmlformats.org/officeDocument/2006/relationships)";
  const auto path = make({
      {"_rels/.rels",
       std::string(kXmlDecl) +
           R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
           R"(<Relationship Id="r1" Type=")" +
           rel_types + R"(/officeDocument" Target="/book/main.xml"/></Relationships>)"},
      {"book/main.xml",
       std::string(kXmlDecl) + R"(<workbook xmlns=")" + kMainNs + R"(" xmlns:rel=")" + kRelNs +
           R"("><sheets><sheet name="S" sheetId="1" rel:id="a"/></sheets></workbook>)"},
      {"book/_rels/main.xml.rels",
       std::string(kXmlDecl) +
           R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
           R"(<Relationship Id="a" Type=")" +
           rel_types +
           R"(/worksheet" Target="/book/sheets/one.xml"/>)"
           R"(<Relationship Id="b" Type=")" +
           rel_types + R"(/sharedStrings" Target="../book/./strings.xml"/></Relationships>)"},
      {"book/sheets/one.xml", ws},
      {"book/strings.xml", shared_strings({"from sst"})},
  });
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"h"}));
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"from sst"}}}));
}

TEST_F(XlsxReaderTest, StreamsLargeSheetInSmallBlocksAndBatches) {
  std::string rows = R"(<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c>)"
                     R"(<c r="B1" t="inlineStr"><is><t>sq</t></is></c></row>)";
  constexpr std::uint64_t kRows = 5000;
  for (std::uint64_t i = 2; i <= kRows; ++i) {
    if (i % 97 == 0) continue;  // some absent rows
    const auto n = std::to_string(i);
    rows += R"(<row r=")" + n + R"("><c r="A)" + n + R"("><v>)" + n + R"(</v></c><c r="B)" + n +
            R"(" t="inlineStr"><is><t>)" + std::to_string(i * i) + "</t></is></c></row>";
  }
  const auto xml = worksheet(rows);
  const auto path = make_sheet(rows);
  OpenOptions opts;
  opts.buffer_bytes = 4096;
  auto reader = make_xlsx_reader(path, opts);
  EXPECT_EQ(reader->bytes_total(), xml.size());
  EXPECT_LT(reader->bytes_read(), xml.size());
  RecordBatch batch;
  std::uint64_t expected = 2;
  std::uint64_t last_bytes = 0;
  while (reader->next(batch, 333)) {
    EXPECT_GE(reader->bytes_read(), last_bytes);
    last_bytes = reader->bytes_read();
    for (std::size_t r = 0; r < batch.rows(); ++r, ++expected) {
      ASSERT_EQ(batch.record[r], expected);
      const auto row = batch.row(r);
      if (expected % 97 == 0) {
        ASSERT_EQ(row.size(), 1u);
        EXPECT_EQ(row[0], "");
      } else {
        ASSERT_EQ(row.size(), 2u);
        EXPECT_EQ(row[0], std::to_string(expected));
        EXPECT_EQ(row[1], std::to_string(expected * expected));
      }
    }
  }
  EXPECT_EQ(expected, kRows + 1);
  EXPECT_EQ(reader->bytes_read(), xml.size());
  EXPECT_FALSE(reader->next(batch, 10));
  EXPECT_EQ(batch.rows(), 0u);
}

TEST_F(XlsxReaderTest, EmptySheet) {
  EXPECT_EQ(open_error(make(workbook({{"Sheet1", worksheet("")}}))).rule(), "empty_file");
  EXPECT_EQ(
      open_error(
          make(workbook({{"Sheet1", worksheet(R"(<row r="1" s="1"><c r="A1" s="1"/></row>)")}}),
               "b.xlsx"))
          .rule(),
      "empty_file");
}

TEST_F(XlsxReaderTest, HeaderOnlyHasNoRecords) {
  auto reader = make_xlsx_reader(make_sheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)"), {});
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"1"}));
  EXPECT_TRUE(read_all(*reader).empty());
}

TEST_F(XlsxReaderTest, MalformedXmlReportsRowWithoutContents) {
  const auto path =
      make_sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>)"
                 R"(<row r="2"><c r="A2" t="inlineStr"><is><t>Amina Secret</t></is></c></row>)"
                 R"(<row r="3"><c r="A3" t="inlineStr"><is><t>Joao Secret</t></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  try {
    read_all(*reader);
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "malformed_xlsx");
    EXPECT_EQ(e.row(), 3u);
    EXPECT_EQ(std::string(e.what()).find("Secret"), std::string::npos) << e.what();
  }
}

TEST_F(XlsxReaderTest, CorruptWorksheetEntryIsUnreadable) {
  // A stored (uncompressed) worksheet whose bytes change after the archive was written:
  // the XML stays well formed, the CRC check at the end of the entry fails.
  std::string rows = R"(<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>)";
  for (int i = 2; i < 200; ++i) {
    rows +=
        R"(<row r=")" + std::to_string(i) + R"("><c><v>)" + std::to_string(i) + "</v></c></row>";
  }
  rows += R"(<row r="200"><c><v>12345</v></c></row>)";
  const fs::path file = dir_ / "corrupt.xlsx";
  write_zip(file, workbook({{"S", worksheet(rows)}}), /*store=*/true);
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = bytes.find("<v>12345</v>");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] = '9';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;

  auto reader = make_xlsx_reader(file.string(), {});
  try {
    read_all(*reader);
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "unreadable_xlsx") << e.what();
    EXPECT_NE(std::string(e.what()).find("not a readable XLSX workbook"), std::string::npos);
  }
}

TEST_F(XlsxReaderTest, BadSharedStringIndex) {
  const auto e = open_error(make_sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"
                                       R"(<row r="2"><c r="A2" t="s"><v>7</v></c></row>)",
                                       shared_strings({"h"})));
  EXPECT_EQ(e.rule(), "malformed_xlsx");
  EXPECT_EQ(e.row(), 2u);
}

TEST_F(XlsxReaderTest, RowsOutOfOrderAndBadReferences) {
  const auto header = std::string(R"(<row r="1"><c r="A1"><v>1</v></c></row>)");
  EXPECT_EQ(open_error(make_sheet(header + R"(<row r="3"/><row r="2"/>)")).rule(),
            "malformed_xlsx");
  const auto e = open_error(
      make(workbook({{"S", worksheet(header + R"(<row r="2"><c r="2A"><v>1</v></c></row>)")}}),
           "b.xlsx"));
  EXPECT_EQ(e.rule(), "malformed_xlsx");
  EXPECT_EQ(e.row(), 2u);
  EXPECT_EQ(
      open_error(make(workbook({{"S", worksheet(header +
                                                R"(<row r="2"><c r="XFE2"><v>1</v></c></row>)")}}),
                      "c.xlsx"))
          .rule(),
      "too_many_columns");
}

TEST_F(XlsxReaderTest, DoctypeIsRejected) {
  const std::string ws = std::string(kXmlDecl) +
                         R"(<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet xmlns=")" +
                         kMainNs +
                         R"("><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t>)"
                         R"(</is></c></row></sheetData></worksheet>)";
  EXPECT_EQ(open_error(make(workbook({{"S", ws}}))).rule(), "malformed_xlsx");
}

TEST_F(XlsxReaderTest, NotAZip) {
  const auto path = dir_ / "survey.xlsx";
  std::ofstream(path) << "interview_id,econ_satisfaction\nI1,very_satisfied\n";
  const auto e = open_error(path.string());
  EXPECT_EQ(e.rule(), "unreadable_xlsx");
  EXPECT_NE(std::string(e.what()).find("not a readable XLSX workbook"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).find("very_satisfied"), std::string::npos);
}

TEST_F(XlsxReaderTest, MissingDirectoryOrEmptyFile) {
  // Same rules as the CSV reader for problems that are not about the XLSX format.
  EXPECT_EQ(open_error((dir_ / "missing.xlsx").string()).rule(), "unreadable_file");
  fs::create_directories(dir_ / "folder.xlsx");
  EXPECT_EQ(open_error((dir_ / "folder.xlsx").string()).rule(), "unreadable_file");
  std::ofstream(dir_ / "empty.xlsx").close();
  EXPECT_EQ(open_error((dir_ / "empty.xlsx").string()).rule(), "empty_file");
}

TEST_F(XlsxReaderTest, LegacyOrEncryptedWorkbook) {
  const auto path = dir_ / "protected.xlsx";
  std::ofstream(path, std::ios::binary)
      << std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) << std::string(600, '\0');
  const auto e = open_error(path.string());
  EXPECT_EQ(e.rule(), "unreadable_xlsx");
  EXPECT_NE(std::string(e.what()).find("password-protected"), std::string::npos) << e.what();
}

TEST_F(XlsxReaderTest, MissingParts) {
  auto parts = workbook({{"S", worksheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)")}});
  auto without = [&](const std::string& name) {
    std::vector<Part> kept;
    for (const auto& p : parts) {
      if (p.name != name) kept.push_back(p);
    }
    return kept;
  };
  for (const char* name :
       {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"}) {
    const auto e =
        open_error(make(without(name), std::string("m") + std::to_string(name[3]) + ".xlsx"));
    EXPECT_EQ(e.rule(), "unreadable_xlsx") << name;
    EXPECT_NE(std::string(e.what()).find("not a readable XLSX workbook"), std::string::npos);
  }
}

TEST_F(XlsxReaderTest, MalformedWorkbookPart) {
  auto parts = workbook({{"S", worksheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)")}});
  for (auto& p : parts) {
    if (p.name == "xl/workbook.xml") p.data = "<workbook><sheets></workbook>";
  }
  const auto e = open_error(make(parts));
  EXPECT_EQ(e.rule(), "malformed_xlsx");
  EXPECT_EQ(e.row(), 0u);
}

TEST(XlsxFixtures, SampleWorkbook) {
  auto reader = make_xlsx_reader(REINSCORE_TEST_DATA_DIR "/sample.xlsx", {});
  EXPECT_EQ(reader->header(),
            (std::vector<std::string>{"interview_id", "econ_satisfaction", "food_reduced"}));
  const auto rows = read_all(*reader);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (Row{2, {"I000001", "very_satisfied", "never"}}));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].record, i + 2);
    EXPECT_EQ(rows[i].fields.size(), 3u);
  }
  EXPECT_EQ(reader->bytes_read(), reader->bytes_total());
  EXPECT_GT(reader->bytes_total(), 0u);
}

TEST(XlsxFixtures, TruncatedWorkbook) {
  try {
    make_xlsx_reader(REINSCORE_TEST_DATA_DIR "/bad/truncated.xlsx", {});
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "unreadable_xlsx");
    EXPECT_NE(std::string(e.what()).find("not a readable XLSX workbook"), std::string::npos);
  }
}

// ---- Limits (table.hpp Limits): bounded memory and time whatever the workbook ----------

const std::string kHeaderAB = R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>)"
                              R"(<c r="B1" t="inlineStr"><is><t>b</t></is></c></row>)";

TEST_F(XlsxReaderTest, FarAwayCellMakesARowOneFieldWiderNotSixteenThousand) {
  // XFD is Excel's last column: allowed, but the row is header width + 1 (ragged), the
  // extra field being the leftmost cell right of the header.
  const auto path =
      make_sheet(kHeaderAB + R"(<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>9</v></c>)"
                             R"(<c r="XFC2"><v>8</v></c></row>)"
                             R"(<row r="3"><c r="B3"><v>2</v></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"1", "", "8"}}, {3, {"", "2"}}}));
}

TEST_F(XlsxReaderTest, CellsRightOfTheColumnLimitAreAnError) {
  const auto e = open_error(make_sheet(kHeaderAB + R"(<row r="2"><c r="XFE2"><v>1</v></c></row>)"));
  EXPECT_EQ(e.rule(), "too_many_columns");
  EXPECT_EQ(e.row(), 2u);
  // A reference of any length neither overflows nor wraps round to a small column.
  const std::string letters(40, 'Z');
  const auto huge =
      open_error(make(workbook({{"S", worksheet(kHeaderAB + "<row r=\"2\"><c r=\"" + letters +
                                                "2\"><v>1</v></c>"
                                                "</row>")}}),
                      "huge.xlsx"));
  EXPECT_EQ(huge.rule(), "too_many_columns");
  EXPECT_EQ(huge.row(), 2u);
  // Cells without a reference follow on from the last one, past XFD too.
  const auto follow =
      open_error(make(workbook({{"S", worksheet(kHeaderAB + R"(<row r="2"><c r="XFD2"><v>1</v></c>)"
                                                            R"(<c><v>2</v></c></row>)")}}),
                      "follow.xlsx"));
  EXPECT_EQ(follow.rule(), "too_many_columns");
  // A lower limit applies to the header too (a sheet wider than the limit).
  OpenOptions narrow;
  narrow.limits.max_columns = 2;
  const auto wide = open_error(make(workbook({{"S", worksheet(R"(<row r="1"><c r="C1"><v>1</v>)"
                                                              R"(</c></row>)")}}),
                                    "wide.xlsx"),
                               narrow);
  EXPECT_EQ(wide.rule(), "too_many_columns");
  EXPECT_EQ(wide.row(), 1u);
}

TEST_F(XlsxReaderTest, AbsentRowsCostOneFieldWhateverTheHeaderWidth) {
  // A header as wide as Excel allows, then a row far down: the absent rows between are one
  // empty field each, never 16,384.
  const auto path = make_sheet(R"(<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>)"
                               R"(<row r="5000"><c r="A5000"><v>3</v></c></row>)");
  auto reader = make_xlsx_reader(path, {});
  ASSERT_EQ(reader->header().size(), 16384u);
  RecordBatch batch;
  std::size_t rows = 0, fields = 0;
  while (reader->next(batch, 1000)) {
    rows += batch.rows();
    fields += batch.fields.size();
  }
  EXPECT_EQ(rows, 4999u);
  EXPECT_EQ(fields, 4998u + 16384u);
}

TEST_F(XlsxReaderTest, RowNumbersPastTheLimitAreAnError) {
  const auto header = std::string(R"(<row r="1"><c r="A1"><v>1</v></c></row>)");
  for (const std::string r : {"1048577", "99999999999", "999999999999999999999999999999"}) {
    const auto e = open_error(
        make(workbook({{"S", worksheet(header + "<row r=\"" + r + "\"><c><v>1</v></c></row>")}}),
             "r" + std::to_string(r.size()) + ".xlsx"));
    EXPECT_EQ(e.rule(), "too_many_rows") << r;
    EXPECT_NE(std::string(e.what()).find("after row 1"), std::string::npos) << e.what();
  }
  // Excel's last row is allowed; a lower limit is honoured.
  auto last = make_xlsx_reader(
      make(workbook({{"S", worksheet(header + R"(<row r="1048576"><c><v>1</v></c></row>)")}}),
           "last.xlsx"),
      {});
  RecordBatch batch;
  std::uint64_t rows = 0, last_record = 0;
  while (last->next(batch, 100000)) {
    rows += batch.rows();
    last_record = batch.record.back();
  }
  EXPECT_EQ(rows, 1048575u);
  EXPECT_EQ(last_record, 1048576u);
  OpenOptions few;
  few.limits.max_sheet_rows = 10;
  EXPECT_EQ(open_error(make_sheet(header + R"(<row r="11"><c><v>1</v></c></row>)"), few).rule(),
            "too_many_rows");
}

TEST_F(XlsxReaderTest, CellLargerThanTheLimit) {
  OpenOptions opts;
  opts.limits.max_field_bytes = 10;
  const auto ok = make_sheet(kHeaderAB + R"(<row r="2"><c r="B2"><v>0123456789</v></c></row>)");
  EXPECT_EQ(read_all(*make_xlsx_reader(ok, opts)), (std::vector<Row>{{2, {"", "0123456789"}}}));
  const auto e = open_error(
      make(workbook({{"S", worksheet(kHeaderAB + R"(<row r="2"><c r="B2" t="inlineStr"><is>)"
                                                 R"(<t>01234</t><t>567890</t></is></c></row>)")}}),
           "inline.xlsx"),
      opts);
  EXPECT_EQ(e.rule(), "field_too_large");
  EXPECT_EQ(e.row(), 2u);
  EXPECT_EQ(e.column(), "b");
  EXPECT_EQ(std::string(e.what()).find("01234"), std::string::npos) << e.what();
  // Right of the header the column is named by its letters.
  const auto right = open_error(
      make(workbook({{"S", worksheet(kHeaderAB + R"(<row r="2"><c r="D2"><v>01234567890</v>)"
                                                 R"(</c></row>)")}}),
           "right.xlsx"),
      opts);
  EXPECT_EQ(right.rule(), "field_too_large");
  EXPECT_NE(std::string(right.what()).find("(column D)"), std::string::npos) << right.what();
  // The default limit (1 MiB).
  const auto big = open_error(make(
      workbook({{"S", worksheet(kHeaderAB + "<row r=\"2\"><c r=\"A2\"><v>" +
                                std::string((std::size_t{1} << 20) + 1, '7') + "</v></c></row>")}}),
      "big.xlsx"));
  EXPECT_EQ(big.rule(), "field_too_large");
  EXPECT_EQ(big.column(), "a");
}

TEST_F(XlsxReaderTest, SharedStringsWithinLimits) {
  const auto rows = std::string(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)");
  const auto sst = shared_strings({"h", "0123456789", "x"});
  OpenOptions count;
  count.limits.max_shared_strings = 2;
  EXPECT_EQ(open_error(make_sheet(rows, sst), count).rule(), "too_many_shared_strings");
  OpenOptions total;
  total.limits.max_shared_string_bytes = 11;
  EXPECT_EQ(open_error(make_sheet(rows, sst), total).rule(), "shared_strings_too_large");
  OpenOptions one;
  one.limits.max_field_bytes = 9;
  const auto e = open_error(make_sheet(rows, sst), one);
  EXPECT_EQ(e.rule(), "field_too_large");
  EXPECT_NE(std::string(e.what()).find("shared string 2"), std::string::npos) << e.what();
  OpenOptions enough;
  enough.limits.max_shared_strings = 3;
  enough.limits.max_shared_string_bytes = 12;
  enough.limits.max_field_bytes = 10;
  EXPECT_EQ(make_xlsx_reader(make_sheet(rows, sst), enough)->header(),
            (std::vector<std::string>{"h"}));
}

TEST_F(XlsxReaderTest, RowAndXmlTokenLargerThanTheLimit) {
  OpenOptions opts;
  opts.limits.max_record_bytes = 4096;
  std::string cells;
  for (int c = 0; c < 5; ++c) cells += "<c><v>" + std::string(1000, '5') + "</v></c>";
  const auto row = open_error(make_sheet(kHeaderAB + "<row r=\"2\">" + cells + "</row>"), opts);
  EXPECT_EQ(row.rule(), "record_too_large");
  EXPECT_EQ(row.row(), 2u);
  // A start tag (or comment) is held whole by the XML parser: bounded too, in the sheet
  // and in the small parts.
  opts.buffer_bytes = 4096;
  const auto tag = open_error(make(workbook({{"S", worksheet(kHeaderAB + "<row r=\"2\" x=\"" +
                                                             std::string(200000, 'y') + "\"/>")}}),
                                   "tag.xlsx"),
                              opts);
  EXPECT_EQ(tag.rule(), "record_too_large");
  auto parts = workbook({{"S", worksheet(kHeaderAB)}});
  for (auto& p : parts)
    if (p.name == "xl/workbook.xml")
      p.data.insert(p.data.find("<sheets>"), "<!--" + std::string(200000, 'z') + "-->");
  EXPECT_EQ(open_error(make(parts, "comment.xlsx"), opts).rule(), "record_too_large");
}

TEST_F(XlsxReaderTest, BatchesStopAtTheBatchLimits) {
  std::string rows = kHeaderAB;
  for (int r = 2; r <= 41; ++r) {
    const auto n = std::to_string(r);
    rows += "<row r=\"" + n + "\"><c r=\"A" + n + "\"><v>" + n + "</v></c><c r=\"B" + n +
            "\"><v>x</v></c></row>";
  }
  const auto path = make_sheet(rows);
  const auto all = read_all(*make_xlsx_reader(path, {}));
  ASSERT_EQ(all.size(), 40u);
  for (const bool by_fields : {true, false}) {
    OpenOptions opts;
    if (by_fields) {
      opts.limits.max_batch_fields = 7;  // 4 rows of 2 fields
    } else {
      opts.limits.max_batch_bytes = 9;  // "2x3x4x5x": 4 rows
    }
    auto reader = make_xlsx_reader(path, opts);
    RecordBatch batch;
    std::vector<Row> got;
    while (reader->next(batch, 1000)) {
      EXPECT_LE(batch.rows(), 5u);
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        Row row{batch.record[r], {}};
        for (const auto f : batch.row(r)) row.fields.emplace_back(f);
        got.push_back(std::move(row));
      }
    }
    EXPECT_EQ(got, all) << (by_fields ? "fields" : "bytes");
  }
}

TEST_F(XlsxReaderTest, DecompressedPartsPastTheRatioAreAZipBomb) {
  // 4 MiB of whitespace in the sheet inflates from a few kilobytes.
  const auto path = make_sheet(kHeaderAB + std::string(std::size_t{4} << 20, ' '));
  EXPECT_LT(fs::file_size(path), 100000u);
  EXPECT_EQ(make_xlsx_reader(path, {})->header(), (std::vector<std::string>{"a", "b"}));
  OpenOptions opts;
  opts.limits.min_decompressed_bytes = 1 << 20;  // the ratio (100) then decides
  EXPECT_EQ(open_error(path, opts).rule(), "decompressed_too_large");
  OpenOptions cap;
  cap.limits.max_decompressed_ratio = 1000000;
  cap.limits.max_decompressed_bytes = 2 << 20;  // the absolute cap decides
  EXPECT_EQ(open_error(path, cap).rule(), "decompressed_too_large");
}

TEST(XlsxFixtures, LimitsAndPaths) {
  const std::string bad = REINSCORE_TEST_DATA_DIR "/bad/";
  const auto error_of = [](const std::string& path) -> input_error {
    try {
      auto reader = make_xlsx_reader(path, {});
      read_all(*reader);
    } catch (const input_error& e) {
      return e;
    }
    ADD_FAILURE() << "no input_error for " << path;
    return input_error("none", "none");
  };
  // far_column.xlsx: a cell in column XFD of row 6: row 6 is ragged by one field.
  const auto far = read_all(*make_xlsx_reader(bad + "far_column.xlsx", {}));
  ASSERT_EQ(far.size(), 5u);
  EXPECT_EQ(far[4], (Row{6, {"I000005", "very_dissatisfied", "very_often", "1"}}));
  const auto past = error_of(bad + "column_past_limit.xlsx");
  EXPECT_EQ(past.rule(), "too_many_columns");
  EXPECT_EQ(past.row(), 6u);
  EXPECT_EQ(error_of(bad + "row_jump.xlsx").rule(), "too_many_rows");
  // rels_traversal.xlsx: targets "../../../../etc/passwd" and "/etc/shadow" resolve inside
  // the archive (etc/passwd, etc/shadow), which has no such parts: never the file system.
  const auto traversal = error_of(bad + "rels_traversal.xlsx");
  EXPECT_EQ(traversal.rule(), "unreadable_xlsx");
  EXPECT_NE(std::string(traversal.what()).find("missing part 'etc/shadow'"), std::string::npos)
      << traversal.what();
  EXPECT_EQ(error_of(bad + "zip_bomb.xlsx").rule(), "decompressed_too_large");
  // The zip directory says the sheet is 1,000 bytes: the bytes are counted as they inflate.
  EXPECT_EQ(error_of(bad + "zip_bomb_lying.xlsx").rule(), "decompressed_too_large");
}

TEST_F(XlsxReaderTest, RelationshipTargetsResolveInsideTheArchive) {
  // A workbook whose sheet lies at etc/passwd inside the archive: a target that climbs out
  // ("../../../../etc/passwd") or is absolute ("/etc/passwd") reads that part, from the zip.
  const std::string sheet = worksheet(kHeaderAB + R"(<row r="2"><c r="A2"><v>1</v></c></row>)");
  for (const std::string target : {"../../../../etc/passwd", "/etc/passwd"}) {
    auto parts = workbook({{"S", worksheet("")}});
    for (auto& p : parts) {
      if (p.name == "xl/_rels/workbook.xml.rels") {
        const auto at = p.data.find("worksheets/sheet1.xml");
        p.data.replace(at, std::string("worksheets/sheet1.xml").size(), target);
      }
    }
    parts.push_back({"etc/passwd", sheet});
    auto reader = make_xlsx_reader(make(parts, "t" + std::to_string(target.size()) + ".xlsx"), {});
    EXPECT_EQ(reader->header(), (std::vector<std::string>{"a", "b"})) << target;
    EXPECT_EQ(read_all(*reader), (std::vector<Row>{{2, {"1", ""}}})) << target;
  }
}

}  // namespace
