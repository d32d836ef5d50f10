// XLSX reader on raw zip bytes, and on one XML part inside an otherwise valid workbook
// built here with libzip. The first byte picks what the rest is (see Part), the next
// ones the parser's block size, the batch size and the compression.
#include "fuzz_common.hpp"
#include "io/xlsx_reader.hpp"

#include <zip.h>

#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace {

enum Part : std::uint8_t { raw_zip, worksheet, shared_strings, workbook, workbook_rels, parts };

constexpr const char* kDecl = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)";
constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string default_part(Part p) {
  const std::string decl = kDecl;
  switch (p) {
    case worksheet:
      return decl + R"(<worksheet xmlns=")" + kMain + R"("><sheetData>)" +
             R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)" +
             R"(<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>3</v></c></row>)" +
             R"(<row r="4"><c r="A4" t="inlineStr"><is><t>x</t></is></c></row>)" +
             "</sheetData></worksheet>";
    case shared_strings:
      return decl + R"(<sst xmlns=")" + kMain + R"(" count="3" uniqueCount="3">)" +
             "<si><t>interview_id</t></si><si><t>econ_satisfaction</t></si>" +
             "<si><r><t>satis</t></r><r><t>fied</t></r></si></sst>";
    case workbook:
      return decl + R"(<workbook xmlns=")" + kMain + R"(" xmlns:r=")" + kRel +
             R"("><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>)";
    case workbook_rels:
      return decl +
             R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)" +
             R"(<Relationship Id="rId1" Type=")" + kRel +
             R"(/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type=")" +
             kRel + R"(/sharedStrings" Target="sharedStrings.xml"/></Relationships>)";
    default:
      return {};
  }
}

bool write_workbook(const std::string& path, Part fuzzed, std::string_view bytes, bool deflate) {
  const std::pair<const char*, Part> names[] = {{"xl/worksheets/sheet1.xml", worksheet},
                                                {"xl/sharedStrings.xml", shared_strings},
                                                {"xl/workbook.xml", workbook},
                                                {"xl/_rels/workbook.xml.rels", workbook_rels}};
  std::vector<std::string> data;
  for (const auto& [name, part] : names)
    data.push_back(part == fuzzed ? std::string(bytes) : default_part(part));
  data.push_back(std::string(kDecl) +
                 R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
                 R"(<Default Extension="xml" ContentType="application/xml"/></Types>)");
  int err = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (zip == nullptr) return false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char* name = i < std::size(names) ? names[i].first : "[Content_Types].xml";
    zip_source_t* src = zip_source_buffer(zip, data[i].data(), data[i].size(), 0);
    const zip_int64_t index = src ? zip_file_add(zip, name, src, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0 || zip_set_file_compression(zip, static_cast<zip_uint64_t>(index),
                                              deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
      if (src && index < 0) zip_source_free(src);
      zip_discard(zip);
      return false;
    }
  }
  return zip_close(zip) == 0;  // data[] must outlive zip_close, which reads the buffers
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const auto part = static_cast<Part>(in.byte() % parts);
  reinscore::io::OpenOptions opts;
  opts.buffer_bytes = static_cast<std::size_t>(in.byte() % 64) + 1;
  const std::size_t max_rows = in.byte() % 16 + 1;
  const bool deflate = in.byte() & 1;
  const auto bytes = in.rest();
  const std::string path = (fuzz::TempDir::path() / "fuzz.xlsx").string();
  if (part == raw_zip) {
    fuzz::write_temp("fuzz.xlsx", bytes);
  } else if (!write_workbook(path, part, bytes, deflate)) {
    fuzz::TempDir::clear();
    return 0;
  }
  fuzz::guard([&] {
    auto reader = reinscore::io::make_xlsx_reader(path, opts);
    std::size_t sum = 0;
    for (const auto& h : reader->header()) sum += h.size();
    reinscore::io::RecordBatch batch;
    while (reader->next(batch, max_rows)) {
      if (batch.rows() > max_rows || batch.offsets.size() != batch.rows() + 1 ||
          batch.flags.size() != batch.rows())
        __builtin_trap();                // a broken batch is a finding, not an input error
      for (const auto f : batch.fields)  // every byte, so ASan checks every view
        for (const char c : f) sum += static_cast<unsigned char>(c);
    }
    (void)sum;
  });
  fuzz::TempDir::clear();
  return 0;
}
