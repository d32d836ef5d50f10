// reinscore._core.panel: the Panel of include/reinscore/panel.hpp over columns of a
// scores DataFrame. Returns plain lists and numpy arrays; python/reinscore/_panel.py
// builds the DataFrames.
#include "pybind11.hpp"

#include <reinscore/panel.hpp>

#include <map>
#include <optional>

using namespace reinscore;

namespace {

using F64 = py::array_t<double, py::array::c_style | py::array::forcecast>;
using I64 = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using U64 = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

void check_length(const py::array& a, std::size_t n, const char* what) {
  if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != n)
    throw std::invalid_argument(std::string("panel: ") + what + " must have one entry per row");
}

std::optional<I64> optional_codes(const py::object& o, std::size_t n, const char* what) {
  if (o.is_none()) return std::nullopt;
  I64 a = o.cast<I64>();
  check_length(a, n, what);
  return a;
}

}  // namespace

void register_panel(py::module_& m) {
  m.def(
      "panel",
      [](const std::vector<std::string>& ids, const I64& id_codes, const py::object& rounds,
         const F64& scores, const std::vector<std::string>& score_names,
         const py::object& category_codes, const std::vector<std::string>& category_labels,
         const py::object& status_codes, const py::object& weights,
         const py::object& interview_dates, const py::object& return_dates, const U64& rows,
         const std::map<std::string, std::string>& columns, const py::object& pairs_in,
         bool status_transitions, double level) {
        const std::size_t n = static_cast<std::size_t>(id_codes.shape(0));
        check_length(id_codes, n, "id codes");
        check_length(rows, n, "row numbers");
        if (scores.ndim() != 2 || static_cast<std::size_t>(scores.shape(0)) != n ||
            static_cast<std::size_t>(scores.shape(1)) != score_names.size())
          throw std::invalid_argument("panel: scores must be an array of rows x score names");
        if (!(level > 0 && level < 1))
          throw std::invalid_argument("panel: level must be between 0 and 1");
        PanelColumns cols;
        const auto col = [&](const char* key, std::string& out) {
          const auto it = columns.find(key);
          if (it != columns.end()) out = it->second;
        };
        col("id", cols.id);
        col("round", cols.round);
        col("weight", cols.weight);
        col("interview_date", cols.interview_date);
        col("return_date", cols.return_date);

        const auto cat = optional_codes(category_codes, n, "category codes");
        const auto st = optional_codes(status_codes, n, "status codes");
        std::optional<F64> w;
        if (!weights.is_none()) {
          w = weights.cast<F64>();
          check_length(*w, n, "weights");
        }
        // Rounds: numbers (float array) or texts (list of str).
        std::vector<std::int64_t> round(n);
        const std::uint64_t* row = rows.data();
        if (py::isinstance<py::list>(rounds)) {
          const auto text = rounds.cast<std::vector<std::string>>();
          if (text.size() != n)
            throw std::invalid_argument("panel: rounds must have one entry per row");
          for (std::size_t r = 0; r < n; ++r) {
            const auto x = parse_round(text[r]);
            if (!x)
              throw input_error("bad_round", "round is empty or not a whole number", row[r],
                                cols.round);
            round[r] = *x;
          }
        } else {
          const F64 num = rounds.cast<F64>();
          check_length(num, n, "rounds");
          for (std::size_t r = 0; r < n; ++r) {
            const auto x = round_from_number(num.data()[r]);
            if (!x)
              throw input_error("bad_round", "round is empty or not a whole number", row[r],
                                cols.round);
            round[r] = *x;
          }
        }
        const bool dates = !interview_dates.is_none() && !return_dates.is_none();
        std::vector<std::string> idate, rdate;
        if (dates) {
          idate = interview_dates.cast<std::vector<std::string>>();
          rdate = return_dates.cast<std::vector<std::string>>();
          if (idate.size() != n || rdate.size() != n)
            throw std::invalid_argument("panel: dates must have one entry per row");
        }
        std::vector<RoundPair> pairs;
        const bool explicit_pairs = !pairs_in.is_none();
        if (explicit_pairs)
          for (const auto& [a, b] :
               pairs_in.cast<std::vector<std::pair<std::int64_t, std::int64_t>>>())
            pairs.push_back({a, b});

        Panel panel(score_names, category_labels, cols);
        std::vector<double> months(n, std::numeric_limits<double>::quiet_NaN());
        std::vector<std::int64_t> returnee_code;  // panel returnee index -> id code
        {
          py::gil_scoped_release release;
          const std::int64_t* code = id_codes.data();
          const double* x = scores.data();
          const auto S = score_names.size();
          for (std::size_t r = 0; r < n; ++r) {
            if (code[r] < 0 || static_cast<std::size_t>(code[r]) >= ids.size())
              throw input_error("missing_id", "returnee id is empty", row[r], cols.id);
            Interview iv;
            iv.id = ids[static_cast<std::size_t>(code[r])];
            iv.round = round[r];
            iv.scores = std::span<const double>(x + r * S, S);
            iv.category = cat ? static_cast<int>(cat->data()[r]) : -1;
            iv.status = st ? static_cast<int>(st->data()[r]) : -1;
            iv.weight = w ? w->data()[r] : 1.0;
            iv.row = row[r];
            if (dates)
              months[r] = iv.months = panel.months_since_return(idate[r], rdate[r], row[r]);
            const auto before = panel.returnees();
            panel.add(iv);
            if (panel.returnees() > before) returnee_code.push_back(code[r]);
          }
          if (explicit_pairs) {
            for (const auto p : pairs) panel.check_pair(p);
          } else {
            pairs = panel.default_pairs();
          }
        }

        py::dict out;
        out["rounds"] = panel.rounds();
        std::vector<std::pair<std::int64_t, std::int64_t>> pair_list;
        for (const auto p : pairs) pair_list.emplace_back(p.from, p.to);
        out["pairs"] = pair_list;

        // Change table: one row per pair and score.
        const auto ch = panel.changes(pairs, level);
        std::vector<std::int64_t> from, to;
        std::vector<std::string> score;
        std::vector<std::uint64_t> npairs, missing, count;
        std::vector<double> sw, mfrom, mto, mean, sd, se, lo, hi, df, t, p, mof, mot;
        for (const auto& c : ch) {
          from.push_back(c.pair.from);
          to.push_back(c.pair.to);
          score.push_back(score_names[c.score]);
          npairs.push_back(c.pairs);
          missing.push_back(c.missing);
          count.push_back(c.change.n);
          sw.push_back(c.change.sum_weights);
          mfrom.push_back(c.mean_from);
          mto.push_back(c.mean_to);
          mean.push_back(c.change.mean);
          sd.push_back(c.change.sd);
          se.push_back(c.change.se);
          lo.push_back(c.change.ci_low);
          hi.push_back(c.change.ci_high);
          df.push_back(c.change.df);
          t.push_back(c.change.t);
          p.push_back(c.change.p_value);
          mof.push_back(c.months_from);
          mot.push_back(c.months_to);
        }
        py::dict changes;
        changes["from"] = to_numpy(from);
        changes["to"] = to_numpy(to);
        changes["score"] = score;
        changes["pairs"] = to_numpy(npairs);
        changes["missing"] = to_numpy(missing);
        changes["n"] = to_numpy(count);
        changes["sum_weights"] = to_numpy(sw);
        changes["mean_from"] = to_numpy(mfrom);
        changes["mean_to"] = to_numpy(mto);
        changes["mean_change"] = to_numpy(mean);
        changes["sd"] = to_numpy(sd);
        changes["se"] = to_numpy(se);
        changes["ci_low"] = to_numpy(lo);
        changes["ci_high"] = to_numpy(hi);
        changes["df"] = to_numpy(df);
        changes["t"] = to_numpy(t);
        changes["p_value"] = to_numpy(p);
        changes["months_from"] = to_numpy(mof);
        changes["months_to"] = to_numpy(mot);
        out["changes"] = changes;

        // Per returnee and pair.
        const auto per = panel.per_returnee(pairs);
        const auto S = static_cast<py::ssize_t>(score_names.size());
        py::array_t<double> diff({static_cast<py::ssize_t>(per.size()), S});
        auto dv = diff.mutable_unchecked<2>();
        std::vector<std::int64_t> rcode, pfrom, pto;
        std::vector<std::uint64_t> rfrom, rto;
        std::vector<double> mf, mt, wt;
        std::vector<std::int32_t> cf, ct, sf, stt;
        for (std::size_t i = 0; i < per.size(); ++i) {
          const auto& c = per[i];
          rcode.push_back(returnee_code[c.returnee]);
          pfrom.push_back(c.pair.from);
          pto.push_back(c.pair.to);
          rfrom.push_back(c.row_from);
          rto.push_back(c.row_to);
          for (py::ssize_t s = 0; s < S; ++s)
            dv(static_cast<py::ssize_t>(i), s) = c.change[static_cast<std::size_t>(s)];
          mf.push_back(c.months_from);
          mt.push_back(c.months_to);
          wt.push_back(c.weight);
          cf.push_back(c.category_from);
          ct.push_back(c.category_to);
          sf.push_back(c.status_from);
          stt.push_back(c.status_to);
        }
        py::dict pr;
        pr["id_code"] = to_numpy(rcode);
        pr["from"] = to_numpy(pfrom);
        pr["to"] = to_numpy(pto);
        pr["row_from"] = to_numpy(rfrom);
        pr["row_to"] = to_numpy(rto);
        pr["change"] = diff;
        pr["months_from"] = to_numpy(mf);
        pr["months_to"] = to_numpy(mt);
        pr["weight"] = to_numpy(wt);
        pr["category_from"] = to_numpy(cf);
        pr["category_to"] = to_numpy(ct);
        pr["status_from"] = to_numpy(sf);
        pr["status_to"] = to_numpy(stt);
        out["per_returnee"] = pr;

        // Transition matrices: category when there are category codes, then status.
        py::list transitions;
        std::vector<TransitionVariable> vars;
        if (cat) vars.push_back(TransitionVariable::category);
        if (status_transitions) {
          if (!st) throw std::invalid_argument("panel: status transitions need status codes");
          vars.push_back(TransitionVariable::status);
        }
        for (const auto v : vars)
          for (const auto pp : pairs) {
            const auto mtx = panel.transitions(pp, v);
            const auto fs = mtx.from_states(), ts = mtx.to_states();
            py::array_t<std::uint64_t> counts(
                {static_cast<py::ssize_t>(fs.size()), static_cast<py::ssize_t>(ts.size())});
            auto cv = counts.mutable_unchecked<2>();
            for (std::size_t i = 0; i < fs.size(); ++i)
              for (std::size_t j = 0; j < ts.size(); ++j)
                cv(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(j)) = mtx.count(i, j);
            py::dict d;
            d["variable"] = mtx.variable();
            d["from"] = pp.from;
            d["to"] = pp.to;
            d["from_states"] = fs;
            d["to_states"] = ts;
            d["counts"] = counts;
            transitions.append(d);
          }
        out["transitions"] = transitions;

        // Attrition per round.
        const auto a = panel.attrition();
        std::vector<std::int64_t> ar;
        std::vector<std::uint64_t> present, first, retained, lost, returned, absent, base;
        std::vector<double> retention;
        for (std::size_t j = 0; j < a.rows().size(); ++j) {
          const auto& r = a.rows()[j];
          ar.push_back(r.round);
          present.push_back(r.present);
          first.push_back(r.first_seen);
          retained.push_back(r.retained);
          lost.push_back(r.lost);
          returned.push_back(r.returned);
          absent.push_back(r.absent);
          base.push_back(r.baseline_present);
          retention.push_back(a.retention(j));
        }
        py::dict at;
        at["round"] = to_numpy(ar);
        at["present"] = to_numpy(present);
        at["first_seen"] = to_numpy(first);
        at["retained"] = to_numpy(retained);
        at["lost"] = to_numpy(lost);
        at["returned"] = to_numpy(returned);
        at["absent"] = to_numpy(absent);
        at["baseline_present"] = to_numpy(base);
        at["retention"] = to_numpy(retention);
        out["attrition"] = at;

        out["months"] = to_numpy(months);
        py::list problems;
        for (const auto& pb : panel.problems()) {
          py::dict d;
          d["row"] = pb.row;
          d["column"] = pb.column;
          d["rule"] = pb.rule;
          d["message"] = pb.message;
          problems.append(d);
        }
        out["problems"] = problems;
        return out;
      },
      "ids"_a, "id_codes"_a, "rounds"_a, "scores"_a, "score_names"_a, "category_codes"_a,
      "category_labels"_a, "status_codes"_a, "weights"_a, "interview_dates"_a, "return_dates"_a,
      "rows"_a, "columns"_a, "pairs"_a, "status_transitions"_a = false, "level"_a = 0.95,
      "Panel analysis of a scores table (include/reinscore/panel.hpp): changes between rounds, "
      "per-returnee differences, transitions, attrition, months since return, date problems.");
}
