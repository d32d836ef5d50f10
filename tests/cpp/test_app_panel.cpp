// app::panel (include/reinscore/app/panel.hpp): a small panel whose changes, transitions
// and attrition are worked out by hand (t quantiles and p-values of one degree of freedom
// in closed form: the Cauchy distribution), rounds 1, 2, 10 ordered as numbers,
// suppression, notes, and the option and data checks.
#include <reinscore/app/panel.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

using namespace reinscore;
using app::Cell;

namespace {

constexpr double pi = std::numbers::pi;

app::RawColumn text_column(std::string name, std::vector<std::string> cells) {
  app::RawColumn c;
  c.name = std::move(name);
  c.text = std::move(cells);
  return c;
}

// A (rounds 1, 2, 10), B (1, 2; composite missing in 2), C (1, 10: missed round 2),
// D (2 only). Months since return: 92, 181, 365 days and so on.
std::vector<app::RawColumn> small_columns() {
  return {
      text_column("returnee_id", {"A", "B", "C", "A", "B", "D", "A", "C"}),
      text_column("round", {"1", "1", "1", "2", "2", "2", "10", "10"}),
      text_column("economic", {"0.2", "0.5", "0.3", "0.5", "0.4", "0.8", "0.6", "0.8"}),
      text_column("coverage_economic", {"1", "1", "1", "1", "1", "1", "1", "1"}),
      text_column("composite", {"0.4", "0.5", "0.2", "0.6", "", "0.9", "0.7", "0.5"}),
      text_column("status", {"complete", "partial", "complete", "complete", "insufficient",
                             "complete", "partial", "complete"}),
      text_column("category", {"below_threshold", "sustainable", "below_threshold", "sustainable",
                               "", "sustainable", "sustainable", "sustainable"}),
      text_column("interview_date", {"2025-01-01", "2025-01-01", "2025-01-01", "2025-04-01",
                                     "2025-04-01", "2025-04-01", "2025-10-01", "2025-10-01"}),
      text_column("return_date", {"2024-10-01", "2024-10-01", "2024-10-01", "2024-10-01",
                                  "2024-10-01", "2024-10-01", "2024-10-01", "2024-10-01"}),
  };
}

app::ScoresTable table_of(std::vector<app::RawColumn> cols, const app::PanelRequest& req) {
  return app::ScoresTable(std::move(cols), req.want(), 2, "test");
}

app::Report run(const app::PanelRequest& req, std::vector<app::RawColumn> cols = small_columns()) {
  return app::panel(table_of(std::move(cols), req), req, app::InstrumentSearch{});
}

app::PanelRequest everything(std::uint64_t min_cell = 0) {
  app::PanelRequest req;
  req.min_cell = min_cell;
  req.status = true;
  req.tables = {"changes", "transitions", "attrition", "per-returnee", "interviews", "problems"};
  return req;
}

// The row of a table whose key columns (text or whole numbers) read `keys`.
std::size_t find_row(const app::Table& t, const std::vector<std::string>& keys) {
  for (std::size_t r = 0; r < t.rows(); ++r) {
    bool all = true;
    for (std::size_t k = 0; k < keys.size() && all; ++k) {
      const auto& c = t.columns[k];
      const std::string cell =
          c.kind == app::Kind::text ? c.text[r] : std::to_string(std::llround(c.values[r]));
      all = cell == keys[k];
    }
    if (all) return r;
  }
  ADD_FAILURE() << "no row " << ::testing::PrintToString(keys) << " in " << t.name;
  return 0;
}

double value(const app::Table& t, std::size_t row, const std::string& column) {
  return t.at(column).values.at(row);
}

// Two-sided p-value and 97.5% quantile of Student's t with one degree of freedom.
double p_df1(double t) { return 1 - 2 * std::atan(std::fabs(t)) / pi; }
const double q975_df1 = std::tan(pi * (0.975 - 0.5));

template <class F>
void expect_throw_rule(F f, const std::string& rule, const std::string& text = {}) {
  try {
    f();
    ADD_FAILURE() << "no exception, expected [" << rule << "]";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("[" + rule + "]"), std::string::npos) << what;
    EXPECT_NE(what.find(text), std::string::npos) << what;
  }
}

}  // namespace

TEST(AppPanel, RoundsSortAsNumbers) {
  const auto report = run(everything());
  const auto& c = report.table("changes");
  // Default pairs: consecutive rounds as numbers (1, 2, 10), then first to last.
  std::vector<std::pair<double, double>> pairs;
  for (std::size_t r = 0; r < c.rows(); r += 2)
    pairs.emplace_back(c.at("from").values[r], c.at("to").values[r]);
  EXPECT_EQ(pairs, (std::vector<std::pair<double, double>>{{1, 2}, {2, 10}, {1, 10}}));
  const auto& a = report.table("attrition");
  EXPECT_EQ(a.at("round").values, (std::vector<double>{1, 2, 10}));
}

TEST(AppPanel, ChangesByHand) {
  const auto report = run(everything());
  const auto& c = report.table("changes");
  ASSERT_EQ(c.rows(), 6u);  // 3 pairs x (economic, composite)
  EXPECT_EQ(c.keys, 3u);

  // 1 -> 2, economic: A +0.3, B -0.1: mean 0.1, sd sqrt(0.08), se 0.2, t 0.5, df 1.
  auto r = find_row(c, {"1", "2", "economic"});
  EXPECT_EQ(value(c, r, "pairs"), 2);
  EXPECT_EQ(value(c, r, "missing"), 0);
  EXPECT_EQ(value(c, r, "n"), 2);
  EXPECT_NEAR(value(c, r, "mean_change"), 0.1, 1e-15);
  EXPECT_NEAR(value(c, r, "mean_from"), 0.35, 1e-15);
  EXPECT_NEAR(value(c, r, "mean_to"), 0.45, 1e-15);
  EXPECT_NEAR(value(c, r, "sd"), std::sqrt(0.08), 1e-15);
  EXPECT_NEAR(value(c, r, "se"), 0.2, 1e-15);
  EXPECT_EQ(value(c, r, "df"), 1);
  EXPECT_NEAR(value(c, r, "t"), 0.5, 1e-14);
  EXPECT_NEAR(value(c, r, "p_value"), p_df1(0.5), 1e-12);
  EXPECT_NEAR(value(c, r, "ci_low"), 0.1 - q975_df1 * 0.2, 1e-12);
  EXPECT_NEAR(value(c, r, "ci_high"), 0.1 + q975_df1 * 0.2, 1e-12);
  EXPECT_EQ(value(c, r, "sum_weights"), 2);
  // Months since return: 92 and 182 days over 365.25 / 12.
  EXPECT_NEAR(value(c, r, "months_from"), 92 / (365.25 / 12), 1e-12);
  EXPECT_NEAR(value(c, r, "months_to"), 182 / (365.25 / 12), 1e-12);

  // 1 -> 2, composite: B has none in round 2: one pair, mean only.
  r = find_row(c, {"1", "2", "composite"});
  EXPECT_EQ(value(c, r, "pairs"), 2);
  EXPECT_EQ(value(c, r, "missing"), 1);
  EXPECT_EQ(value(c, r, "n"), 1);
  EXPECT_NEAR(value(c, r, "mean_change"), 0.2, 1e-15);
  EXPECT_EQ(c.at("sd").cell(r), Cell::missing);
  EXPECT_EQ(c.at("p_value").cell(r), Cell::missing);

  // 1 -> 10, economic: A +0.4, C +0.5: mean 0.45, se 0.05, t 9.
  r = find_row(c, {"1", "10", "economic"});
  EXPECT_NEAR(value(c, r, "mean_change"), 0.45, 1e-15);
  EXPECT_NEAR(value(c, r, "se"), 0.05, 1e-15);
  EXPECT_NEAR(value(c, r, "t"), 9, 1e-12);
  EXPECT_NEAR(value(c, r, "p_value"), p_df1(9), 1e-12);

  // 2 -> 10: only A.
  r = find_row(c, {"2", "10", "economic"});
  EXPECT_EQ(value(c, r, "n"), 1);
  EXPECT_NEAR(value(c, r, "mean_change"), 0.1, 1e-15);
}

TEST(AppPanel, WeightedChangeUsesTheLaterWeight) {
  auto cols = small_columns();
  cols.push_back(text_column("w", {"9", "9", "9", "1", "3", "1", "2", "2"}));
  auto req = everything();
  req.weight = "w";
  req.from_round = 1;
  req.to_round = 2;
  const auto report = run(req, cols);
  const auto& c = report.table("changes");
  const auto r = find_row(c, {"1", "2", "economic"});
  // A +0.3 weight 1, B -0.1 weight 3: mean (0.3 - 0.3) / 4 = 0.
  EXPECT_NEAR(value(c, r, "mean_change"), 0.0, 1e-15);
  EXPECT_EQ(value(c, r, "sum_weights"), 4);
  // se^2 = n/(n-1) sum w^2 (d - m)^2 / (sum w)^2 = 2 (0.09 + 9 * 0.01) / 16.
  EXPECT_NEAR(value(c, r, "se"), std::sqrt(2 * (0.09 + 0.09) / 16), 1e-15);
  EXPECT_NE(c.title.find("weighted by w"), std::string::npos);
}

TEST(AppPanel, TransitionsAndAttritionByHand) {
  const auto report = run(everything());
  const auto& t = report.table("transitions");
  // Category 1 -> 2: A below -> sustainable, B sustainable -> none, C below -> attrited.
  const auto n = [&](const char* from, const char* to) {
    return value(t, find_row(t, {"category", "1", "2", from, to}), "n");
  };
  EXPECT_EQ(n("below_threshold", "sustainable"), 1);
  EXPECT_EQ(n("below_threshold", "attrited"), 1);
  EXPECT_EQ(n("below_threshold", "below_threshold"), 0);
  EXPECT_EQ(n("sustainable", "none"), 1);
  EXPECT_EQ(n("none", "attrited"), 0);
  auto r = find_row(t, {"category", "1", "2", "below_threshold", "attrited"});
  EXPECT_EQ(value(t, r, "row_total"), 2);
  EXPECT_EQ(value(t, r, "share"), 0.5);
  // Rows of every from-state times every to-state, per variable and pair.
  EXPECT_EQ(t.rows(), 3u * (3 * 4) + 3u * (5 * 6));
  // Status 1 -> 10: A complete -> partial, B partial -> attrited, C complete -> complete.
  EXPECT_EQ(value(t, find_row(t, {"status", "1", "10", "complete", "partial"}), "n"), 1);
  EXPECT_EQ(value(t, find_row(t, {"status", "1", "10", "partial", "attrited"}), "n"), 1);
  EXPECT_EQ(value(t, find_row(t, {"status", "1", "10", "complete", "complete"}), "n"), 1);

  const auto& a = report.table("attrition");
  const auto row = [&](const char* col) { return a.at(col).values; };
  EXPECT_EQ(row("present"), (std::vector<double>{3, 3, 2}));
  EXPECT_EQ(row("first_seen"), (std::vector<double>{3, 1, 0}));
  EXPECT_EQ(row("retained"), (std::vector<double>{0, 2, 1}));
  EXPECT_EQ(row("lost"), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(row("returned"), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(row("absent"), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(row("baseline_present"), (std::vector<double>{3, 2, 2}));
  EXPECT_EQ(row("retention")[0], 1.0);
  EXPECT_DOUBLE_EQ(row("retention")[1], 2.0 / 3);
  EXPECT_NE(a.title.find("round 1's"), std::string::npos);
}

TEST(AppPanel, PerReturneeAndInterviews) {
  const auto report = run(everything());
  const auto& p = report.table("per-returnee");
  const auto r = find_row(p, {"B", "1", "2"});
  EXPECT_EQ(value(p, r, "row_from"), 3);  // rows of the file: header = 1
  EXPECT_EQ(value(p, r, "row_to"), 6);
  EXPECT_NEAR(value(p, r, "change_economic"), -0.1, 1e-15);
  EXPECT_EQ(p.at("change_composite").cell(r), Cell::missing);
  EXPECT_EQ(p.at("category_to").cell(r), Cell::missing);  // no category in round 2
  EXPECT_EQ(p.at("status_to").text[r], "insufficient");
  // Returnees in id order within each pair.
  EXPECT_EQ(p.at("returnee_id").text, (std::vector<std::string>{"A", "B", "A", "A", "C"}));

  const auto& iv = report.table("interviews");
  EXPECT_EQ(iv.at("row").values, (std::vector<double>{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_NEAR(iv.at("months_since_return").values[6], 365 / (365.25 / 12), 1e-12);
  EXPECT_EQ(report.table("problems").rows(), 0u);
}

TEST(AppPanel, SuppressionBelowMinCell) {
  const auto report = run(everything(2));
  const auto& c = report.table("changes");
  auto r = find_row(c, {"1", "2", "economic"});
  EXPECT_EQ(c.at("n").cell(r), Cell::value);
  EXPECT_EQ(c.at("mean_change").cell(r), Cell::value);
  r = find_row(c, {"1", "2", "composite"});
  EXPECT_EQ(c.at("pairs").cell(r), Cell::value);  // 2 is not below 2
  EXPECT_EQ(c.at("missing").cell(r), Cell::suppressed);
  EXPECT_EQ(c.at("n").cell(r), Cell::suppressed);
  EXPECT_EQ(c.at("mean_change").cell(r), Cell::missing);  // never released, not "<2"

  const auto& t = report.table("transitions");
  // A row of two returnees: shown, its cells of one suppressed, zeros shown.
  r = find_row(t, {"category", "1", "2", "below_threshold", "sustainable"});
  EXPECT_EQ(t.at("n").cell(r), Cell::suppressed);
  EXPECT_EQ(t.at("share").cell(r), Cell::missing);
  r = find_row(t, {"category", "1", "2", "below_threshold", "none"});
  EXPECT_EQ(t.at("n").cell(r), Cell::value);
  EXPECT_EQ(t.at("share").values[r], 0.0);
  // A row of one returnee: withheld whole, its zeros too.
  r = find_row(t, {"category", "1", "2", "sustainable", "below_threshold"});
  EXPECT_EQ(t.at("row_total").cell(r), Cell::suppressed);
  EXPECT_EQ(t.at("n").cell(r), Cell::suppressed);
  EXPECT_EQ(t.at("share").cell(r), Cell::missing);
  // An empty row: zeros, no shares.
  r = find_row(t, {"category", "1", "2", "none", "none"});
  EXPECT_EQ(t.at("n").cell(r), Cell::value);
  EXPECT_EQ(t.at("share").cell(r), Cell::missing);
  EXPECT_EQ(t.min_cell, 2u);

  const auto& a = report.table("attrition");
  EXPECT_EQ(a.at("first_seen").cell(1), Cell::suppressed);  // 1 returnee
  EXPECT_EQ(a.at("retention").cell(1), Cell::value);        // 2 of 3
  // Per-returnee rows are individual data asked for: never suppressed.
  EXPECT_EQ(report.table("per-returnee").min_cell, 0u);

  // The CSV and terminal spellings come from the one renderer.
  const std::string csv = app::render(c, app::Format::csv);
  EXPECT_NE(csv.find(",<2,<2,"), std::string::npos) << csv;
}

TEST(AppPanel, DefaultTablesAndNotes) {
  app::PanelRequest req;
  req.min_cell = 0;
  auto report = run(req);
  ASSERT_EQ(report.tables.size(), 3u);
  EXPECT_EQ(report.tables[0].name, "changes");
  EXPECT_EQ(report.tables[1].name, "transitions");
  EXPECT_EQ(report.tables[2].name, "attrition");
  // No instrument column: categories in alphabetical order, said in a note.
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_EQ(report.notes[0].text,
            "categories in alphabetical order (the scores name no instrument)");

  // One round: no pairs.
  auto cols = small_columns();
  for (auto& c : cols)
    if (c.name == "round") c.text.assign(8, "1");
  cols[0].text = {"A", "B", "C", "D", "E", "F", "G", "H"};
  req.tables = {"all"};
  report = run(req, cols);
  EXPECT_EQ(report.table("changes").rows(), 0u);
  EXPECT_EQ(report.table("attrition").rows(), 1u);
  bool one_round = false;
  for (const auto& n : report.notes) one_round |= n.text.find("only one round") == 0;
  EXPECT_TRUE(one_round);
}

TEST(AppPanel, DateProblemsAreNotesAndRows) {
  auto cols = small_columns();
  cols[7].text[1] = "2025-02-30";  // interview_date
  cols[8].text[4] = "";            // return_date
  cols[7].text[6] = "2020-01-01";  // before the return
  const auto report = run(everything(), cols);
  const auto& p = report.table("problems");
  ASSERT_EQ(p.rows(), 3u);
  EXPECT_EQ(p.at("row").values, (std::vector<double>{3, 6, 8}));
  EXPECT_EQ(p.at("rule").text,
            (std::vector<std::string>{"bad_date", "missing_date", "interview_before_return"}));
  EXPECT_EQ(p.at("message").text[0],
            "row 3: column 'interview_date': not a calendar date written yyyy-mm-dd [bad_date]");
  const auto& iv = report.table("interviews");
  EXPECT_EQ(iv.at("months_since_return").cell(1), Cell::missing);
  ASSERT_FALSE(report.notes.empty());
  EXPECT_EQ(report.notes.back().level, app::Note::Level::warning);
  EXPECT_EQ(report.notes.back().text,
            "3 date problem(s): months since return are missing for those interviews");
  for (const auto& n : report.notes) EXPECT_EQ(n.text.find("2020"), std::string::npos);
}

TEST(AppPanel, IdentifiersAreText) {
  // "007" and "7" are two returnees, and keep their spelling.
  auto cols = small_columns();
  cols[0].text = {"007", "7", "8", "007", "7", "9", "007", "8"};
  const auto report = run(everything(), cols);
  const auto& p = report.table("per-returnee");
  EXPECT_EQ(p.at("returnee_id").text, (std::vector<std::string>{"007", "7", "007", "007", "8"}));
  // Numbers handed over as numbers (a DataFrame's integer column) become their decimals.
  auto numeric = small_columns();
  numeric[0] = app::RawColumn{"returnee_id", true, {}, {1, 2, 3, 1, 2, 4, 1, 3}, {}};
  numeric[1] = app::RawColumn{"round", true, {}, {1, 1, 1, 2, 2, 2, 10, 10}, {}};
  const auto again = run(everything(), numeric);
  EXPECT_EQ(again.table("per-returnee").at("returnee_id").text,
            (std::vector<std::string>{"1", "2", "1", "1", "3"}));
  EXPECT_EQ(again.table("changes").at("mean_change").values,
            report.table("changes").at("mean_change").values);
}

TEST(AppPanel, CategoryOrder) {
  // Given labels decide the order; a label outside them is an error naming the row.
  auto req = everything();
  req.categories = {"sustainable", "below_threshold"};
  auto report = run(req);
  const auto& t = report.table("transitions");
  EXPECT_EQ(t.at("state_from").text[0], "sustainable");
  req.categories = {"sustainable"};
  expect_throw_rule([&] { run(req); }, "unknown_category", "row 2: column 'category'");

  // The instrument the tags name orders them, looked up by plain name in the search path.
  const auto dir = std::filesystem::temp_directory_path() / "reinscore_test_app_panel";
  std::filesystem::create_directories(dir);
  std::ifstream in(REINSCORE_DATA_DIR "/instruments/iom-rss.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  const auto swap = [&](const std::string& a, const std::string& b) {
    for (auto at = doc.find(a); at != std::string::npos; at = doc.find(a, at + b.size()))
      doc.replace(at, a.size(), b);
  };
  swap("\"iom-rss\"", "\"panel-order\"");
  swap("below_threshold", "zulu");
  swap("sustainable", "alpha");
  std::ofstream(dir / "panel-order.json") << doc;
  auto cols = small_columns();
  for (auto& c : cols)
    if (c.name == "category")
      for (auto& s : c.text) s = s == "below_threshold" ? "zulu" : s.empty() ? s : "alpha";
  cols.push_back(
      text_column("instrument", std::vector<std::string>(8, "panel-order@0.1.0-provisional#abc")));
  app::PanelRequest plain;
  app::InstrumentSearch search{{dir.string()}};
  report = app::panel(table_of(cols, plain), plain, search);
  EXPECT_EQ(report.table("transitions").at("state_from").text[0], "zulu");  // not alphabetical
  EXPECT_TRUE(report.notes.empty());
  // Not in the search path: alphabetical, and a note says why.
  report = app::panel(table_of(cols, plain), plain, app::InstrumentSearch{});
  EXPECT_EQ(report.table("transitions").at("state_from").text[0], "alpha");
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].text.find("give it with --instrument"), std::string::npos);
  // --instrument PATH finds it outside the search path.
  plain.instrument = (dir / "panel-order.json").string();
  report = app::panel(table_of(cols, plain), plain, app::InstrumentSearch{});
  EXPECT_EQ(report.table("transitions").at("state_from").text[0], "zulu");
  std::filesystem::remove_all(dir);
}

TEST(AppPanel, MixedInstrumentsAreAnErrorNamingBoth) {
  auto cols = small_columns();
  std::vector<std::string> tags(8, "iom-rss@0.1.0-provisional#aaa");
  tags[5] = "iom-rss@0.1.0-provisional#bbb";
  cols.push_back(text_column("instrument", tags));
  app::PanelRequest req;
  expect_throw_rule([&] { table_of(cols, req); }, "mixed_instruments",
                    "'iom-rss@0.1.0-provisional#aaa' and 'iom-rss@0.1.0-provisional#bbb'");
  req.allow_mixed = true;
  const auto report = app::panel(table_of(cols, req), req, app::InstrumentSearch{});
  EXPECT_EQ(report.table("changes").rows(), 6u);
}

TEST(AppPanel, DataChecksNameRowAndColumn) {
  app::PanelRequest req;
  auto cols = small_columns();
  cols[1].text[3] = "1.5";
  expect_throw_rule([&] { run(req, cols); }, "bad_round", "row 5: column 'round'");
  cols[1].text[3] = "second";
  expect_throw_rule([&] { run(req, cols); }, "bad_round", "row 5: column 'round'");
  cols = small_columns();
  cols[1].text[3] = "1";  // A twice in round 1
  expect_throw_rule([&] { run(req, cols); }, "duplicate_interview",
                    "row 5: column 'returnee_id': the same returnee has another interview in the "
                    "same round (column 'round') in row 2");
  cols = small_columns();
  cols[0].text[2] = " ";
  expect_throw_rule([&] { run(req, cols); }, "missing_id", "row 4: column 'returnee_id'");
  cols = small_columns();
  cols[5].text[2] = "done";
  expect_throw_rule([&] { run(req, cols); }, "unknown_status", "row 4: column 'status'");
  cols = small_columns();
  cols.push_back(text_column("w", {"1", "1", "-2", "1", "1", "1", "1", "1"}));
  req.weight = "w";
  expect_throw_rule([&] { run(req, cols); }, "invalid_weight", "row 4: column 'w'");
  cols.back().text[2] = "heavy";
  expect_throw_rule([&] { run(req, cols); }, "invalid_weight", "row 4: column 'w'");
  req.weight = "nope";
  expect_throw_rule([&] { run(req); }, "missing_column",
                    "column 'nope': not in the scores (--weight");
  req = {};
  req.date_column = "visit";
  expect_throw_rule([&] { run(req); }, "missing_column", "column 'visit'");
  req = {};
  req.from_round = 1;
  req.to_round = 3;
  expect_throw_rule([&] { run(req); }, "unknown_round", "column 'round'");
  req = {};
  req.status = true;
  auto no_status = small_columns();
  no_status.erase(no_status.begin() + 5);
  expect_throw_rule([&] { run(req, no_status); }, "missing_column", "column 'status'");
  // Dates under their default names are optional.
  auto no_dates = small_columns();
  no_dates.resize(7);
  const auto report = run(everything(), no_dates);
  EXPECT_EQ(report.table("changes").at("months_from").cell(0), Cell::missing);
}

TEST(AppPanel, OptionChecksNameTheOption) {
  const auto check = [](auto change, const std::string& option, const std::string& rule) {
    app::PanelRequest req;
    change(req);
    try {
      req.check();
      ADD_FAILURE() << "no exception for " << option;
    } catch (const app::option_error& e) {
      EXPECT_EQ(e.option(), option);
      EXPECT_EQ(e.rule(), rule);
    }
  };
  check([](auto& r) { r.from_round = 1; }, "--from", "option_needs");
  check([](auto& r) { r.to_round = 1; }, "--to", "option_needs");
  check(
      [](auto& r) {
        r.from_round = 3;
        r.to_round = 1;
      },
      "--from", "round_order");
  check([](auto& r) { r.min_cell = 2000000000; }, "--min-cell", "bad_option");
  check([](auto& r) { r.min_cell = -1; }, "--min-cell", "bad_option");
  check([](auto& r) { r.level = 1; }, "--level", "bad_option");
  check([](auto& r) { r.level = std::nan(""); }, "--level", "bad_option");
  check([](auto& r) { r.tables = {"everything"}; }, "--table", "bad_option");
  check([](auto& r) { r.id_column.clear(); }, "--id-column", "bad_option");
  app::PanelRequest ok;
  ok.tables = {"all", "per-returnee"};
  EXPECT_NO_THROW(ok.check());
  EXPECT_EQ(ok.table_list(),
            (std::vector<std::string>{"changes", "transitions", "attrition", "per-returnee"}));
}
