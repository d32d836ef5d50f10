// Streaming reader for one worksheet of an Office Open XML workbook (.xlsx), as exported
// by KoboToolbox or ODK Central. The zip archive is read with libzip and the worksheet XML
// is pushed through expat in blocks, so memory stays bounded by one block plus one batch
// (and the workbook's shared-strings table, which is held in full).
//
// What the reader delivers:
// - The header is the first worksheet row with a non-blank cell; names are trimmed of
//   ASCII whitespace; its width is the last non-blank header cell.
// - Every later row up to the last non-blank one is delivered, with
//   RecordBatch::record = the worksheet row number. Rows that are absent from the XML or
//   have only blank cells are delivered as records of header-width empty fields, so row
//   numbers always match what a spreadsheet shows. Blank rows after the last non-blank row
//   are not delivered.
// - Absent cells are empty fields. A data row has header-width fields, or more when it has
//   non-blank cells right of the header (ragged rows are delivered as is).
// - Values: shared and inline strings (rich-text runs concatenated, phonetic runs dropped,
//   `_xHHHH_` escapes decoded), numbers as written in `<v>` (no number formatting, so
//   dates formatted as dates arrive as serial numbers), booleans as TRUE/FALSE, errors as
//   written (#N/A), cached formula results.
// - bytes_read()/bytes_total() count uncompressed worksheet XML bytes.
//
// Errors (reinscore::input_error, never quoting cell contents): unreadable_file (cannot
// open the file, as the CSV reader), unreadable_xlsx (not a zip archive, truncated or
// corrupt archive, missing workbook parts, password-protected or legacy .xls),
// unknown_sheet, malformed_xlsx (XML errors, with the worksheet row when known),
// empty_file (0-byte file, or no non-blank cell in the sheet).
#pragma once

#include "io/table.hpp"

#include <memory>
#include <string>

namespace reinscore::io {

/// Opens `path` as an .xlsx workbook and reads the header of sheet `opts.sheet` (the
/// first sheet when empty; matched exactly, then ignoring ASCII case). `opts.buffer_bytes`
/// is the size of the blocks handed to the XML parser.
std::unique_ptr<TableReader> make_xlsx_reader(const std::string& path, const OpenOptions& opts);

}  // namespace reinscore::io
