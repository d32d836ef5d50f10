// Streaming reader for one worksheet of an Office Open XML workbook (.xlsx), as exported
// by KoboToolbox or ODK Central. The zip archive is read with libzip and the worksheet XML
// is pushed through expat in blocks, so memory stays bounded by one block plus one batch
// (and the workbook's shared-strings table, which is held in full, within limits).
//
// What the reader delivers:
// - The header is the first worksheet row with a non-blank cell; names are trimmed of
//   ASCII whitespace; its width is the last non-blank header cell.
// - Every later row up to the last non-blank one is delivered, with
//   RecordBatch::record = the worksheet row number. Rows that are absent from the XML or
//   have only blank cells are delivered as records of one empty field (as a blank line of
//   a CSV file), so row numbers always match what a spreadsheet shows at a cost that does
//   not grow with the header's width. Blank rows after the last non-blank row are not
//   delivered.
// - Absent cells are empty fields. A data row has header-width fields; non-blank cells
//   right of the header make it a ragged row of header width + 1 fields (the last one is
//   the leftmost of those cells), however far right they lie: a row's memory never grows
//   with the column letter of a far-away cell.
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
//
// Limits (OpenOptions::limits, table.hpp; defaults in brackets), each an input_error with
// its rule: too_many_columns (a cell right of column max_columns [16,384, XFD], with its
// row), too_many_rows (a row number past max_sheet_rows [1,048,576]; absent rows before it
// are delivered, so the number is bounded before use), field_too_large (a cell or shared
// string over max_field_bytes [1 MiB], with row and column), record_too_large (a row over
// max_record_bytes [64 MiB] of text, or one XML token of that size in any part),
// too_many_shared_strings [16,777,216] and shared_strings_too_large [256 MiB] (the
// shared-strings table, held in memory), decompressed_too_large (more bytes inflated from
// the archive than max_decompressed_ratio [100] times the file size, at least
// min_decompressed_bytes [16 MiB], at most max_decompressed_bytes [8 GiB]: checked
// against the sizes the zip directory declares before a part is opened, and counted while
// inflating, since the directory can lie). A batch ends early at max_batch_fields or
// max_batch_bytes.
//
// Parts are only ever read from the archive, by name: a relationship target such as
// "../../etc/passwd" or "/etc/passwd" resolves inside the archive (".." stops at its root),
// and external targets (TargetMode="External") are ignored.
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
