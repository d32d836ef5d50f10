// Tests of include/reinscore/sensitivity.hpp: the generators against published values,
// the perturbation's bounds and normalisation, determinism (seed, threads), and the
// per-interview reductions against a direct computation. tests/python/test_sensitivity.py
// re-implements the perturbation in numpy.
#include <reinscore/fit.hpp>
#include <reinscore/sensitivity.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>

using namespace reinscore;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

Instrument small_instrument(bool item_mode = false) {
  std::string doc =
      R"({"format":"reinscore-instrument/1","id":"small","version":"1","dimensions":["a","b"],
    "scales":{"unit":{"type":"numeric","min":0,"max":1}},
    "items":[{"id":"a1","dimension":"a","scale":"unit"},{"id":"a2","dimension":"a","scale":"unit"},
             {"id":"a3","dimension":"a","scale":"unit"},{"id":"b1","dimension":"b","scale":"unit"},
             {"id":"b2","dimension":"b","scale":"unit"}],
    "thresholds":{"categories":[{"label":"low","min":0},{"label":"mid","min":0.4},{"label":"high","min":0.6}]},
    "weight_sets":{"base":)";
  doc +=
      item_mode
          ? R"({"composite":{"mode":"item"},"items":{"a1":{"dimension":1,"composite":1},"a2":{"dimension":2,"composite":1},
             "a3":{"dimension":1,"composite":2},"b1":{"dimension":3,"composite":1},"b2":{"dimension":1,"composite":1}}})"
          : R"({"composite":{"mode":"dimension","weights":{"a":2,"b":1}},"items":{"a1":{"dimension":1},
             "a2":{"dimension":2},"a3":{"dimension":1},"b1":{"dimension":3},"b2":{"dimension":1}}})";
  doc += "}}";
  return Instrument::parse(doc, "small test instrument");
}

CodedBlock coded_data(Eigen::Index n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  CodedBlock b;
  b.resize(n, 5);
  for (Eigen::Index r = 0; r < n; ++r) {
    const double level = u(rng);
    for (Eigen::Index k = 0; k < 5; ++k) {
      if (u(rng) < 0.08) {
        b.set(r, k, CodedCell{nan_v, Reason::dont_know});
      } else {
        b.set(r, k,
              CodedCell{std::clamp(level + 0.3 * (u(rng) - 0.5), 0.0, 1.0), Reason::answered});
      }
    }
  }
  return b;
}

SensitivityRows run(const Instrument& ins, const SensitivityOptions& opt, const CodedBlock& data,
                    unsigned threads = 1, const std::vector<WeightSet>& alternatives = {}) {
  const SensitivityDraws d = draw_weight_sets(ins, ins.weights(), alternatives, opt);
  const SensitivityRunner runner(ins, ins.weights(), d, opt);
  SensitivityRows rows;
  runner.run(data, {}, rows, threads);
  return rows;
}

void expect_same(const Eigen::VectorXd& a, const Eigen::VectorXd& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    if (std::isnan(a(i)) || std::isnan(b(i))) {
      EXPECT_EQ(std::isnan(a(i)), std::isnan(b(i))) << what << " row " << i;
    } else {
      EXPECT_EQ(a(i), b(i)) << what << " row " << i;
    }
  }
}

}  // namespace

TEST(SensitivityRandom, GeneratorsAreThePortableStandardOnes) {
  // SplitMix64 from state 0: the first output is 0xE220A8397B1DCDAF (Vigna's reference).
  EXPECT_EQ(sensitivity_seed(0, 0), 0x7B1DCDAFu);
  EXPECT_NE(sensitivity_seed(1, 0), sensitivity_seed(1, 1));
  // mt19937 with the default seed 5489: the 10000th output is 4123659995 (C++ standard).
  boost::random::mt19937 mt(5489u);
  std::uint32_t x = 0;
  for (int i = 0; i < 10000; ++i) x = mt();
  EXPECT_EQ(x, 4123659995u);
  // uniform_real_distribution(lo, hi) is lo + (hi - lo) x / 2^32 of one 32-bit output
  boost::random::mt19937 a(42u), b(42u);
  boost::random::uniform_real_distribution<double> u(0.8, 1.2);
  const double got = u(a);
  EXPECT_EQ(got, static_cast<double>(b()) / 4294967296.0 * (1.2 - 0.8) + 0.8);
}

TEST(SensitivityPerturb, StaysWithinTheBoundAndRenormalises) {
  for (const bool item_mode : {false, true}) {
    const Instrument ins = small_instrument(item_mode);
    const WeightSet& base = ins.weights();
    const double bound = 0.25;
    for (unsigned r = 0; r < 200; ++r) {
      boost::random::mt19937 rng(sensitivity_seed(7, r));
      const WeightSet w = perturb_weights(ins, base, bound, rng);
      // within a dimension, ratios of perturbed to base weights differ at most by (1+b)/(1-b)
      for (const auto& group :
           {std::vector<std::size_t>{0, 1, 2}, std::vector<std::size_t>{3, 4}}) {
        double sum = 0, lo = 1e300, hi = 0;
        for (const auto k : group) {
          sum += w.items[k].dimension;
          const double ratio = w.items[k].dimension / base.items[k].dimension;
          lo = std::min(lo, ratio);
          hi = std::max(hi, ratio);
        }
        EXPECT_NEAR(sum, 1, 1e-15);
        EXPECT_LE(hi / lo, (1 + bound) / (1 - bound) * (1 + 1e-12));
      }
      if (item_mode) {
        double sum = 0;
        for (const auto& it : w.items) sum += *it.composite;
        EXPECT_NEAR(sum, 1, 1e-15);
      } else {
        EXPECT_NEAR(w.dimension_weights[0] + w.dimension_weights[1], 1, 1e-15);
        const double ratio = (w.dimension_weights[0] / 2) / (w.dimension_weights[1] / 1);
        EXPECT_LE(ratio, (1 + bound) / (1 - bound) * (1 + 1e-12));
        EXPECT_GE(ratio, (1 - bound) / (1 + bound) * (1 - 1e-12));
      }
    }
  }
  const Instrument ins = small_instrument();
  boost::random::mt19937 rng(1u);
  EXPECT_THROW(perturb_weights(ins, ins.weights(), 1.0, rng), std::invalid_argument);
  EXPECT_THROW(perturb_weights(ins, ins.weights(), -0.1, rng), std::invalid_argument);
}

TEST(SensitivityPerturb, FactorsAreDrawnInTheDocumentedOrder) {
  const Instrument ins = small_instrument();
  const WeightSet& base = ins.weights();
  boost::random::mt19937 rng(sensitivity_seed(3, 5)), ref(sensitivity_seed(3, 5));
  const WeightSet w = perturb_weights(ins, base, 0.2, rng);
  boost::random::uniform_real_distribution<double> u(0.8, 1.2);
  std::vector<double> f(7);
  for (auto& x : f) x = u(ref);  // five items, then two dimensions
  const double sa = 1 * f[0] + 2 * f[1] + 1 * f[2], sb = 3 * f[3] + 1 * f[4];
  EXPECT_DOUBLE_EQ(w.items[1].dimension, 2 * f[1] / sa);
  EXPECT_DOUBLE_EQ(w.items[3].dimension, 3 * f[3] / sb);
  EXPECT_DOUBLE_EQ(w.dimension_weights[0], 2 * f[5] / (2 * f[5] + 1 * f[6]));
}

TEST(Sensitivity, IsDeterministicForASeedAndIndependentOfThreads) {
  const Instrument ins = small_instrument();
  const CodedBlock data = coded_data(2500, 1);  // more than one internal block
  SensitivityOptions opt;
  opt.draws = 120;
  opt.seed = 99;
  const SensitivityRows a = run(ins, opt, data, 1), b = run(ins, opt, data, 1),
                        c = run(ins, opt, data, 3);
  for (const auto* other : {&b, &c}) {
    expect_same(a.lower, other->lower, "lower");
    expect_same(a.upper, other->upper, "upper");
    expect_same(a.mean, other->mean, "mean");
    expect_same(a.change_share, other->change_share, "change_share");
    EXPECT_EQ(a.draw_changed, other->draw_changed);
    EXPECT_EQ(a.ever_changed, other->ever_changed);
  }
  opt.seed = 100;
  const SensitivityRows d = run(ins, opt, data, 1);
  EXPECT_NE(a.mean, d.mean);
}

TEST(Sensitivity, TheBaseCompositeLiesWithinTheDraws) {
  for (const bool item_mode : {false, true}) {
    const Instrument ins = small_instrument(item_mode);
    const CodedBlock data = coded_data(800, 2);
    SensitivityOptions opt;
    opt.draws = 200;
    opt.bound = 0.3;
    const SensitivityRows rows = run(ins, opt, data, 2);
    Eigen::Index checked = 0;
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
      if (std::isnan(rows.base(i))) continue;
      ++checked;
      EXPECT_LE(rows.min(i), rows.base(i) + 1e-12) << i;
      EXPECT_GE(rows.max(i), rows.base(i) - 1e-12) << i;
      EXPECT_LE(rows.min(i), rows.lower(i));
      EXPECT_LE(rows.lower(i), rows.median(i));
      EXPECT_LE(rows.median(i), rows.upper(i));
      EXPECT_LE(rows.upper(i), rows.max(i));
    }
    EXPECT_GT(checked, 700);
  }
}

TEST(Sensitivity, BoundZeroReproducesTheBase) {
  const Instrument ins = small_instrument();
  const CodedBlock data = coded_data(500, 3);
  SensitivityOptions opt;
  opt.draws = 10;
  opt.bound = 0;
  const SensitivityRows rows = run(ins, opt, data);
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    if (std::isnan(rows.base(i))) {
      EXPECT_EQ(rows.scored[static_cast<std::size_t>(i)], 0u);
      continue;
    }
    EXPECT_NEAR(rows.min(i), rows.base(i), 1e-14);
    EXPECT_NEAR(rows.max(i), rows.base(i), 1e-14);
    EXPECT_EQ(rows.scored[static_cast<std::size_t>(i)], 10u);
  }
  EXPECT_EQ(rows.ever_changed, 0u);
}

TEST(Sensitivity, ReductionsEqualADirectComputation) {
  const Instrument ins = small_instrument();
  CodedBlock data = coded_data(300, 4);
  SensitivityOptions opt;
  opt.draws = 50;
  opt.bound = 0.4;
  opt.level = 0.8;
  const SensitivityDraws d = draw_weight_sets(ins, ins.weights(), {}, opt);
  const SensitivityRunner runner(ins, ins.weights(), d, opt);
  std::vector<std::uint8_t> invalid(300, 0);
  invalid[7] = 1;
  SensitivityRows rows;
  runner.run(data, invalid, rows, 2);
  ScoreBlock base;
  Scorer(ins, ins.weights()).score(data, base);
  std::vector<ScoreBlock> each(50);
  for (std::size_t r = 0; r < 50; ++r) Scorer(ins, d.sets[r]).score(data, each[r]);
  std::vector<std::uint64_t> changed(50, 0);
  for (Eigen::Index i = 0; i < 300; ++i) {
    if (i == 7) {
      EXPECT_TRUE(std::isnan(rows.base(i)));
      EXPECT_EQ(rows.base_category[7], -1);
      EXPECT_TRUE(std::isnan(rows.mean(i)));
      continue;
    }
    std::vector<double> xs;
    int moved = 0;
    const int cat = base.category[static_cast<std::size_t>(i)];
    for (std::size_t r = 0; r < 50; ++r) {
      if (!std::isnan(each[r].composite(i))) xs.push_back(each[r].composite(i));
      if (cat >= 0 && each[r].category[static_cast<std::size_t>(i)] != cat) {
        ++moved;
        ++changed[r];
      }
    }
    EXPECT_EQ(rows.scored[static_cast<std::size_t>(i)], xs.size());
    if (xs.empty()) continue;
    std::sort(xs.begin(), xs.end());
    const auto q = [&](double p) {  // numpy's default (linear) quantile
      const double h = (static_cast<double>(xs.size()) - 1) * p;
      const auto lo = static_cast<std::size_t>(h);
      return lo + 1 < xs.size() ? xs[lo] + (h - static_cast<double>(lo)) * (xs[lo + 1] - xs[lo])
                                : xs[lo];
    };
    EXPECT_NEAR(rows.lower(i), q(0.1), 1e-15);
    EXPECT_NEAR(rows.upper(i), q(0.9), 1e-15);
    EXPECT_NEAR(rows.median(i), q(0.5), 1e-15);
    double mean = 0;
    for (const double x : xs) mean += x;
    EXPECT_NEAR(rows.mean(i), mean / static_cast<double>(xs.size()), 1e-14);
    EXPECT_EQ(rows.base(i), base.composite(i));
    if (cat >= 0) {
      EXPECT_NEAR(rows.change_share(i), moved / 50.0, 1e-15);
    }
  }
  EXPECT_EQ(rows.draw_changed, changed);
  SensitivitySummary summary(50);
  summary.add(rows);
  const Eigen::VectorXd share = summary.draw_share();
  for (std::size_t r = 0; r < 50; ++r)
    EXPECT_DOUBLE_EQ(share(static_cast<Eigen::Index>(r)),
                     static_cast<double>(changed[r]) / static_cast<double>(rows.categorised));
  const auto json = summary.to_json(opt, d);
  EXPECT_EQ(json.at("rows").to_number<double>(), 300);
  EXPECT_NEAR(json.at("category_change_share_mean").to_number<double>(), share.mean(), 1e-15);
  EXPECT_GT(share.mean(), 0);  // a 40 % bound moves some interviews across 0.4 or 0.6
}

TEST(Sensitivity, MethodsModeDrawsTheAlternativesWithEqualProbability) {
  const Instrument ins = small_instrument();
  const CodedBlock data = coded_data(1000, 5);
  FitAccumulator acc(ins);
  acc.add(data.values);
  std::vector<WeightSet> alternatives;
  for (const auto m : {FitMethod::equal, FitMethod::pca_first, FitMethod::oecd_varimax}) {
    FitOptions fo;
    fo.method = m;
    alternatives.push_back(fit_weights(ins, acc, fo).weights);
  }
  SensitivityOptions opt;
  opt.draws = 600;
  opt.mode = SensitivityMode::methods;
  const SensitivityDraws d = draw_weight_sets(ins, ins.weights(), alternatives, opt);
  std::vector<int> count(3, 0);
  for (std::size_t r = 0; r < d.sets.size(); ++r) {
    const int m = d.method[r];
    ASSERT_GE(m, 0);
    ++count[static_cast<std::size_t>(m)];
    EXPECT_EQ(d.sets[r].items[0].dimension,
              alternatives[static_cast<std::size_t>(m)].items[0].dimension);
  }
  for (const int c : count) EXPECT_NEAR(c, 200, 45);  // binomial sd ~11.5
  opt.mode = SensitivityMode::both;
  const SensitivityDraws both = draw_weight_sets(ins, ins.weights(), alternatives, opt);
  EXPECT_EQ(both.method, d.method);  // the method is drawn first, from the same stream
  EXPECT_NE(both.sets[0].items[0].dimension, d.sets[0].items[0].dimension);
  EXPECT_THROW(draw_weight_sets(ins, ins.weights(), {}, opt), std::invalid_argument);
}

TEST(Sensitivity, OptionsAreChecked) {
  SensitivityOptions opt;
  opt.draws = 0;
  EXPECT_THROW(opt.validate(), std::invalid_argument);
  opt.draws = 5;
  opt.level = 1;
  EXPECT_THROW(opt.validate(), std::invalid_argument);
  opt.level = 0.9;
  opt.bound = 1;
  EXPECT_THROW(opt.validate(), std::invalid_argument);
  EXPECT_EQ(parse_sensitivity_mode("both"), SensitivityMode::both);
  EXPECT_THROW(parse_sensitivity_mode("random"), std::invalid_argument);
}
