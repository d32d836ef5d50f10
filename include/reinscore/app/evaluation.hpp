// `report`: the evaluators' document. From a raw export (validated and scored first) or a
// scores file, it gathers what the other commands compute (summarize, panel,
// reliability, validate) into sections of tables and charts, in the words of a message
// catalog (data/messages/LANG.json), and renders one self-contained HTML file. It
// computes no statistic of its own: every number comes from the application layer's
// Reports, with the same suppression rule as `summarize`.
#pragma once

#include <reinscore/app/fit_weights.hpp>
#include <reinscore/app/instruments.hpp>
#include <reinscore/app/report.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace reinscore::app {

/// The words of the report in one language: message files data/messages/LANG.json
/// ({"key": "text with {placeholders}"}), found next to the instrument directories of the
/// search path (<dir>/../messages).
class Catalog {
 public:
  /// Throws option_error (--lang) for a language without a catalog, std::invalid_argument
  /// for a catalog that is not a JSON object of strings.
  static Catalog load(const std::string& lang, const InstrumentSearch& search);
  /// From JSON text (tests).
  static Catalog parse(const std::string& lang, const std::string& json_text);

  const std::string& lang() const noexcept { return lang_; }
  /// True unless the catalog says "_reviewed": true (translations awaiting review).
  bool provisional() const noexcept { return provisional_; }
  /// The text of `key` with each {name} replaced by its value; throws std::logic_error for a
  /// key the catalog lacks (a test keeps the catalogs complete).
  std::string text(std::string_view key,
                   const std::vector<std::pair<std::string, std::string>>& args = {}) const;
  bool has(std::string_view key) const noexcept;
  /// Every key, sorted.
  std::vector<std::string> keys() const;
  /// Numbers as people of the language write them (decimal comma for fr and pt).
  std::string number(std::string text) const;

 private:
  std::string lang_;
  bool provisional_ = true;
  std::map<std::string, std::string, std::less<>> text_;
};

/// The languages with a catalog shipped with reinscore.
inline constexpr std::string_view report_languages[] = {"en", "fr", "pt"};

struct EvaluationRequest {
  std::string instrument = "iom-rss";   ///< --instrument: name or .json file
  std::string weights;                  ///< --weights: weight set name or file ("": default)
  std::vector<std::string> by;          ///< --by: one breakdown per column
  std::string weight, strata, cluster;  ///< --weight, --strata, --cluster: the survey design
  std::string returnee_id, round;       ///< --returnee-id, --round: change across rounds
  /// --levels: the per-country file of `integrate --country-out` (the 3 x 3 picture)
  std::string levels;
  std::string title;           ///< --title ("": the catalog's)
  std::string lang = "en";     ///< --lang: en, fr or pt
  std::int64_t min_cell = 10;  ///< --min-cell: groups smaller than this are not shown
  double level = 0.95;         ///< --level of the intervals
  std::string date;            ///< --date (yyyy-mm-dd) on the cover; "": none
  ExportOptions input;         ///< --delimiter, --sheet, --map, ...

  /// Throws option_error naming the option and the rule.
  void check() const;
  /// The command that reproduces the report for `input_name` (the file name as given to
  /// the command line), options in a fixed order: the same for every face.
  std::string command_line(const std::string& input_name) const;
};

/// A dot-and-interval or bar chart of one table's rows.
struct Chart {
  enum class Kind : std::uint8_t { interval, bar };
  Kind kind = Kind::interval;
  std::string title;
  std::string description;  ///< the text alternative
  std::vector<std::string> labels;
  std::vector<double> value, lo, hi;  ///< lo/hi empty for bars
  double axis_min = 0, axis_max = 1;
  double reference = std::numeric_limits<double>::quiet_NaN();  ///< dashed line (threshold, 0)
  std::string reference_label;
};

struct Block {
  enum class Kind : std::uint8_t { paragraph, note, table, chart };
  Kind kind = Kind::paragraph;
  std::string text;  ///< paragraph or note
  Table table;       ///< its name is the file name of --tables-out
  Chart chart;
};

struct Section {
  std::string id;  ///< the HTML anchor: cover, key-figures, by-country, ...
  std::string title;
  std::vector<Block> blocks;
};

struct Document {
  std::string lang;
  std::string title;
  std::vector<std::string> banners;  ///< PROVISIONAL, SYNTHETIC (shown on every page top)
  std::vector<Section> sections;
  /// Column names as the reader sees them ("mean" -> "moyenne"); tables keep their names.
  std::map<std::string, std::string> headers;

  /// Every table of the document, in order (for --tables-out).
  std::vector<const Table*> tables() const;
};

/// The whole report for the file `path` (`input_name` is how the file is named in the
/// document and the command: its base name). Throws the errors of the commands it runs
/// (input_error, option_error).
Document evaluation(const std::string& path, const EvaluationRequest& request,
                    const InstrumentSearch& search);

/// One self-contained HTML file: inline CSS and SVG, no script, a Content-Security-Policy
/// that forbids every request, a print stylesheet for A4. Deterministic bytes.
std::string render_html(const Document& doc);

/// File names for --tables-out: "NN-section-table.csv", in document order, unique.
std::vector<std::string> table_file_names(const Document& doc);

}  // namespace reinscore::app
