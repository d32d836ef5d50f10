// Tests of include/reinscore/scorer.hpp: hand-computed interviews on a small instrument,
// and properties of the shipped RSS instrument on seeded random answers.
#include <reinscore/reinscore.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace reinscore;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

Instrument mini() { return Instrument::load(REINSCORE_TEST_DATA_DIR "/instruments/mini.json"); }
Instrument rss() { return Instrument::load(REINSCORE_DATA_DIR "/instruments/iom-rss.json"); }

CodedBlock code_rows(const Instrument& ins, const std::vector<std::vector<std::string>>& rows) {
  Coder coder(ins);
  CodedBlock b;
  b.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(ins.items.size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t k = 0; k < ins.items.size(); ++k)
      b.set(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k),
            coder.item(k).code(rows[r][k]));
  return b;
}

void expect_score(double expected, double actual, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << ": expected missing, got " << actual;
  } else {
    EXPECT_NEAR(expected, actual, 1e-12) << what;
  }
}

struct Case {
  std::vector<std::string> answers;  // e1 e2 e3 s1 s2 p1 p2
  double econ, soc, psy, comp_items, comp_dims;
  Status status;
  int lowest;  // 0 econ, 1 soc, 2 psy, -1 none
};

// Item weights (dimension): e1 2, e2 1, e3 1 | s1 1, s2 3 | p1 1, p2 1.
// Composite weights (item mode): e1 2, e2 1, e3 1, s1 3, s2 1, p1 1, p2 2 (sum 11).
// Dimension mode: econ 2, soc 1, psy 1 (sum 4). e2 and s2 are reversed; e3 = x / 10.
// Coverage rule: at least half of the applicable weight answered in each dimension.
const std::vector<Case> hand_cases = {
    // 1. Every answer favourable.
    {{"high", "no", "10", "high", "low", "high", "yes"}, 1, 1, 1, 1, 1, Status::complete, 0},
    // 2. Every answer unfavourable.
    {{"low", "yes", "0", "low", "high", "low", "no"}, 0, 0, 0, 0, 0, Status::complete, 0},
    // 3. e=(.5,0,.5) s=(.5,.5) p=(.5,0).
    {{"mid", "yes", "5", "mid", "mid", "mid", "no"},
     (2 * .5 + 0 + .5) / 4,
     (.5 + 3 * .5) / 4,
     (.5 + 0) / 2,
     (2 * .5 + 0 + .5 + 3 * .5 + .5 + .5 + 0) / 11,
     (2 * .375 + .5 + .25) / 4,
     Status::complete,
     2},
    // 4. e=(1,0,0) s=(0,1) p=(.5,1).
    {{"high", "yes", "0", "low", "low", "mid", "yes"},
     2.0 / 4,
     3.0 / 4,
     1.5 / 2,
     (2 + 0 + 0 + 0 + 1 + .5 + 2) / 11.0,
     (2 * .5 + .75 + .75) / 4,
     Status::complete,
     0},
    // 5. e3 empty: econ over weights 2+1; composite over 11-1.
    {{"mid", "no", "", "high", "low", "high", "yes"},
     (2 * .5 + 1) / 3,
     1,
     1,
     (1 + 1 + 3 + 1 + 1 + 2) / 10.0,
     (2 * (2.0 / 3) + 1 + 1) / 4,
     Status::partial,
     0},
    // 6. econ answered weight 1 of 4 < half: econ and composite missing.
    {{"dk", "ref", "4", "high", "high", "low", "yes"},
     nan_v,
     (1 + 0) / 4.0,
     (0 + 1) / 2.0,
     nan_v,
     nan_v,
     Status::insufficient,
     -1},
    // 7. econ exactly at the rule (2 of 4), psy exactly at it (1 of 2).
    {{"dk", "no", "10", "mid", "low", "high", "dk"},
     (1 + 1) / 2.0,
     (.5 + 3) / 4,
     1,
     (1 + 1 + 3 * .5 + 1 + 1) / 7.0,
     (2 * 1 + .875 + 1) / 4,
     Status::partial,
     1},
    // 8. s1 not applicable: removed from the base, the row stays complete.
    {{"high", "no", "10", "na", "low", "low", "no"},
     1,
     3.0 / 3,
     0,
     (2 + 1 + 1 + 1 + 0 + 0) / 8.0,
     (2 * 1 + 1 + 0) / 4.0,
     Status::complete,
     2},
    // 9. An unknown code makes the row invalid: nothing is scored.
    {{"bogus", "no", "10", "high", "low", "high", "yes"},
     nan_v,
     nan_v,
     nan_v,
     nan_v,
     nan_v,
     Status::invalid,
     -1},
    // 10. A number outside the numeric scale's range: invalid.
    {{"high", "no", "11", "high", "low", "high", "yes"},
     nan_v,
     nan_v,
     nan_v,
     nan_v,
     nan_v,
     Status::invalid,
     -1},
    // 11. Numeric codes instead of names (high=3, no=0, low=1, yes=1).
    {{"3", "0", "10", "3", "1", "3", "1"}, 1, 1, 1, 1, 1, Status::complete, 0},
    // 12. Labels, any case, stray spaces.
    {{"High", "No", " 10 ", "HIGH ", "low", "high", "Yes"}, 1, 1, 1, 1, 1, Status::complete, 0},
    // 13. e3 = 2.5 -> .25; soc and psy tie at .75, the first wins.
    {{"high", "no", "2.5", "low", "low", "mid", "yes"},
     (2 + 1 + .25) / 4,
     (0 + 3) / 4.0,
     (.5 + 1) / 2,
     (2 + 1 + .25 + 0 + 1 + .5 + 2) / 11,
     (2 * .8125 + .75 + .75) / 4,
     Status::complete,
     1},
    // 14. psy has nothing answered.
    {{"mid", "yes", "5", "mid", "mid", "dk", "dk"},
     (1 + 0 + .5) / 4,
     .5,
     nan_v,
     nan_v,
     nan_v,
     Status::insufficient,
     -1},
    // 15. Item-mode composite exactly on the 0.4 cut: e=(1,0,.4) s=(0,0) p=(0,1).
    {{"high", "yes", "4", "low", "high", "low", "yes"},
     (2 + 0 + .4) / 4,
     0,
     (0 + 1) / 2.0,
     (2 + 0 + .4 + 0 + 0 + 0 + 2) / 11,
     (2 * .6 + 0 + .5) / 4,
     Status::complete,
     1},
    // 16. Nothing answered.
    {{"", "", "", "", "", "", ""}, nan_v, nan_v, nan_v, nan_v, nan_v, Status::insufficient, -1},
    // 17. e1 refused: econ over 1+1 (exactly half).
    {{"ref", "no", "10", "high", "low", "high", "yes"},
     1,
     1,
     1,
     (1 + 1 + 3 + 1 + 1 + 2) / 9.0,
     1,
     Status::partial,
     0},
    // 18. e=(0,1,.7) s=(.5,0) p=(1,0).
    {{"low", "no", "7", "mid", "high", "high", "no"},
     (0 + 1 + .7) / 4,
     (.5 + 0) / 4,
     (1 + 0) / 2.0,
     (0 + 1 + .7 + 1.5 + 0 + 1 + 0) / 11,
     (2 * .425 + .125 + .5) / 4,
     Status::complete,
     1},
    // 19. Numeric missing codes: e2 = 8 and p2 = 8 mean don't know.
    {{"high", "8", "10", "high", "high", "mid", "8"},
     (2 + 1) / 3.0,
     (1 + 0) / 4.0,
     .5,
     (2 + 1 + 3 + 0 + .5) / 8,
     (2 * 1 + .25 + .5) / 4,
     Status::partial,
     1},
    // 20. e3 = "7.50" -> .75.
    {{"low", "yes", "7.50", "high", "low", "high", "yes"},
     .75 / 4,
     1,
     1,
     (0 + 0 + .75 + 3 + 1 + 1 + 2) / 11,
     (2 * .1875 + 1 + 1) / 4,
     Status::complete,
     0},
};

}  // namespace

TEST(Scorer, HandComputedInterviewsBothCompositeModes) {
  const Instrument ins = mini();
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : hand_cases) rows.push_back(c.answers);
  const CodedBlock b = code_rows(ins, rows);
  ScoreBlock by_items, by_dims;
  Scorer(ins, "items").score(b, by_items);
  Scorer(ins, "dims").score(b, by_dims);
  for (std::size_t i = 0; i < hand_cases.size(); ++i) {
    const auto& c = hand_cases[i];
    const auto r = static_cast<Eigen::Index>(i);
    const std::string at = "case " + std::to_string(i + 1);
    expect_score(c.econ, by_items.dimension(r, 0), at + " econ");
    expect_score(c.soc, by_items.dimension(r, 1), at + " soc");
    expect_score(c.psy, by_items.dimension(r, 2), at + " psy");
    expect_score(c.comp_items, by_items.composite(r), at + " composite (item mode)");
    expect_score(c.comp_dims, by_dims.composite(r), at + " composite (dimension mode)");
    EXPECT_EQ(by_items.dimension.row(r).hasNaN(), by_dims.dimension.row(r).hasNaN()) << at;
    EXPECT_EQ(c.status, by_items.status[i]) << at;
    EXPECT_EQ(c.lowest, by_items.lowest[i]) << at;
  }
}

TEST(Scorer, CoverageIsAnsweredOverApplicableWeight) {
  const Instrument ins = mini();
  const CodedBlock b =
      code_rows(ins, {hand_cases[4].answers, hand_cases[5].answers, hand_cases[7].answers});
  ScoreBlock s;
  Scorer(ins).score(b, s);
  EXPECT_DOUBLE_EQ(3.0 / 4, s.coverage(0, 0));  // e3 (weight 1 of 4) empty
  EXPECT_DOUBLE_EQ(1.0 / 4, s.coverage(1, 0));  // only e3 answered
  EXPECT_DOUBLE_EQ(1.0, s.coverage(2, 1));      // s1 not applicable: base is 3, all answered
}

TEST(Scorer, CategoriesFromThresholdsIncludeTheLowerBound) {
  const Instrument ins = mini();
  const CodedBlock b = code_rows(ins, {hand_cases[14].answers, hand_cases[0].answers,
                                       hand_cases[1].answers, hand_cases[8].answers});
  ScoreBlock s;
  Scorer(ins, "items").score(b, s);
  EXPECT_EQ(1, s.category[0]);  // 4.4 / 11 = 0.4 -> "mid" (cut at 0.4 inclusive)
  EXPECT_EQ(2, s.category[1]);
  EXPECT_EQ(0, s.category[2]);
  EXPECT_EQ(-1, s.category[3]);  // invalid row: no category
}

TEST(Scorer, ContributionsSumToTheScores) {
  const Instrument ins = mini();
  for (const char* set : {"items", "dims"}) {
    const Scorer scorer(ins, set);
    for (std::size_t i = 0; i < hand_cases.size(); ++i) {
      const CodedBlock b = code_rows(ins, {hand_cases[i].answers});
      ScoreBlock s;
      scorer.score(b, s);
      const auto parts = scorer.explain(b, 0);
      ASSERT_EQ(ins.items.size(), parts.size());
      std::vector<double> dim(3, 0.0), lost(3, 0.0);
      double comp = 0;
      for (const auto& p : parts) {
        if (std::isnan(p.to_dimension)) {
          EXPECT_TRUE(p.reason != Reason::answered ||
                      std::isnan(s.dimension(0, static_cast<Eigen::Index>(p.dimension))));
          continue;
        }
        dim[p.dimension] += p.to_dimension;
        lost[p.dimension] += p.lost;
        if (!std::isnan(s.composite(0))) comp += p.to_composite;
      }
      for (Eigen::Index d = 0; d < 3; ++d) {
        if (std::isnan(s.dimension(0, d))) continue;
        EXPECT_NEAR(s.dimension(0, d), dim[static_cast<std::size_t>(d)], 1e-12)
            << set << " case " << i + 1;
        EXPECT_NEAR(1.0, dim[static_cast<std::size_t>(d)] + lost[static_cast<std::size_t>(d)],
                    1e-12);
      }
      if (!std::isnan(s.composite(0))) {
        EXPECT_NEAR(s.composite(0), comp, 1e-12) << set << " case " << i + 1;
      }
    }
  }
}

// ---- Properties on the shipped RSS instrument --------------------------------------------

namespace {

// The answer code of item k with the highest (best) or lowest coded value.
std::string extreme_code(const Instrument& ins, std::size_t k, bool best) {
  const Item& it = ins.items[k];
  const Scale& s = ins.scale_of(it);
  const AnswerCode* pick = &s.codes.front();
  for (const auto& c : s.codes) {
    const double v = it.reverse ? 1 - c.value : c.value;
    const double pv = it.reverse ? 1 - pick->value : pick->value;
    if (best ? v > pv : v < pv) pick = &c;
  }
  return pick->code;
}

CodedBlock random_block(const Instrument& ins, Eigen::Index n, std::uint32_t seed,
                        double missing_share = 0.1) {
  std::mt19937 rng(seed);
  Coder coder(ins);
  CodedBlock b;
  b.resize(n, static_cast<Eigen::Index>(ins.items.size()));
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    const Scale& s = ins.scale_of(ins.items[k]);
    for (Eigen::Index r = 0; r < n; ++r) {
      std::string cell;
      if (u(rng) < missing_share) {
        cell = s.missing[rng() % s.missing.size()].code;
      } else {
        cell = s.codes[rng() % s.codes.size()].code;
      }
      b.set(r, static_cast<Eigen::Index>(k), coder.item(k).code(cell));
    }
  }
  return b;
}

}  // namespace

TEST(ScorerRss, AllFavourableGivesOneAllUnfavourableGivesZero) {
  const Instrument ins = rss();
  std::vector<std::string> best, worst;
  for (std::size_t k = 0; k < ins.items.size(); ++k) {
    best.push_back(extreme_code(ins, k, true));
    worst.push_back(extreme_code(ins, k, false));
  }
  ScoreBlock s;
  Scorer(ins).score(code_rows(ins, {best, worst}), s);
  for (Eigen::Index d = 0; d < 3; ++d) {
    EXPECT_DOUBLE_EQ(1.0, s.dimension(0, d));
    EXPECT_DOUBLE_EQ(0.0, s.dimension(1, d));
  }
  EXPECT_DOUBLE_EQ(1.0, s.composite(0));
  EXPECT_DOUBLE_EQ(0.0, s.composite(1));
  EXPECT_EQ(Status::complete, s.status[0]);
}

TEST(ScorerRss, ScoresStayWithinZeroAndOne) {
  const Instrument ins = rss();
  ScoreBlock s;
  Scorer(ins).score(random_block(ins, 5000, 7), s);
  for (Eigen::Index r = 0; r < s.rows(); ++r) {
    for (Eigen::Index d = 0; d < 3; ++d) {
      if (std::isnan(s.dimension(r, d))) continue;
      EXPECT_GE(s.dimension(r, d), 0.0);
      EXPECT_LE(s.dimension(r, d), 1.0);
    }
    if (!std::isnan(s.composite(r))) {
      EXPECT_GE(s.composite(r), 0.0);
      EXPECT_LE(s.composite(r), 1.0);
    }
  }
}

TEST(ScorerRss, ImprovingOneAnswerNeverLowersAScore) {
  const Instrument ins = rss();
  const Scorer scorer(ins);
  CodedBlock b = random_block(ins, 2000, 11, 0.05);
  ScoreBlock before;
  scorer.score(b, before);
  std::mt19937 rng(12);
  CodedBlock after = b;
  int improved = 0;
  for (Eigen::Index r = 0; r < b.rows(); ++r) {
    const auto k = static_cast<Eigen::Index>(rng() % static_cast<std::uint32_t>(b.items()));
    if (b.reason(r, k) != Reason::answered || b.values(r, k) >= 1.0) continue;
    after.values(r, k) = std::min(1.0, b.values(r, k) + 0.25);
    ++improved;
  }
  ASSERT_GT(improved, 500);
  ScoreBlock s;
  scorer.score(after, s);
  for (Eigen::Index r = 0; r < b.rows(); ++r) {
    for (Eigen::Index d = 0; d < 3; ++d) {
      if (!std::isnan(before.dimension(r, d))) {
        EXPECT_GE(s.dimension(r, d), before.dimension(r, d) - 1e-15);
      }
    }
    if (!std::isnan(before.composite(r))) {
      EXPECT_GE(s.composite(r), before.composite(r) - 1e-15);
    }
  }
}

TEST(ScorerRss, RowOrderDoesNotChangeResults) {
  const Instrument ins = rss();
  const Scorer scorer(ins);
  const CodedBlock b = random_block(ins, 1000, 3);
  std::vector<Eigen::Index> perm(static_cast<std::size_t>(b.rows()));
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(4));
  CodedBlock p;
  p.resize(b.rows(), b.items());
  for (Eigen::Index r = 0; r < b.rows(); ++r) {
    p.values.row(r) = b.values.row(perm[static_cast<std::size_t>(r)]);
    p.reasons.row(r) = b.reasons.row(perm[static_cast<std::size_t>(r)]);
  }
  ScoreBlock s, t;
  scorer.score(b, s);
  scorer.score(p, t);
  for (Eigen::Index r = 0; r < b.rows(); ++r) {
    const auto src = perm[static_cast<std::size_t>(r)];
    EXPECT_TRUE(t.dimension.row(r).isApprox(s.dimension.row(src)) ||
                (t.dimension.row(r).hasNaN() && s.dimension.row(src).hasNaN()));
    EXPECT_EQ(t.status[static_cast<std::size_t>(r)], s.status[static_cast<std::size_t>(src)]);
  }
}

TEST(ScorerRss, ItemOrderInTheInstrumentDoesNotChangeResults) {
  const Instrument ins = rss();
  // Reverse the item list in the document and the columns of the coded block.
  auto doc = ins.to_json();
  auto& items = doc.as_object()["items"].as_array();
  std::reverse(items.begin(), items.end());
  const Instrument rev = Instrument::from_json(doc);
  const CodedBlock b = random_block(ins, 800, 21);
  CodedBlock rb;
  rb.resize(b.rows(), b.items());
  for (Eigen::Index k = 0; k < b.items(); ++k) {
    rb.values.col(b.items() - 1 - k) = b.values.col(k);
    rb.reasons.col(b.items() - 1 - k) = b.reasons.col(k);
  }
  ScoreBlock s, t;
  Scorer(ins).score(b, s);
  Scorer(rev).score(rb, t);
  for (Eigen::Index r = 0; r < b.rows(); ++r) {
    for (Eigen::Index d = 0; d < 3; ++d) {
      if (std::isnan(s.dimension(r, d))) {
        EXPECT_TRUE(std::isnan(t.dimension(r, d)));
      } else {
        EXPECT_NEAR(s.dimension(r, d), t.dimension(r, d), 1e-12);
      }
    }
  }
}

TEST(ScorerRss, ScoringInPiecesEqualsScoringWhole) {
  const Instrument ins = rss();
  const Scorer scorer(ins);
  const CodedBlock b = random_block(ins, 999, 5);
  ScoreBlock whole;
  scorer.score(b, whole);
  for (Eigen::Index start = 0; start < b.rows(); start += 250) {
    const Eigen::Index len = std::min<Eigen::Index>(250, b.rows() - start);
    CodedBlock part;
    part.values = b.values.middleRows(start, len);
    part.reasons = b.reasons.middleRows(start, len);
    ScoreBlock s;
    scorer.score(part, s);
    for (Eigen::Index r = 0; r < len; ++r) {
      const double a = whole.composite(start + r), c = s.composite(r);
      EXPECT_TRUE((std::isnan(a) && std::isnan(c)) || a == c);
    }
  }
}

TEST(Scorer, RejectsABlockOfTheWrongWidth) {
  const Instrument ins = mini();
  CodedBlock b;
  b.resize(1, 3);
  ScoreBlock s;
  EXPECT_THROW(Scorer(ins).score(b, s), std::invalid_argument);
}

// Explaining a row of a scored block (what the batch writers do) gives exactly what
// explaining it alone does, on rows of every status, and the contributions add up to
// the scores.
TEST(ScorerRss, ExplainFromAScoredBlockEqualsExplainingTheRowAlone) {
  const Instrument ins = rss();
  const Scorer scorer(ins);
  const CodedBlock b = random_block(ins, 400, 11, 0.45);
  ScoreBlock s;
  scorer.score(b, s);
  std::array<int, 4> seen{};
  for (Eigen::Index r = 0; r < b.rows(); ++r) {
    ++seen[static_cast<std::size_t>(s.status[static_cast<std::size_t>(r)])];
    const auto alone = scorer.explain(b, r);
    const auto batch = scorer.explain(b, r, s);
    ASSERT_EQ(alone.size(), batch.size());
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(3);
    double comp = 0;
    for (std::size_t k = 0; k < alone.size(); ++k) {
      const auto same = [](double x, double y) {
        return (std::isnan(x) && std::isnan(y)) || x == y;
      };
      EXPECT_EQ(alone[k].reason, batch[k].reason);
      EXPECT_TRUE(same(alone[k].to_dimension, batch[k].to_dimension)) << "row " << r;
      EXPECT_TRUE(same(alone[k].lost, batch[k].lost)) << "row " << r;
      EXPECT_TRUE(same(alone[k].to_composite, batch[k].to_composite)) << "row " << r;
      if (!std::isnan(batch[k].to_dimension))
        sum(static_cast<Eigen::Index>(batch[k].dimension)) += batch[k].to_dimension;
      if (!std::isnan(batch[k].to_composite)) comp += batch[k].to_composite;
    }
    for (Eigen::Index d = 0; d < 3; ++d)
      if (!std::isnan(s.dimension(r, d))) {
        EXPECT_NEAR(sum(d), s.dimension(r, d), 1e-12);
      }
    if (!std::isnan(s.composite(r))) {
      EXPECT_NEAR(comp, s.composite(r), 1e-12);
    }
  }
  EXPECT_GT(seen[0] + seen[1], 0);  // some rows scored
  EXPECT_GT(seen[2], 0);            // some rows insufficient
}
