// `summarize` (include/reinscore/app/summarize.hpp): one computation behind the CLI's
// summarize and Python's summarize / survey_summary.
#include <reinscore/app/groups.hpp>
#include <reinscore/app/summarize.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/summary.hpp>

#include <cstdio>
#include <cstring>
#include <functional>
#include <span>
#include <unordered_map>

namespace reinscore::app {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Name of a quantile column: median, p25, p75, p2.5...
std::string quantile_name(double p) {
  if (p == 0.5) return "median";
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%g", 100 * p);
  return buf;
}

// Ids by first appearance of each value (strata, clusters), by the text as read: "007"
// and "7" are two clusters even in a column that reads as numbers.
std::vector<std::uint64_t> ids_of(const TypedColumn& c) {
  std::vector<std::uint64_t> out(c.size());
  if (!c.text.empty() || !c.numeric) {
    std::unordered_map<std::string_view, std::uint64_t> seen;
    for (std::size_t i = 0; i < c.size(); ++i)
      out[i] = seen.try_emplace(detail::trim(c.text[i]), seen.size()).first->second;
    return out;
  }
  std::unordered_map<std::uint64_t, std::uint64_t> seen;  // numbers from a frame, by bits
  for (std::size_t i = 0; i < c.size(); ++i) {
    double x = c.number[i];
    if (std::isnan(x)) x = nan;  // one level for every NaN
    if (x == 0) x = 0;           // -0 and 0 are one level
    std::uint64_t bits = 0;
    std::memcpy(&bits, &x, sizeof bits);
    out[i] = seen.try_emplace(bits, seen.size()).first->second;
  }
  return out;
}

}  // namespace

void SummarizeRequest::check() const {
  check_range<std::int64_t>("--min-cell", min_cell, 0, max_min_cell);
  check_range("--digits", digits, 0, 15);
  if (!ci.empty()) check_choice("--ci", ci, {"linearization", "bootstrap"});
  check_choice("--interval", interval, {"percentile", "normal"});
  check_choice("--singleton", singleton, {"error", "certainty", "centered"});
  check_choice("--share-interval", share_interval, {"logit", "wilson", "beta", "wald"});
  check_range<std::int64_t>("--replicates", replicates, 2, max_replicates);
  check_range<std::int64_t>("--seed", seed, 0, max_seed);
  check_range<std::int64_t>("--threads", threads, 0, max_threads);
  check_open_unit("--level", level);
  if (threshold) check_finite("--threshold", *threshold);
  for (const double p : quantiles)
    if (!(p > 0 && p < 1))
      throw option_error("--quantiles", "must be probabilities strictly between 0 and 1");
  const bool boot = ci == "bootstrap";
  const SummarizeRequest defaults;
  check_needs("--compare", !compare.empty(), "--ci (linearization or bootstrap)", !ci.empty());
  check_needs("--replicates", replicates != defaults.replicates, "--ci bootstrap", boot);
  check_needs("--seed", seed != defaults.seed, "--ci bootstrap", boot);
  check_needs("--interval", interval != defaults.interval, "--ci bootstrap", boot);
  check_needs("--threads", threads != defaults.threads, "--ci bootstrap", boot);
  check_needs("--level", level != defaults.level, "--ci", !ci.empty());
  check_needs("--singleton", singleton != defaults.singleton, "--ci", !ci.empty());
  check_needs("--share-interval", share_interval != defaults.share_interval, "--ci", !ci.empty());
  check_needs("--digits", digits != defaults.digits, "the survey options (--weight, --ci, ...)",
              survey || !ci.empty());
  if (boot && singleton == "centered")
    throw option_error("--singleton",
                       "centered is for linearization; the bootstrap takes certainty");
  if (!compare.empty()) {
    bool ok = false;
    for (const auto& b : by)
      ok = ok || (compare.size() > b.size() && compare.compare(0, b.size() + 1, b + ":") == 0);
    if (!ok)
      throw option_error("--compare", "must be COLUMN:LEVEL with COLUMN one of the --by columns");
  }
}

ScoresWant SummarizeRequest::want() const {
  ScoresWant w;
  for (const auto& b : by) w.columns.emplace_back(b, "--by");
  if (!weight.empty()) w.columns.emplace_back(weight, "--weight");
  if (!strata.empty()) w.columns.emplace_back(strata, "--strata");
  if (!cluster.empty()) w.columns.emplace_back(cluster, "--cluster");
  w.allow_mixed = allow_mixed;
  return w;
}

Report summarize(const ScoresTable& t, const SummarizeRequest& req,
                 const InstrumentSearch& search) {
  req.check();
  Report rep;
  rep.command = "summarize";
  const bool survey = req.survey || !req.ci.empty();
  const bool ci = !req.ci.empty();

  SummaryOptions opt;
  opt.method = ci ? parse_variance_method(req.ci) : VarianceMethod::none;
  opt.level = req.level;
  opt.probabilities = req.quantiles;
  opt.replicates = static_cast<std::size_t>(req.replicates);
  opt.seed = static_cast<std::uint64_t>(req.seed);
  opt.threads = static_cast<unsigned>(req.threads);
  opt.singleton = parse_singleton(req.singleton);
  opt.interval = parse_bootstrap_interval(req.interval);
  opt.share_interval = parse_share_interval(req.share_interval);
  opt.min_cell = static_cast<std::uint64_t>(req.min_cell);
  opt.strata_column = req.strata;

  const auto& names = t.scores();
  const std::size_t S = names.size();
  const std::size_t K = t.has_status() ? std::size(status_names_app) : 0;
  const std::size_t J = S + K;
  const Groups groups = group_rows(t, req.by);
  std::vector<const TypedColumn*> keys;
  for (const auto& b : req.by) keys.push_back(&t.column(b));

  // The threshold of "share at or above": given, or the instrument's.
  double threshold = req.threshold.value_or(nan);
  if (survey && !req.threshold) {
    std::optional<Instrument> given;
    if (!req.instrument.empty()) given = resolve_instrument(req.instrument, search);
    std::string why;
    const auto ins = instrument_of(t, given, search, why);
    if (ins) {
      if (const auto th = threshold_of(*ins))
        threshold = *th;
      else
        why = "the instrument has no threshold";
    }
    if (std::isnan(threshold))
      rep.warn("no threshold (" + why + "): shares at or above it are left out; give --threshold");
  }
  const bool shares = !std::isnan(threshold);

  // Contrasts: each group against the group with the same other keys and the reference
  // level (the longest --by column that prefixes --compare).
  std::size_t compare_at = req.by.size();
  std::string level;
  if (!req.compare.empty()) {
    for (std::size_t i = 0; i < req.by.size(); ++i)
      if (req.compare.size() > req.by[i].size() &&
          req.compare.compare(0, req.by[i].size() + 1, req.by[i] + ":") == 0 &&
          (compare_at == req.by.size() || req.by[i].size() > req.by[compare_at].size()))
        compare_at = i;
    level = req.compare.substr(req.by[compare_at].size() + 1);
  }

  std::vector<SummaryVariable> vars;
  // Quantiles are shown with the survey options only; without them no value is kept.
  for (std::size_t s = 0; s < S; ++s) vars.push_back({threshold, survey});
  for (std::size_t k = 0; k < K; ++k) vars.push_back({nan, false, true});  // status shares
  Summary summary(vars);
  {
    const std::vector<double> w =
        req.weight.empty() ? std::vector<double>() : sampling_weights(t, req.weight);
    const std::vector<std::uint64_t> h =
        req.strata.empty() ? std::vector<std::uint64_t>() : ids_of(t.column(req.strata));
    const std::vector<std::uint64_t> c =
        req.cluster.empty() ? std::vector<std::uint64_t>() : ids_of(t.column(req.cluster));
    std::vector<double> row(J);
    for (std::size_t i = 0; i < t.rows(); ++i) {
      for (std::size_t s = 0; s < S; ++s) row[s] = t.score(s)[i];
      for (std::size_t k = 0; k < K; ++k) row[S + k] = t.status()[i] == static_cast<int>(k);
      summary.add(groups.of_row[i], std::span<const double>(row), w.empty() ? 1.0 : w[i],
                  h.empty() ? 0 : h[i], c.empty() ? i : c[i]);
    }
  }
  std::vector<Contrast> contrasts;
  std::vector<std::size_t> contrast_of(groups.size(), static_cast<std::size_t>(-1));
  if (!req.compare.empty()) {
    const TypedColumn& col = *keys[compare_at];
    bool seen = false;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (key_equals(col, groups.first_row[g], level)) {
        seen = true;
        continue;
      }
      // The reference: same keys but the compared one.
      for (std::size_t r = 0; r < groups.size(); ++r) {
        if (!key_equals(col, groups.first_row[r], level)) continue;
        bool same = true;
        for (std::size_t k = 0; k < keys.size() && same; ++k) {
          if (k == compare_at) continue;
          const TypedColumn& kc = *keys[k];
          const std::size_t a = groups.first_row[g], b = groups.first_row[r];
          same = kc.numeric ? (kc.number[a] == kc.number[b] ||
                               (std::isnan(kc.number[a]) && std::isnan(kc.number[b])))
                            : kc.text[a] == kc.text[b];
        }
        if (!same) continue;
        contrast_of[g] = contrasts.size();
        contrasts.push_back({g, r});
        break;
      }
    }
    if (!seen)
      throw input_error("unknown_level", "the --compare reference level is not in the data", 0,
                        req.by[compare_at]);
  }
  const SummaryResult res = summary.compute(opt, contrasts);
  std::vector<const GroupSummary*> by_id(groups.size(), nullptr);
  for (const auto& g : res.groups) by_id.at(g.group) = &g;

  const int dg = req.digits, dse = req.digits + 2;
  std::vector<std::string> qnames;
  for (const double p : opt.probabilities) qnames.push_back(quantile_name(p));
  const auto status_name = [](std::size_t k) { return std::string(status_names_app[k]); };

  // "groups": one row per group, the command line's columns.
  Table wide;
  wide.name = "groups";
  wide.title = req.by.empty() ? "Scores, all interviews" : "Scores by group";
  wide.keys = req.by.size();
  wide.min_cell = static_cast<std::uint64_t>(req.min_cell);
  for (std::size_t k = 0; k < keys.size(); ++k) wide.columns.push_back(key_column(*keys[k]));
  // Column handles are taken once every column exists (push_back moves them).
  struct Put {
    std::string name;
    Kind kind;
    int digits;
    std::function<double(std::size_t g, const GroupSummary&)> value;
  };
  std::vector<Put> puts;
  const auto est = [](const Interval& e) { return e.estimate; };
  puts.push_back({"n", Kind::count, 0,
                  [](std::size_t, const GroupSummary& g) { return static_cast<double>(g.rows); }});
  for (std::size_t s = 0; s < S; ++s)
    puts.push_back(
        {"mean_" + names[s], Kind::number, dg,
         [s, est](std::size_t, const GroupSummary& g) { return est(g.variables[s].mean); }});
  for (std::size_t k = 0; k < K; ++k)
    puts.push_back(
        {"share_" + status_name(k), Kind::number, dg,
         [k, S, est](std::size_t, const GroupSummary& g) { return est(g.variables[S + k].mean); }});
  const auto with_ci = [&](const std::string& name,
                           std::function<const Interval&(const GroupSummary&)> pick,
                           bool estimate = true) {
    if (estimate)
      puts.push_back({name, Kind::number, dg,
                      [pick](std::size_t, const GroupSummary& g) { return pick(g).estimate; }});
    if (!ci) return;
    puts.push_back({"se_" + name, Kind::number, dse,
                    [pick](std::size_t, const GroupSummary& g) { return pick(g).se; }});
    puts.push_back({"lo_" + name, Kind::number, dg,
                    [pick](std::size_t, const GroupSummary& g) { return pick(g).lo; }});
    puts.push_back({"hi_" + name, Kind::number, dg,
                    [pick](std::size_t, const GroupSummary& g) { return pick(g).hi; }});
  };
  if (survey) {
    puts.push_back({"sum_w", Kind::number, dg,
                    [](std::size_t, const GroupSummary& g) { return g.sum_weights; }});
    for (std::size_t s = 0; s < S; ++s) {
      puts.push_back(
          {"missing_" + names[s], Kind::number, dg,
           [s](std::size_t, const GroupSummary& g) { return g.variables[s].missing_share; }});
      with_ci(
          "mean_" + names[s],
          [s](const GroupSummary& g) -> const Interval& { return g.variables[s].mean; }, false);
      for (std::size_t q = 0; q < qnames.size(); ++q)
        with_ci(qnames[q] + "_" + names[s], [s, q](const GroupSummary& g) -> const Interval& {
          return g.variables[s].quantiles[q];
        });
      if (shares)
        with_ci("above_" + names[s],
                [s](const GroupSummary& g) -> const Interval& { return g.variables[s].above; });
    }
    for (std::size_t k = 0; k < K; ++k)
      with_ci(
          "share_" + status_name(k),
          [k, S](const GroupSummary& g) -> const Interval& { return g.variables[S + k].mean; },
          false);
    if (!req.compare.empty())
      for (std::size_t s = 0; s < S; ++s)
        for (int stat = 0; stat < 2; ++stat) {
          if (stat == 1 && !shares) continue;
          const std::string what = (stat == 0 ? "mean_" : "above_") + names[s];
          const auto diff = [&, s, stat](std::size_t g) -> const Difference* {
            if (contrast_of[g] == static_cast<std::size_t>(-1)) return nullptr;
            const ContrastSummary& cs = res.contrasts[contrast_of[g]];
            if (cs.suppressed) return nullptr;
            return stat == 0 ? &cs.variables[s].mean : &cs.variables[s].above;
          };
          const std::pair<const char*, double Difference::*> parts[] = {
              {"diff_", &Difference::estimate},
              {"se_diff_", &Difference::se},
              {"lo_diff_", &Difference::lo},
              {"hi_diff_", &Difference::hi},
              {"p_diff_", &Difference::p}};
          for (const auto& [prefix, member] : parts) {
            const std::string p = prefix;
            const Kind kind = p == "p_diff_" ? Kind::p_value : Kind::number;
            const int d = p == "se_diff_" || p == "p_diff_" ? dse : dg;
            puts.push_back(
                {p + what, kind, d, [diff, m = member](std::size_t g, const GroupSummary&) {
                   const Difference* x = diff(g);
                   return x ? x->*m : nan;
                 }});
          }
        }
  }
  for (const auto& p : puts) wide.add(p.name, p.kind, p.digits);
  std::uint64_t suppressed = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const GroupSummary& gs = *by_id[g];
    for (std::size_t k = 0; k < keys.size(); ++k)
      push_key(wide.columns[k], *keys[k], groups.first_row[g]);
    suppressed += gs.suppressed;
    for (std::size_t j = 0; j < puts.size(); ++j) {
      Column& col = wide.columns[keys.size() + j];
      if (gs.suppressed)
        col.push(nan, j == 0 ? Cell::suppressed : Cell::missing);
      else
        col.push(puts[j].value(g, gs));
    }
  }
  rep.tables.push_back(std::move(wide));

  if (survey) {
    // "estimates": long, one row per group, variable and statistic.
    Table long_t;
    long_t.name = "estimates";
    long_t.title = "Estimates";
    long_t.keys = req.by.size() + 2;
    long_t.min_cell = static_cast<std::uint64_t>(req.min_cell);
    for (const auto* k : keys) long_t.columns.push_back(key_column(*k));
    long_t.add("variable", Kind::text);
    long_t.add("statistic", Kind::text);
    for (const char* f : {"estimate", "se", "lo", "hi"})
      long_t.add(f, Kind::number, std::string(f) == "se" ? dse : dg);
    long_t.add("n", Kind::count);
    long_t.add("sum_w", Kind::number, dg);
    long_t.add("observed", Kind::count);
    long_t.add("missing_share", Kind::number, dg);
    const bool boot = opt.method == VarianceMethod::bootstrap;
    if (boot) long_t.add("replicates", Kind::count);
    const std::size_t B = keys.size();
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const GroupSummary& gs = *by_id[g];
      const auto emit = [&](std::size_t j, const std::string& var, const std::string& stat,
                            const Interval& e) {
        for (std::size_t k = 0; k < B; ++k)
          push_key(long_t.columns[k], *keys[k], groups.first_row[g]);
        long_t.columns[B].push_text(var);
        long_t.columns[B + 1].push_text(stat);
        long_t.columns[B + 2].push(e.estimate);
        long_t.columns[B + 3].push(e.se);
        long_t.columns[B + 4].push(e.lo);
        long_t.columns[B + 5].push(e.hi);
        long_t.columns[B + 6].push(static_cast<double>(gs.rows),
                                   gs.suppressed ? Cell::suppressed : Cell::value);
        long_t.columns[B + 7].push(gs.sum_weights);
        long_t.columns[B + 8].push(static_cast<double>(gs.variables[j].observed),
                                   gs.suppressed ? Cell::missing : Cell::value);
        long_t.columns[B + 9].push(gs.variables[j].missing_share);
        if (boot) long_t.columns[B + 10].push(static_cast<double>(e.replicates));
      };
      for (std::size_t s = 0; s < S; ++s) {
        const VariableSummary& v = gs.variables[s];
        emit(s, names[s], "mean", v.mean);
        for (std::size_t q = 0; q < qnames.size(); ++q)
          emit(s, names[s], qnames[q], v.quantiles[q]);
        if (shares) emit(s, names[s], "above", v.above);
      }
      for (std::size_t k = 0; k < K; ++k)
        emit(S + k, "status", "share_" + status_name(k), gs.variables[S + k].mean);
    }
    rep.tables.push_back(std::move(long_t));

    if (!req.compare.empty()) {
      Table d;
      d.name = "differences";
      d.title = "Differences to the reference group";
      d.keys = B + 2;
      d.min_cell = static_cast<std::uint64_t>(req.min_cell);
      for (const auto* k : keys) d.columns.push_back(key_column(*k));
      d.columns.push_back(key_column(*keys[compare_at], "reference"));
      d.add("variable", Kind::text);
      d.add("statistic", Kind::text);
      for (const char* f : {"estimate", "se", "lo", "hi"})
        d.add(f, Kind::number, std::string(f) == "se" ? dse : dg);
      d.add("p_value", Kind::p_value, dse);
      d.add("n", Kind::count);  // the group's interviews: suppressed with it
      for (std::size_t c = 0; c < contrasts.size(); ++c) {
        const ContrastSummary& cs = res.contrasts[c];
        const auto a = static_cast<std::size_t>(contrasts[c].group);
        const auto r = static_cast<std::size_t>(contrasts[c].reference);
        const auto emit = [&](const std::string& var, const std::string& stat,
                              const Difference& x) {
          for (std::size_t k = 0; k < B; ++k) push_key(d.columns[k], *keys[k], groups.first_row[a]);
          push_key(d.columns[B], *keys[compare_at], groups.first_row[r]);
          d.columns[B + 1].push_text(var);
          d.columns[B + 2].push_text(stat);
          const Cell st = cs.suppressed ? Cell::missing : Cell::value;
          d.columns[B + 3].push(x.estimate, st);
          d.columns[B + 4].push(x.se, st);
          d.columns[B + 5].push(x.lo, st);
          d.columns[B + 6].push(x.hi, st);
          d.columns[B + 7].push(x.p, st);
          const GroupSummary& ga = *by_id[a];
          d.columns[B + 8].push(static_cast<double>(ga.rows),
                                cs.suppressed ? Cell::suppressed : Cell::value);
        };
        for (std::size_t s = 0; s < S; ++s) emit(names[s], "mean", cs.variables[s].mean);
        if (shares)
          for (std::size_t s = 0; s < S; ++s) emit(names[s], "above", cs.variables[s].above);
        for (std::size_t k = 0; k < K; ++k)
          emit("status", "share_" + status_name(k), cs.variables[S + k].mean);
      }
      rep.tables.push_back(std::move(d));
    }

    // "design": one row describing how the estimates came about.
    const DesignSummary& ds = res.design;
    Table design;
    design.name = "design";
    design.title = "Survey design";
    const auto text = [&](const char* name, const std::string& v) {
      design.add(name, Kind::text).push_text(v, v.empty() ? Cell::missing : Cell::value);
    };
    const auto number = [&](const char* name, double v, Kind k = Kind::number) {
      design.add(name, k, -1).push(v);
    };
    text("method", std::string(variance_method_name(ds.method)));
    text("weight", req.weight);
    text("strata", req.strata);
    text("cluster", req.cluster);
    number("rows", static_cast<double>(ds.rows), Kind::count);
    number("sum_weights", ds.sum_weights);
    number("n_strata", static_cast<double>(ds.strata), Kind::count);
    number("psus", static_cast<double>(ds.psus), Kind::count);
    number("singleton_strata", static_cast<double>(ds.singleton_strata), Kind::count);
    number("df", ci ? ds.df : nan);
    number("level", ds.level);
    number("t_quantile", ci ? ds.t_quantile : nan);
    number("replicates", boot ? static_cast<double>(ds.replicates) : nan, Kind::count);
    text("seed", boot ? std::to_string(ds.seed) : std::string());  // text: exact to 2^64
    text("singleton", std::string(singleton_name(ds.singleton)));
    text("interval", boot ? std::string(bootstrap_interval_name(ds.interval)) : std::string());
    text("share_interval",
         ci ? std::string(share_interval_name(ds.share_interval)) : std::string());
    number("threshold", threshold);
    number("min_cell", static_cast<double>(req.min_cell), Kind::count);
    rep.tables.push_back(std::move(design));
  }

  if (suppressed)
    rep.info(std::to_string(suppressed) + " group(s) with fewer than " +
             std::to_string(req.min_cell) + " interviews suppressed (--min-cell)");
  if (ci) {
    const auto& d = res.design;
    std::string s = std::string(variance_method_name(d.method)) + ", " + std::to_string(d.strata) +
                    (d.strata == 1 ? " stratum, " : " strata, ") + std::to_string(d.psus) +
                    " PSUs, df " + number_text(d.df);
    if (d.method == VarianceMethod::bootstrap)
      s += ", " + std::to_string(d.replicates) + " replicates (seed " + std::to_string(d.seed) +
           ", " + std::string(bootstrap_interval_name(d.interval)) + " intervals)";
    if (d.singleton_strata)
      s += ", " + std::to_string(d.singleton_strata) + " single-PSU strata (" +
           std::string(singleton_name(d.singleton)) + ")";
    rep.info(s);
  }
  return rep;
}

}  // namespace reinscore::app
