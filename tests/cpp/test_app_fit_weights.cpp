// Tests of app::fit_weights and app::sensitivity (include/reinscore/app/fit_weights.hpp,
// sensitivity.hpp) and of the raw-export reader they share: weights against closed forms
// computed here (two-item blocks, whose first component is known), the weight file in
// plain decimals that reads back to the set in memory, the same report from a file and
// from rows a face coded itself, chunking and sampling weights, every option check naming
// its option, and the per-interview rows of sensitivity streamed or collected alike.
#include <reinscore/app/fit_weights.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/sensitivity.hpp>
#include <reinscore/error.hpp>
#include <reinscore/weights.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace app = reinscore::app;
using reinscore::Instrument;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// Numeric 0..1 scales (coded values are the numbers given): dimension a (x0, x1) and b
// (x2, x3), thresholds at 0.5.
Instrument two_by_two() {
  return Instrument::parse(
      R"({"format":"reinscore-instrument/1","id":"tt","version":"1","dimensions":["a","b"],
      "scales":{"unit":{"type":"numeric","min":0,"max":1}},
      "items":[{"id":"x0","dimension":"a","scale":"unit"},{"id":"x1","dimension":"a","scale":"unit"},
               {"id":"x2","dimension":"b","scale":"unit"},{"id":"x3","dimension":"b","scale":"unit"}],
      "thresholds":{"categories":[{"label":"low","min":0},{"label":"high","min":0.5}]},
      "weight_sets":{"equal":{"composite":{"mode":"dimension","weights":{"a":1,"b":1}},
        "items":{"x0":{"dimension":1},"x1":{"dimension":1},"x2":{"dimension":1},"x3":{"dimension":1}}}}})",
      "two-by-two test instrument");
}

// Seeded rows: two correlated pairs, values in [0, 1].
Eigen::MatrixXd data(Eigen::Index n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, 4);
  for (Eigen::Index r = 0; r < n; ++r) {
    const double fa = u(rng), fb = u(rng);
    x(r, 0) = 0.6 * fa + 0.4 * u(rng);
    x(r, 1) = 0.5 * fa + 0.5 * u(rng);
    x(r, 2) = 0.3 * fb + 0.7 * u(rng);
    x(r, 3) = 0.2 * fb + 0.8 * u(rng);
  }
  return x;
}

// Pearson's r of two columns, straight from its definition.
double pearson(const Eigen::MatrixXd& x, Eigen::Index i, Eigen::Index j) {
  const double n = static_cast<double>(x.rows());
  const double mi = x.col(i).sum() / n, mj = x.col(j).sum() / n;
  double sij = 0, sii = 0, sjj = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    sij += (x(r, i) - mi) * (x(r, j) - mj);
    sii += (x(r, i) - mi) * (x(r, i) - mi);
    sjj += (x(r, j) - mj) * (x(r, j) - mj);
  }
  return sij / std::sqrt(sii * sjj);
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("reinscore_app_fit_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

// The rows as a CSV export (17 significant digits: the file codes to the same numbers).
std::string csv(const Eigen::MatrixXd& x, const std::vector<std::string>& extra_header = {},
                const std::vector<std::vector<std::string>>& extra = {}) {
  std::string out = "x0,x1,x2,x3";
  for (const auto& h : extra_header) out += "," + h;
  out += "\n";
  char buf[64];
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index k = 0; k < x.cols(); ++k) {
      std::snprintf(buf, sizeof buf, "%.17g", x(r, k));
      if (k) out += ',';  // appends, not "," + string: GCC 12 warns falsely on that
      out += buf;
    }
    for (const auto& col : extra) out += "," + col[static_cast<std::size_t>(r)];
    out += "\n";
  }
  return out;
}

// Rows coded by hand, as a face hands them over.
std::unique_ptr<app::ExportSource> coded(const Instrument& ins, const Eigen::MatrixXd& x,
                                         std::vector<app::RawColumn> columns = {},
                                         std::optional<std::vector<double>> weights = {},
                                         std::size_t chunk_rows = reinscore::fit_chunk_rows) {
  reinscore::CodedBlock block;
  block.resize(x.rows(), x.cols());
  block.values = x;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index k = 0; k < x.cols(); ++k)
      block.reasons(r, k) = static_cast<std::uint8_t>(
          std::isnan(x(r, k)) ? reinscore::Reason::skipped : reinscore::Reason::answered);
  reinscore::ScoreBlock scores;
  reinscore::Scorer(ins).score(block, scores);
  std::vector<std::string> header = {"x0", "x1", "x2", "x3"};
  for (const auto& c : columns) header.push_back(c.name);
  app::ExportOptions opt;
  opt.chunk_rows = chunk_rows;
  return app::coded_export(block, scores.status, header, std::move(columns), std::move(weights),
                           opt);
}

// Whether a number of JSON text is in exponent form (strings left out: an instrument hash
// holds digits and e's).
bool exponent_in_numbers(const std::string& json) {
  const std::string numbers = std::regex_replace(json, std::regex(R"("(?:[^"\\]|\\.)*")"), "\"\"");
  return std::regex_search(numbers, std::regex("[0-9][eE][-+]?[0-9]"));
}

std::string all_tables(const app::Report& r) {
  std::string out;
  for (const auto& t : r.tables) out += t.name + "\n" + app::render(t, app::Format::csv);
  return out;
}

template <class F>
std::string option_of(F&& f) {
  try {
    f();
  } catch (const app::option_error& e) {
    return e.option();
  }
  return "(no option_error)";
}

}  // namespace

// ---- fit-weights -----------------------------------------------------------------------------

TEST(AppFitWeights, TwoItemBlocksMatchTheirClosedForm) {
  // A 2 x 2 correlation matrix [1 r; r 1] has the first component (1, 1)/sqrt(2) with
  // eigenvalue 1 + r: pca-first gives each item 1/2 and dimension d the share (1 + r_d)/2,
  // normalised over the dimensions.
  const Instrument ins = two_by_two();
  const Eigen::MatrixXd x = data(400, 1);
  const auto src = coded(ins, x);
  const app::FittedWeights fit = app::fit_weights(*src, ins, app::FitWeightsRequest{});
  const double ra = pearson(x, 0, 1), rb = pearson(x, 2, 3);
  for (const auto& item : fit.weights.items) EXPECT_NEAR(item.dimension, 0.5, 1e-12);
  ASSERT_EQ(fit.weights.dimension_weights.size(), 2u);
  EXPECT_NEAR(fit.weights.dimension_weights[0], (1 + ra) / (2 + ra + rb), 1e-12);
  EXPECT_NEAR(fit.weights.dimension_weights[1], (1 + rb) / (2 + ra + rb), 1e-12);
  const app::Table& blocks = fit.report.table("blocks");
  EXPECT_EQ(blocks.at("block").text, (std::vector<std::string>{"a", "b", "all"}));
  EXPECT_NEAR(blocks.at("eigenvalue_1").values[0], 1 + ra, 1e-12);
  EXPECT_NEAR(blocks.at("explained_1").values[1], (1 + rb) / 2, 1e-12);
  EXPECT_EQ(blocks.at("n").values[0], 400);
  EXPECT_EQ(blocks.at("components_kept").cell(0), app::Cell::missing);  // not oecd-varimax
  // KMO of two items is 0.5 by construction.
  EXPECT_NEAR(blocks.at("kmo").values[0], 0.5, 1e-12);
  const app::Table& dims = fit.report.table("dimension_weights");
  EXPECT_EQ(dims.at("composite_weight").values, fit.weights.dimension_weights);
  EXPECT_EQ(fit.report.table("weights").at("composite_weight").cell(0), app::Cell::missing);
  const app::Table& f = fit.report.table("fit");
  EXPECT_EQ(f.at("name").text[0], "fitted-pca-first");
  EXPECT_EQ(f.at("rows").values[0], 400);
  EXPECT_EQ(f.at("rows_invalid").values[0], 0);
  EXPECT_FALSE(fit.report.has_table("rotated_loadings"));
  // The cumulative share of the eigenvalues ends at 1 in every block.
  const app::Table& ev = fit.report.table("eigenvalues");
  EXPECT_NEAR(ev.at("cumulative").values[1], 1, 1e-12);
  EXPECT_EQ(fit.instrument.default_weights, "fitted-pca-first");
}

TEST(AppFitWeights, FileIsPlainDecimalAndReadsBackToTheSetInMemory) {
  const Instrument ins = two_by_two();
  const auto src = coded(ins, data(300, 2));
  app::FitWeightsRequest req;
  req.method = "oecd-varimax";
  req.name = "mine";
  const app::FittedWeights fit = app::fit_weights(*src, ins, req);
  EXPECT_FALSE(exponent_in_numbers(fit.file)) << fit.file;
  TempDir dir;
  const auto path = dir.write("mine.json", fit.file);
  const reinscore::WeightSet back = reinscore::load_weights(ins, path);
  ASSERT_EQ(back.items.size(), fit.weights.items.size());
  for (std::size_t k = 0; k < back.items.size(); ++k)
    EXPECT_EQ(back.items[k].dimension, fit.weights.items[k].dimension);
  EXPECT_EQ(back.dimension_weights, fit.weights.dimension_weights);
  EXPECT_EQ(ins.with_weights(back).hash(), fit.instrument.hash());
  EXPECT_TRUE(fit.report.has_table("rotated_loadings"));
  EXPECT_EQ(fit.report.table("fit").at("name").text[0], "mine");
}

TEST(AppFitWeights, FileAndCodedRowsGiveTheSameReport) {
  const Instrument ins = two_by_two();
  const Eigen::MatrixXd x = data(250, 3);
  TempDir dir;
  const auto path = dir.write("export.csv", csv(x));
  app::FitWeightsRequest req;
  req.method = "oecd-varimax";
  req.input.chunk_rows = 64;  // several batches: the same splits both ways
  const auto file = app::open_export(path, ins, req.input);
  const auto rows = coded(ins, x, {}, {}, 64);
  const app::FittedWeights a = app::fit_weights(*file, ins, req);
  const app::FittedWeights b = app::fit_weights(*rows, ins, req);
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(all_tables(a.report), all_tables(b.report));
}

TEST(AppFitWeights, ChunksChangeOnlyRounding) {
  const Instrument ins = two_by_two();
  const Eigen::MatrixXd x = data(500, 4);
  const auto one = coded(ins, x, {}, {}, 1000);
  const auto many = coded(ins, x, {}, {}, 7);
  const auto a = app::fit_weights(*one, ins, {});
  const auto b = app::fit_weights(*many, ins, {});
  for (std::size_t d = 0; d < 2; ++d)
    EXPECT_NEAR(a.weights.dimension_weights[d], b.weights.dimension_weights[d], 1e-12);
}

TEST(AppFitWeights, IntegerWeightsEqualRepeatedRows) {
  const Instrument ins = two_by_two();
  const Eigen::MatrixXd x = data(120, 5);
  std::vector<std::string> w_text;
  std::vector<double> w;
  Eigen::MatrixXd repeated(0, 4);
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const int times = 1 + static_cast<int>(r % 3);
    w.push_back(times);
    std::string cell = " ";  // blanks around a number are fine
    cell += std::to_string(times);
    cell += ' ';
    w_text.push_back(cell);
    for (int t = 0; t < times; ++t) {
      repeated.conservativeResize(repeated.rows() + 1, 4);
      repeated.row(repeated.rows() - 1) = x.row(r);
    }
  }
  TempDir dir;
  const auto path = dir.write("w.csv", csv(x, {"w"}, {w_text}));
  app::FitWeightsRequest req;
  req.weight = "w";
  const auto file = app::open_export(path, ins, req.input);
  const auto weighted = app::fit_weights(*file, ins, req);
  const auto plain = coded(ins, repeated);
  const auto expanded = app::fit_weights(*plain, ins, {});
  for (std::size_t d = 0; d < 2; ++d)
    EXPECT_NEAR(weighted.weights.dimension_weights[d], expanded.weights.dimension_weights[d],
                1e-12);
  EXPECT_NE(weighted.weights.citation.find("weighted by column 'w'"), std::string::npos);
  // The same weights handed over per row, and as a numeric column.
  const auto given = coded(ins, x, {}, w);
  const auto by_rows = app::fit_weights(*given, ins, {});
  EXPECT_EQ(by_rows.weights.dimension_weights, weighted.weights.dimension_weights);
  EXPECT_NE(by_rows.weights.citation.find("weighted by given weights"), std::string::npos);
  app::RawColumn col;
  col.name = "w";
  col.numeric = true;
  col.number = w;
  const auto numeric = coded(ins, x, {col});
  EXPECT_EQ(app::fit_weights(*numeric, ins, req).weights.dimension_weights,
            weighted.weights.dimension_weights);
}

TEST(AppFitWeights, BadWeightsNameTheRowAndColumn) {
  const Instrument ins = two_by_two();
  const Eigen::MatrixXd x = data(10, 6);
  std::vector<std::string> w(10, "1");
  w[3] = "heavy";
  TempDir dir;
  app::FitWeightsRequest req;
  req.weight = "w";
  const auto file = app::open_export(dir.write("w.csv", csv(x, {"w"}, {w})), ins, req.input);
  try {
    app::fit_weights(*file, ins, req);
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "invalid_weight");
    EXPECT_EQ(e.row(), 5u);  // the header is row 1
    EXPECT_EQ(e.column(), "w");
    EXPECT_EQ(std::string(e.what()).find("heavy"), std::string::npos);  // no value in messages
  }
  app::RawColumn text;
  text.name = "w";
  text.text = w;
  const auto rows = coded(ins, x, {text});
  try {
    app::fit_weights(*rows, ins, req);
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.row(), 4u);  // frames: 1-based position
  }
  std::vector<double> negative(10, 1.0);
  negative[9] = -1;
  const auto given = coded(ins, x, {}, negative);
  EXPECT_THROW(app::fit_weights(*given, ins, {}), reinscore::input_error);
  EXPECT_EQ(option_of([&] { coded(ins, x, {}, std::vector<double>(3, 1.0)); }), "--weight");
  // Weights per row of a file: the count is checked at the end of the pass.
  const auto short_file =
      app::open_export(dir.write("x.csv", csv(x)), ins, {}, std::vector<double>(4, 1.0));
  EXPECT_EQ(option_of([&] { app::fit_weights(*short_file, ins, {}); }), "--weight");
  req.weight = "nope";
  const auto again = coded(ins, x);
  try {
    app::fit_weights(*again, ins, req);
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "missing_column");
    EXPECT_EQ(e.column(), "nope");
  }
}

TEST(AppFitWeights, DataThatCannotSupportAFit) {
  const Instrument ins = two_by_two();
  Eigen::MatrixXd x = data(50, 7);
  x.col(3).setConstant(0.25);
  const auto src = coded(ins, x);
  try {
    app::fit_weights(*src, ins, {});
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "cannot_fit");
    EXPECT_NE(std::string(e.what()).find("dimension 'b': item 'x3' has the same value"),
              std::string::npos)
        << e.what();
  }
  const auto empty = coded(ins, Eigen::MatrixXd(0, 4));
  EXPECT_THROW(app::fit_weights(*empty, ins, {}), reinscore::input_error);
}

TEST(AppFitWeights, BindingErrorsAreInputErrors) {
  const Instrument ins = two_by_two();
  TempDir dir;
  const auto missing = dir.write("m.csv", "x0,x1,x2\n0.1,0.2,0.3\n");
  try {
    app::open_export(missing, ins, {});
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "missing_column");
  }
  app::ExportOptions allow;
  allow.allow_missing_columns = true;
  EXPECT_EQ(app::bind_export(ins, {"x0", "x1", "x2"}, allow),
            (std::vector<long long>{0, 1, 2, -1}));
  try {
    app::bind_export(ins, {"q", "r"}, allow);
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "no_item_columns");
  }
  try {
    app::bind_export(ins, {"x0", "x0", "x1"}, {});
    FAIL() << "no error";
  } catch (const reinscore::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("column problems"), std::string::npos) << e.what();
  }
  allow.column_map = {{"q", "x3"}};
  EXPECT_EQ(app::bind_export(ins, {"x0", "x1", "x2", "q"}, allow),
            (std::vector<long long>{0, 1, 2, 3}));
}

TEST(AppFitWeights, EveryOptionCheckNamesItsOption) {
  const auto check = [](auto change) {
    app::FitWeightsRequest r;
    change(r);
    return option_of([&] { r.check(); });
  };
  EXPECT_EQ(check([](auto& r) { r.method = "pca"; }), "--method");
  EXPECT_EQ(check([](auto& r) { r.composite = "x"; }), "--composite");
  EXPECT_EQ(check([](auto& r) { r.missing = "listwise"; }), "--missing");
  EXPECT_EQ(check([](auto& r) { r.min_eigenvalue = -1; }), "--min-eigenvalue");
  EXPECT_EQ(check([](auto& r) { r.min_eigenvalue = NaN; }), "--min-eigenvalue");
  EXPECT_EQ(check([](auto& r) { r.min_cumulative = 2; }), "--min-cumulative");
  EXPECT_EQ(check([](auto& r) { r.varimax_tolerance = 0; }), "--varimax-tolerance");
  EXPECT_EQ(check([](auto& r) { r.varimax_tolerance = INFINITY; }), "--varimax-tolerance");
  EXPECT_EQ(check([](auto& r) { r.varimax_max_iterations = 0; }), "--varimax-max-iterations");
  EXPECT_EQ(check([](auto& r) { r.input.chunk_rows = 0; }), "--chunk-rows");
  EXPECT_EQ(check([](auto& r) { r.input.delimiter = "ab"; }), "--delimiter");
  EXPECT_EQ(check([](auto&) {}), "(no option_error)");
  try {
    app::FitWeightsRequest r;
    r.min_cumulative = 2;
    r.check();
  } catch (const app::option_error& e) {
    EXPECT_STREQ(e.what(), "--min-cumulative must be a number from 0 to 1 [bad_option]");
  }
}

// ---- sensitivity ----------------------------------------------------------------------------

TEST(AppSensitivity, BoundZeroReproducesTheBaseComposite) {
  const Instrument ins = two_by_two();
  const auto src = coded(ins, data(60, 8));
  app::SensitivityRequest req;
  req.draws = 7;
  req.bound = 0;
  const app::SensitivityOutcome out = app::sensitivity(*src, ins, req);
  const app::Table& t = out.report.table("interviews");
  ASSERT_EQ(t.rows(), 60u);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    EXPECT_EQ(t.at("min").values[r], t.at("composite").values[r]);
    EXPECT_EQ(t.at("max").values[r], t.at("composite").values[r]);
    EXPECT_EQ(t.at("draws_scored").values[r], 7);
    EXPECT_EQ(t.at("category_change_share").values[r], 0);
    const std::string expect = t.at("composite").values[r] >= 0.5 ? "high" : "low";
    EXPECT_EQ(t.at("category").text[r], expect);
  }
  const app::Table& s = out.report.table("summary");
  EXPECT_EQ(s.at("draws").values[0], 7);
  EXPECT_EQ(s.at("ever_changed_share").values[0], 0);
  EXPECT_EQ(s.at("mode").text[0], "perturb");
  EXPECT_EQ(out.report.table("draws").rows(), 7u);
  EXPECT_FALSE(out.report.has_table("methods"));
  EXPECT_FALSE(exponent_in_numbers(out.summary_json)) << out.summary_json;
  EXPECT_NE(out.summary_json.find("\"bound\": 0,"), std::string::npos) << out.summary_json;
}

TEST(AppSensitivity, StreamedRowsEqualCollectedRowsForAnyThreads) {
  const Instrument ins = two_by_two();
  const Eigen::MatrixXd x = data(90, 9);
  app::RawColumn id;
  id.name = "id";
  for (int r = 0; r < 90; ++r) {
    std::string cell = "R";
    cell += std::to_string(r);
    id.text.push_back(cell);
  }
  app::SensitivityRequest req;
  req.draws = 25;
  req.seed = 3;
  req.id = {"id"};
  const auto a = coded(ins, x, {id}, {}, 40);
  const app::SensitivityOutcome collected = app::sensitivity(*a, ins, req);
  std::string streamed;
  int calls = 0;
  const auto b = coded(ins, x, {id}, {}, 40);
  req.threads = 3;
  const app::SensitivityOutcome out = app::sensitivity(*b, ins, req, [&](const app::Table& t) {
    ++calls;
    streamed += app::render(t, app::Format::csv);
  });
  EXPECT_EQ(calls, 3);  // 40 + 40 + 10 rows
  EXPECT_FALSE(out.report.has_table("interviews"));
  const std::string whole = app::render(collected.report.table("interviews"), app::Format::csv);
  const std::string header = whole.substr(0, whole.find('\n') + 1);
  std::string joined = streamed;
  for (std::size_t at = joined.find(header, 1); at != std::string::npos;
       at = joined.find(header, at))
    joined.erase(at, header.size());
  EXPECT_EQ(joined, whole);
  EXPECT_EQ(collected.summary_json, out.summary_json);
  EXPECT_EQ(collected.report.table("interviews").at("id").text[89], "R89");
}

TEST(AppSensitivity, EmptyInputStillGivesTheHeader) {
  const Instrument ins = two_by_two();
  const auto src = coded(ins, Eigen::MatrixXd(0, 4));
  int calls = 0;
  app::sensitivity(*src, ins, app::SensitivityRequest{}, [&](const app::Table& t) {
    ++calls;
    EXPECT_EQ(t.rows(), 0u);
    EXPECT_TRUE(t.has("category_change_share"));
  });
  EXPECT_EQ(calls, 1);
}

TEST(AppSensitivity, MethodsModeFitsThenDraws) {
  const Instrument ins = two_by_two();
  TempDir dir;
  const Eigen::MatrixXd x = data(200, 10);
  const auto path = dir.write("x.csv", csv(x));
  app::SensitivityRequest req;
  req.draws = 30;
  req.mode = "methods";
  const auto src = app::open_export(path, ins, req.input);
  const app::SensitivityOutcome out = app::sensitivity(*src, ins, req);
  const app::Table& m = out.report.table("methods");
  EXPECT_EQ(m.at("method").text, (std::vector<std::string>{"equal", "pca-first", "oecd-varimax"}));
  double total = 0;
  for (const double c : m.at("draws").values) total += c;
  EXPECT_EQ(total, 30);
  const app::Table& d = out.report.table("draws");
  for (std::size_t r = 0; r < d.rows(); ++r) EXPECT_EQ(d.at("method").cell(r), app::Cell::value);
  // Methods only: each interview takes at most three composites, the sets fitted here.
  const auto fitted = [&](const char* method) {
    app::FitWeightsRequest f;
    f.method = method;
    f.name = std::string("fitted-") + method;
    const auto s = app::open_export(path, ins, f.input);
    return app::fit_weights(*s, ins, f);
  };
  const auto eq = fitted("equal"), pc = fitted("pca-first"), ov = fitted("oecd-varimax");
  const app::Table& t = out.report.table("interviews");
  std::size_t checked = 0;
  for (const auto* f : {&eq, &pc, &ov}) {
    reinscore::CodedBlock block;
    block.resize(x.rows(), 4);
    block.values = x;
    block.reasons.setZero();
    reinscore::ScoreBlock s;
    reinscore::Scorer(f->instrument).score(block, s);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      const auto ru = static_cast<std::size_t>(r);
      EXPECT_GE(s.composite(r), t.at("min").values[ru] - 1e-15);
      EXPECT_LE(s.composite(r), t.at("max").values[ru] + 1e-15);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 600u);
}

TEST(AppSensitivity, ASourceReadOnceCannotServeTheFits) {
  // Standard input cannot be read twice: methods and both need two passes.
  class Once final : public app::ExportSource {
   public:
    const std::vector<std::string>& header() const noexcept override { return h_; }
    bool restartable() const noexcept override { return false; }
    void start(const app::ExportWant&) override {}
    bool next(app::ExportBatch&) override { return false; }
    bool weighted() const noexcept override { return false; }
    std::string weight_label() const override { return {}; }

   private:
    std::vector<std::string> h_{"x0", "x1", "x2", "x3"};
  } once;
  const Instrument ins = two_by_two();
  app::SensitivityRequest req;
  req.mode = "both";
  EXPECT_EQ(option_of([&] { app::sensitivity(once, ins, req); }), "--mode");
  req.mode = "perturb";
  EXPECT_NO_THROW(app::sensitivity(once, ins, req));
}

TEST(AppSensitivity, EveryOptionCheckNamesItsOption) {
  const auto check = [](auto change) {
    app::SensitivityRequest r;
    change(r);
    return option_of([&] { r.check(); });
  };
  EXPECT_EQ(check([](auto& r) { r.draws = 0; }), "--draws");
  EXPECT_EQ(check([](auto& r) { r.draws = -1; }), "--draws");
  EXPECT_EQ(check([](auto& r) { r.seed = -1; }), "--seed");
  EXPECT_EQ(check([](auto& r) { r.threads = -1; }), "--threads");
  EXPECT_EQ(check([](auto& r) { r.input.chunk_rows = -1; }), "--chunk-rows");
  EXPECT_EQ(check([](auto& r) { r.draws = app::max_replicates + 1; }), "--draws");
  EXPECT_EQ(check([](auto& r) { r.bound = 1; }), "--bound");
  EXPECT_EQ(check([](auto& r) { r.bound = NaN; }), "--bound");
  EXPECT_EQ(check([](auto& r) { r.bound = -0.1; }), "--bound");
  EXPECT_EQ(check([](auto& r) { r.level = 1; }), "--level");
  EXPECT_EQ(check([](auto& r) { r.mode = "random"; }), "--mode");
  EXPECT_EQ(check([](auto& r) { r.composite = "x"; }), "--composite");
  EXPECT_EQ(check([](auto& r) { r.missing = "x"; }), "--missing");
  EXPECT_EQ(check([](auto& r) { r.threads = 0; }), "--threads");
  EXPECT_EQ(check([](auto& r) { r.threads = 257; }), "--threads");
  EXPECT_EQ(check([](auto& r) { r.weight = "w"; }), "--weight");  // perturb has no fits
  EXPECT_EQ(check([](auto& r) { r.input.chunk_rows = 0; }), "--chunk-rows");
  EXPECT_EQ(check([](auto& r) {
              r.weight = "w";
              r.mode = "both";
            }),
            "(no option_error)");
  // Weights handed over per row without fits to use them.
  const Instrument ins = two_by_two();
  const auto src = coded(ins, data(5, 11), {}, std::vector<double>(5, 1.0));
  EXPECT_EQ(option_of([&] { app::sensitivity(*src, ins, app::SensitivityRequest{}); }), "--weight");
}

TEST(AppSensitivity, CopiedFieldsOfARaggedRowStayEmpty) {
  const Instrument ins = two_by_two();
  TempDir dir;
  // Row 3 was written with ';': its one field holds the whole line.
  const auto path = dir.write("r.csv",
                              "id,x0,x1,x2,x3\nA,0.1,0.2,0.3,0.4\nB;0.5;0.6;0.7;0.8\n"
                              "C,0.9,0.8,0.7,0.6\n");
  app::SensitivityRequest req;
  req.draws = 3;
  req.id = {"id"};
  const auto src = app::open_export(path, ins, req.input);
  const auto out = app::sensitivity(*src, ins, req);
  const app::Table& t = out.report.table("interviews");
  EXPECT_EQ(t.at("id").text, (std::vector<std::string>{"A", "", "C"}));
  EXPECT_EQ(t.at("status").text[1], "invalid");
  EXPECT_EQ(t.at("composite").cell(1), app::Cell::missing);
}
