// `sensitivity` (include/reinscore/app/sensitivity.hpp).
#include <reinscore/app/options.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/sensitivity.hpp>
#include <reinscore/error.hpp>
#include <reinscore/sensitivity.hpp>

#include <cstdarg>
#include <cstdio>
#include <limits>
#include <utility>

namespace reinscore::app {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr const char* statistics[] = {"lower", "median", "upper", "mean", "min", "max"};

Table interviews_table(const std::vector<std::string>& pass) {
  Table t{"interviews", "Per interview", {}, pass.size(), 0};
  for (const auto& name : pass) t.add(name, Kind::text);
  t.add("composite", Kind::number);
  t.add("category", Kind::text);
  t.add("status", Kind::text);
  for (const char* s : statistics) t.add(s, Kind::number);
  t.add("draws_scored", Kind::count);
  t.add("category_change_share", Kind::number);
  return t;
}

// Appends the rows of one batch (columns by position: a copied column may share a name
// with a result column).
void append_rows(Table& t, const Instrument& ins, const ExportBatch& batch,
                 const SensitivityRows& rows) {
  const std::size_t p = batch.pass.size();
  for (std::size_t r = 0; r < batch.rows(); ++r) {
    const auto i = static_cast<Eigen::Index>(r);
    for (std::size_t j = 0; j < p; ++j) t.columns[j].push_text(batch.pass[j][r]);
    t.columns[p].push(rows.base(i));
    const int cat = rows.base_category[r];
    if (cat >= 0 && ins.thresholds)
      t.columns[p + 1].push_text(ins.thresholds->categories[static_cast<std::size_t>(cat)].label);
    else
      t.columns[p + 1].push_text({}, Cell::missing);
    t.columns[p + 2].push_text(std::string(to_string(batch.status[r])));
    const double values[] = {rows.lower(i), rows.median(i), rows.upper(i),
                             rows.mean(i),  rows.min(i),    rows.max(i)};
    for (std::size_t s = 0; s < 6; ++s) t.columns[p + 3 + s].push(values[s]);
    t.columns[p + 9].push(static_cast<double>(rows.scored[r]));
    t.columns[p + 10].push(rows.change_share(i));
  }
}

double number_of(const boost::json::value& v) { return v.is_null() ? nan : v.to_number<double>(); }

// The summary document as a one-row table, key by key (the two quantiles as two columns;
// the draws per method are a table of their own).
Table summary_table(const boost::json::object& doc) {
  Table t{"summary", "Summary", {}, 0, 0};
  for (const auto& kv : doc) {
    const std::string key(kv.key());
    const auto& v = kv.value();
    if (key == "method_draws") continue;
    if (key == "quantiles") {
      t.add("lower_quantile", Kind::number).push(number_of(v.as_array().at(0)));
      t.add("upper_quantile", Kind::number).push(number_of(v.as_array().at(1)));
    } else if (v.is_string()) {
      t.add(key, Kind::text).push_text(std::string(v.get_string()));
    } else if (v.is_int64() || v.is_uint64()) {
      t.add(key, Kind::count).push(v.to_number<double>());
    } else {
      t.add(key, Kind::number).push(number_of(v));
    }
  }
  return t;
}

[[gnu::format(printf, 1, 2)]] std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

void add_notes(Report& r, const boost::json::object& doc, const SensitivityOptions& opt,
               const SensitivitySummary& summary, const Instrument& ins) {
  const auto get = [&](const char* key) { return number_of(doc.at(key)); };
  r.info(format("%zu draws (%s, bound %g, seed %llu) over %llu interviews (%llu with a composite)",
                opt.draws, std::string(to_string(opt.mode)).c_str(), opt.bound,
                static_cast<unsigned long long>(opt.seed),
                static_cast<unsigned long long>(summary.rows()),
                static_cast<unsigned long long>(summary.rows_with_composite())));
  r.info(format("composite interval (%g%%, %g..%g percentile): mean width %.4f, largest %.4f",
                100 * opt.level, 100 * opt.lower_quantile(), 100 * opt.upper_quantile(),
                get("interval_width_mean"), get("interval_width_max")));
  if (ins.thresholds)
    r.info(
        format("category changes vs the base weights (%llu categorised interviews): %.2f%% per "
               "draw on average (5th-95th percentile of draws %.2f%%-%.2f%%); %.2f%% change in "
               "at least one draw",
               static_cast<unsigned long long>(summary.categorised()),
               100 * get("category_change_share_mean"), 100 * get("category_change_share_p05"),
               100 * get("category_change_share_p95"), 100 * get("ever_changed_share")));
  else
    r.info("the instrument has no thresholds: no categories to compare");
  if (const auto* m = doc.if_contains("method_draws")) {
    std::string text = "methods drawn:";
    for (const auto& kv : m->as_object())
      text += " " + std::string(kv.key()) + " " + std::to_string(kv.value().to_number<long long>());
    r.info(text);
  }
}

}  // namespace

void SensitivityRequest::check() const {
  check_range<std::int64_t>("--draws", draws, 1, max_replicates);
  check_range<std::int64_t>("--seed", seed, 0, max_seed);
  // A factor 1 - bound must stay positive.
  if (!(bound >= 0 && bound < 1))
    throw option_error("--bound", "must be a number from 0 up to but not including 1");
  check_open_unit("--level", level);
  check_choice("--mode", mode, {"perturb", "methods", "both"});
  check_choice("--composite", composite, {"dimension-shares", "pca"});
  check_choice("--missing", missing, {"pairwise", "complete"});
  check_range<std::int64_t>("--threads", threads, 1, max_threads);
  if (mode == "perturb" && !weight.empty())
    throw option_error("--weight", "applies to the fits of --mode methods or both only");
  input.check();
}

SensitivityOutcome sensitivity(ExportSource& source, const Instrument& ins,
                               const SensitivityRequest& request,
                               const std::function<void(const Table&)>& sink) {
  request.check();
  SensitivityOptions opt;
  opt.draws = static_cast<std::size_t>(request.draws);
  opt.bound = request.bound;
  opt.seed = static_cast<std::uint64_t>(request.seed);
  opt.mode = parse_sensitivity_mode(request.mode);
  opt.level = request.level;
  if (opt.mode == SensitivityMode::perturb && source.given_weights())
    throw option_error("--weight", "applies to the fits of --mode methods or both only");
  if (opt.mode != SensitivityMode::perturb && !source.restartable())
    throw option_error("--mode", request.mode +
                                     " reads the input twice (fits, then draws): give a file, "
                                     "not -");

  const WeightSet base = ins.weights();
  std::vector<WeightSet> alternatives;
  std::vector<std::string> names;
  if (opt.mode != SensitivityMode::perturb) {
    ExportWant want;
    want.weight = request.weight;
    const FitAccumulator acc =
        accumulate_fit(source, want, ins, parse_missing_policy(request.missing));
    FitOptions fit;
    fit.composite = parse_composite_fit(request.composite);
    fit.weight_label = source.weight_label();
    for (const auto m : {FitMethod::equal, FitMethod::pca_first, FitMethod::oecd_varimax}) {
      fit.method = m;
      fit.name = "fitted-" + std::string(to_string(m));
      alternatives.push_back(fit_or_explain(ins, acc, fit).weights);
      names.emplace_back(to_string(m));
    }
  }
  const SensitivityDraws drawn = draw_weight_sets(ins, base, alternatives, opt);
  const SensitivityRunner runner(ins, base, drawn, opt);
  SensitivitySummary summary(opt.draws);

  ExportWant want;
  want.pass = request.id;
  want.pass.insert(want.pass.end(), request.keep.begin(), request.keep.end());
  source.start(want);
  SensitivityOutcome out;
  Report& r = out.report;
  r.command = "sensitivity";
  Table collected = interviews_table(want.pass);
  ExportBatch batch;
  SensitivityRows rows;
  bool sent = false;
  while (source.next(batch)) {
    runner.run(batch.coded, batch.invalid, rows, static_cast<unsigned>(request.threads));
    summary.add(rows);
    if (sink) {
      Table chunk = interviews_table(want.pass);
      append_rows(chunk, ins, batch, rows);
      sink(chunk);
      sent = true;
    } else {
      append_rows(collected, ins, batch, rows);
    }
  }
  if (!sink)
    r.tables.push_back(std::move(collected));
  else if (!sent)
    sink(collected);  // the header of an empty input

  const boost::json::object doc = summary.to_json(opt, drawn, names);
  out.summary_json = to_json_text(doc);
  r.tables.push_back(summary_table(doc));
  Table draws{"draws", "Per draw", {}, 1, 0};
  draws.columns.reserve(3);  // references into it stay valid
  auto& draw = draws.add("draw", Kind::count);
  auto& method = draws.add("method", Kind::text);
  auto& share = draws.add("category_change_share", Kind::number);
  const Eigen::VectorXd shares = summary.draw_share();
  for (std::size_t d = 0; d < opt.draws; ++d) {
    draw.push(static_cast<double>(d));
    const int m = drawn.method[d];
    if (m >= 0)
      method.push_text(names[static_cast<std::size_t>(m)]);
    else
      method.push_text({}, Cell::missing);
    share.push(shares(static_cast<Eigen::Index>(d)));
  }
  r.tables.push_back(std::move(draws));
  if (const auto* m = doc.if_contains("method_draws")) {
    Table methods{"methods", "Draws per method", {}, 1, 0};
    methods.columns.reserve(2);
    auto& name = methods.add("method", Kind::text);
    auto& count = methods.add("draws", Kind::count);
    for (const auto& kv : m->as_object()) {
      name.push_text(std::string(kv.key()));
      count.push(kv.value().to_number<double>());
    }
    r.tables.push_back(std::move(methods));
  }
  add_notes(r, doc, opt, summary, ins);
  for (const auto& t : r.tables) t.check();
  return out;
}

SensitivityOutcome sensitivity(const std::string& path, const SensitivityRequest& request,
                               const InstrumentSearch& search,
                               const std::function<void(const Table&)>& sink) {
  return run_on_export(
      path, request, search,
      [&](ExportSource& source, const Instrument& ins) {
        return sensitivity(source, ins, request, sink);
      },
      request.weights);
}

}  // namespace reinscore::app
