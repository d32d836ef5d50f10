// Streaming RFC 4180 reader for CSV/TSV exports (KoboToolbox, ODK Central, spreadsheets).
//
// Behaviour callers rely on:
//  * The input is read in blocks of OpenOptions::buffer_bytes; memory does not grow with the
//    file size (only with the longest record and with the size of the batches asked for).
//  * A UTF-8 byte order mark is skipped. Records end at LF, CRLF or a lone CR (the CR is never
//    part of the last field). A single line break at the end of the file does not make a
//    record; a last record without a line break is delivered.
//  * Quoted fields are unescaped: the surrounding quotes are removed, doubled quotes collapse
//    to one, delimiters and line breaks inside quotes are kept. Data fields are not trimmed.
//  * header() is the first record with surrounding spaces and tabs trimmed from each name.
//    Duplicate names are kept as they are (the caller reports them).
//  * Ragged rows (a field count different from the header) are delivered unchanged, with the
//    number of fields they have. A blank line is a record with one empty field.
//  * RecordBatch::record holds spreadsheet row numbers: header = 1, first data record = 2; a
//    record spanning several physical lines counts as one row.
//  * Rows with invalid UTF-8 are delivered with row_invalid_utf8 set in RecordBatch::flags.
//  * File-level problems throw reinscore::input_error with these rules: unreadable_file,
//    empty_file, empty_header (the first line is blank), invalid_utf8 (header only),
//    unterminated_quote, bad_quote. Messages carry row numbers, column names and the rule,
//    never cell contents.
//  * Limits (OpenOptions::limits, table.hpp; defaults in brackets), each an input_error:
//    record_too_large (a record of Limits::max_record_bytes [64 MiB] or more, almost always
//    a quote that is never closed), field_too_large (a field over max_field_bytes [1 MiB],
//    with row and column), too_many_columns (a record, header included, with more than
//    max_columns [16,384] fields, with row). Memory is bounded by the buffer, one record
//    and one batch; a batch ends early at max_batch_fields or max_batch_bytes.
#pragma once

#include "io/table.hpp"

#include <cstdint>
#include <istream>
#include <memory>
#include <string>

namespace reinscore::io {

/// Opens a CSV/TSV file ("-" reads standard input) and reads its header.
std::unique_ptr<TableReader> make_csv_reader(const std::string& path, const OpenOptions& opts);

/// Reads CSV from any stream (tests, in-memory data). `source_name` is used in error
/// messages; `total_bytes` is what bytes_total() reports (0 when unknown).
std::unique_ptr<TableReader> make_csv_reader(std::unique_ptr<std::istream> in,
                                             std::string source_name, std::uint64_t total_bytes,
                                             const OpenOptions& opts);

}  // namespace reinscore::io
