// app::evaluation and app::render_html (include/reinscore/app/evaluation.hpp): the
// evaluators' report on the bundled sample, its catalogs, its rules (no identifier, no
// request, suppression, determinism) and its numbers against summarize's.
#include <reinscore/app/evaluation.hpp>
#include <reinscore/app/render.hpp>
#include <reinscore/app/summarize.hpp>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <regex>
#include <set>
#include <string>

using namespace reinscore;
using namespace reinscore::app;

namespace {

const std::string sample = REINSCORE_DATA_DIR "/examples/rss_sample.csv";

InstrumentSearch search() { return InstrumentSearch{{REINSCORE_DATA_DIR "/instruments"}}; }

EvaluationRequest panel_request() {
  EvaluationRequest r;
  r.by = {"country"};
  r.returnee_id = "returnee_id";
  r.round = "round";
  return r;
}

const Document& sample_document() {
  static const Document doc = evaluation(sample, panel_request(), search());
  return doc;
}

const Table& table_named(const Document& d, const std::string& name) {
  for (const Table* t : d.tables())
    if (t->name == name) return *t;
  throw std::out_of_range("no table " + name);
}

}  // namespace

TEST(Catalog, EveryLanguageHasEveryKeyAndTheSamePlaceholders) {
  const auto en = Catalog::load("en", search());
  EXPECT_FALSE(en.provisional());
  const std::regex mark(R"(\{[a-z_]+\})");
  for (const char* lang : {"fr", "pt"}) {
    const auto c = Catalog::load(lang, search());
    EXPECT_TRUE(c.provisional()) << lang << ": translations are provisional until reviewed";
    EXPECT_EQ(c.keys(), en.keys()) << lang;
    for (const auto& k : en.keys()) {
      std::set<std::string> a, b;
      const std::string ta = en.text(k), tb = c.text(k);
      for (std::sregex_iterator i(ta.begin(), ta.end(), mark), e; i != e; ++i) a.insert(i->str());
      for (std::sregex_iterator i(tb.begin(), tb.end(), mark), e; i != e; ++i) b.insert(i->str());
      EXPECT_EQ(a, b) << lang << " " << k;
    }
  }
  EXPECT_THROW(Catalog::load("de", search()), option_error);
}

TEST(Catalog, FillsPlaceholdersAndWritesNumbersPerLanguage) {
  const auto c = Catalog::parse("fr", R"({"a": "{n} sur {n}, {m}", "_reviewed": true})");
  EXPECT_EQ(c.text("a", {{"n", "3"}, {"m", "{n}"}}), "3 sur 3, {n}");
  EXPECT_FALSE(c.provisional());
  EXPECT_EQ(c.number("0.25"), "0,25");
  EXPECT_EQ(Catalog::parse("en", "{}").number("0.25"), "0.25");
  EXPECT_THROW((void)c.text("missing"), std::logic_error);
  EXPECT_THROW(Catalog::parse("en", "[1]"), std::invalid_argument);
  EXPECT_THROW(Catalog::parse("en", R"({"a": 1})"), std::invalid_argument);
}

TEST(EvaluationRequest, ChecksNameTheOption) {
  const auto option_of = [](auto change) {
    EvaluationRequest r;
    change(r);
    try {
      r.check();
    } catch (const option_error& e) {
      return e.option();
    }
    return std::string();
  };
  EXPECT_EQ(option_of([](auto& r) { r.lang = "de"; }), "--lang");
  EXPECT_EQ(option_of([](auto& r) { r.min_cell = -1; }), "--min-cell");
  EXPECT_EQ(option_of([](auto& r) { r.level = 1; }), "--level");
  EXPECT_EQ(option_of([](auto& r) { r.round = "round"; }), "--round");
  EXPECT_EQ(option_of([](auto& r) { r.returnee_id = "id"; }), "--returnee-id");
  EXPECT_EQ(option_of([](auto& r) { r.date = "6 Dec 2026"; }), "--date");
  EXPECT_EQ(option_of([](auto& r) { r.by = {"a", "a"}; }), "--by");
  EXPECT_EQ(option_of([](auto&) {}), "");
}

TEST(EvaluationRequest, CommandLineQuotesWhatTheShellWouldSplit) {
  EvaluationRequest r;
  r.by = {"country"};
  r.title = "Donor's report";
  r.lang = "fr";
  EXPECT_EQ(r.command_line("my export.csv"),
            "reinscore report 'my export.csv' --by country --title 'Donor'\\''s report' --lang fr "
            "-o report.html");
}

TEST(Evaluation, SectionsOfAnExportWithAPanel) {
  const Document& d = sample_document();
  std::vector<std::string> ids;
  for (const auto& s : d.sections) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"cover", "key-figures", "by-country", "case-management",
                                           "data-quality", "change", "reliability", "methods"}));
  // The bundled sample is synthetic, and the shipped instrument provisional.
  ASSERT_EQ(d.banners.size(), 2u);
  EXPECT_NE(d.banners[0].find("PROVISIONAL"), std::string::npos);
  EXPECT_NE(d.banners[1].find("SYNTHETIC"), std::string::npos);
}

// The key figures against summarize's own output: tests/parity/test_report.py.
TEST(Evaluation, KeyFiguresCountEveryInterviewAndHoldTheirIntervals) {
  const Table& means = table_named(sample_document(), "means");
  const Table& status = table_named(sample_document(), "status");
  EXPECT_EQ(status.columns[1].values[0] + status.columns[1].values[1] +
                status.columns[1].values[2] + status.columns[1].values[3],
            5256);
  EXPECT_EQ(status.columns[1].values[3], 10);  // the sample's invalid interviews
  // The composite's mean is the mean of the composite over the scored interviews: its
  // interval contains it and is narrow for 5,246 interviews.
  EXPECT_EQ(means.columns[0].text[0], "composite");
  const double m = means.columns[1].values[0], lo = means.columns[2].values[0],
               hi = means.columns[3].values[0];
  EXPECT_LT(lo, m);
  EXPECT_GT(hi, m);
  EXPECT_LT(hi - lo, 0.02);
  EXPECT_NEAR((lo + hi) / 2, m, 1e-12);  // a t-interval is symmetric
}

TEST(Evaluation, HtmlIsSelfContainedDeterministicAndHasNoIdentifier) {
  const Document& d = sample_document();
  const std::string html = render_html(d);
  EXPECT_EQ(html, render_html(evaluation(sample, panel_request(), search())));
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // The only URL is the SVG namespace, which is never fetched.
  const std::regex url(R"(https?://[^"' <]+)");
  for (std::sregex_iterator i(html.begin(), html.end(), url), e; i != e; ++i)
    EXPECT_EQ(i->str(), "http://www.w3.org/2000/svg");
  // Returnee and interview identifiers of the sample look like R00001 and I000001.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\bR\d{5}\b|\bI\d{6}\b)")));
  // Every chart has a text alternative.
  std::size_t svgs = 0, descs = 0;
  for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
    ++svgs;
  for (std::size_t at = html.find("<desc"); at != std::string::npos;
       at = html.find("<desc", at + 1))
    ++descs;
  EXPECT_GT(svgs, 4u);
  EXPECT_EQ(svgs, descs);
}

TEST(Evaluation, AGroupBelowMinCellAppearsNowhere) {
  // LSO has 575 interviews in the sample, the other countries more than 850.
  EvaluationRequest r;
  r.by = {"country"};
  r.min_cell = 600;
  const Document d = evaluation(sample, r, search());
  const std::string html = render_html(d);
  EXPECT_EQ(html.find("LSO"), std::string::npos);
  for (const Table* t : d.tables())
    EXPECT_EQ(render(*t, Format::csv).find("LSO"), std::string::npos) << t->name;
  EXPECT_NE(html.find("ZWE"), std::string::npos);
}

TEST(Evaluation, LanguagesChangeWordsNotNumbers) {
  EvaluationRequest r;
  r.by = {"country"};
  const Document en = evaluation(sample, r, search());
  r.lang = "fr";
  const Document fr = evaluation(sample, r, search());
  EXPECT_EQ(fr.lang, "fr");
  EXPECT_NE(en.title, fr.title);
  const auto te = en.tables(), tf = fr.tables();
  ASSERT_EQ(te.size(), tf.size());
  for (std::size_t i = 0; i < te.size(); ++i) {
    ASSERT_EQ(te[i]->columns.size(), tf[i]->columns.size());
    for (std::size_t j = 0; j < te[i]->columns.size(); ++j)
      if (te[i]->columns[j].kind != Kind::text) {
        EXPECT_EQ(te[i]->columns[j].values, tf[i]->columns[j].values) << te[i]->name;
      }
  }
  const std::string html = render_html(fr);
  EXPECT_NE(html.find("lang=\"fr\""), std::string::npos);
  EXPECT_NE(html.find("Chiffres clés"), std::string::npos);
  EXPECT_TRUE(std::regex_search(html, std::regex(R"(<td class="n">0,\d{3}</td>)")));
}
