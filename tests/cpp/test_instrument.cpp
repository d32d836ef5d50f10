// Tests of include/reinscore/instrument.hpp: one test per validation rule (each starts
// from the valid mini instrument, breaks one thing and checks the JSON path and message),
// the shipped RSS instrument, serialisation round trips, the content hash, tag() and
// with_weights().
#include <reinscore/reinscore.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace reinscore;
namespace json = boost::json;

namespace {

const std::string mini_path = REINSCORE_TEST_DATA_DIR "/instruments/mini.json";
const std::string rss_path = REINSCORE_DATA_DIR "/instruments/iom-rss.json";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::value mini_doc() { return detail::parse_text(read_text(mini_path), "mini.json"); }
json::value rss_doc() { return detail::parse_text(read_text(rss_path), "iom-rss.json"); }

// A file in the test's temporary directory holding `text`; returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("reinscore_test_instrument_" + name))
          .string();
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

// from_json(doc) must throw instrument_error at `path` whose message contains `phrase`.
::testing::AssertionResult RejectedAt(const json::value& doc, const std::string& path,
                                      const std::string& phrase) {
  try {
    (void)Instrument::from_json(doc);
  } catch (const instrument_error& e) {
    const std::string what = e.what();
    if (e.path() != path)
      return ::testing::AssertionFailure()
             << "path() is '" << e.path() << "', expected '" << path << "' (" << what << ")";
    if (what.find(phrase) == std::string::npos)
      return ::testing::AssertionFailure()
             << "message '" << what << "' does not contain '" << phrase << "'";
    if (!path.empty() && what.rfind(path + ": ", 0) != 0)
      return ::testing::AssertionFailure()
             << "message '" << what << "' does not start with the path";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw something else: " << e.what();
  }
  return ::testing::AssertionFailure() << "accepted the document";
}

json::object& obj(json::value& doc, std::string_view pointer) {
  return doc.at_pointer(pointer).as_object();
}

// The same document with every object's keys in reverse order (arrays keep their order).
json::value reverse_keys(const json::value& v) {
  if (v.is_object()) {
    const auto& o = v.get_object();
    std::vector<const json::key_value_pair*> kvs;
    for (const auto& kv : o) kvs.push_back(&kv);
    json::object out;
    for (auto it = kvs.rbegin(); it != kvs.rend(); ++it)
      out[(*it)->key()] = reverse_keys((*it)->value());
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& e : v.get_array()) out.push_back(reverse_keys(e));
    return out;
  }
  return v;
}

}  // namespace

// ---- The valid starting point ----------------------------------------------------------

TEST(Instrument, MiniIsValidAndOptionalKeysTakeTheirDefaults) {
  const Instrument ins = Instrument::from_json(mini_doc());
  EXPECT_EQ("mini", ins.id);
  EXPECT_EQ("1", ins.version);
  EXPECT_EQ(7u, ins.items.size());
  EXPECT_EQ((std::vector<std::string>{"econ", "soc", "psy"}), ins.dimensions);
  EXPECT_EQ("e1", ins.items[0].column);  // column defaults to the id
  EXPECT_TRUE(ins.items[0].aliases.empty());
  EXPECT_TRUE(ins.items[0].level.empty());
  EXPECT_FALSE(ins.items[0].reverse);
  EXPECT_TRUE(ins.items[1].reverse);
  EXPECT_EQ("items", ins.default_weights);
  EXPECT_EQ(ScaleType::numeric, ins.scale_of(ins.items[2]).type);
  EXPECT_DOUBLE_EQ(10.0, ins.scale_of(ins.items[2]).max);
  ASSERT_TRUE(ins.thresholds.has_value());
  EXPECT_FALSE(ins.thresholds->provisional);

  // Without the optional keys: level individual, coverage 0.5, no thresholds, and the
  // first weight set as default.
  json::value doc = mini_doc();
  auto& o = doc.as_object();
  for (const char* k :
       {"title", "level", "provisional", "coverage", "thresholds", "default_weights"})
    o.erase(k);
  const Instrument bare = Instrument::from_json(doc);
  EXPECT_EQ("individual", bare.level);
  EXPECT_FALSE(bare.provisional);
  EXPECT_DOUBLE_EQ(0.5, bare.coverage_min_share);
  EXPECT_FALSE(bare.thresholds.has_value());
  EXPECT_EQ("items", bare.default_weights);
  EXPECT_EQ("items", bare.weights().name);
}

// ---- Document-level helpers (detail/json.hpp) -------------------------------------------

TEST(InstrumentValidation, InvalidJsonSyntaxReportsLineAndColumn) {
  try {
    (void)Instrument::parse("{\n  \"format\": \"reinscore-instrument/1\"\n  \"id\": \"x\"\n}",
                            "broken.json");
    FAIL() << "accepted broken JSON";
  } catch (const instrument_error& e) {
    EXPECT_EQ("", e.path());
    EXPECT_EQ("broken.json: invalid JSON at line 3, column 3 (syntax error)",
              std::string(e.what()));
  }
  try {
    (void)Instrument::parse("{\"id\": [1,\n", "cut.json");
    FAIL() << "accepted truncated JSON";
  } catch (const instrument_error& e) {
    EXPECT_NE(std::string::npos, std::string(e.what()).find("cut.json: invalid JSON at line 2"))
        << e.what();
  }
}

TEST(InstrumentValidation, DocumentMustBeAnObject) {
  EXPECT_TRUE(RejectedAt(json::array{1, 2}, "", "expected an object, found an array"));
}

TEST(InstrumentValidation, UnknownKeysAreRejectedAtEveryLevel) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "colour"},
      {"/scales/lik3", "scales.lik3.colour"},
      {"/scales/lik3/codes/1", "scales.lik3.codes[1].colour"},
      {"/scales/lik3/missing/2", "scales.lik3.missing[2].colour"},
      {"/scales/count", "scales.count.colour"},
      {"/items/4", "items[4].colour"},
      {"/coverage", "coverage.colour"},
      {"/thresholds", "thresholds.colour"},
      {"/thresholds/categories/1", "thresholds.categories[1].colour"},
      {"/weight_sets/items", "weight_sets.items.colour"},
      {"/weight_sets/dims/composite", "weight_sets.dims.composite.colour"},
      {"/weight_sets/items/items/s2", "weight_sets.items.items.s2.colour"},
  };
  for (const auto& [pointer, path] : cases) {
    SCOPED_TRACE(path);
    json::value doc = mini_doc();
    obj(doc, pointer)["colour"] = "blue";
    EXPECT_TRUE(RejectedAt(doc, path, "unknown key"));
  }
  // A misspelt optional key is not ignored.
  json::value doc = mini_doc();
  obj(doc, "/items/1")["reversed"] = true;
  EXPECT_TRUE(RejectedAt(doc, "items[1].reversed", "unknown key"));
}

TEST(InstrumentValidation, RequiredKeysMustBePresent) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "format"},
      {"", "id"},
      {"", "version"},
      {"", "dimensions"},
      {"", "scales"},
      {"", "items"},
      {"", "weight_sets"},
      {"/scales/yn", "type"},
      {"/scales/lik3/codes/0", "code"},
      {"/scales/lik3/codes/2", "value"},
      {"/scales/lik3/missing/1", "code"},
      {"/scales/lik3/missing/1", "meaning"},
      {"/scales/count", "min"},
      {"/scales/count", "max"},
      {"/items/3", "id"},
      {"/items/3", "dimension"},
      {"/items/3", "scale"},
      {"/coverage", "min_share"},
      {"/thresholds", "categories"},
      {"/thresholds/categories/2", "label"},
      {"/thresholds/categories/2", "min"},
      {"/weight_sets/items", "composite"},
      {"/weight_sets/items", "items"},
      {"/weight_sets/items/composite", "mode"},
      {"/weight_sets/dims/composite", "weights"},
      {"/weight_sets/dims/items/p1", "dimension"},
  };
  const auto dotted = [](const std::string& pointer) {
    // "/scales/lik3/codes/0" -> "scales.lik3.codes[0]"
    std::string out;
    std::stringstream ss(pointer);
    std::string part;
    while (std::getline(ss, part, '/')) {
      if (part.empty()) continue;
      if (std::isdigit(static_cast<unsigned char>(part[0])))
        out += "[" + part + "]";
      else
        out += (out.empty() ? "" : ".") + part;
    }
    return out;
  };
  for (const auto& [pointer, key] : cases) {
    const std::string path = detail::join_path(dotted(pointer), key);
    SCOPED_TRACE(path);
    json::value doc = mini_doc();
    ASSERT_EQ(1u, obj(doc, pointer).erase(key));
    EXPECT_TRUE(RejectedAt(doc, path, "required key is missing"));
  }
}

TEST(InstrumentValidation, ValuesMustHaveTheRightType) {
  struct Case {
    std::string pointer, path;
    json::value bad;
    std::string phrase;
  };
  const std::vector<Case> cases = {
      {"/id", "id", 7, "expected a string, found a number"},
      {"/dimensions", "dimensions", "econ", "expected an array, found a string"},
      {"/dimensions/1", "dimensions[1]", nullptr, "expected a string, found null"},
      {"/scales", "scales", json::array{}, "expected an object, found an array"},
      {"/scales/lik3/codes/1/value", "scales.lik3.codes[1].value", "0.5",
       "expected a number, found a string"},
      {"/scales/lik3/codes/1/value", "scales.lik3.codes[1].value",
       std::numeric_limits<double>::infinity(), "expected a finite number"},
      {"/scales/lik3/codes/1/numeric", "scales.lik3.codes[1].numeric", 2.5,
       "expected an integer, found a number"},
      {"/scales/lik3/codes/1/label", "scales.lik3.codes[1].label", true,
       "expected a string, found a boolean"},
      {"/items/1/reverse", "items[1].reverse", "yes", "expected true or false, found a string"},
      {"/items/0", "items[0]", "e1", "expected an object, found a string"},
      {"/provisional", "provisional", 1, "expected true or false, found a number"},
      {"/coverage/min_share", "coverage.min_share", "half", "expected a number"},
      {"/weight_sets/items/items/e1/dimension", "weight_sets.items.items.e1.dimension",
       json::object{}, "expected a number, found an object"},
      {"/weight_sets/dims/composite/weights/soc", "weight_sets.dims.composite.weights.soc", "1",
       "expected a number, found a string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    json::value doc = mini_doc();
    doc.at_pointer(c.pointer) = c.bad;
    EXPECT_TRUE(RejectedAt(doc, c.path, c.phrase));
  }
  // A numeric code written as 2.0 is an integer.
  json::value doc = mini_doc();
  doc.at_pointer("/scales/lik3/codes/1/numeric") = 2.0;
  EXPECT_EQ(2, *Instrument::from_json(doc).scales[0].codes[1].numeric);
}

// ---- Top-level rules -------------------------------------------------------------------

TEST(InstrumentValidation, FormatMustBeSupported) {
  json::value doc = mini_doc();
  doc.at_pointer("/format") = "reinscore-instrument/2";
  EXPECT_TRUE(RejectedAt(doc, "format", "unsupported format \"reinscore-instrument/2\""));
}

TEST(InstrumentValidation, IdMustNotBeEmpty) {
  json::value doc = mini_doc();
  doc.at_pointer("/id") = "";
  EXPECT_TRUE(RejectedAt(doc, "id", "must not be empty"));
}

TEST(InstrumentValidation, VersionMustNotBeEmpty) {
  json::value doc = mini_doc();
  doc.at_pointer("/version") = "";
  EXPECT_TRUE(RejectedAt(doc, "version", "must not be empty"));
}

TEST(InstrumentValidation, LevelMustBeKnown) {
  json::value doc = mini_doc();
  doc.at_pointer("/level") = "national";
  EXPECT_TRUE(RejectedAt(doc, "level", "unknown level \"national\""));
  for (const char* ok : {"individual", "community", "structural"}) {
    doc.at_pointer("/level") = ok;
    EXPECT_EQ(ok, Instrument::from_json(doc).level);
  }
}

TEST(InstrumentValidation, AtLeastOneDimension) {
  json::value doc = mini_doc();
  doc.at_pointer("/dimensions") = json::array{};
  EXPECT_TRUE(RejectedAt(doc, "dimensions", "at least one dimension is needed"));
}

TEST(InstrumentValidation, DimensionNamesUniqueAndNonEmpty) {
  json::value doc = mini_doc();
  doc.at_pointer("/dimensions/2") = "econ";
  EXPECT_TRUE(RejectedAt(doc, "dimensions[2]", "dimension names must be unique and non-empty"));
  doc = mini_doc();
  doc.at_pointer("/dimensions/1") = "";
  EXPECT_TRUE(RejectedAt(doc, "dimensions[1]", "dimension names must be unique and non-empty"));
}

TEST(InstrumentValidation, EveryDimensionNeedsAnItem) {
  json::value doc = mini_doc();
  doc.at_pointer("/dimensions").as_array().emplace_back("civic");
  EXPECT_TRUE(RejectedAt(doc, "dimensions[3]", "dimension \"civic\" has no items"));
}

// ---- Scales ----------------------------------------------------------------------------

TEST(InstrumentValidation, ScaleTypeMustBeKnown) {
  json::value doc = mini_doc();
  doc.at_pointer("/scales/lik3/type") = "ordinal";
  EXPECT_TRUE(RejectedAt(doc, "scales.lik3.type",
                         "unknown scale type \"ordinal\" (expected categorical or numeric)"));
}

TEST(InstrumentValidation, CodeValueMustLieInTheUnitInterval) {
  for (const double bad : {1.5, -0.1}) {
    json::value doc = mini_doc();
    doc.at_pointer("/scales/lik3/codes/2/value") = bad;
    EXPECT_TRUE(RejectedAt(doc, "scales.lik3.codes[2].value", "value must lie in [0, 1]")) << bad;
  }
}

TEST(InstrumentValidation, MissingMeaningMustBeKnown) {
  json::value doc = mini_doc();
  doc.at_pointer("/scales/lik3/missing/1/meaning") = "no_answer";
  EXPECT_TRUE(RejectedAt(doc, "scales.lik3.missing[1].meaning",
                         "unknown missing meaning \"no_answer\" (expected dont_know, refused, "
                         "not_applicable or skipped)"));
  doc.at_pointer("/scales/lik3/missing/1/meaning") = "skipped";
  EXPECT_EQ(Reason::skipped, Instrument::from_json(doc).scales[0].missing[1].meaning);
}

TEST(InstrumentValidation, CategoricalScaleNeedsCodes) {
  json::value doc = mini_doc();
  doc.at_pointer("/scales/yn/codes") = json::array{};
  EXPECT_TRUE(RejectedAt(doc, "scales.yn.codes", "a categorical scale needs at least one code"));
  obj(doc, "/scales/yn").erase("codes");
  EXPECT_TRUE(RejectedAt(doc, "scales.yn.codes", "a categorical scale needs at least one code"));
}

TEST(InstrumentValidation, MinAndMaxOnlyOnNumericScales) {
  json::value doc = mini_doc();
  obj(doc, "/scales/yn")["max"] = 1;
  EXPECT_TRUE(RejectedAt(doc, "scales.yn", "min and max apply to numeric scales only"));
}

TEST(InstrumentValidation, NumericScaleTakesNoCodes) {
  json::value doc = mini_doc();
  obj(doc, "/scales/count")["codes"] = json::array{json::object{{"code", "none"}, {"value", 0}}};
  EXPECT_TRUE(RejectedAt(doc, "scales.count.codes",
                         "a numeric scale takes no answer codes (use min and max)"));
}

TEST(InstrumentValidation, NumericScaleMaxAboveMin) {
  json::value doc = mini_doc();
  doc.at_pointer("/scales/count/max") = 0;
  EXPECT_TRUE(RejectedAt(doc, "scales.count.max", "max must be greater than min"));
  doc.at_pointer("/scales/count/max") = -3;
  EXPECT_TRUE(RejectedAt(doc, "scales.count.max", "max must be greater than min"));
}

// Coding divides by max - min: a range that overflows a double is refused on loading.
TEST(InstrumentValidation, NumericScaleRangeMustBeFinite) {
  json::value doc = mini_doc();
  doc.at_pointer("/scales/count/min") = -1.7e308;
  doc.at_pointer("/scales/count/max") = 1.7e308;
  EXPECT_TRUE(RejectedAt(doc, "scales.count.max", "max - min must be a finite number"));
  doc.at_pointer("/scales/count/min") = 1e3;      // a wide but finite range is fine (the
  doc.at_pointer("/scales/count/max") = 1.7e308;  // missing codes lie below it)
  EXPECT_NO_THROW((void)Instrument::from_json(doc));
}

// Scores divide by sums of weights: finite weights whose sum overflows are refused.
TEST(InstrumentValidation, WeightSumsMustBeFinite) {
  json::value doc = mini_doc();
  for (auto& kv : obj(doc, "/weight_sets/items/items"))
    kv.value().as_object()["dimension"] = 1.7e308;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items", "add up to more than a double"));
  doc = mini_doc();
  for (auto& kv : obj(doc, "/weight_sets/items/items"))
    kv.value().as_object()["composite"] = 1.7e308;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items", "composite weights add up to more"));
  doc = mini_doc();
  doc.at_pointer("/weight_sets/dims/composite/weights/econ") = 1.7e308;
  doc.at_pointer("/weight_sets/dims/composite/weights/soc") = 1.7e308;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.dims.composite.weights", "add up to more"));
}

// Loading must stay near-linear in the size of the file: 20,000 items (one scale each)
// used to take quadratic time in the duplicate checks.
TEST(InstrumentValidation, ManyItemsLoadInNearLinearTime) {
  json::value doc = mini_doc();
  json::array items;
  json::object scales, weights;
  for (int i = 0; i < 20000; ++i) {
    // Built with += : gcc 12 warns wrongly (-Wrestrict) on "i" + std::to_string(i).
    const std::string num = std::to_string(i);
    std::string id = "i", scale = "s";
    id += num;
    scale += num;
    json::object item;
    item["id"] = id;
    item["dimension"] = i % 3 == 0 ? "econ" : i % 3 == 1 ? "soc" : "psy";
    item["scale"] = scale;
    items.push_back(std::move(item));
    scales[scale] = json::object{{"type", "numeric"}, {"min", 0}, {"max", 1}};
    weights[id] = json::object{{"dimension", 1}};
  }
  json::object& o = doc.as_object();
  o["items"] = std::move(items);
  o["scales"] = std::move(scales);
  o.erase("thresholds");
  json::object dims;
  dims["econ"] = 1;
  dims["soc"] = 1;
  dims["psy"] = 1;
  json::object composite;
  composite["mode"] = "dimension";
  composite["weights"] = std::move(dims);
  json::object set;
  set["composite"] = std::move(composite);
  set["items"] = std::move(weights);
  json::object sets;
  sets["w"] = std::move(set);
  o["weight_sets"] = std::move(sets);
  o["default_weights"] = "w";
  const Instrument ins = Instrument::from_json(doc);
  EXPECT_EQ(ins.items.size(), 20000u);
  const Coder coder(ins);  // one coder per distinct scale, found through a map
  EXPECT_EQ(coder.items(), 20000u);
}

// Files are read with a size limit and never as directories.
TEST(InstrumentLoad, DirectoriesAndDevicesAreRefusedQuickly) {
  try {
    (void)Instrument::load(::testing::TempDir());
    FAIL() << "a directory was loaded";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[not_a_file]"), std::string::npos) << e.what();
  }
  if (std::filesystem::exists("/dev/zero")) {
    try {
      (void)Instrument::load("/dev/zero");
      FAIL() << "/dev/zero was loaded";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("[not_a_file]"), std::string::npos) << e.what();
    }
  }
  // A FIFO without a writer: opened without blocking and refused, never waited on.
  const std::string fifo =
      (std::filesystem::path(::testing::TempDir()) / "reinscore_fifo.json").string();
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    (void)Instrument::load(fifo);
    FAIL() << "a FIFO was loaded";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[not_a_file]"), std::string::npos) << e.what();
  }
  std::filesystem::remove(fifo);
  // A file over the limit.
  const std::string big = write_temp("big.json", std::string((16u << 20) + 1, ' '));
  try {
    (void)Instrument::load(big);
    FAIL() << "a 16 MiB + 1 file was loaded";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[file_too_large]"), std::string::npos) << e.what();
  }
  std::filesystem::remove(big);
}

TEST(InstrumentValidation, EverySpellingOfACodeMeansOneThing) {
  struct Case {
    std::string pointer;
    json::value v;
    std::string path, phrase;
  };
  const std::vector<Case> cases = {
      // Two codes with the same name.
      {"/scales/lik3/codes/1/code", "low", "scales.lik3.codes[1].code",
       "\"low\" is already used by scales.lik3.codes[0].code"},
      // Two codes with the same numeric code.
      {"/scales/lik3/codes/2/numeric", 1, "scales.lik3.codes[2].numeric",
       "\"1\" is already used by scales.lik3.codes[0].numeric"},
      // A code name that reads as another code's number.
      {"/scales/lik3/codes/0/code", "2", "scales.lik3.codes[1].numeric",
       "\"2\" is already used by scales.lik3.codes[0].code"},
      // A missing code spelt like an answer code.
      {"/scales/lik3/missing/0/code", "high", "scales.lik3.missing[0].code",
       "\"high\" is already used by scales.lik3.codes[2].code"},
      // A missing numeric code equal to an answer's numeric code.
      {"/scales/yn/missing/1/numeric", 1, "scales.yn.missing[1].numeric",
       "\"1\" is already used by scales.yn.codes[1].numeric"},
      // Two missing codes with one number.
      {"/scales/lik3/missing/2/numeric", 8, "scales.lik3.missing[2].numeric",
       "\"8\" is already used by scales.lik3.missing[0].numeric"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    json::value doc = mini_doc();
    doc.at_pointer(c.pointer) = c.v;
    EXPECT_TRUE(RejectedAt(doc, c.path, c.phrase));
  }
}

TEST(InstrumentValidation, LabelsAreUniqueWithoutCase) {
  json::value doc = mini_doc();
  doc.at_pointer("/scales/lik3/codes/1/label") = "LOW";
  // "LOW" folds to the code name "low" of another entry.
  EXPECT_TRUE(RejectedAt(doc, "scales.lik3.codes[1].label",
                         "matches the same answers as scales.lik3.codes[0]"));
  doc = mini_doc();
  doc.at_pointer("/scales/lik3/missing/1/label") = "don't KNOW";
  EXPECT_TRUE(RejectedAt(doc, "scales.lik3.missing[1].label",
                         "matches the same answers as scales.lik3.missing[0]"));
  // The same label on two different scales is fine.
  EXPECT_NO_THROW((void)Instrument::from_json(mini_doc()));
  EXPECT_EQ("Don't know", Instrument::from_json(mini_doc()).scales[1].missing[0].label);
}

// ---- Items -----------------------------------------------------------------------------

TEST(InstrumentValidation, AtLeastOneItem) {
  json::value doc = mini_doc();
  doc.at_pointer("/items") = json::array{};
  EXPECT_TRUE(RejectedAt(doc, "items", "at least one item is needed"));
}

TEST(InstrumentValidation, ItemIdMustNotBeEmpty) {
  json::value doc = mini_doc();
  doc.at_pointer("/items/0/id") = "";
  EXPECT_TRUE(RejectedAt(doc, "items[0].id", "must not be empty"));
}

TEST(InstrumentValidation, ItemIdsAreUnique) {
  json::value doc = mini_doc();
  doc.at_pointer("/items/5/id") = "s1";
  EXPECT_TRUE(RejectedAt(doc, "items[5].id", "duplicate item id \"s1\""));
}

TEST(InstrumentValidation, ItemDimensionMustExist) {
  json::value doc = mini_doc();
  doc.at_pointer("/items/3/dimension") = "social";
  EXPECT_TRUE(RejectedAt(doc, "items[3].dimension", "unknown dimension \"social\""));
}

TEST(InstrumentValidation, ItemLevelMustBeKnown) {
  json::value doc = mini_doc();
  obj(doc, "/items/6")["level"] = "household";
  EXPECT_TRUE(RejectedAt(doc, "items[6].level", "unknown level \"household\""));
  obj(doc, "/items/6")["level"] = "community";
  EXPECT_EQ("community", Instrument::from_json(doc).items[6].level);
}

TEST(InstrumentValidation, ItemScaleMustExist) {
  json::value doc = mini_doc();
  doc.at_pointer("/items/4/scale") = "lik5";
  EXPECT_TRUE(RejectedAt(doc, "items[4].scale", "unknown scale \"lik5\""));
}

TEST(InstrumentValidation, ColumnNamesMustNotBeEmpty) {
  json::value doc = mini_doc();
  obj(doc, "/items/0")["column"] = "";
  EXPECT_TRUE(RejectedAt(doc, "items[0].column", "column names must not be empty"));
  doc = mini_doc();
  obj(doc, "/items/1")["aliases"] = json::array{"E2", ""};
  EXPECT_TRUE(RejectedAt(doc, "items[1].aliases[1]", "column names must not be empty"));
}

TEST(InstrumentValidation, ColumnNamesAndAliasesAreUnique) {
  json::value doc = mini_doc();
  obj(doc, "/items/1")["column"] = "e1";
  EXPECT_TRUE(
      RejectedAt(doc, "items[1].column", "column name \"e1\" is already used by items[0].column"));
  // An alias that is another item's (default) column.
  doc = mini_doc();
  obj(doc, "/items/2")["aliases"] = json::array{"q3", "s1"};
  EXPECT_TRUE(RejectedAt(doc, "items[3].column",
                         "column name \"s1\" is already used by items[2].aliases[1]"));
  // Aliases are kept in order.
  doc = mini_doc();
  obj(doc, "/items/2")["aliases"] = json::array{"q3", "Q3"};
  EXPECT_EQ((std::vector<std::string>{"q3", "Q3"}), Instrument::from_json(doc).items[2].aliases);
}

// ---- Coverage and thresholds -----------------------------------------------------------

TEST(InstrumentValidation, CoverageMinShareInUnitInterval) {
  for (const double bad : {1.01, -0.5}) {
    json::value doc = mini_doc();
    doc.at_pointer("/coverage/min_share") = bad;
    EXPECT_TRUE(RejectedAt(doc, "coverage.min_share", "must lie in [0, 1]")) << bad;
  }
  json::value doc = mini_doc();
  doc.at_pointer("/coverage/min_share") = 1;
  EXPECT_DOUBLE_EQ(1.0, Instrument::from_json(doc).coverage_min_share);
}

TEST(InstrumentValidation, ThresholdScoreIsCompositeOrADimension) {
  json::value doc = mini_doc();
  doc.at_pointer("/thresholds/score") = "total";
  EXPECT_TRUE(RejectedAt(doc, "thresholds.score",
                         "unknown score \"total\" (expected composite or a dimension)"));
  doc.at_pointer("/thresholds/score") = "psy";
  EXPECT_EQ("psy", Instrument::from_json(doc).thresholds->score);
}

TEST(InstrumentValidation, ThresholdsNeedACategory) {
  json::value doc = mini_doc();
  doc.at_pointer("/thresholds/categories") = json::array{};
  EXPECT_TRUE(RejectedAt(doc, "thresholds.categories", "at least one category is needed"));
}

TEST(InstrumentValidation, CategoryMinInUnitInterval) {
  json::value doc = mini_doc();
  doc.at_pointer("/thresholds/categories/2/min") = 1.2;
  EXPECT_TRUE(RejectedAt(doc, "thresholds.categories[2].min", "must lie in [0, 1]"));
}

TEST(InstrumentValidation, CategoriesStrictlyAscending) {
  json::value doc = mini_doc();
  doc.at_pointer("/thresholds/categories/2/min") = 0.4;
  EXPECT_TRUE(RejectedAt(doc, "thresholds.categories[2].min",
                         "categories must be in strictly ascending order of min"));
  doc.at_pointer("/thresholds/categories/2/min") = 0.3;
  EXPECT_TRUE(RejectedAt(doc, "thresholds.categories[2].min", "strictly ascending"));
}

TEST(InstrumentValidation, FirstCategoryStartsAtZero) {
  json::value doc = mini_doc();
  doc.at_pointer("/thresholds/categories/0/min") = 0.1;
  EXPECT_TRUE(RejectedAt(doc, "thresholds.categories[0].min",
                         "the first category must start at 0 so that every score has one"));
}

// ---- Weight sets -----------------------------------------------------------------------

TEST(InstrumentValidation, AtLeastOneWeightSet) {
  json::value doc = mini_doc();
  doc.at_pointer("/weight_sets") = json::object{};
  EXPECT_TRUE(RejectedAt(doc, "weight_sets", "at least one weight set is needed"));
}

TEST(InstrumentValidation, CompositeModeMustBeKnown) {
  json::value doc = mini_doc();
  doc.at_pointer("/weight_sets/items/composite/mode") = "mean";
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.composite.mode",
                         "unknown composite mode \"mean\" (expected item or dimension)"));
}

TEST(InstrumentValidation, ItemModeTakesNoDimensionWeights) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/items/composite")["weights"] =
      json::object{{"econ", 1}, {"soc", 1}, {"psy", 1}};
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.composite.weights",
                         "item mode takes composite weights per item, not per dimension"));
}

TEST(InstrumentValidation, CompositeWeightsNameKnownDimensions) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/dims/composite/weights")["social"] = 1;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.dims.composite.weights.social", "unknown dimension"));
}

TEST(InstrumentValidation, EveryDimensionNeedsACompositeWeight) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/dims/composite/weights").erase("psy");
  EXPECT_TRUE(
      RejectedAt(doc, "weight_sets.dims.composite.weights.psy", "dimension weight is missing"));
}

TEST(InstrumentValidation, DimensionCompositeWeightsNonNegative) {
  json::value doc = mini_doc();
  doc.at_pointer("/weight_sets/dims/composite/weights/soc") = -1;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.dims.composite.weights.soc",
                         "weight must be a finite number >= 0"));
}

TEST(InstrumentValidation, DimensionCompositeWeightsNotAllZero) {
  json::value doc = mini_doc();
  for (const char* d : {"econ", "soc", "psy"})
    obj(doc, "/weight_sets/dims/composite/weights")[d] = 0;
  EXPECT_TRUE(
      RejectedAt(doc, "weight_sets.dims.composite.weights", "dimension weights are all zero"));
  // One positive dimension weight is enough.
  obj(doc, "/weight_sets/dims/composite/weights")["soc"] = 0.5;
  EXPECT_EQ((std::vector<double>{0, 0.5, 0}),
            Instrument::from_json(doc).weights("dims").dimension_weights);
}

TEST(InstrumentValidation, WeightsNameKnownItems) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/items/items")["e9"] = json::object{{"dimension", 1}, {"composite", 1}};
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items.e9", "unknown item"));
}

TEST(InstrumentValidation, EveryItemNeedsAWeight) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/items/items").erase("p2");
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items.p2",
                         "item has no weight (give 0 to leave it out explicitly)"));
}

TEST(InstrumentValidation, ItemDimensionWeightsNonNegative) {
  json::value doc = mini_doc();
  doc.at_pointer("/weight_sets/dims/items/e3/dimension") = -1;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.dims.items.e3.dimension",
                         "weight must be a finite number >= 0"));
}

TEST(InstrumentValidation, ItemModeNeedsEveryCompositeWeight) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/items/items/s1").erase("composite");
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items.s1.composite",
                         "item mode needs a composite weight for every item"));
}

TEST(InstrumentValidation, ItemCompositeWeightsNonNegative) {
  json::value doc = mini_doc();
  doc.at_pointer("/weight_sets/items/items/s2/composite") = -0.5;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items.s2.composite",
                         "weight must be a finite number >= 0"));
}

TEST(InstrumentValidation, DimensionModeTakesNoItemCompositeWeights) {
  json::value doc = mini_doc();
  obj(doc, "/weight_sets/dims/items/p1")["composite"] = 1;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.dims.items.p1.composite",
                         "dimension mode takes no item composite weights"));
}

TEST(InstrumentValidation, EveryDimensionNeedsAPositiveItemWeight) {
  json::value doc = mini_doc();
  doc.at_pointer("/weight_sets/items/items/p1/dimension") = 0;
  doc.at_pointer("/weight_sets/items/items/p2/dimension") = 0;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items",
                         "dimension 'psy' has no item with a positive weight"));
  // A zero weight on one item leaves it out but is valid.
  doc.at_pointer("/weight_sets/items/items/p2/dimension") = 1;
  EXPECT_DOUBLE_EQ(0.0, Instrument::from_json(doc).weights("items").items[5].dimension);
}

TEST(InstrumentValidation, CompositeWeightsNotAllZero) {
  json::value doc = mini_doc();
  for (auto& kv : obj(doc, "/weight_sets/items/items")) kv.value().as_object()["composite"] = 0;
  EXPECT_TRUE(RejectedAt(doc, "weight_sets.items.items", "all composite weights are zero"));
}

TEST(InstrumentValidation, DefaultWeightsNameAWeightSet) {
  json::value doc = mini_doc();
  doc.at_pointer("/default_weights") = "official";
  EXPECT_TRUE(RejectedAt(doc, "default_weights", "no weight set named \"official\""));
  doc.at_pointer("/default_weights") = "dims";
  EXPECT_EQ("dims", Instrument::from_json(doc).weights().name);
}

// Rules only reachable through the C++ API (with_weights validates a WeightSet built in code).
TEST(InstrumentValidation, WeightSetNeedsOneWeightPerItem) {
  const Instrument ins = Instrument::from_json(mini_doc());
  WeightSet w = ins.weights("dims");
  w.name = "short";
  w.items.pop_back();
  try {
    (void)ins.with_weights(w);
    FAIL() << "accepted 6 item weights";
  } catch (const instrument_error& e) {
    EXPECT_EQ("weight_sets.short.items", e.path());
    EXPECT_NE(std::string::npos, std::string(e.what()).find("expected 7 item weights, found 6"))
        << e.what();
  }
}

TEST(InstrumentValidation, WeightSetNeedsOneCompositeWeightPerDimension) {
  const Instrument ins = Instrument::from_json(mini_doc());
  WeightSet w = ins.weights("dims");
  w.name = "two";
  w.dimension_weights = {1, 1};
  try {
    (void)ins.with_weights(w);
    FAIL() << "accepted 2 dimension weights for 3 dimensions";
  } catch (const instrument_error& e) {
    EXPECT_EQ("weight_sets.two.composite.weights", e.path());
    EXPECT_NE(std::string::npos,
              std::string(e.what()).find("expected 3 dimension weights, found 2"))
        << e.what();
  }
  w.dimension_weights = {1, 1, 1, 1};
  try {
    (void)ins.with_weights(w);
    FAIL() << "accepted 4 dimension weights for 3 dimensions";
  } catch (const instrument_error& e) {
    EXPECT_EQ("weight_sets.two.composite.weights", e.path());
  }
  w.dimension_weights = {1, std::nan(""), 1};
  try {
    (void)ins.with_weights(w);
    FAIL() << "accepted a NaN dimension weight";
  } catch (const instrument_error& e) {
    EXPECT_EQ("weight_sets.two.composite.weights.soc", e.path());
  }
}

TEST(InstrumentValidation, WeightSetNeedsAName) {
  const Instrument ins = Instrument::from_json(mini_doc());
  WeightSet w = ins.weights("dims");
  w.name.clear();
  EXPECT_THROW((void)ins.with_weights(w), std::invalid_argument);
}

TEST(InstrumentValidation, ScaleOfAnUnknownScale) {
  Instrument ins = Instrument::from_json(mini_doc());
  ins.items[0].scale = "gone";
  try {
    (void)ins.scale_of(ins.items[0]);
    FAIL() << "found a scale that does not exist";
  } catch (const instrument_error& e) {
    EXPECT_EQ("", e.path());
    EXPECT_EQ("item 'e1' refers to unknown scale 'gone'", std::string(e.what()));
  }
}

TEST(InstrumentValidation, UnknownWeightSetName) {
  const Instrument ins = Instrument::from_json(mini_doc());
  EXPECT_EQ("dims", ins.weights("dims").name);
  try {
    (void)ins.weights("official");
    FAIL() << "found a weight set that does not exist";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ("instrument 'mini': no weight set named 'official' (known: items, dims)",
              std::string(e.what()));
  }
}

// ---- Loading files ---------------------------------------------------------------------

TEST(InstrumentLoad, MissingFileThrowsInvalidArgument) {
  const std::string path = REINSCORE_TEST_DATA_DIR "/instruments/no-such-file.json";
  try {
    (void)Instrument::load(path);
    FAIL() << "loaded a missing file";
  } catch (const instrument_error& e) {
    FAIL() << "a missing file is not a broken instrument: " << e.what();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ("cannot open instrument file '" + path + "' [unreadable_file]",
              std::string(e.what()));
  }
}

TEST(InstrumentLoad, ErrorsNameTheFileAndKeepTheJsonPath) {
  json::value doc = mini_doc();
  doc.at_pointer("/items/4/scale") = "zz";
  const std::string path = write_temp("bad_scale.json", json::serialize(doc));
  try {
    (void)Instrument::load(path);
    FAIL() << "loaded a broken instrument";
  } catch (const instrument_error& e) {
    const std::string what = e.what();
    EXPECT_EQ("items[4].scale", e.path());
    EXPECT_EQ(0u, what.rfind(path + ": ", 0)) << "file path is not a prefix: " << what;
    EXPECT_NE(std::string::npos, what.find("items[4].scale")) << what;
    EXPECT_NE(std::string::npos, what.find("unknown scale \"zz\"")) << what;
  }
}

TEST(InstrumentLoad, SyntaxErrorsNameTheFileOnce) {
  const std::string path = write_temp("bad_syntax.json", "{\n  \"format\": 1,\n  \"id\" 2\n}\n");
  try {
    (void)Instrument::load(path);
    FAIL() << "loaded broken JSON";
  } catch (const instrument_error& e) {
    const std::string what = e.what();
    EXPECT_EQ("", e.path());
    EXPECT_EQ(path + ": invalid JSON at line 3, column 8 (syntax error)", what);
  }
}

// ---- The shipped RSS instrument --------------------------------------------------------

TEST(InstrumentRss, LoadsWithItsProvisionalStructure) {
  const Instrument ins = Instrument::load(rss_path);
  EXPECT_EQ("iom-rss", ins.id);
  EXPECT_TRUE(ins.provisional);
  EXPECT_EQ("interview_id", ins.unit_key);
  EXPECT_EQ((std::vector<std::string>{"economic", "social", "psychosocial"}), ins.dimensions);
  ASSERT_EQ(26u, ins.items.size());
  std::vector<int> per_dim(3, 0);
  for (const auto& it : ins.items) {
    ASSERT_NE(Instrument::npos, ins.dimension_index(it.dimension));
    ++per_dim[ins.dimension_index(it.dimension)];
    EXPECT_FALSE(it.question.empty()) << it.id;
  }
  EXPECT_EQ((std::vector<int>{8, 9, 9}), per_dim);

  EXPECT_EQ("equal", ins.default_weights);
  const WeightSet& w = ins.weights("equal");
  EXPECT_TRUE(w.provisional);
  EXPECT_EQ("provisional", w.source);
  EXPECT_EQ(CompositeMode::dimension, w.mode);
  EXPECT_EQ((std::vector<double>{1, 1, 1}), w.dimension_weights);
  ASSERT_EQ(26u, w.items.size());
  for (std::size_t k = 0; k < w.items.size(); ++k) {
    EXPECT_DOUBLE_EQ(1.0, w.items[k].dimension) << ins.items[k].id;
    EXPECT_FALSE(w.items[k].composite.has_value()) << ins.items[k].id;
  }
  ASSERT_TRUE(ins.thresholds.has_value());
  EXPECT_TRUE(ins.thresholds->provisional);
}

// ---- Serialisation, hash and tag -------------------------------------------------------

TEST(InstrumentJson, ToJsonRoundTrips) {
  for (const std::string& path : {mini_path, rss_path}) {
    SCOPED_TRACE(path);
    const Instrument x = Instrument::load(path);
    const json::value doc = x.to_json();
    const Instrument y = Instrument::from_json(doc);
    EXPECT_EQ(x.hash(), y.hash());
    EXPECT_EQ(detail::canonical(doc), detail::canonical(y.to_json()));
    EXPECT_EQ(x.items.size(), y.items.size());
    EXPECT_EQ(x.weight_sets.size(), y.weight_sets.size());
    EXPECT_EQ(x.default_weights, y.default_weights);
    // Also through text.
    const Instrument z = Instrument::parse(detail::pretty(doc));
    EXPECT_EQ(x.hash(), z.hash());
  }
  // Details that must survive: reverse, numeric codes, labels, missing meanings, numeric range.
  const Instrument y = Instrument::from_json(Instrument::load(mini_path).to_json());
  EXPECT_TRUE(y.items[4].reverse);
  EXPECT_EQ(3, *y.scales[0].codes[2].numeric);
  EXPECT_EQ("Middle", y.scales[0].codes[1].label);
  EXPECT_EQ(Reason::not_applicable, y.scales[0].missing[2].meaning);
  EXPECT_DOUBLE_EQ(10.0, y.scales[2].max);
  EXPECT_EQ(CompositeMode::item, y.weights("items").mode);
  EXPECT_DOUBLE_EQ(3.0, *y.weights("items").items[3].composite);
}

TEST(InstrumentJson, HashIsSha256OfTheCanonicalDocument) {
  const Instrument ins = Instrument::load(mini_path);
  const std::string h = ins.hash();
  EXPECT_TRUE(std::regex_match(h, std::regex("[0-9a-f]{64}"))) << h;
  EXPECT_EQ(detail::sha256_hex(detail::canonical(ins.to_json())), h);
  // Canonical JSON: sorted keys, no white space.
  EXPECT_EQ("{\"a\":[1,{\"b\":true,\"c\":null}],\"z\":\"x\"}",
            detail::canonical(json::parse(R"({ "z": "x", "a": [1, {"c": null, "b": true}] })")));
  // Known digest of a known string (SHA-256 of "abc").
  EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            detail::sha256_hex("abc"));
}

TEST(InstrumentJson, HashChangesWithContent) {
  const std::string base = Instrument::from_json(mini_doc()).hash();
  {
    json::value doc = mini_doc();
    doc.at_pointer("/weight_sets/dims/items/e1/dimension") = 2.5;
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "a single weight";
  }
  {
    json::value doc = mini_doc();
    doc.at_pointer("/weight_sets/dims/composite/weights/psy") = 1.5;
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "a dimension weight";
  }
  {
    json::value doc = mini_doc();
    doc.at_pointer("/scales/lik3/codes/1/value") = 0.6;
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "a code value";
  }
  {
    json::value doc = mini_doc();
    doc.at_pointer("/scales/yn/codes/1/numeric") = 2;
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "a numeric code";
  }
  {
    json::value doc = mini_doc();
    obj(doc, "/items/0")["question"] = "How is your income?";
    const std::string with_q = Instrument::from_json(doc).hash();
    EXPECT_NE(base, with_q) << "adding a question text";
    obj(doc, "/items/0")["question"] = "How is your income ?";
    EXPECT_NE(with_q, Instrument::from_json(doc).hash()) << "one character of a question";
  }
  {
    const json::value rss = rss_doc();
    json::value doc = rss;
    auto& q = doc.at_pointer("/items/0/question");
    q = std::string(q.as_string()) + " ";
    EXPECT_NE(Instrument::from_json(rss).hash(), Instrument::from_json(doc).hash())
        << "a trailing space in an RSS question";
  }
  {
    json::value doc = mini_doc();
    doc.at_pointer("/thresholds/categories/1/min") = 0.45;
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "a threshold";
  }
  {
    json::value doc = mini_doc();
    doc.at_pointer("/title") = "Another title";
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "metadata";
  }
  {
    json::value doc = mini_doc();
    doc.at_pointer("/default_weights") = "dims";
    EXPECT_NE(base, Instrument::from_json(doc).hash()) << "the default weight set";
  }
}

TEST(InstrumentJson, HashIgnoresKeyOrderWhiteSpaceAndNumberSpelling) {
  const json::value doc = mini_doc();
  const std::string base = Instrument::from_json(doc).hash();
  const json::value reordered = reverse_keys(doc);
  ASSERT_NE(json::serialize(doc), json::serialize(reordered));
  EXPECT_EQ(base, Instrument::from_json(reordered).hash());
  // No white space at all, and lots of it.
  EXPECT_EQ(base, Instrument::parse(json::serialize(doc)).hash());
  std::string spaced = detail::pretty(doc);
  for (std::size_t i = spaced.find('\n'); i != std::string::npos; i = spaced.find('\n', i + 3))
    spaced.replace(i, 1, "\r\n\t");
  EXPECT_EQ(base, Instrument::parse(spaced).hash());
  // 1 and 1.0 are the same weight.
  json::value doc2 = mini_doc();
  doc2.at_pointer("/weight_sets/dims/items/e2/dimension") = 1.0;
  ASSERT_TRUE(doc2.at_pointer("/weight_sets/dims/items/e2/dimension").is_double());
  EXPECT_EQ(base, Instrument::from_json(doc2).hash());
}

TEST(InstrumentJson, TagIsIdVersionAndTwelveHexDigits) {
  const Instrument ins = Instrument::load(mini_path);
  const std::string tag = ins.tag();
  EXPECT_TRUE(std::regex_match(tag, std::regex("mini@1#[0-9a-f]{12}"))) << tag;
  EXPECT_EQ("mini@1#" + ins.hash().substr(0, 12), tag);
  const Instrument rss = Instrument::load(rss_path);
  EXPECT_TRUE(std::regex_match(rss.tag(), std::regex("iom-rss@0\\.1\\.0-provisional#[0-9a-f]{12}")))
      << rss.tag();
}

// ---- with_weights ----------------------------------------------------------------------

TEST(InstrumentWithWeights, NewSetBecomesTheDefaultAndChangesTheHash) {
  const Instrument ins = Instrument::load(mini_path);
  WeightSet w = ins.weights("items");
  w.name = "official";
  w.source = "official";
  w.items[0].dimension = 5;
  const Instrument out = ins.with_weights(w);
  EXPECT_EQ("official", out.default_weights);
  EXPECT_EQ("official", out.weights().name);
  EXPECT_DOUBLE_EQ(5.0, out.weights().items[0].dimension);
  EXPECT_EQ(3u, out.weight_sets.size());
  EXPECT_NE(ins.hash(), out.hash());
  EXPECT_NE(ins.tag(), out.tag());
  // The original is untouched.
  EXPECT_EQ("items", ins.default_weights);
  EXPECT_EQ(2u, ins.weight_sets.size());
  // The result is a valid instrument that serialises with its new default.
  EXPECT_EQ(out.hash(), Instrument::from_json(out.to_json()).hash());
}

TEST(InstrumentWithWeights, ReplacesASetOfTheSameName) {
  const Instrument ins = Instrument::load(mini_path);
  WeightSet w = ins.weights("dims");
  w.dimension_weights = {1, 1, 1};
  const Instrument out = ins.with_weights(w);
  EXPECT_EQ(2u, out.weight_sets.size());
  EXPECT_EQ("dims", out.default_weights);
  EXPECT_EQ((std::vector<double>{1, 1, 1}), out.weights("dims").dimension_weights);
  EXPECT_NE(ins.hash(), out.hash());
  // Re-selecting the same set unchanged still changes the hash: the default is part of it.
  const Instrument same = ins.with_weights(ins.weights("dims"));
  EXPECT_EQ("dims", same.default_weights);
  EXPECT_NE(ins.hash(), same.hash());
  EXPECT_EQ(ins.with_weights(ins.weights("items")).hash(), ins.hash());
}

TEST(InstrumentWithWeights, ValidatesTheNewSet) {
  const Instrument ins = Instrument::load(mini_path);
  WeightSet w = ins.weights("items");
  w.name = "bad";
  w.items[2].dimension = -1;
  try {
    (void)ins.with_weights(w);
    FAIL() << "accepted a negative weight";
  } catch (const instrument_error& e) {
    EXPECT_EQ("weight_sets.bad.items.e3.dimension", e.path());
    EXPECT_NE(std::string::npos, std::string(e.what()).find("weight must be a finite number >= 0"));
  }
  w = ins.weights("items");
  w.name = "bad";
  w.items[4].composite.reset();
  try {
    (void)ins.with_weights(w);
    FAIL() << "accepted an item-mode set without a composite weight";
  } catch (const instrument_error& e) {
    EXPECT_EQ("weight_sets.bad.items.s2.composite", e.path());
  }
}

// Instrument ids read from data are looked up only when they are plain names: never a
// path, a device or a parent directory (tests/cli/test_hardening.py runs the commands).
TEST(PlainName, OnlyShortNamesOfSafeCharacters) {
  for (const char* ok : {"iom-rss", "structural-gcm21", "a", "A.b_c-1", "9x"})
    EXPECT_TRUE(is_plain_name(ok)) << ok;
  for (const char* bad : {"", ".", "..", "../x", "/dev/zero", "a/b", "-x", ".hidden", "_x", "a b",
                          "a\\b", "evil.json\n", "caf\xc3\xa9"})
    EXPECT_FALSE(is_plain_name(bad)) << bad;
  EXPECT_TRUE(is_plain_name(std::string(64, 'a')));
  EXPECT_FALSE(is_plain_name(std::string(65, 'a')));
  std::string id, version;
  EXPECT_TRUE(split_instrument_tag("iom-rss@0.1#abcdef012345", id, version));
  EXPECT_EQ(id, "iom-rss");
  EXPECT_EQ(version, "0.1");
  EXPECT_FALSE(split_instrument_tag("../x@1#h", id, version));
  EXPECT_FALSE(split_instrument_tag("/dev/zero@1#h", id, version));
  EXPECT_FALSE(split_instrument_tag("noversion", id, version));
  EXPECT_FALSE(split_instrument_tag("a#h@1", id, version));
}
