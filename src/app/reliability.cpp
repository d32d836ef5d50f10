// `reliability` (include/reinscore/app/reliability.hpp): one pass over the export into a
// ReliabilityAccumulator, laid out as the tables every face renders.
#include <reinscore/app/options.hpp>
#include <reinscore/app/reliability.hpp>
#include <reinscore/error.hpp>
#include <reinscore/reliability.hpp>

#include <filesystem>
#include <stdexcept>
#include <utility>

namespace reinscore::app {

void ReliabilityRequest::check() const {
  if (missing != "listwise") check_choice("--missing", missing, {"complete", "pairwise"});
  std::error_code ec;
  if (!input.map.empty() && std::filesystem::is_directory(input.map, ec))
    throw option_error("--map", "'" + input.map + "' is a directory; give a file", "not_a_file");
  input.check();
}

namespace {

// Adds the columns, then hands back the table: Table::add invalidates earlier references,
// so columns are filled by name afterwards.
Table make_table(std::string name, std::string title, std::size_t keys,
                 std::initializer_list<std::pair<const char*, Kind>> columns) {
  Table t;
  t.name = std::move(name);
  t.title = std::move(title);
  t.keys = keys;
  for (const auto& [column, kind] : columns) t.add(column, kind);
  return t;
}

double as_double(Eigen::Index k) { return static_cast<double>(k); }

}  // namespace

Report reliability(ExportSource& source, const Instrument& ins, const ReliabilityRequest& request) {
  request.check();
  // The binding the source made (the same rules, the same answer): which items have a
  // column, and which.
  const std::vector<long long> item_column = bind_export(ins, source.header(), request.input);
  ReliabilityOptions opt;
  opt.missing = parse_missing_policy(request.missing, "--missing");
  opt.ordinal = request.ordinal;
  opt.include.resize(ins.items.size());
  for (std::size_t k = 0; k < ins.items.size(); ++k) opt.include[k] = item_column[k] >= 0;
  ReliabilityAccumulator acc(ins, opt);
  source.start(ExportWant{request.weight, {}});
  ExportBatch batch;
  std::vector<std::uint8_t> keep;
  std::uint64_t rows_read = 0, invalid = 0;
  while (source.next(batch)) {
    keep.resize(batch.rows());
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      keep[r] = batch.invalid[r] ? 0 : 1;
      invalid += batch.invalid[r] ? 1 : 0;
    }
    rows_read += batch.rows();
    try {
      acc.add(batch.coded.values, batch.weight, keep);
    } catch (const std::invalid_argument& e) {
      // The contingency tables refuse an item with too many distinct values: the data
      // is not ordinal (shapes and weights are right by construction).
      if (request.ordinal) throw input_error("not_ordinal", e.what());
      throw;
    }
  }
  const ReliabilityReport rep = acc.report();
  const bool ordinal = rep.ordinal;

  Table dims = make_table("dimensions", "Reliability by dimension", 1,
                          {{"dimension", Kind::text},
                           {"items", Kind::count},
                           {"n", Kind::count},
                           {"weight_sum", Kind::number},
                           {"alpha", Kind::number},
                           {"standardized_alpha", Kind::number},
                           {"mean_r", Kind::number}});
  if (ordinal) {
    dims.add("ordinal_alpha", Kind::number);
    dims.add("mean_polychoric", Kind::number);
  }
  for (const auto& d : rep.dimensions) {
    const AlphaResult& a = d.alpha;
    dims.at("dimension").push_text(d.dimension);
    dims.at("items").push(as_double(a.k));
    dims.at("n").push(a.n);
    dims.at("weight_sum").push(a.weight);
    dims.at("alpha").push(a.alpha);
    dims.at("standardized_alpha").push(a.standardized_alpha);
    dims.at("mean_r").push(a.mean_r);
    if (ordinal) {
      dims.at("ordinal_alpha").push(a.ordinal_alpha);
      dims.at("mean_polychoric").push(a.mean_polychoric);
    }
  }

  Table items = make_table("items", "Items", 2,
                           {{"dimension", Kind::text},
                            {"item", Kind::text},
                            {"column", Kind::text},
                            {"n", Kind::count},
                            {"mean", Kind::number},
                            {"sd", Kind::number},
                            {"item_rest", Kind::number},
                            {"alpha_if_deleted", Kind::number},
                            {"standardized_alpha_if_deleted", Kind::number}});
  if (ordinal) items.add("ordinal_alpha_if_deleted", Kind::number);
  std::string left_out;
  for (const auto& d : rep.dimensions) {
    // Every item of the dimension in instrument order; one left out keeps its place.
    std::size_t used = 0;
    for (std::size_t k = 0; k < ins.items.size(); ++k) {
      if (ins.items[k].dimension != d.dimension) continue;
      items.at("dimension").push_text(d.dimension);
      items.at("item").push_text(ins.items[k].id);
      const bool is_used = used < d.items.size() && d.items[used] == k;
      if (!is_used) {
        left_out += " " + ins.items[k].id;
        items.at("column").push_text({}, Cell::missing);
        for (const char* c :
             {"n", "mean", "sd", "item_rest", "alpha_if_deleted", "standardized_alpha_if_deleted"})
          items.at(c).push(0, Cell::missing);
        if (ordinal) items.at("ordinal_alpha_if_deleted").push(0, Cell::missing);
        continue;
      }
      const ItemAlpha& it = d.alpha.items[used++];
      items.at("column").push_text(source.header()[static_cast<std::size_t>(item_column[k])]);
      items.at("n").push(it.n);
      items.at("mean").push(it.mean);
      items.at("sd").push(it.sd);
      items.at("item_rest").push(it.item_rest);
      items.at("alpha_if_deleted").push(it.alpha_if_deleted);
      items.at("standardized_alpha_if_deleted").push(it.standardized_alpha_if_deleted);
      if (ordinal) items.at("ordinal_alpha_if_deleted").push(it.ordinal_alpha_if_deleted);
    }
  }

  Table input_table = make_table("input", "Input", 0,
                                 {{"instrument", Kind::text},
                                  {"rows_read", Kind::count},
                                  {"invalid_rows", Kind::count},
                                  {"rows_used", Kind::count},
                                  {"missing", Kind::text},
                                  {"weight", Kind::text}});
  input_table.at("instrument").push_text(rep.instrument);
  input_table.at("rows_read").push(static_cast<double>(rows_read));
  input_table.at("invalid_rows").push(static_cast<double>(invalid));
  input_table.at("rows_used").push(rep.rows);
  input_table.at("missing").push_text(std::string(missing_policy_name(rep.missing)));
  if (!request.weight.empty())
    input_table.at("weight").push_text(request.weight);
  else if (source.weighted())
    input_table.at("weight").push_text("(given per row)");
  else
    input_table.at("weight").push_text({}, Cell::missing);

  Report out;
  out.command = "reliability";
  out.tables.push_back(std::move(dims));
  out.tables.push_back(std::move(items));
  if (request.correlations) {
    Table cor = make_table("correlations", "Inter-item correlations", 3,
                           {{"dimension", Kind::text},
                            {"item", Kind::text},
                            {"with", Kind::text},
                            {"r", Kind::number}});
    if (ordinal) cor.add("polychoric", Kind::number);
    for (const auto& d : rep.dimensions) {
      const auto k = static_cast<Eigen::Index>(d.items.size());
      for (Eigen::Index i = 0; i < k; ++i)
        for (Eigen::Index j = 0; j < k; ++j) {
          cor.at("dimension").push_text(d.dimension);
          cor.at("item").push_text(ins.items[d.items[static_cast<std::size_t>(i)]].id);
          cor.at("with").push_text(ins.items[d.items[static_cast<std::size_t>(j)]].id);
          cor.at("r").push(d.alpha.correlation(i, j));
          if (ordinal) cor.at("polychoric").push(d.alpha.polychoric(i, j));
        }
    }
    out.tables.push_back(std::move(cor));
  }
  out.tables.push_back(std::move(input_table));
  for (const auto& t : out.tables) t.check();

  if (!left_out.empty()) out.info("left out (no column in the input):" + left_out);
  if (invalid)
    out.info(std::to_string(invalid) +
             " invalid interview(s) left out: an answer or the row could not be read "
             "(see `reinscore validate`)");
  return out;
}

Report reliability(const std::string& path, const ReliabilityRequest& request,
                   const InstrumentSearch& search) {
  return run_on_export(path, request, search, [&](ExportSource& source, const Instrument& ins) {
    return reliability(source, ins, request);
  });
}

}  // namespace reinscore::app
