// The evaluators' report (include/reinscore/app/evaluation.hpp): sections gathered from the
// other commands' Reports. Numbers are taken from those Reports as they are; what is
// added here is selection (which rows and columns a reader needs), the suppression of
// small groups from view, and words.
#include <reinscore/app/evaluation.hpp>
#include <reinscore/app/options.hpp>
#include <reinscore/app/panel.hpp>
#include <reinscore/app/reliability.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/scores.hpp>
#include <reinscore/app/summarize.hpp>
#include <reinscore/app/validate.hpp>
#include <reinscore/detail/json.hpp>
#include <reinscore/detail/strings.hpp>
#include <reinscore/error.hpp>
#include <reinscore/reason.hpp>
#include <reinscore/scorer.hpp>
#include <reinscore/version.hpp>

#include "app/synthetic_samples.hpp"
#include "io/column_binding.hpp"
#include "io/table.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

namespace reinscore::app {

namespace fs = std::filesystem;

// ---- Catalog ---------------------------------------------------------------------------

Catalog Catalog::parse(const std::string& lang, const std::string& json_text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json_text, ec);
  if (ec || !v.is_object())
    throw std::invalid_argument("message catalog '" + lang +
                                "' is not a JSON object [bad_catalog]");
  Catalog c;
  c.lang_ = lang;
  for (const auto& kv : v.as_object()) {
    if (kv.key() == "_reviewed") {
      c.provisional_ = !(kv.value().is_bool() && kv.value().as_bool());
      continue;
    }
    if (!kv.value().is_string())
      throw std::invalid_argument("message catalog '" + lang + "': '" + std::string(kv.key()) +
                                  "' is not a string [bad_catalog]");
    c.text_.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
  }
  return c;
}

Catalog Catalog::load(const std::string& lang, const InstrumentSearch& search) {
  check_choice("--lang", lang, {"en", "fr", "pt"});
  for (const auto& dir : search.dirs) {
    const fs::path file = fs::path(dir).parent_path() / "messages" / (lang + ".json");
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) continue;
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse(lang, text);
  }
  throw option_error(
      "--lang", "has no message catalog '" + lang + ".json' next to the instrument directories",
      "no_catalog");
}

bool Catalog::has(std::string_view key) const noexcept { return text_.find(key) != text_.end(); }

std::vector<std::string> Catalog::keys() const {
  std::vector<std::string> out;
  for (const auto& kv : text_) out.push_back(kv.first);
  return out;
}

std::string Catalog::text(std::string_view key,
                          const std::vector<std::pair<std::string, std::string>>& args) const {
  const auto it = text_.find(key);
  if (it == text_.end())
    throw std::logic_error("message catalog '" + lang_ + "' has no '" + std::string(key) + "'");
  std::string out = it->second;
  for (const auto& [name, value] : args) {
    const std::string mark = "{" + name + "}";
    for (std::size_t at = out.find(mark); at != std::string::npos;
         at = out.find(mark, at + value.size()))
      out.replace(at, mark.size(), value);
  }
  return out;
}

std::string Catalog::number(std::string text) const {
  if (lang_ == "fr" || lang_ == "pt") std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// ---- Request ---------------------------------------------------------------------------

void EvaluationRequest::check() const {
  check_choice("--lang", lang, {"en", "fr", "pt"});
  check_range<std::int64_t>("--min-cell", min_cell, 0, max_min_cell);
  check_open_unit("--level", level);
  check_needs("--round", !round.empty(), "--returnee-id", !returnee_id.empty());
  check_needs("--returnee-id", !returnee_id.empty(), "--round", !round.empty());
  if (!date.empty()) {
    const bool shape = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
                       std::all_of(date.begin(), date.end(),
                                   [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
    if (!shape) throw option_error("--date", "must be a date written yyyy-mm-dd");
  }
  std::set<std::string> seen;
  for (const auto& b : by) {
    if (b.empty()) throw option_error("--by", "must name a column");
    if (!seen.insert(b).second) throw option_error("--by", "names column '" + b + "' twice");
  }
  if (title.size() > 200) throw option_error("--title", "must be at most 200 characters");
  input.check();
}

namespace {

// A shell word: quoted unless it is plainly safe.
std::string shell_word(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_./:=@+,").find(c) != std::string_view::npos;
  });
  if (plain) return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string EvaluationRequest::command_line(const std::string& input_name) const {
  std::string s = "reinscore report " + shell_word(input_name);
  const auto opt = [&](const char* name, const std::string& v) {
    if (!v.empty()) s += std::string(" ") + name + " " + shell_word(v);
  };
  opt("--instrument", instrument == "iom-rss" ? std::string() : instrument);
  opt("--weights", weights);
  for (const auto& b : by) opt("--by", b);
  opt("--weight", weight);
  opt("--strata", strata);
  opt("--cluster", cluster);
  opt("--returnee-id", returnee_id);
  opt("--round", round);
  opt("--levels", levels.empty() ? std::string() : fs::path(levels).filename().string());
  opt("--title", title);
  opt("--lang", lang == "en" ? std::string() : lang);
  opt("--min-cell", min_cell == 10 ? std::string() : std::to_string(min_cell));
  opt("--level", level == 0.95 ? std::string() : number_text(level));
  opt("--date", date);
  opt("--delimiter", input.delimiter);
  opt("--sheet", input.sheet);
  opt("--map", input.map);
  if (input.allow_missing_columns) s += " --allow-missing-columns";
  return s + " -o report.html";
}

std::vector<const Table*> Document::tables() const {
  std::vector<const Table*> out;
  for (const auto& s : sections)
    for (const auto& b : s.blocks)
      if (b.kind == Block::Kind::table) out.push_back(&b.table);
  return out;
}

std::vector<std::string> table_file_names(const Document& doc) {
  std::vector<std::string> out;
  std::set<std::string> used;
  std::size_t n = 0;
  for (const auto& s : doc.sections)
    for (const auto& b : s.blocks) {
      if (b.kind != Block::Kind::table) continue;
      char num[16];
      std::snprintf(num, sizeof num, "%02zu", ++n);
      std::string name = std::string(num) + "-" + s.id + "-" + b.table.name;
      for (char& c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) c = '_';
      while (!used.insert(name).second) name += "_";
      out.push_back(name + ".csv");
    }
  return out;
}

namespace {

// ---- inputs ------------------------------------------------------------------------------

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error("unreadable_file", "cannot be read", 0, "");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: OpenSSL digest failed");
  std::vector<char> buf(std::size_t{1} << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0 &&
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount())) != 1)
      throw std::runtime_error("sha256: OpenSSL digest failed");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1)
    throw std::runtime_error("sha256: OpenSSL digest failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

bool is_scores_header(const std::vector<std::string>& header) {
  return std::find(header.begin(), header.end(), "composite") != header.end() &&
         std::any_of(header.begin(), header.end(),
                     [](const std::string& h) { return h.rfind("coverage_", 0) == 0; });
}

// Everything the sections are built from.
struct Inputs {
  std::string name;  // the file's base name
  std::string sha256;
  bool from_export = false;
  Instrument ins;
  std::optional<ScoresTable> scores;
  Report validation;   // raw exports only
  Report reliability;  // raw exports only
  // Mean loss per item over the interviews whose dimension has a score (raw exports).
  std::vector<double> lost_sum;
  std::vector<std::uint64_t> lost_n;
};

std::vector<std::string> kept_columns(const EvaluationRequest& r) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& c) {
    if (!c.empty() && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (const auto& b : r.by) add(b);
  add(r.weight);
  add(r.strata);
  add(r.cluster);
  add(r.returnee_id);
  add(r.round);
  return out;
}

// A raw export: validated, then scored with the instrument (the scorer of `score`), the
// kept columns carried as text, as a scores file would hold them.
void read_export(const std::string& path, const EvaluationRequest& req, Inputs& in) {
  auto map = req.input.map.empty() ? std::map<std::string, std::string>{}
                                   : io::load_column_map(req.input.map);
  for (const auto& [column, item] : req.input.column_map) map[column] = item;
  ValidateRequest vr;
  vr.delimiter = req.input.delimiter;
  vr.sheet = req.input.sheet;
  in.validation = validate_file(path, in.ins, map, vr);

  const auto source = open_export(path, in.ins, req.input);
  ExportWant want;
  want.pass = kept_columns(req);
  source->start(want);
  const Scorer scorer(in.ins);
  const std::size_t D = in.ins.dimensions.size(), K = in.ins.items.size();
  std::vector<RawColumn> cols;
  const auto numeric = [&](std::string name) {
    RawColumn c;
    c.name = std::move(name);
    c.numeric = true;
    cols.push_back(std::move(c));
    return cols.size() - 1;
  };
  const auto text = [&](std::string name) {
    RawColumn c;
    c.name = std::move(name);
    cols.push_back(std::move(c));
    return cols.size() - 1;
  };
  std::vector<std::size_t> dim_col, cov_col, pass_col;
  for (const auto& d : in.ins.dimensions) dim_col.push_back(numeric(d));
  for (const auto& d : in.ins.dimensions) cov_col.push_back(numeric("coverage_" + d));
  const std::size_t composite = numeric("composite");
  const std::size_t status = text("status");
  const std::size_t category = text("category");
  const std::size_t lowest = text("lowest_dimension");
  for (const auto& p : want.pass) pass_col.push_back(text(p));
  std::vector<std::uint64_t> records;
  in.lost_sum.assign(K, 0.0);
  in.lost_n.assign(K, 0);
  ExportBatch batch;
  ScoreBlock block;
  while (source->next(batch)) {
    scorer.score(batch.coded, block);
    for (Eigen::Index r = 0; r < block.rows(); ++r) {
      const auto ru = static_cast<std::size_t>(r);
      for (std::size_t d = 0; d < D; ++d) {
        cols[dim_col[d]].number.push_back(block.dimension(r, static_cast<Eigen::Index>(d)));
        cols[cov_col[d]].number.push_back(block.coverage(r, static_cast<Eigen::Index>(d)));
      }
      cols[composite].number.push_back(block.composite(r));
      const Status st = block.status[ru];
      cols[status].text.emplace_back(to_string(st));
      const int cat = block.category[ru];
      cols[category].text.push_back(
          cat >= 0 && in.ins.thresholds
              ? in.ins.thresholds->categories[static_cast<std::size_t>(cat)].label
              : std::string());
      const int low = block.lowest[ru];
      cols[lowest].text.push_back(low >= 0 ? in.ins.dimensions[static_cast<std::size_t>(low)]
                                           : std::string());
      for (std::size_t p = 0; p < pass_col.size(); ++p)
        cols[pass_col[p]].text.push_back(batch.pass[p][ru]);
      records.push_back(batch.row[ru]);
      if (st == Status::invalid) continue;
      for (const auto& c : scorer.explain(batch.coded, r, block)) {
        if (std::isnan(block.dimension(r, static_cast<Eigen::Index>(c.dimension)))) continue;
        in.lost_sum[c.item] += std::isnan(c.lost) ? 0.0 : c.lost;
        ++in.lost_n[c.item];
      }
    }
  }
  ScoresWant sw;
  sw.all_columns = true;
  in.scores.emplace(std::move(cols), sw, 2, in.name, std::move(records));

  ReliabilityRequest rr;
  rr.instrument = req.instrument;
  rr.weight = req.weight;
  rr.input = req.input;
  const auto again = open_export(path, in.ins, req.input);
  in.reliability = reliability(*again, in.ins, rr);
}

// ---- table helpers ---------------------------------------------------------------------

const Column* find_column(const Table& t, std::string_view name) {
  for (const auto& c : t.columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::string text_at(const Column& c, std::size_t r) {
  if (c.kind == Kind::text) return c.cell(r) == Cell::value ? c.text[r] : std::string();
  return c.cell(r) == Cell::value ? key_text(c.values[r]) : std::string();
}

double value_at(const Column* c, std::size_t r) {
  if (c == nullptr || c->kind == Kind::text || c->cell(r) != Cell::value)
    return std::numeric_limits<double>::quiet_NaN();
  return c->values[r];
}

// Row of `t` whose text columns named in `keys` have the values `want`.
std::optional<std::size_t> find_row(const Table& t,
                                    const std::vector<std::pair<std::string, std::string>>& want) {
  for (std::size_t r = 0; r < t.rows(); ++r) {
    bool all = true;
    for (const auto& [name, v] : want) {
      const Column* c = find_column(t, name);
      if (c == nullptr || text_at(*c, r) != v) {
        all = false;
        break;
      }
    }
    if (all) return r;
  }
  return std::nullopt;
}

Block paragraph(std::string text) {
  Block b;
  b.text = std::move(text);
  return b;
}
Block note(std::string text) {
  Block b;
  b.kind = Block::Kind::note;
  b.text = std::move(text);
  return b;
}
Block table_block(Table t) {
  Block b;
  b.kind = Block::Kind::table;
  b.table = std::move(t);
  b.table.check();
  return b;
}
Block chart_block(Chart c) {
  Block b;
  b.kind = Block::Kind::chart;
  b.chart = std::move(c);
  return b;
}

// A score's name in the document (dimensions and the composite are catalog words).
std::string score_word(const Catalog& cat, const std::string& score) {
  const std::string key = "score." + score;
  return cat.has(key) ? cat.text(key) : score;
}

// The estimate, lo and hi of (group keys, variable, statistic) in a summarize "estimates"
// table.
struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN(), lo = value, hi = value;
};
Estimate estimate_of(const Table& est, std::vector<std::pair<std::string, std::string>> keys,
                     const std::string& variable, const std::string& statistic) {
  keys.emplace_back("variable", variable);
  keys.emplace_back("statistic", statistic);
  Estimate e;
  if (const auto r = find_row(est, keys)) {
    e.value = value_at(find_column(est, "estimate"), *r);
    e.lo = value_at(find_column(est, "lo"), *r);
    e.hi = value_at(find_column(est, "hi"), *r);
  }
  return e;
}

// ---- sections ----------------------------------------------------------------------------

struct Context {
  const EvaluationRequest& req;
  const InstrumentSearch& search;
  const Catalog& cat;
  Inputs& in;
  std::optional<double> threshold;
  std::vector<std::string> scores;  // composite first, then the dimensions
  Report overall;                   // summarize without groups
};

SummarizeRequest summary_request(const Context& x, std::vector<std::string> by) {
  SummarizeRequest s;
  s.by = std::move(by);
  s.weight = x.req.weight;
  s.strata = x.req.strata;
  s.cluster = x.req.cluster;
  s.ci = "linearization";
  s.survey = true;
  s.level = x.req.level;
  s.min_cell = x.req.min_cell;
  s.threshold = x.threshold;
  if (!s.threshold) s.threshold = std::numeric_limits<double>::quiet_NaN();
  s.singleton = x.req.strata.empty() ? "error" : "certainty";
  return s;
}

// The banners are the document's: the renderer shows them under the title.
Section cover(const Context& x, const Document& doc) {
  const Catalog& cat = x.cat;
  Section s{"cover", doc.title, {}};
  if (!x.req.date.empty())
    s.blocks.push_back(paragraph(cat.text("cover.date", {{"date", x.req.date}})));
  Table t{"inputs", cat.text("cover.inputs"), {}, 1, 0};
  t.add("item", Kind::text);
  t.add("value", Kind::text);
  const auto row = [&](const std::string& k, const std::string& v) {
    t.columns[0].push_text(cat.text(k));
    t.columns[1].push_text(v);
  };
  row("cover.file", x.in.name);
  row("cover.kind", cat.text(x.in.from_export ? "cover.kind_export" : "cover.kind_scores"));
  row("cover.rows", std::to_string(x.in.scores->rows()));
  row("cover.sha256", x.in.sha256);
  row("cover.instrument", x.in.ins.tag());
  const WeightSet& w = x.in.ins.weights();
  row("cover.weights", w.name + " (" + w.source + ")");
  s.blocks.push_back(table_block(std::move(t)));
  s.blocks.push_back(paragraph(cat.text("cover.about")));
  return s;
}

Section key_figures(const Context& x) {
  const Catalog& cat = x.cat;
  Section s{"key-figures", cat.text("key.title"), {}};
  const ScoresTable& t = *x.in.scores;
  if (t.has_status()) {
    Table st{"status", cat.text("key.status_table"), {}, 1, 0};
    st.add("status", Kind::text);
    st.add("interviews", Kind::count);
    for (const char* c : {"share", "lo", "hi"}) st.add(c, Kind::number, 3);
    std::array<std::uint64_t, 4> n{};
    for (const auto v : t.status()) ++n[static_cast<std::size_t>(v)];
    // The shares and their intervals are summarize's (design-based, --share-interval).
    const Table& shares = x.overall.table("estimates");
    for (std::size_t k = 0; k < n.size(); ++k) {
      const std::string name(status_names_app[k]);
      st.columns[0].push_text(cat.text("status." + name));
      st.columns[1].push(static_cast<double>(n[k]));
      const Estimate e = estimate_of(shares, {}, "status", "share_" + name);
      const double vals[] = {e.value, e.lo, e.hi};
      for (std::size_t j = 0; j < 3; ++j)
        st.columns[2 + j].push(vals[j], std::isnan(vals[j]) ? Cell::missing : Cell::value);
    }
    s.blocks.push_back(table_block(std::move(st)));
  }
  const Table& est = x.overall.table("estimates");
  Table m{"means", cat.text("key.means_table"), {}, 1, 0};
  m.add("score", Kind::text);
  for (const char* c : {"mean", "lo", "hi", "share_above", "share_lo", "share_hi"})
    m.add(c, Kind::number, 3);
  Chart ch;
  ch.title = cat.text("key.means_chart");
  for (const auto& sc : x.scores) {
    const Estimate mean = estimate_of(est, {}, sc, "mean");
    const Estimate above = estimate_of(est, {}, sc, "above");
    m.columns[0].push_text(score_word(cat, sc));
    const double vals[] = {mean.value, mean.lo, mean.hi, above.value, above.lo, above.hi};
    for (std::size_t j = 0; j < 6; ++j)
      m.columns[1 + j].push(vals[j], std::isnan(vals[j]) ? Cell::missing : Cell::value);
    ch.labels.push_back(score_word(cat, sc));
    ch.value.push_back(mean.value);
    ch.lo.push_back(mean.lo);
    ch.hi.push_back(mean.hi);
  }
  ch.description = cat.text("chart.means_alt", {{"level", number_text(100 * x.req.level)}});
  s.blocks.push_back(paragraph(
      cat.text("key.means_text",
               {{"level", number_text(100 * x.req.level)},
                {"threshold", x.threshold ? cat.number(number_text(*x.threshold)) : "-"}})));
  s.blocks.push_back(chart_block(std::move(ch)));
  s.blocks.push_back(table_block(std::move(m)));
  return s;
}

// Group keys shown (count at least min_cell), in the Report's order, and how many are not.
std::vector<std::string> shown_groups(const Table& groups, const std::string& col,
                                      std::size_t& hidden) {
  std::vector<std::string> out;
  hidden = 0;
  const Column* key = find_column(groups, col);
  const Column* n = find_column(groups, "n");
  for (std::size_t r = 0; key && n && r < groups.rows(); ++r) {
    if (n->cell(r) != Cell::value) {
      ++hidden;
      continue;
    }
    out.push_back(text_at(*key, r));
  }
  return out;
}

Section by_group(const Context& x, const std::string& col) {
  const Catalog& cat = x.cat;
  Section s{"by-" + col, cat.text("group.title", {{"column", col}}), {}};
  const ScoresTable& t = *x.in.scores;
  Report first = summarize(t, summary_request(x, {col}), x.search);
  std::size_t hidden = 0;
  const std::vector<std::string> groups = shown_groups(first.table("groups"), col, hidden);
  if (hidden)
    s.blocks.push_back(
        note(cat.text("group.hidden", {{"count", std::to_string(hidden)},
                                       {"min_cell", std::to_string(x.req.min_cell)}})));
  if (groups.empty()) return s;
  // The reference of the differences: the largest group shown (the first one on a tie).
  const Table& gt = first.table("groups");
  std::string reference = groups.front();
  double most = -1;
  for (std::size_t r = 0; r < gt.rows(); ++r) {
    const double n = value_at(find_column(gt, "n"), r);
    const std::string k = text_at(*find_column(gt, col), r);
    if (!std::isnan(n) && n > most) {
      most = n;
      reference = k;
    }
  }
  Report rep = first;
  if (groups.size() > 1) {
    SummarizeRequest cr = summary_request(x, {col});
    cr.compare = col + ":" + reference;
    rep = summarize(t, cr, x.search);
  }
  const Table& est = rep.table("estimates");
  s.blocks.push_back(
      paragraph(cat.text("group.text", {{"column", col}, {"reference", reference}})));
  for (const auto& sc : x.scores) {
    Chart ch;
    ch.title = cat.text("group.chart", {{"score", score_word(cat, sc)}, {"column", col}});
    ch.description = cat.text("chart.group_alt", {{"score", score_word(cat, sc)}, {"column", col}});
    Table tb{"by_" + col + "_" + sc, ch.title, {}, 1, static_cast<std::uint64_t>(x.req.min_cell)};
    tb.add(col, Kind::text);
    tb.add("n", Kind::count);
    for (const char* c : {"mean", "lo", "hi", "share_above", "share_lo", "share_hi"})
      tb.add(c, Kind::number, 3);
    for (const auto& g : groups) {
      const Estimate mean = estimate_of(est, {{col, g}}, sc, "mean");
      const Estimate above = estimate_of(est, {{col, g}}, sc, "above");
      const auto r = find_row(rep.table("groups"), {{col, g}});
      tb.columns[0].push_text(g);
      tb.columns[1].push(r ? value_at(find_column(rep.table("groups"), "n"), *r) : 0.0);
      const double vals[] = {mean.value, mean.lo, mean.hi, above.value, above.lo, above.hi};
      for (std::size_t j = 0; j < 6; ++j)
        tb.columns[2 + j].push(vals[j], std::isnan(vals[j]) ? Cell::missing : Cell::value);
      ch.labels.push_back(g);
      ch.value.push_back(mean.value);
      ch.lo.push_back(mean.lo);
      ch.hi.push_back(mean.hi);
    }
    s.blocks.push_back(chart_block(std::move(ch)));
    s.blocks.push_back(table_block(std::move(tb)));
  }
  if (rep.has_table("differences")) {
    const Table& d = rep.table("differences");
    Table dt{
        "differences_" + col, cat.text("group.differences", {{"reference", reference}}), {}, 2, 0};
    dt.add(col, Kind::text);
    dt.add("score", Kind::text);
    for (const char* c : {"difference", "lo", "hi"}) dt.add(c, Kind::number, 3);
    dt.add("p_value", Kind::p_value, 4);
    const std::set<std::string> shown(groups.begin(), groups.end());
    for (const auto& g : groups) {
      if (g == reference) continue;
      for (const auto& sc : x.scores) {
        const auto r = find_row(d, {{col, g}, {"variable", sc}, {"statistic", "mean"}});
        if (!r) continue;
        dt.columns[0].push_text(g);
        dt.columns[1].push_text(score_word(cat, sc));
        const char* names[] = {"estimate", "lo", "hi", "p_value"};
        for (std::size_t j = 0; j < 4; ++j) {
          const double v = value_at(find_column(d, names[j]), *r);
          dt.columns[2 + j].push(v, std::isnan(v) ? Cell::missing : Cell::value);
        }
      }
    }
    if (dt.rows()) s.blocks.push_back(table_block(std::move(dt)));
  }
  return s;
}

Section case_management(const Context& x) {
  const Catalog& cat = x.cat;
  Section s{"case-management", cat.text("case.title"), {}};
  const ScoresTable& t = *x.in.scores;
  if (t.has_column("lowest_dimension")) {
    const std::string col = x.req.by.empty() ? std::string() : x.req.by.front();
    const TypedColumn& low = t.column("lowest_dimension");
    const TypedColumn* key = col.empty() ? nullptr : &t.column(col);
    // Counts per group (text of the key) and dimension; groups in key order as summarize
    // sorts them (numbers as numbers).
    std::map<std::string, std::vector<std::uint64_t>> counts;
    std::map<std::string, std::uint64_t> total;
    std::vector<std::pair<double, std::string>> order;
    const std::size_t D = x.in.ins.dimensions.size();
    for (std::size_t i = 0; i < t.rows(); ++i) {
      const std::string k =
          key ? (key->numeric
                     ? (std::isnan(key->number[i]) ? std::string() : key_text(key->number[i]))
                     : key->text[i])
              : cat.text("case.all");
      auto [it, fresh] = counts.try_emplace(k, std::vector<std::uint64_t>(D, 0));
      if (fresh) order.emplace_back(key && key->numeric ? key->number[i] : 0.0, k);
      ++total[k];
      const std::string& l = low.text.empty() ? std::string() : low.text[i];
      for (std::size_t d = 0; d < D; ++d)
        if (l == x.in.ins.dimensions[d]) ++it->second[d];
    }
    std::sort(order.begin(), order.end());
    Table lt{"lowest_dimension",
             cat.text("case.lowest_table"),
             {},
             1,
             static_cast<std::uint64_t>(x.req.min_cell)};
    lt.add(col.empty() ? "group" : col, Kind::text);
    lt.add("n", Kind::count);
    for (const auto& d : x.in.ins.dimensions) lt.add(d, Kind::count);
    std::size_t hidden = 0;
    const auto min_cell = static_cast<std::uint64_t>(x.req.min_cell);
    for (const auto& [num, k] : order) {
      if (k.empty()) continue;  // no group value: counted nowhere
      if (total[k] < min_cell) {
        ++hidden;
        continue;
      }
      lt.columns[0].push_text(k);
      lt.columns[1].push(static_cast<double>(total[k]));
      for (std::size_t d = 0; d < D; ++d) {
        const auto c = counts[k][d];
        lt.columns[2 + d].push(static_cast<double>(c),
                               c > 0 && c < min_cell ? Cell::suppressed : Cell::value);
      }
    }
    s.blocks.push_back(paragraph(cat.text("case.lowest_text")));
    if (hidden)
      s.blocks.push_back(note(cat.text("group.hidden", {{"count", std::to_string(hidden)},
                                                        {"min_cell", std::to_string(min_cell)}})));
    s.blocks.push_back(table_block(std::move(lt)));
  }
  if (x.in.from_export) {
    const auto& ins = x.in.ins;
    std::vector<std::size_t> order(ins.items.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    const auto mean = [&](std::size_t k) {
      return x.in.lost_n[k] ? x.in.lost_sum[k] / static_cast<double>(x.in.lost_n[k])
                            : std::numeric_limits<double>::quiet_NaN();
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double ma = mean(a), mb = mean(b);
      if (std::isnan(mb)) return !std::isnan(ma);
      return ma > mb;
    });
    Table it{"items_lost", cat.text("case.items_table"), {}, 1, 0};
    it.add("item", Kind::text);
    it.add("dimension", Kind::text);
    it.add("question", Kind::text);
    it.add("mean_lost", Kind::number, 3);
    it.add("interviews", Kind::count);
    Chart ch;
    ch.kind = Chart::Kind::bar;
    ch.title = cat.text("case.items_chart");
    ch.description = cat.text("chart.items_alt");
    for (const auto k : order) {
      const double m = mean(k);
      it.columns[0].push_text(ins.items[k].id);
      it.columns[1].push_text(score_word(cat, ins.items[k].dimension));
      it.columns[2].push_text(ins.items[k].question);
      it.columns[3].push(m, std::isnan(m) ? Cell::missing : Cell::value);
      it.columns[4].push(static_cast<double>(x.in.lost_n[k]));
      if (ch.labels.size() < 10 && !std::isnan(m)) {
        ch.labels.push_back(ins.items[k].id);
        ch.value.push_back(m);
      }
    }
    double top = 0;
    for (const double v : ch.value) top = std::max(top, v);
    ch.axis_max = top > 0 ? std::min(1.0, std::ceil(top * 10) / 10) : 1.0;
    s.blocks.push_back(paragraph(cat.text("case.items_text")));
    s.blocks.push_back(chart_block(std::move(ch)));
    s.blocks.push_back(table_block(std::move(it)));
  }
  return s;
}

Section data_quality(const Context& x) {
  const Catalog& cat = x.cat;
  Section s{"data-quality", cat.text("quality.title"), {}};
  const ScoresTable& t = *x.in.scores;
  if (x.in.from_export) {
    // Problems by rule and column: counts only, never the answers.
    const Table& p = x.in.validation.table("problems");
    std::map<std::pair<std::string, std::string>, std::uint64_t> by;
    std::vector<std::pair<std::string, std::string>> order;
    for (std::size_t r = 0; r < p.rows(); ++r) {
      const std::pair<std::string, std::string> k{text_at(*find_column(p, "rule"), r),
                                                  text_at(*find_column(p, "column"), r)};
      if (!by.count(k)) order.push_back(k);
      const double n = value_at(find_column(p, "count"), r);
      by[k] += std::isnan(n) ? 1 : static_cast<std::uint64_t>(n);
    }
    if (order.empty()) {
      s.blocks.push_back(paragraph(cat.text("quality.clean")));
    } else {
      Table pt{"problems", cat.text("quality.problems_table"), {}, 2, 0};
      pt.add("rule", Kind::text);
      pt.add("column", Kind::text);
      pt.add("count", Kind::count);
      for (const auto& k : order) {
        pt.columns[0].push_text(k.first);
        pt.columns[1].push_text(k.second, k.second.empty() ? Cell::missing : Cell::value);
        pt.columns[2].push(static_cast<double>(by[k]));
      }
      s.blocks.push_back(paragraph(cat.text("quality.problems_text")));
      s.blocks.push_back(table_block(std::move(pt)));
    }
    // Missing answers by reason, per item: shares of the rows.
    const Table& cells = x.in.validation.table("cells");
    Table mt{"missing_answers", cat.text("quality.missing_table"), {}, 1, 0};
    mt.add("item", Kind::text);
    const char* reasons[] = {"dont_know", "refused", "skipped", "not_applicable"};
    for (const char* r : reasons) mt.add(r, Kind::number, 3);
    double rows_total = 0;
    for (std::size_t r = 0; r < cells.rows(); ++r) {
      double sum = 0;
      for (const auto name : reason_names) sum += value_at(find_column(cells, name), r);
      rows_total = std::max(rows_total, sum);
    }
    for (std::size_t r = 0; r < cells.rows(); ++r) {
      double sum = 0;
      for (const auto name : reason_names) sum += value_at(find_column(cells, name), r);
      mt.columns[0].push_text(text_at(*find_column(cells, "item"), r));
      for (std::size_t j = 0; j < 4; ++j) {
        const double v = value_at(find_column(cells, reasons[j]), r);
        mt.columns[1 + j].push(sum > 0 ? v / sum : 0.0, sum > 0 ? Cell::value : Cell::missing);
      }
    }
    s.blocks.push_back(paragraph(cat.text("quality.missing_text")));
    s.blocks.push_back(table_block(std::move(mt)));
  }
  // Coverage of each dimension: shares of the interviews in five bands.
  Table ct{"coverage", cat.text("quality.coverage_table"), {}, 1, 0};
  ct.add("dimension", Kind::text);
  const char* bands[] = {"below_25", "25_to_50", "50_to_75", "75_to_100", "all"};
  for (const char* b : bands) ct.add(b, Kind::number, 3);
  bool any = false;
  for (std::size_t sc = 0; sc < t.scores().size(); ++sc) {
    if (t.scores()[sc] == "composite") continue;
    const auto& cov = t.coverage(sc);
    std::array<double, 5> n{};
    double total = 0;
    for (const double c : cov) {
      if (std::isnan(c)) continue;
      total += 1;
      n[c >= 1 ? 4 : c >= 0.75 ? 3 : c >= 0.5 ? 2 : c >= 0.25 ? 1 : 0] += 1;
    }
    if (total == 0) continue;
    any = true;
    ct.columns[0].push_text(score_word(cat, t.scores()[sc]));
    for (std::size_t b = 0; b < 5; ++b) ct.columns[1 + b].push(n[b] / total);
  }
  if (any) {
    s.blocks.push_back(paragraph(
        cat.text("quality.coverage_text",
                 {{"share", cat.number(number_text(100 * x.in.ins.coverage_min_share))}})));
    s.blocks.push_back(table_block(std::move(ct)));
  }
  return s;
}

Section change(const Context& x) {
  const Catalog& cat = x.cat;
  Section s{"change", cat.text("change.title"), {}};
  PanelRequest pr;
  pr.id_column = x.req.returnee_id;
  pr.round_column = x.req.round;
  pr.weight = x.req.weight;
  pr.date_column.clear();
  pr.return_date_column.clear();
  pr.status = x.in.scores->has_status();
  pr.min_cell = x.req.min_cell;
  pr.level = x.req.level;
  if (x.in.ins.thresholds)
    for (const auto& c : x.in.ins.thresholds->categories) pr.categories.push_back(c.label);
  pr.check();
  const Report rep = panel(*x.in.scores, pr, x.search);
  s.blocks.push_back(
      paragraph(cat.text("change.text", {{"level", number_text(100 * x.req.level)}})));
  for (const char* name : {"changes", "transitions", "attrition"}) {
    if (!rep.has_table(name)) continue;
    Table t = rep.table(name);
    t.title = cat.text(std::string("change.") + name);
    if (std::string(name) == "changes") {
      // The chart: mean change of each score between the pairs of rounds, with intervals.
      const Column* var = find_column(t, "variable");
      const Column* from = find_column(t, "from");
      const Column* to = find_column(t, "to");
      Chart ch;
      ch.title = cat.text("change.chart");
      ch.description = cat.text("chart.change_alt");
      double extent = 0.1;
      for (std::size_t r = 0; var && from && to && r < t.rows(); ++r) {
        const double m = value_at(find_column(t, "mean_change"), r);
        if (std::isnan(m)) continue;
        ch.labels.push_back(score_word(cat, text_at(*var, r)) + " " + text_at(*from, r) + "→" +
                            text_at(*to, r));
        ch.value.push_back(m);
        ch.lo.push_back(value_at(find_column(t, "lo"), r));
        ch.hi.push_back(value_at(find_column(t, "hi"), r));
        for (const double v : {m, ch.lo.back(), ch.hi.back()})
          if (!std::isnan(v)) extent = std::max(extent, std::abs(v));
      }
      extent = std::min(1.0, std::ceil(extent * 10) / 10);
      ch.axis_min = -extent;
      ch.axis_max = extent;
      ch.reference = 0;
      if (!ch.labels.empty()) s.blocks.push_back(chart_block(std::move(ch)));
    }
    s.blocks.push_back(table_block(std::move(t)));
  }
  for (const auto& n : rep.notes) s.blocks.push_back(note(n.text));
  return s;
}

// The integrated picture per country: the file `integrate --country-out` wrote, read as it
// is (its numbers are integrate's; a suppressed country is left out here too).
Section levels_section(const Context& x) {
  const Catalog& cat = x.cat;
  Section s{"levels", cat.text("levels.title"), {}};
  io::OpenOptions open;
  auto reader = io::open_table(x.req.levels, open);
  const std::vector<std::string> header = reader->header();
  const auto index = [&](const std::string& name) -> std::size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? static_cast<std::size_t>(-1)
                              : static_cast<std::size_t>(it - header.begin());
  };
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  const char* levels[] = {"individual", "community", "structural"};
  const auto& dims = x.in.ins.dimensions;
  const std::string key = "country";
  const std::size_t key_col = index(key), sup_col = index("suppressed");
  if (key_col == none)
    throw input_error(
        "missing_column",
        "the levels file has no column '" + key + "' (give the file of integrate --country-out)", 1,
        key);
  std::vector<std::vector<std::size_t>> cols(3, std::vector<std::size_t>(dims.size(), none));
  for (std::size_t l = 0; l < 3; ++l)
    for (std::size_t d = 0; d < dims.size(); ++d) {
      cols[l][d] = index(dims[d] + "_" + levels[l]);
      if (cols[l][d] == none)
        throw input_error(
            "missing_column",
            "the levels file has no column (give the file of integrate --country-out)", 1,
            dims[d] + "_" + levels[l]);
    }
  Table t{"levels", cat.text("levels.table"), {}, 2, 0};
  t.add(key, Kind::text);
  t.add("level", Kind::text);
  for (const auto& d : dims) t.add(d, Kind::number, 3);
  io::RecordBatch batch;
  std::size_t hidden = 0;
  while (reader->next(batch, 4096)) {
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      const auto row = batch.row(r);
      if (row.size() != header.size())
        throw input_error("ragged_row", "the field count differs from the header's",
                          batch.record[r], "");
      if (sup_col != none && row[sup_col] == "true") {
        ++hidden;
        continue;
      }
      for (std::size_t l = 0; l < 3; ++l) {
        t.columns[0].push_text(std::string(row[key_col]));
        t.columns[1].push_text(cat.text(std::string("levels.") + levels[l]));
        for (std::size_t d = 0; d < dims.size(); ++d) {
          const std::string_view cell = row[cols[l][d]];
          double v = 0;
          if (cell.empty()) {
            t.columns[2 + d].push(0, Cell::missing);
          } else if (detail::parse_decimal(cell, v) == detail::Decimal::number) {
            t.columns[2 + d].push(v);
          } else {
            throw input_error("not_a_number", "is not a number", batch.record[r],
                              dims[d] + "_" + levels[l]);
          }
        }
      }
    }
  }
  s.blocks.push_back(paragraph(cat.text("levels.text")));
  if (hidden)
    s.blocks.push_back(note(cat.text("levels.hidden", {{"count", std::to_string(hidden)}})));
  s.blocks.push_back(table_block(std::move(t)));
  return s;
}

Section reliability_section(const Context& x) {
  const Catalog& cat = x.cat;
  Section s{"reliability", cat.text("reliability.title"), {}};
  s.blocks.push_back(paragraph(cat.text("reliability.text")));
  Table t = x.in.reliability.table("dimensions");
  t.title = cat.text("reliability.table");
  s.blocks.push_back(table_block(std::move(t)));
  return s;
}

Section methods(const Context& x, const std::string& command) {
  const Catalog& cat = x.cat;
  Section s{"methods", cat.text("methods.title"), {}};
  const auto& ins = x.in.ins;
  s.blocks.push_back(paragraph(cat.text("methods.scores")));
  s.blocks.push_back(paragraph(cat.text(
      "methods.coverage", {{"share", cat.number(number_text(100 * ins.coverage_min_share))}})));
  if (ins.thresholds) {
    std::string cats;
    for (const auto& c : ins.thresholds->categories)
      cats += (cats.empty() ? "" : ", ") + c.label + " ≥ " + cat.number(number_text(c.min));
    s.blocks.push_back(paragraph(cat.text("methods.thresholds", {{"categories", cats}})));
  }
  const Table& d = x.overall.table("design");
  const auto dtext = [&](const char* name) {
    const Column* c = find_column(d, name);
    return c && d.rows() ? text_at(*c, 0) : std::string();
  };
  s.blocks.push_back(paragraph(
      cat.text("methods.design",
               {{"weight", x.req.weight.empty() ? cat.text("methods.none") : x.req.weight},
                {"strata", x.req.strata.empty() ? cat.text("methods.none") : x.req.strata},
                {"cluster", x.req.cluster.empty() ? cat.text("methods.none") : x.req.cluster},
                {"psus", dtext("psus")},
                {"df", dtext("df")},
                {"level", number_text(100 * x.req.level)}})));
  if (const std::string method = dtext("share_interval"); !method.empty())
    s.blocks.push_back(paragraph(cat.text("methods.shares", {{"method", method}})));
  s.blocks.push_back(
      paragraph(cat.text("methods.suppression", {{"min_cell", std::to_string(x.req.min_cell)}})));
  const WeightSet& w = ins.weights();
  s.blocks.push_back(paragraph(
      cat.text("methods.weights",
               {{"name", w.name},
                {"source", w.source},
                {"citation", w.citation.empty() ? "-" : w.citation},
                {"provisional", cat.text(w.provisional ? "methods.yes" : "methods.no")}})));
  s.blocks.push_back(
      paragraph(cat.text("methods.software", {{"version", REINSCORE_VERSION_STRING}})));
  s.blocks.push_back(paragraph(cat.text("methods.command")));
  Block code = note(command);
  code.kind = Block::Kind::paragraph;
  code.text = "$ " + command;
  code.table.name = "code";  // marks the paragraph as code for the renderer
  s.blocks.push_back(std::move(code));
  if (cat.provisional()) s.blocks.push_back(note(cat.text("methods.translation")));
  return s;
}

bool any_provisional(const Instrument& ins) {
  return ins.provisional || ins.weights().provisional ||
         (ins.thresholds && ins.thresholds->provisional);
}

}  // namespace

Document evaluation(const std::string& path, const EvaluationRequest& request,
                    const InstrumentSearch& search) {
  request.check();
  const Catalog cat = Catalog::load(request.lang, search);
  Inputs in;
  in.name = fs::path(path).filename().string();
  io::OpenOptions open;
  open.delimiter = delimiter_option(request.input.delimiter);
  open.sheet = request.input.sheet;
  const std::vector<std::string> header = io::open_table(path, open)->header();
  in.sha256 = file_sha256(path);
  in.from_export = !is_scores_header(header);
  if (in.from_export) {
    in.ins = apply_weights(resolve_instrument(request.instrument, search), request.weights);
    read_export(path, request, in);
  } else {
    ScoresWant sw;
    sw.all_columns = true;
    for (const auto& c : kept_columns(request)) sw.columns.emplace_back(c, "");
    in.scores.emplace(read_scores(path, sw));
    std::string why;
    const std::optional<Instrument> given =
        request.instrument == "iom-rss"
            ? std::nullopt
            : std::optional(resolve_instrument(request.instrument, search));
    auto found = instrument_of(*in.scores, given, search, why);
    in.ins = found ? *found : resolve_instrument(request.instrument, search);
  }

  Context x{request, search, cat, in, threshold_of(in.ins), {}, {}};
  for (const auto& sc : in.scores->scores())
    if (sc == "composite")
      x.scores.insert(x.scores.begin(), sc);
    else
      x.scores.push_back(sc);
  x.overall = summarize(*in.scores, summary_request(x, {}), search);

  Document doc;
  doc.lang = request.lang;
  doc.title = request.title.empty() ? cat.text("report.title") : request.title;
  for (const auto& key : cat.keys())
    if (key.rfind("col.", 0) == 0) doc.headers[key.substr(4)] = cat.text(key);
  if (any_provisional(in.ins)) doc.banners.push_back(cat.text("banner.provisional"));
  if (is_synthetic_sample(in.sha256)) doc.banners.push_back(cat.text("banner.synthetic"));
  doc.sections.push_back(cover(x, doc));
  doc.sections.push_back(key_figures(x));
  for (const auto& b : request.by) doc.sections.push_back(by_group(x, b));
  doc.sections.push_back(case_management(x));
  doc.sections.push_back(data_quality(x));
  if (!request.returnee_id.empty()) doc.sections.push_back(change(x));
  if (in.from_export) doc.sections.push_back(reliability_section(x));
  if (!request.levels.empty()) doc.sections.push_back(levels_section(x));
  doc.sections.push_back(methods(x, request.command_line(in.name)));
  return doc;
}

}  // namespace reinscore::app
