// reinscore._core: the levels of the integrated approach (include/reinscore/levels.hpp).
// Python scores the level files itself (reinscore.score) and hands the score matrices,
// keys and row numbers here; everything is linked and aggregated by integrate_levels().
#include "pybind11.hpp"

#include <pybind11/eigen.h>

#include <reinscore/levels.hpp>

#include <optional>

using namespace reinscore;

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class T>
std::vector<T> opt_list(const py::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return {};
  return d[key].cast<std::vector<T>>();
}

Eigen::MatrixXd scores_of(const py::dict& d, const char* what) {
  if (!d.contains("scores"))
    throw std::invalid_argument(std::string("integrate_levels: ") + what + " needs 'scores'");
  return d["scores"].cast<RowMatrix>();
}

std::vector<Status> status_of(const py::dict& d) {
  std::vector<Status> out;
  for (const int s : opt_list<int>(d, "status")) {
    if (s < 0 || s >= static_cast<int>(status_names.size()))
      throw std::invalid_argument("integrate_levels: status codes must index status_names");
    out.push_back(static_cast<Status>(s));
  }
  return out;
}

UnitScores units_of(const py::dict& d, const char* what) {
  UnitScores u;
  u.key = d["key"].cast<std::vector<std::string>>();
  u.parent = opt_list<std::string>(d, "parent");
  u.row = opt_list<std::uint64_t>(d, "row");
  u.status = status_of(d);
  u.scores = scores_of(d, what);
  return u;
}

PeopleScores people_of(const py::dict& d, const char* what) {
  PeopleScores p;
  p.community = d["community"].cast<std::vector<std::string>>();
  p.country = opt_list<std::string>(d, "country");
  p.weight = opt_list<double>(d, "weight");
  if (d.contains("by")) p.by = d["by"].cast<std::vector<std::vector<std::string>>>();
  p.row = opt_list<std::uint64_t>(d, "row");
  p.scores = scores_of(d, what);
  return p;
}

py::dict rollup_dict(const LevelRollup& R) {
  py::dict d;
  d["group"] = R.group;
  d["key"] = R.key;
  d["parent"] = R.parent;
  d["units"] = to_numpy(R.units);
  d["n"] = to_numpy(R.n);
  d["suppressed"] = to_numpy(R.suppressed);
  d["n_score"] = R.n_score;
  d["host_n"] = to_numpy(R.host_n);
  d["host_suppressed"] = py::array_t<std::uint8_t>(
      static_cast<py::ssize_t>(R.host_suppressed.size()), R.host_suppressed.data());
  d["host_n_score"] = R.host_n_score;
  const std::pair<const char*, const Eigen::MatrixXd*> mats[] = {
      {"individual", &R.individual},  {"share_above", &R.share_above},
      {"host_mean", &R.host_mean},    {"gap", &R.gap},
      {"gap_se", &R.gap_se},          {"gap_low", &R.gap_low},
      {"gap_high", &R.gap_high},      {"community", &R.community},
      {"structural", &R.structural},  {"integrated", &R.integrated},
      {"level_share", &R.level_share}};
  for (const auto& [name, m] : mats) d[name] = *m;
  d["community_status"] = R.community_status;
  d["structural_status"] = R.structural_status;
  d["problems"] = R.problems;
  return d;
}

}  // namespace

void register_levels(py::module_& m) {
  m.def(
      "integrate_levels",
      [](const std::vector<std::string>& score_names, const py::dict& returnees,
         const py::dict& communities, const py::dict& countries, const py::object& hosts,
         const py::dict& settings, const py::dict& columns) {
        LevelInput in;
        in.score_names = score_names;
        in.returnees = people_of(returnees, "returnees");
        in.communities = units_of(communities, "communities");
        in.countries = units_of(countries, "countries");
        if (!hosts.is_none()) in.hosts = people_of(hosts.cast<py::dict>(), "hosts");
        const auto lw = settings["level_weights"].cast<std::vector<double>>();
        if (lw.size() != 3)
          throw std::invalid_argument("integrate_levels: three level weights are needed");
        std::copy(lw.begin(), lw.end(), in.settings.level_weights.begin());
        in.settings.min_respondents = settings["min_respondents"].cast<std::uint64_t>();
        in.settings.min_level_share = settings["min_level_share"].cast<double>();
        in.settings.provisional = settings["provisional"].cast<bool>();
        in.threshold = settings["threshold"].cast<double>();
        in.community_column = columns["community"].cast<std::string>();
        in.country_column = columns["country"].cast<std::string>();
        in.weight_column = columns["weight"].cast<std::string>();
        in.by_columns = columns["by"].cast<std::vector<std::string>>();
        LevelResult res;
        {
          py::gil_scoped_release release;
          res = integrate_levels(in);
        }
        py::dict iv;
        iv["community"] = res.interviews.community;
        iv["structural"] = res.interviews.structural;
        iv["integrated"] = res.interviews.integrated;
        iv["level_share"] = res.interviews.level_share;
        iv["community_status"] = res.interviews.community_status;
        iv["structural_status"] = res.interviews.structural_status;
        iv["problems"] = res.interviews.problems;
        py::list problems;
        for (const auto& p : res.problems)
          problems.append(py::dict("rule"_a = p.rule, "source"_a = p.source, "column"_a = p.column,
                                   "key"_a = p.key, "rows"_a = p.rows));
        return py::dict("groups"_a = res.groups, "interviews"_a = iv,
                        "communities"_a = rollup_dict(res.communities),
                        "countries"_a = rollup_dict(res.countries), "problems"_a = problems);
      },
      "score_names"_a, "returnees"_a, "communities"_a, "countries"_a, "hosts"_a, "settings"_a,
      "columns"_a,
      "Links the levels and computes the integrated tables (reinscore::integrate_levels).");

  m.def(
      "integration_settings",
      [](const Instrument& ins) -> py::object {
        if (!ins.integration) return py::none();
        const auto& g = *ins.integration;
        return py::dict("provisional"_a = g.provisional,
                        "level_weights"_a = py::dict("individual"_a = g.level_weights[0],
                                                     "community"_a = g.level_weights[1],
                                                     "structural"_a = g.level_weights[2]),
                        "min_respondents"_a = g.min_respondents,
                        "min_level_share"_a = g.min_level_share);
      },
      "instrument"_a,
      "The instrument's `integration` object as a dict, or None when it declares none.");
}
