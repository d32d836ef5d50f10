// Tests of include/reinscore/detail/json.hpp: typed access that names the JSON path of a
// problem, the canonical form the instrument hash is computed from (key order and white
// space do not matter, everything else does), the indented printer and the line/column of
// syntax errors.
#include <reinscore/detail/json.hpp>
#include <reinscore/error.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace json = boost::json;
namespace d = reinscore::detail;
using reinscore::instrument_error;

namespace {

/// `f()` must throw instrument_error with this JSON path and message.
template <class F>
::testing::AssertionResult Throws(F f, const std::string& path, const std::string& message) {
  try {
    f();
  } catch (const instrument_error& e) {
    if (e.path() != path || e.message() != message)
      return ::testing::AssertionFailure()
             << "path '" << e.path() << "', message '" << e.message() << "'";
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no instrument_error";
}

/// The message of the instrument_error parse_text(text) throws.
std::string parse_error(const std::string& text) {
  try {
    (void)d::parse_text(text, "doc.json");
  } catch (const instrument_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Json, KindNamesAndPaths) {
  EXPECT_EQ(d::kind_name(json::value(nullptr)), "null");
  EXPECT_EQ(d::kind_name(json::value(true)), "a boolean");
  EXPECT_EQ(d::kind_name(json::value(std::int64_t{-1})), "a number");
  EXPECT_EQ(d::kind_name(json::value(std::uint64_t{1})), "a number");
  EXPECT_EQ(d::kind_name(json::value(0.5)), "a number");
  EXPECT_EQ(d::kind_name(json::value("s")), "a string");
  EXPECT_EQ(d::kind_name(json::array{}), "an array");
  EXPECT_EQ(d::kind_name(json::object{}), "an object");
  EXPECT_EQ(d::join_path("", "items"), "items");
  EXPECT_EQ(d::join_path("scales", "lik3"), "scales.lik3");
  EXPECT_EQ(d::index_path("items", 4), "items[4]");
  EXPECT_EQ(d::join_path(d::index_path("items", 0), "scale"), "items[0].scale");
}

TEST(Json, TypedAccessNamesThePath) {
  const json::value s("x"), n(2.5), b(false), a(json::array{1, 2}), o(json::object{{"k", 1}});
  EXPECT_EQ(d::as_string(s, "p"), "x");
  EXPECT_EQ(d::as_number(n, "p"), 2.5);
  EXPECT_EQ(d::as_number(json::value(std::int64_t{3}), "p"), 3.0);
  EXPECT_FALSE(d::as_bool(b, "p"));
  EXPECT_EQ(d::as_array(a, "p").size(), 2u);
  EXPECT_EQ(d::as_object(o, "p").size(), 1u);
  EXPECT_TRUE(Throws([&] { d::as_object(a, "items[2]"); }, "items[2]",
                     "expected an object, found an array"));
  EXPECT_TRUE(
      Throws([&] { d::as_array(o, "dims"); }, "dims", "expected an array, found an object"));
  EXPECT_TRUE(Throws([&] { d::as_string(n, "items[0].id"); }, "items[0].id",
                     "expected a string, found a number"));
  EXPECT_TRUE(Throws([&] { d::as_number(s, "w"); }, "w", "expected a number, found a string"));
  EXPECT_TRUE(Throws([&] { d::as_bool(json::value(nullptr), "r"); }, "r",
                     "expected true or false, found null"));
  EXPECT_TRUE(
      Throws([&] { d::as_number(json::value(std::numeric_limits<double>::infinity()), "w"); }, "w",
             "expected a finite number"));
}

TEST(Json, Integers) {
  EXPECT_EQ(d::as_integer(json::value(std::int64_t{-7}), "p"), -7);
  EXPECT_EQ(d::as_integer(json::value(std::uint64_t{9}), "p"), 9);
  EXPECT_EQ(d::as_integer(json::value(std::uint64_t{INT64_MAX}), "p"), INT64_MAX);
  EXPECT_EQ(d::as_integer(json::value(3.0), "p"), 3) << "3.0 is a whole number";
  EXPECT_EQ(d::as_integer(json::value(-2.0), "p"), -2);
  const std::string msg = "expected an integer, found a number";
  EXPECT_TRUE(
      Throws([] { d::as_integer(json::value(std::uint64_t{INT64_MAX} + 1), "n"); }, "n", msg));
  EXPECT_TRUE(Throws([] { d::as_integer(json::value(3.5), "n"); }, "n", msg));
  EXPECT_TRUE(Throws([] { d::as_integer(json::value(1e16), "n"); }, "n", msg))
      << "a double that large may not be the integer that was written";
  EXPECT_TRUE(Throws([] { d::as_integer(json::value("3"), "n"); }, "n",
                     "expected an integer, found a string"));
}

TEST(Json, KeysChecked) {
  const json::object o{{"id", 1}, {"colum", "x"}};
  EXPECT_TRUE(Throws(
      [&] {
        d::check_keys(o, "items[1]", {"id", "column"});
      },
      "items[1].colum", "unknown key"));
  EXPECT_NO_THROW(d::check_keys(o, "items[1]", {"id", "colum", "column"}));
  EXPECT_EQ(d::required(o, "id", "items[1]").as_int64(), 1);
  EXPECT_TRUE(Throws([&] { (void)d::required(o, "scale", "items[1]"); }, "items[1].scale",
                     "required key is missing"));
  EXPECT_TRUE(
      Throws([&] { (void)d::required(o, "format", ""); }, "format", "required key is missing"));
}

TEST(Json, CanonicalForm) {
  const auto a = json::parse(R"({ "z": "x\"y", "a": [1, {"c": null, "b": true}], "B": 0.25 })");
  // keys sorted by their bytes (upper case first), no white space, arrays in their order
  EXPECT_EQ(d::canonical(a), R"({"B":2.5E-1,"a":[1,{"b":true,"c":null}],"z":"x\"y"})");
  const auto b = json::parse(
      "{\n  \"a\": [1, {\"b\": true, \"c\": null}],\n  \"B\": 0.25, \"z\": \"x\\\"y\"}");
  EXPECT_EQ(d::canonical(a), d::canonical(b)) << "key order and white space do not matter";
  EXPECT_NE(d::canonical(json::parse(R"({"a":[1,2]})")),
            d::canonical(json::parse(R"({"a":[2,1]})")))
      << "array order does";
  EXPECT_NE(d::canonical(json::parse(R"({"a":"1"})")), d::canonical(json::parse(R"({"a":1})")));
  EXPECT_EQ(d::canonical(json::parse(R"({"n":{},"m":[]})")), R"({"m":[],"n":{}})");
}

TEST(Json, PrettyPrinter) {
  const auto v = json::parse(R"({"b":1,"a":[1,"x"],"c":{"d":[{"e":null}]},"f":{},"g":[]})");
  EXPECT_EQ(d::pretty(v),
            "{\n"
            "  \"b\": 1,\n"
            "  \"a\": [1,\"x\"],\n"
            "  \"c\": {\n"
            "    \"d\": [\n"
            "      {\n"
            "        \"e\": null\n"
            "      }\n"
            "    ]\n"
            "  },\n"
            "  \"f\": {},\n"
            "  \"g\": []\n"
            "}\n");
  EXPECT_EQ(json::parse(d::pretty(v)), v) << "the printed text reads back as the same value";
}

TEST(Json, SyntaxErrorsNameLineAndColumn) {
  EXPECT_EQ(d::parse_text(R"({"a": [1, 2]})", "doc.json"), json::parse(R"({"a":[1,2]})"));
  // the offending character, 1-based: the '"' of "version" on line 4, column 3
  const std::string missing_comma =
      "{\n  \"format\": \"f\",\n  \"id\": \"x\"\n  \"version\": \"1\"\n}";
  const std::string e = parse_error(missing_comma);
  EXPECT_NE(e.find("doc.json: invalid JSON at line 4, column 3 ("), std::string::npos) << e;
  // the ',' on line 2, column 8
  EXPECT_NE(parse_error("{\n  \"a\": ,\n}").find("at line 2, column 8 ("), std::string::npos);
  // text that ends too early: the position after its last character
  EXPECT_NE(parse_error("{\"a\": 1").find("at line 1, column 8 ("), std::string::npos);
  EXPECT_NE(parse_error("").find("at line 1, column 1 ("), std::string::npos);
  EXPECT_NE(parse_error("{} x").find("invalid JSON at line 1, column"), std::string::npos);
}
