// Tests of app::reliability (include/reinscore/app/reliability.hpp): a small export of the
// test instrument `mini` whose coded values are written out by hand below, with alpha and
// item statistics computed here straight from their definitions; the report's layout
// (tables, left-out items, correlations), the same numbers from a file and from rows a
// face coded itself, and the option and input errors.
#include <reinscore/app/reliability.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace app = reinscore::app;
using reinscore::Instrument;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

Instrument mini() { return Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json"); }

// Row 9 holds an answer that is no code of e1 ("zzz"): an invalid interview, left out.
const char* const export_csv =
    "e1,e2,e3,s1,s2,p1,p2,w\n"
    "high,no,8,high,low,high,yes,1\n"
    "mid,no,6,mid,mid,mid,yes,2\n"
    "low,yes,2,low,high,low,no,1\n"
    "high,no,9,high,low,mid,yes,0.5\n"
    "mid,yes,5,mid,high,high,no,1.5\n"
    "low,yes,1,dk,high,low,no,1\n"
    "mid,no,7,high,mid,mid,yes,2\n"
    "zzz,no,3,low,low,low,no,1\n";

// The coded values of the seven valid rows, by hand: lik3 low/mid/high = 0/0.5/1, yn
// no/yes = 0/1, e2 and s2 reversed (1 - v), e3 on 0..10 divided by 10; dk is missing.
const std::vector<std::vector<double>> econ = {{1, 1, 0.8},  {0.5, 1, 0.6}, {0, 0, 0.2},
                                               {1, 1, 0.9},  {0.5, 0, 0.5}, {0, 0, 0.1},
                                               {0.5, 1, 0.7}};
const std::vector<std::vector<double>> soc = {{1, 1},   {0.5, 0.5}, {0, 0},  {1, 1},
                                              {0.5, 0}, {NaN, 0},   {1, 0.5}};
const std::vector<double> weights = {1, 2, 1, 0.5, 1.5, 1, 2};

// Cronbach's alpha of the complete rows: k/(k-1) (1 - sum of item variances / variance of
// the sum), variances weighted (sum w d^2 / sum w) times n/(n-1) as documented.
struct Direct {
  double alpha = NaN, n = 0;
  std::vector<double> mean, sd;
};
Direct direct_alpha(const std::vector<std::vector<double>>& x, const std::vector<double>& w) {
  const std::size_t k = x.front().size();
  std::vector<std::vector<double>> rows;
  std::vector<double> ws;
  for (std::size_t r = 0; r < x.size(); ++r) {
    bool complete = true;
    for (const double v : x[r]) complete = complete && !std::isnan(v);
    if (!complete) continue;
    rows.push_back(x[r]);
    ws.push_back(w[r]);
  }
  const auto n = static_cast<double>(rows.size());
  double sw = 0;
  for (const double v : ws) sw += v;
  const auto variance = [&](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (std::size_t r = 0; r < v.size(); ++r) m += ws[r] * v[r];
    m /= sw;
    for (std::size_t r = 0; r < v.size(); ++r) s += ws[r] * (v[r] - m) * (v[r] - m);
    return std::pair{m, s / sw * n / (n - 1)};
  };
  Direct out;
  out.n = n;
  double item_var = 0;
  std::vector<double> total(rows.size(), 0);
  for (std::size_t i = 0; i < k; ++i) {
    std::vector<double> col;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      col.push_back(rows[r][i]);
      total[r] += rows[r][i];
    }
    const auto [m, v] = variance(col);
    out.mean.push_back(m);
    out.sd.push_back(std::sqrt(v));
    item_var += v;
  }
  const double kd = static_cast<double>(k);
  out.alpha = kd / (kd - 1) * (1 - item_var / variance(total).second);
  return out;
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text, const std::string& name = "rel.csv") {
    path = std::filesystem::temp_directory_path() /
           ("reinscore_app_rel_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

app::Report run_file(const std::string& text, app::ReliabilityRequest req) {
  const TempFile f(text);
  const Instrument ins = mini();
  const auto source = app::open_export(f.path.string(), ins, req.input);
  return app::reliability(*source, ins, req);
}

double value(const app::Report& r, const char* table, const char* column, std::size_t row) {
  return r.table(table).at(column).values.at(row);
}

}  // namespace

TEST(AppReliability, AlphaAndItemsFromTheirDefinitions) {
  const auto rep = run_file(export_csv, {});
  ASSERT_EQ(rep.command, "reliability");
  const auto& dims = rep.table("dimensions");
  ASSERT_EQ(dims.rows(), 3u);
  EXPECT_EQ(dims.at("dimension").text, (std::vector<std::string>{"econ", "soc", "psy"}));
  const std::vector<double> ones(7, 1.0);
  const Direct e = direct_alpha(econ, ones), s = direct_alpha(soc, ones);
  EXPECT_EQ(value(rep, "dimensions", "items", 0), 3);
  EXPECT_EQ(value(rep, "dimensions", "n", 0), 7);
  EXPECT_NEAR(value(rep, "dimensions", "alpha", 0), e.alpha, 1e-12);
  EXPECT_EQ(value(rep, "dimensions", "n", 1), 6);  // row 7 has no s1 (dk)
  EXPECT_NEAR(value(rep, "dimensions", "alpha", 1), s.alpha, 1e-12);
  // Items of econ: means and standard deviations of the complete rows.
  const auto& items = rep.table("items");
  ASSERT_EQ(items.rows(), 7u);
  EXPECT_EQ(items.at("item").text,
            (std::vector<std::string>{"e1", "e2", "e3", "s1", "s2", "p1", "p2"}));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(items.at("mean").values[i], e.mean[i], 1e-12) << i;
    EXPECT_NEAR(items.at("sd").values[i], e.sd[i], 1e-12) << i;
  }
  // Alpha if e3 is deleted: alpha of e1 and e2 alone.
  const Direct without_e3 =
      direct_alpha({{1, 1}, {0.5, 1}, {0, 0}, {1, 1}, {0.5, 0}, {0, 0}, {0.5, 1}}, ones);
  EXPECT_NEAR(items.at("alpha_if_deleted").values[2], without_e3.alpha, 1e-12);

  const auto& input = rep.table("input");
  EXPECT_EQ(input.at("instrument").text[0], mini().tag());
  EXPECT_EQ(input.at("rows_read").values[0], 8);
  EXPECT_EQ(input.at("invalid_rows").values[0], 1);
  EXPECT_EQ(input.at("rows_used").values[0], 7);
  EXPECT_EQ(input.at("missing").text[0], "complete");
  EXPECT_EQ(input.at("weight").cell(0), app::Cell::missing);
  EXPECT_FALSE(rep.has_table("correlations"));
  ASSERT_EQ(rep.notes.size(), 1u);  // the invalid interview
  EXPECT_NE(rep.notes[0].text.find("1 invalid interview"), std::string::npos);
}

TEST(AppReliability, WeightsChangeTheAnswerAsDefined) {
  app::ReliabilityRequest req;
  req.weight = "w";
  const auto rep = run_file(export_csv, req);
  const Direct e = direct_alpha(econ, weights);
  EXPECT_NEAR(value(rep, "dimensions", "alpha", 0), e.alpha, 1e-12);
  EXPECT_NEAR(value(rep, "dimensions", "weight_sum", 0), 9.0, 1e-12);
  EXPECT_NEAR(rep.table("items").at("mean").values[2], e.mean[2], 1e-12);
  EXPECT_EQ(rep.table("input").at("weight").text[0], "w");
  EXPECT_GT(std::fabs(e.alpha - direct_alpha(econ, std::vector<double>(7, 1.0)).alpha), 1e-6);
}

TEST(AppReliability, BatchesAndCodedRowsGiveTheSameNumbers) {
  app::ReliabilityRequest req;
  req.ordinal = req.correlations = true;
  req.missing = "pairwise";
  const auto whole = run_file(export_csv, req);
  req.input.chunk_rows = 3;
  const auto chunked = run_file(export_csv, req);

  // The same rows coded by hand, handed over as a face hands over a DataFrame it coded.
  const Instrument ins = mini();
  reinscore::CodedBlock coded;
  coded.resize(8, 7);
  const std::vector<std::vector<double>> psy = {{1, 1}, {0.5, 1}, {0, 0},  {0.5, 1},
                                                {1, 0}, {0, 0},   {0.5, 1}};
  std::vector<reinscore::Status> status(8, reinscore::Status::complete);
  for (Eigen::Index r = 0; r < 8; ++r)
    for (Eigen::Index k = 0; k < 7; ++k) {
      const auto ru = static_cast<std::size_t>(r);
      const auto ku = static_cast<std::size_t>(k);
      double v = NaN;
      if (r < 7) v = k < 3 ? econ[ru][ku] : k < 5 ? soc[ru][ku - 3] : psy[ru][ku - 5];
      coded.set(r, k,
                {v, std::isnan(v) ? reinscore::Reason::dont_know : reinscore::Reason::answered});
    }
  status[7] = reinscore::Status::invalid;
  const auto source = app::coded_export(
      coded, status, {"e1", "e2", "e3", "s1", "s2", "p1", "p2", "w"}, {}, std::nullopt, req.input);
  const auto frame = app::reliability(*source, ins, req);

  for (const char* table : {"dimensions", "items", "correlations"}) {
    for (const auto& c : whole.table(table).columns) {
      if (c.kind == app::Kind::text) {
        EXPECT_EQ(chunked.table(table).at(c.name).text, c.text);
        EXPECT_EQ(frame.table(table).at(c.name).text, c.text);
        continue;
      }
      for (std::size_t r = 0; r < c.values.size(); ++r) {
        const double a = c.values[r];
        for (const app::Report* other : {&chunked, &frame}) {
          const double b = other->table(table).at(c.name).values[r];
          if (std::isnan(a))
            EXPECT_TRUE(std::isnan(b)) << table << " " << c.name << " " << r;
          else
            EXPECT_NEAR(b, a, 1e-12) << table << " " << c.name << " " << r;
        }
      }
    }
  }
}

TEST(AppReliability, CorrelationsAreEveryPairOfADimension) {
  app::ReliabilityRequest req;
  req.correlations = true;
  const auto rep = run_file(export_csv, req);
  const auto& cor = rep.table("correlations");
  ASSERT_EQ(cor.rows(), 9u + 4u + 4u);  // k x k per dimension
  EXPECT_FALSE(cor.has("polychoric"));
  // econ, row by row: (e1, e1), (e1, e2), (e1, e3), (e2, e1), ...
  EXPECT_EQ(cor.at("item").text[1], "e1");
  EXPECT_EQ(cor.at("with").text[1], "e2");
  EXPECT_EQ(cor.at("with").text[3], "e1");
  EXPECT_NEAR(cor.at("r").values[0], 1.0, 1e-12);
  EXPECT_NEAR(cor.at("r").values[1], cor.at("r").values[3], 1e-15);
  // Pearson correlation of e1 and e3 over the seven rows.
  double m1 = 0, m3 = 0;
  for (const auto& r : econ) {
    m1 += r[0] / 7;
    m3 += r[2] / 7;
  }
  double c13 = 0, v1 = 0, v3 = 0;
  for (const auto& r : econ) {
    c13 += (r[0] - m1) * (r[2] - m3);
    v1 += (r[0] - m1) * (r[0] - m1);
    v3 += (r[2] - m3) * (r[2] - m3);
  }
  EXPECT_NEAR(cor.at("r").values[2], c13 / std::sqrt(v1 * v3), 1e-12);
}

TEST(AppReliability, ItemsWithoutAColumnAreLeftOutWhenAllowed) {
  std::string text = export_csv;
  // Drop p2 (the seventh column) from every line.
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    std::size_t c = 0;
    for (int i = 0; i < 6; ++i) c = line.find(',', c) + 1;
    const std::size_t end = line.find(',', c);
    line.erase(c, end - c + 1);
    out += line + "\n";
    at = nl + 1;
  }
  app::ReliabilityRequest req;
  try {
    (void)run_file(out, req);
    FAIL() << "an item without a column must stop the run";
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "missing_column");
  }
  req.input.allow_missing_columns = true;
  const auto rep = run_file(out, req);
  EXPECT_EQ(value(rep, "dimensions", "items", 2), 1);  // psy keeps p1
  const auto& items = rep.table("items");
  ASSERT_EQ(items.rows(), 7u);  // every item, the one left out with no column
  EXPECT_EQ(items.at("item").text[6], "p2");
  EXPECT_EQ(items.at("column").cell(6), app::Cell::missing);
  EXPECT_EQ(items.at("n").cell(6), app::Cell::missing);
  EXPECT_EQ(items.at("column").text[5], "p1");
  bool noted = false;
  for (const auto& n : rep.notes)
    noted = noted || n.text == "left out (no column in the input): p2";
  EXPECT_TRUE(noted);
  // Rendered: "-" in the terminal, an empty cell in CSV, null in JSON.
  const std::string csv = app::render(items, app::Format::csv);
  EXPECT_NE(csv.find("\npsy,p2,,,,,,,\n"), std::string::npos) << csv;
}

TEST(AppReliability, OptionAndInputErrorsNameTheOptionRowAndColumn) {
  const auto option_of = [](const app::ReliabilityRequest& req) -> std::string {
    try {
      req.check();
    } catch (const app::option_error& e) {
      return e.option() + " " + e.rule();
    }
    return "";
  };
  app::ReliabilityRequest req;
  req.missing = "mean";
  EXPECT_EQ(option_of(req), "--missing bad_option");
  req = {};
  req.input.chunk_rows = 0;
  EXPECT_EQ(option_of(req), "--chunk-rows bad_option");
  req = {};
  req.input.map = std::filesystem::temp_directory_path().string();
  EXPECT_EQ(option_of(req), "--map not_a_file");
  req = {};
  req.missing = "listwise";  // the other name of complete
  EXPECT_EQ(option_of(req), "");

  req = {};
  req.weight = "nope";
  try {
    (void)run_file(export_csv, req);
    FAIL();
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "missing_column");
    EXPECT_EQ(e.column(), "nope");
  }
  std::string bad = export_csv;
  const std::string row4 = "low,yes,2,low,high,low,no,1\n";
  bad.replace(bad.find(row4), row4.size(), "low,yes,2,low,high,low,no,heavy\n");
  req.weight = "w";
  try {
    (void)run_file(bad, req);
    FAIL();
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "invalid_weight");
    EXPECT_EQ(e.row(), 4u);
    EXPECT_EQ(e.column(), "w");
    EXPECT_EQ(std::string(e.what()).find("heavy"), std::string::npos) << "no value in messages";
  }
}

TEST(AppReliability, OrdinalRefusesAnItemWithManyValues) {
  std::string text = "e1,e2,e3,s1,s2,p1,p2\n";
  for (int i = 0; i < 30; ++i)
    text += std::string(i % 2 ? "low" : "high") + ",no," + std::to_string(i % 11) + "." +
            std::to_string(i % 3) + ",mid,low,high,yes\n";
  app::ReliabilityRequest req;
  EXPECT_EQ(value(run_file(text, req), "dimensions", "items", 0), 3);
  req.ordinal = true;
  try {
    (void)run_file(text, req);
    FAIL();
  } catch (const reinscore::input_error& e) {
    EXPECT_EQ(e.rule(), "not_ordinal");
    EXPECT_NE(std::string(e.what()).find("'e3'"), std::string::npos) << e.what();
  }
}

TEST(AppReliability, TheWholeCommandResolvesTheInstrument) {
  const TempFile f(export_csv);
  app::ReliabilityRequest req;
  req.instrument = "mini";
  app::InstrumentSearch search;
  search.dirs = {REINSCORE_TEST_DATA_DIR "/instruments"};
  const auto rep = app::reliability(f.path.string(), req, search);
  EXPECT_EQ(rep.table("input").at("instrument").text[0], mini().tag());
  req.instrument = "no-such-instrument";
  EXPECT_THROW((void)app::reliability(f.path.string(), req, search), std::invalid_argument);
}
