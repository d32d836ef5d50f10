// Reading a raw export in batches, and `fit-weights` (include/reinscore/app/fit_weights.hpp).
#include "io/batch.hpp"
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <reinscore/app/fit_weights.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/validate.hpp>  // delimiter_option
#include <reinscore/detail/json.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace reinscore::app {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

io::OpenOptions open_options(const ExportOptions& opt) {
  io::OpenOptions o;
  o.delimiter = delimiter_option(opt.delimiter);
  o.sheet = opt.sheet;
  return o;
}

io::ColumnBinding bind_checked(const Instrument& ins, const std::vector<std::string>& header,
                               const ExportOptions& opt) {
  auto map = opt.map.empty() ? std::map<std::string, std::string>{} : io::load_column_map(opt.map);
  for (const auto& [column, item] : opt.column_map) map[column] = item;
  io::ColumnBinding b = io::bind_columns(ins, header, map);
  if (b.matched == 0)
    throw input_error("no_item_columns", "no column of the input matches an item of instrument '" +
                                             ins.id + "' (check the delimiter, or use --map)");
  const io::HeaderProblem* first = nullptr;
  std::size_t fatal = 0;
  for (const auto& p : b.problems) {
    if (!p.fatal || (p.rule == "missing_column" && opt.allow_missing_columns)) continue;
    if (first == nullptr) first = &p;
    ++fatal;
  }
  if (first != nullptr)
    throw input_error(first->rule,
                      first->message + (fatal > 1 ? " (the first of " + std::to_string(fatal) +
                                                        " column problems; `reinscore validate` "
                                                        "lists them all)"
                                                  : std::string()),
                      0, first->column);
  return b;
}

// The one column named `name` of `header`; input_error when there is none or several.
std::size_t column_index(const std::vector<std::string>& header, const std::string& name,
                         const char* role) {
  std::size_t found = io::ColumnBinding::none, count = 0;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) {
      found = c;
      ++count;
    }
  if (count == 0)
    throw input_error("missing_column", std::string(role) + "not in the input", 0, name);
  if (count > 1) throw input_error("duplicate_column", "appears more than once", 0, name);
  return found;
}

[[noreturn]] void bad_weight(std::uint64_t row, const std::string& column) {
  throw input_error("invalid_weight", "weight is empty, not a number or negative",
                    static_cast<std::size_t>(row), column);
}

// A sampling weight from a cell: the one rule for numbers in cells, then >= 0.
double weight_of_text(std::string_view text, std::uint64_t row, const std::string& column) {
  double x = 0;
  if (!detail::parse_number(detail::trim(text), x) || x < 0) bad_weight(row, column);
  return x;
}

void fill_invalid(ExportBatch& out) {
  out.invalid.resize(out.status.size());
  for (std::size_t r = 0; r < out.status.size(); ++r)
    out.invalid[r] = out.status[r] == Status::invalid ? 1 : 0;
}

// What both sources share: the weights a face may hand over itself, one per row (Python's
// `weight=array`), instead of naming a column.
class ExportBase : public ExportSource {
 public:
  bool weighted() const noexcept override { return !weight_name_.empty() || use_given_; }
  std::string weight_label() const override {
    if (!weight_name_.empty()) return "column '" + weight_name_ + "'";
    return use_given_ ? std::string("given weights") : std::string();
  }
  bool given_weights() const noexcept override { return given_.has_value(); }

 protected:
  explicit ExportBase(std::optional<std::vector<double>> given) : given_(std::move(given)) {}

  // At the start of a pass: a named column, else the given weights when there are any.
  void start_weights(const ExportWant& want) {
    if (!want.weight.empty() && given_)
      throw option_error("--weight", "is either a column or one weight per row, not both");
    weight_name_ = want.weight;
    use_given_ = want.weight.empty() && given_.has_value();
    rows_ = 0;
  }
  // The given weight of the pass's row `i` (0-based); `row` names it in messages.
  double given_weight(std::size_t i, std::uint64_t row) const {
    if (i >= given_->size()) throw option_error("--weight", count_rule(i + 1, false));
    const double x = (*given_)[i];
    if (!(std::isfinite(x) && x >= 0)) bad_weight(row, {});
    return x;
  }
  // At the end of a pass: as many rows as given weights.
  void end_weights() const {
    if (use_given_) check_given_rows(rows_);
  }
  void check_given_rows(std::size_t rows) const {
    if (given_ && rows != given_->size()) throw option_error("--weight", count_rule(rows, true));
  }

  std::string weight_name_;
  bool use_given_ = false;
  std::size_t rows_ = 0;  ///< rows delivered in this pass

 private:
  // `all`: every row of the input counted; else it has `rows` at least (still reading).
  std::string count_rule(std::size_t rows, bool all) const {
    return "must hold one sampling weight per row (" + std::to_string(rows) +
           (all ? "" : " or more") + "), not " + std::to_string(given_->size());
  }
  std::optional<std::vector<double>> given_;
};

// ---- a file ----------------------------------------------------------------------------

class FileExport final : public ExportBase {
 public:
  FileExport(std::string path, const Instrument& ins, const ExportOptions& opt,
             std::optional<std::vector<double>> weights)
      : ExportBase(std::move(weights)),
        path_(std::move(path)),
        ins_(ins),
        opt_(opt),
        open_(open_options(opt)) {
    reader_ = io::open_table(path_, open_);
    binding_ = bind_checked(ins_, reader_->header(), opt_);
    scorer_ = std::make_unique<io::BatchScorer>(ins_, ins_.weights(), binding_);
  }

  const std::vector<std::string>& header() const noexcept override { return binding_.header; }
  bool restartable() const noexcept override { return path_ != "-"; }

  void start(const ExportWant& want) override {
    if (started_) {
      if (!restartable()) throw std::logic_error("FileExport: standard input is read once only");
      reader_ = io::open_table(path_, open_);
      if (reader_->header() != binding_.header)
        throw input_error("input_changed", "the header of the input changed between two passes");
    }
    started_ = true;
    start_weights(want);
    weight_ = want.weight.empty() ? io::ColumnBinding::none
                                  : column_index(binding_.header, want.weight, "weight column ");
    pass_.clear();
    for (const auto& name : want.pass) pass_.push_back(column_index(binding_.header, name, ""));
  }

  bool next(ExportBatch& out) override {
    if (!started_) throw std::logic_error("FileExport::next before start");
    if (!reader_->next(batch_, static_cast<std::size_t>(opt_.chunk_rows))) {
      end_weights();
      return false;
    }
    scorer_->run(batch_, res_);
    const std::size_t n = batch_.rows();
    std::swap(out.coded, res_.coded);  // run() sizes res_.coded again for the next batch
    out.status = res_.scores.status;
    fill_invalid(out);
    out.row.assign(batch_.record.begin(), batch_.record.end());
    out.weight.resize(weighted() ? static_cast<Eigen::Index>(n) : 0);
    for (std::size_t r = 0; r < n && weighted(); ++r) {
      double x = 0;  // an invalid row is left out (a ragged one may not even have the field)
      if (!out.invalid[r])
        x = use_given_ ? given_weight(rows_ + r, batch_.record[r])
                       : weight_of_text(batch_.row(r)[weight_], batch_.record[r], weight_name_);
      out.weight(static_cast<Eigen::Index>(r)) = x;
    }
    out.pass.assign(pass_.size(), std::vector<std::string>(n));
    if (!pass_.empty())
      for (std::size_t r = 0; r < n; ++r) {
        const auto row = batch_.row(r);
        const auto facts = io::row_facts(res_, static_cast<Eigen::Index>(r));
        for (std::size_t j = 0; j < pass_.size(); ++j) {
          const std::size_t c = pass_[j];
          if (c < row.size() && io::pass_field_problem(facts, c).empty())
            out.pass[j][r] = std::string(row[c]);
        }
      }
    rows_ += n;
    return true;
  }

 private:
  std::string path_;
  const Instrument& ins_;
  ExportOptions opt_;
  io::OpenOptions open_;
  std::unique_ptr<io::TableReader> reader_;
  io::ColumnBinding binding_;
  std::unique_ptr<io::BatchScorer> scorer_;  // holds references to ins_ and binding_
  io::RecordBatch batch_;
  io::BatchResult res_;
  bool started_ = false;
  std::size_t weight_ = io::ColumnBinding::none;
  std::vector<std::size_t> pass_;
};

// ---- rows coded by a face ----------------------------------------------------------------

class CodedExport final : public ExportBase {
 public:
  CodedExport(CodedBlock coded, std::vector<Status> status, std::vector<std::string> header,
              std::vector<RawColumn> columns, std::optional<std::vector<double>> weights,
              const ExportOptions& opt)
      : ExportBase(std::move(weights)),
        coded_(std::move(coded)),
        status_(std::move(status)),
        header_(std::move(header)),
        columns_(std::move(columns)),
        chunk_(static_cast<std::size_t>(opt.chunk_rows)) {
    const auto n = static_cast<std::size_t>(coded_.rows());
    if (coded_.reasons.rows() != coded_.values.rows() ||
        coded_.reasons.cols() != coded_.values.cols() || status_.size() != n)
      throw std::invalid_argument("coded_export: values, reasons and status differ in rows");
    for (const auto& c : columns_)
      if ((c.numeric ? c.number.size() : c.text.size()) != n ||
          (!c.present.empty() && c.present.size() != n))
        throw std::invalid_argument("coded_export: column '" + c.name + "' has the wrong length");
    check_given_rows(n);  // before any pass: a frame's length is known
  }

  const std::vector<std::string>& header() const noexcept override { return header_; }
  bool restartable() const noexcept override { return true; }

  void start(const ExportWant& want) override {
    at_ = 0;
    start_weights(want);
    weight_ = want.weight.empty() ? nullptr : &column(want.weight, "weight column ");
    pass_.clear();
    for (const auto& name : want.pass) pass_.push_back(&column(name, ""));
  }

  bool next(ExportBatch& out) override {
    const Eigen::Index n = coded_.rows();
    if (at_ >= n) return false;
    const Eigen::Index m = std::min(static_cast<Eigen::Index>(chunk_), n - at_);
    const auto from = static_cast<std::size_t>(at_), count = static_cast<std::size_t>(m);
    out.coded.values = coded_.values.middleRows(at_, m);
    out.coded.reasons = coded_.reasons.middleRows(at_, m);
    const auto first = status_.begin() + static_cast<std::ptrdiff_t>(from);
    out.status.assign(first, first + static_cast<std::ptrdiff_t>(count));
    fill_invalid(out);
    out.row.resize(count);
    for (std::size_t r = 0; r < count; ++r) out.row[r] = from + r + 1;
    out.weight.resize(weighted() ? m : 0);
    for (std::size_t r = 0; r < count && weighted(); ++r) {
      const std::size_t i = from + r;
      double x = 0;  // invalid rows are left out
      if (!out.invalid[r])
        x = weight_ == nullptr ? given_weight(i, out.row[r]) : cell_weight(i, out.row[r]);
      out.weight(static_cast<Eigen::Index>(r)) = x;
    }
    out.pass.assign(pass_.size(), std::vector<std::string>(count));
    for (std::size_t j = 0; j < pass_.size(); ++j) {
      const RawColumn& c = *pass_[j];
      for (std::size_t r = 0; r < count; ++r) {
        const std::size_t i = from + r;
        if (c.numeric) {
          if (!std::isnan(c.number[i])) out.pass[j][r] = key_text(c.number[i]);
        } else if (c.present.empty() || c.present[i]) {
          out.pass[j][r] = c.text[i];
        }
      }
    }
    at_ += m;
    return true;
  }

 private:
  // The weight in row `i` of the named column: a number as handed over, or text read by the
  // one rule for numbers in cells.
  double cell_weight(std::size_t i, std::uint64_t row) const {
    if (weight_->numeric) {
      const double x = weight_->number[i];
      if (!(std::isfinite(x) && x >= 0)) bad_weight(row, weight_->name);
      return x;
    }
    if (!weight_->present.empty() && !weight_->present[i]) bad_weight(row, weight_->name);
    return weight_of_text(weight_->text[i], row, weight_->name);
  }

  const RawColumn& column(const std::string& name, const char* role) const {
    (void)column_index(header_, name, role);  // the input has it, once
    for (const auto& c : columns_)
      if (c.name == name) return c;
    throw std::logic_error("coded_export: column '" + name + "' was not handed over");
  }

  CodedBlock coded_;
  std::vector<Status> status_;
  std::vector<std::string> header_;
  std::vector<RawColumn> columns_;
  std::size_t chunk_;
  Eigen::Index at_ = 0;
  const RawColumn* weight_ = nullptr;
  std::vector<const RawColumn*> pass_;
};

// ---- fit-weights ---------------------------------------------------------------------------

std::string block_name(const BlockFit& b) { return b.name; }

Table fit_table(const FitWeightsRequest& req, const std::string& weighting, const FitResult& fit) {
  Table t{"fit", "Fit", {}, 0, 0};
  for (const char* name : {"name", "method", "composite", "missing", "weighting"})
    t.add(name, Kind::text);
  t.at("name").push_text(req.set_name());
  t.at("method").push_text(req.method);
  t.at("composite").push_text(req.composite);
  t.at("missing").push_text(req.missing);
  t.at("weighting").push_text(weighting.empty() ? "unweighted" : weighting);
  t.add("rows", Kind::count).push(fit.rows);
  t.add("rows_used", Kind::count).push(fit.rows_used);
  t.add("rows_invalid", Kind::count).push(fit.rows_skipped);
  return t;
}

std::vector<const BlockFit*> blocks_of(const FitResult& fit) {
  std::vector<const BlockFit*> out;
  for (const auto& b : fit.dimensions) out.push_back(&b);
  out.push_back(&fit.all);
  return out;
}

Table blocks_table(const FitResult& fit) {
  Table t{"blocks", "Blocks (each dimension, then all items)", {}, 1, 0};
  t.columns.reserve(10);  // the columns are filled through references: room for all first
  auto& block = t.add("block", Kind::text);
  auto& items = t.add("items", Kind::count);
  auto& n = t.add("n", Kind::count);
  auto& kmo = t.add("kmo", Kind::number, 3);
  auto& chi2 = t.add("bartlett_chi2", Kind::number, 1);
  auto& df = t.add("bartlett_df", Kind::count);
  auto& p = t.add("bartlett_p", Kind::p_value, 4);
  auto& ev = t.add("eigenvalue_1", Kind::number, 3);
  auto& share = t.add("explained_1", Kind::number, 3);
  auto& kept = t.add("components_kept", Kind::count);
  for (const BlockFit* b : blocks_of(fit)) {
    block.push_text(block_name(*b));
    items.push(static_cast<double>(b->items.size()));
    n.push(b->n);
    kmo.push(b->kmo.overall);
    chi2.push(b->bartlett.chi2);
    df.push(b->bartlett.df);
    p.push(b->bartlett.p_value);
    ev.push(b->pca.eigenvalues(0));
    share.push(b->pca.explained_ratio(0));
    if (b->kept > 0)
      kept.push(static_cast<double>(b->kept));
    else
      kept.push(nan, Cell::missing);
  }
  return t;
}

Table weights_table(const Instrument& ins, const WeightSet& w) {
  Table t{"weights", "Weights per item", {}, 1, 0};
  t.columns.reserve(4);
  auto& item = t.add("item", Kind::text);
  auto& dim = t.add("dimension", Kind::text);
  auto& dw = t.add("dimension_weight", Kind::number, 4);
  auto& cw = t.add("composite_weight", Kind::number, 4);
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    item.push_text(ins.items[k].id);
    dim.push_text(ins.items[k].dimension);
    dw.push(w.items[k].dimension);
    if (w.items[k].composite)
      cw.push(*w.items[k].composite);
    else
      cw.push(nan, Cell::missing);
  }
  return t;
}

Table dimension_weights_table(const Instrument& ins, const WeightSet& w) {
  Table t{"dimension_weights", "Composite by dimension", {}, 1, 0};
  t.columns.reserve(2);
  auto& dim = t.add("dimension", Kind::text);
  auto& cw = t.add("composite_weight", Kind::number, 4);
  for (std::size_t d = 0; d < ins.dimensions.size(); ++d) {
    dim.push_text(ins.dimensions[d]);
    cw.push(w.dimension_weights[d]);
  }
  return t;
}

Table eigenvalues_table(const FitResult& fit) {
  Table t{"eigenvalues", "Eigenvalues", {}, 2, 0};
  t.columns.reserve(5);
  auto& block = t.add("block", Kind::text);
  auto& comp = t.add("component", Kind::count);
  auto& ev = t.add("eigenvalue", Kind::number, 4);
  auto& ratio = t.add("explained_variance_ratio", Kind::number, 4);
  auto& cum = t.add("cumulative", Kind::number, 4);
  for (const BlockFit* b : blocks_of(fit)) {
    double sum = 0;
    for (Eigen::Index j = 0; j < b->pca.eigenvalues.size(); ++j) {
      block.push_text(block_name(*b));
      comp.push(static_cast<double>(j + 1));
      ev.push(b->pca.eigenvalues(j));
      ratio.push(b->pca.explained_ratio(j));
      sum += b->pca.explained_ratio(j);
      cum.push(sum);
    }
  }
  return t;
}

// Per block, one row per item: `matrix(b)` (items x columns) under PREFIX1.., missing beyond
// a block's width.
template <class Get>
Table matrix_table(const Instrument& ins, const FitResult& fit, std::string name, std::string title,
                   const std::string& prefix, Eigen::Index width, const Get& matrix) {
  Table t{std::move(name), std::move(title), {}, 2, 0};
  t.columns.reserve(static_cast<std::size_t>(width) + 2);  // references stay valid
  auto& block = t.add("block", Kind::text);
  auto& item = t.add("item", Kind::text);
  for (Eigen::Index j = 0; j < width; ++j) t.add(prefix + std::to_string(j + 1), Kind::number, 4);
  for (const BlockFit* b : blocks_of(fit)) {
    const Eigen::MatrixXd& m = matrix(*b);
    for (std::size_t i = 0; i < b->items.size(); ++i) {
      block.push_text(block_name(*b));
      item.push_text(ins.items[static_cast<std::size_t>(b->items[i])].id);
      for (Eigen::Index j = 0; j < width; ++j) {
        Column& c = t.columns[static_cast<std::size_t>(j) + 2];
        if (j < m.cols())
          c.push(m(static_cast<Eigen::Index>(i), j));
        else
          c.push(nan, Cell::missing);
      }
    }
  }
  return t;
}

Table kmo_table(const Instrument& ins, const FitResult& fit) {
  Table t{"kmo", "KMO per item", {}, 2, 0};
  t.columns.reserve(3);
  auto& block = t.add("block", Kind::text);
  auto& item = t.add("item", Kind::text);
  auto& kmo = t.add("kmo", Kind::number, 3);
  for (const BlockFit* b : blocks_of(fit))
    for (std::size_t i = 0; i < b->items.size(); ++i) {
      block.push_text(block_name(*b));
      item.push_text(ins.items[static_cast<std::size_t>(b->items[i])].id);
      kmo.push(b->kmo.items(static_cast<Eigen::Index>(i)));
    }
  return t;
}

std::string whole(double x) { return std::to_string(static_cast<long long>(x)); }

}  // namespace

// ---- public --------------------------------------------------------------------------------

void ExportOptions::check() const {
  check_range<std::int64_t>("--chunk-rows", chunk_rows, 1, max_chunk_rows);
  (void)delimiter_option(delimiter);
}

std::vector<long long> bind_export(const Instrument& ins, const std::vector<std::string>& header,
                                   const ExportOptions& opt) {
  const io::ColumnBinding b = bind_checked(ins, header, opt);
  std::vector<long long> out;
  out.reserve(b.item_column.size());
  for (const auto c : b.item_column)
    out.push_back(c == io::ColumnBinding::none ? -1 : static_cast<long long>(c));
  return out;
}

std::unique_ptr<ExportSource> open_export(const std::string& path, const Instrument& ins,
                                          const ExportOptions& opt,
                                          std::optional<std::vector<double>> weights) {
  opt.check();
  return std::make_unique<FileExport>(path, ins, opt, std::move(weights));
}

std::unique_ptr<ExportSource> coded_export(CodedBlock coded, std::vector<Status> status,
                                           std::vector<std::string> header,
                                           std::vector<RawColumn> columns,
                                           std::optional<std::vector<double>> weights,
                                           const ExportOptions& opt) {
  opt.check();
  return std::make_unique<CodedExport>(std::move(coded), std::move(status), std::move(header),
                                       std::move(columns), std::move(weights), opt);
}

FitAccumulator accumulate_fit(ExportSource& source, const ExportWant& want, const Instrument& ins,
                              MissingPolicy policy) {
  source.start(want);
  FitAccumulator acc(ins, policy, source.weighted());
  ExportBatch batch;
  while (source.next(batch)) {
    if (acc.weighted())
      acc.add(batch.coded.values, batch.invalid, batch.weight);
    else
      acc.add(batch.coded.values, batch.invalid);
  }
  return acc;
}

FitResult fit_or_explain(const Instrument& ins, const FitAccumulator& acc, const FitOptions& opt) {
  try {
    return reinscore::fit_weights(ins, acc, opt);
  } catch (const instrument_error&) {
    throw;  // a weight set the instrument refuses: not about the data
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    if (what.rfind("fit_weights: ", 0) == 0) what.erase(0, 13);
    throw input_error("cannot_fit", what);
  }
}

void FitWeightsRequest::check() const {
  check_choice("--method", method, {"equal", "pca-first", "oecd-varimax"});
  check_choice("--composite", composite, {"dimension-shares", "pca"});
  check_choice("--missing", missing, {"pairwise", "complete"});
  if (!(std::isfinite(min_eigenvalue) && min_eigenvalue >= 0))
    throw option_error("--min-eigenvalue", "must be a finite number >= 0");
  check_range("--min-cumulative", min_cumulative, 0.0, 1.0);
  if (!(varimax_tolerance > 0 && varimax_tolerance <= 1))
    throw option_error("--varimax-tolerance", "must be a number above 0 and at most 1");
  check_range("--varimax-max-iterations", varimax_max_iterations, 1, 1000000);
  input.check();
}

std::string FitWeightsRequest::set_name() const { return name.empty() ? "fitted-" + method : name; }

FittedWeights fit_weights(ExportSource& source, const Instrument& ins,
                          const FitWeightsRequest& request) {
  request.check();
  ExportWant want;
  want.weight = request.weight;
  const MissingPolicy policy = parse_missing_policy(request.missing);
  const FitAccumulator acc = accumulate_fit(source, want, ins, policy);

  FitOptions opt;
  opt.method = parse_fit_method(request.method);
  opt.composite = parse_composite_fit(request.composite);
  opt.min_eigenvalue = request.min_eigenvalue;
  opt.min_cumulative = request.min_cumulative;
  opt.varimax.tolerance = request.varimax_tolerance;
  opt.varimax.max_iterations = request.varimax_max_iterations;
  opt.name = request.set_name();
  opt.weight_label = source.weight_label();
  const FitResult fit = fit_or_explain(ins, acc, opt);

  FittedWeights out;
  // The file people read and edit: plain decimal numbers. What memory holds is what the
  // file gives back when loaded (Boost.JSON may read a decimal an ulp away).
  out.file = to_json_text(detail::weight_set_to_json(ins, fit.weights));
  out.weights = detail::parse_weight_set(ins, fit.weights.name,
                                         detail::parse_text(out.file, "fitted weights"), "");
  out.instrument = ins.with_weights(out.weights);

  Report& r = out.report;
  r.command = "fit-weights";
  r.tables.push_back(fit_table(request, opt.weight_label, fit));
  r.tables.push_back(blocks_table(fit));
  r.tables.push_back(weights_table(ins, out.weights));
  if (out.weights.mode == CompositeMode::dimension)
    r.tables.push_back(dimension_weights_table(ins, out.weights));
  r.tables.push_back(eigenvalues_table(fit));
  const auto width = static_cast<Eigen::Index>(ins.items.size());
  r.tables.push_back(
      matrix_table(ins, fit, "loadings", "Loadings (unrotated)", "PC", width,
                   [](const BlockFit& b) -> const Eigen::MatrixXd& { return b.pca.loadings; }));
  if (opt.method == FitMethod::oecd_varimax) {
    Eigen::Index kept = 0;
    for (const BlockFit* b : blocks_of(fit)) kept = std::max(kept, b->kept);
    r.tables.push_back(matrix_table(
        ins, fit, "rotated_loadings", "Loadings (varimax)", "F", kept,
        [](const BlockFit& b) -> const Eigen::MatrixXd& { return b.rotated.loadings; }));
  }
  r.tables.push_back(kmo_table(ins, fit));
  r.info(
      request.method + " on " + whole(fit.rows_used) + " of " + whole(fit.rows) + " rows (" +
      whole(fit.rows_skipped) + " invalid rows left out), " + request.missing + " correlations, " +
      (opt.weight_label.empty() ? std::string("unweighted") : "weighted by " + opt.weight_label));
  for (const auto& w : fit.warnings) r.warn(w);
  for (const auto& t : r.tables) t.check();
  return out;
}

FittedWeights fit_weights(const std::string& path, const FitWeightsRequest& request,
                          const InstrumentSearch& search) {
  return run_on_export(path, request, search, [&](ExportSource& source, const Instrument& ins) {
    return fit_weights(source, ins, request);
  });
}

}  // namespace reinscore::app
