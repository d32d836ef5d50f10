// The one reader of scores tables: types, tags, checks.
#include <reinscore/app/groups.hpp>
#include <reinscore/app/scores.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace reinscore;
using namespace reinscore::app;

namespace {

RawColumn text(std::string name, std::vector<std::string> cells) {
  RawColumn c;
  c.name = std::move(name);
  c.text = std::move(cells);
  return c;
}

std::vector<RawColumn> basic() {
  return {text("round", {"10", "2", "1", "2"}),
          text("economic", {"0.5", "", "0.25", "1"}),
          text("coverage_economic", {"1", "0", "0.5", "1"}),
          text("composite", {"0.5", "", " 0.25 ", "1"}),
          text("status", {"complete", "insufficient", " partial ", "invalid"}),
          text("instrument", {"iom-rss@1#abc", "", "iom-rss@1#abc", "iom-rss@1#abc"})};
}

std::string rule_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const input_error& e) {
    return e.rule();
  }
  return "none";
}

}  // namespace

TEST(ScoresTable, FindsScoresStatusTagsAndTypes) {
  ScoresWant w;
  w.columns = {{"round", "--by"}};
  const ScoresTable t(basic(), w, 2, "test");
  ASSERT_EQ(t.scores(), (std::vector<std::string>{"economic", "composite"}));
  EXPECT_TRUE(std::isnan(t.score(0)[1]));
  EXPECT_EQ(t.score(1)[2], 0.25);  // blanks around a number are allowed
  EXPECT_EQ(t.status(), (std::vector<std::int8_t>{0, 2, 1, 3}));  // blanks around are read
  EXPECT_EQ(t.tags(), (std::vector<std::string>{"iom-rss@1#abc"}));
  EXPECT_EQ(t.tag_of_row(), (std::vector<std::int32_t>{0, -1, 0, 0}));
  ASSERT_TRUE(t.column("round").numeric);
  // Numeric keys sort as numbers: 1, 2, 10.
  const Groups g = group_rows(t, {"round"});
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g.of_row, (std::vector<std::uint64_t>{2, 1, 0, 1}));
}

TEST(ScoresTable, TextKeysStayText) {
  auto cols = basic();
  cols.push_back(text("country", {"LSO", "10", "", "MOZ"}));
  ScoresWant w;
  w.columns = {{"country", "--by"}};
  const ScoresTable t(std::move(cols), w, 2, "test");
  EXPECT_FALSE(t.column("country").numeric);
  const Groups g = group_rows(t, {"country"});
  EXPECT_EQ(g.of_row, (std::vector<std::uint64_t>{2, 1, 0, 3}));  // "", "10", "LSO", "MOZ"
}

TEST(ScoresTable, Errors) {
  EXPECT_EQ(rule_of([] {
              auto c = basic();
              c[1].text[3] = "high";
              ScoresTable(std::move(c), {}, 2, "t");
            }),
            "not_a_number");
  try {
    auto c = basic();
    c[5].text[3] = "iom-rss@1#def";
    ScoresTable(std::move(c), {}, 2, "t");
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "mixed_instruments");
    EXPECT_EQ(e.row(), 5u);
    EXPECT_NE(std::string(e.what()).find("iom-rss@1#abc"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("iom-rss@1#def"), std::string::npos);
  }
  {
    auto c = basic();
    c[5].text[3] = "iom-rss@1#def";
    ScoresWant w;
    w.allow_mixed = true;
    EXPECT_EQ(ScoresTable(std::move(c), w, 2, "t").tags().size(), 2u);
  }
  EXPECT_EQ(rule_of([] {
              ScoresWant w;
              w.columns = {{"sex", "--by"}};
              ScoresTable(basic(), w, 2, "t");
            }),
            "missing_column");
  EXPECT_EQ(rule_of([] { ScoresTable({text("x", {"1"})}, {}, 2, "t"); }), "not_scores");
  // A status that is none of reinscore's would drop out of every share: refused.
  EXPECT_EQ(rule_of([] {
              auto c = basic();
              c[4].text[3] = "done";
              ScoresTable(std::move(c), {}, 2, "t");
            }),
            "unknown_status");
  EXPECT_EQ(rule_of([] {
              auto c = basic();
              c.erase(c.begin() + 4);
              ScoresWant w;
              w.need_status = true;
              ScoresTable(std::move(c), w, 2, "t");
            }),
            "missing_column");
}

TEST(ScoresTable, ScoresComputedElsewhereNeedNoStatus) {
  RawColumn composite;
  composite.name = "composite";
  composite.numeric = true;
  composite.number = {0.5, std::nan(""), 0.75};
  const ScoresTable t({composite}, {}, 1, "frame");
  EXPECT_FALSE(t.has_status());
  EXPECT_EQ(t.scores(), std::vector<std::string>{"composite"});
  EXPECT_EQ(t.row_number(0), 1u);
}

TEST(ReadScores, RowsOfMessagesAreTheReadersRows) {
  const std::string path = ::testing::TempDir() + "/scores_rows.csv";
  {
    std::ofstream f(path);
    f << "id,composite,status\n\"a\nb\",0.5,complete\nc,oops,complete\n";
  }
  try {
    read_scores(path, {});
    FAIL();
  } catch (const input_error& e) {
    EXPECT_EQ(e.rule(), "not_a_number");
    EXPECT_EQ(e.column(), "composite");
    EXPECT_EQ(e.row(), 3u);  // a record spanning two lines is one row, as the reader counts

    EXPECT_EQ(std::string(e.what()).find("oops"), std::string::npos);  // never the value
  }
  std::remove(path.c_str());
}
