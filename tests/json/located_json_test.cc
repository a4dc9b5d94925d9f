#include <catch2/catch.hpp>

#include "json/json_walker.h"
#include "json/located_json.h"

using namespace wasmiot;

namespace {
TextPosition ValuePos(const LocatedJson& j, const std::string& pointer) {
  return PositionOf(j.text(), j.ValueOffset(pointer));
}
TextPosition ErrorPos(const std::string& text) {
  Result<LocatedJson> r = ParseLocatedJson(text);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().offset.has_value());
  return PositionOf(text, *r.error().offset);
}
}  // namespace

TEST_CASE("located JSON knows where each value and key starts") {
  std::string text =
      "{\n"
      "  \"a\": 12,\n"
      "  \"b\": [true, \"x\\\"y\", -3.5e2, null],\n"
      "  \"c/d\": {\"e\": \"\"}\n"
      "}\n";
  Result<LocatedJson> r = ParseLocatedJson(text);
  REQUIRE(r.ok());
  CHECK(r->root()["b"][1] == "x\"y");
  CHECK(ValuePos(*r, "").column == 1);
  CHECK(ValuePos(*r, "/a").line == 2);
  CHECK(ValuePos(*r, "/a").column == 8);
  CHECK(ValuePos(*r, "/b").column == 8);
  CHECK(ValuePos(*r, "/b/0").column == 9);
  CHECK(ValuePos(*r, "/b/1").column == 15);  // the opening quote, despite the escaped one
  CHECK(ValuePos(*r, "/b/2").column == 23);
  CHECK(ValuePos(*r, "/b/3").column == 31);
  CHECK(ValuePos(*r, "/c~1d/e").line == 4);
  CHECK(ValuePos(*r, "/c~1d/e").column == 16);
  CHECK(PositionOf(r->text(), r->KeyOffset("/c~1d")).column == 3);
}

TEST_CASE("a number at the very end of the text is located") {
  Result<LocatedJson> r = ParseLocatedJson("[1, 2345]");
  REQUIRE(r.ok());
  CHECK(r->ValueOffset("/1") == 4);
  Result<LocatedJson> bare = ParseLocatedJson("42");
  REQUIRE(bare.ok());
  CHECK(bare->ValueOffset("") == 0);
}

TEST_CASE("located JSON rejects what plain JSON parsers let through") {
  SECTION("duplicate keys, at the second one") {
    Result<LocatedJson> r = ParseLocatedJson("{\"a\": 1,\n \"a\": 2}");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("duplicate key \"a\""));
    CHECK(ErrorPos("{\"a\": 1,\n \"a\": 2}").line == 2);
    CHECK(ErrorPos("{\"a\": 1,\n \"a\": 2}").column == 2);
  }
  SECTION("the same key in different objects is fine") {
    CHECK(ParseLocatedJson("{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}").ok());
  }
  SECTION("nesting deeper than the cap") {
    std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
    Result<LocatedJson> r = ParseLocatedJson(deep);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("nesting deeper than"));
    std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
    CHECK(ParseLocatedJson(ok).ok());
  }
  SECTION("a number too large for a double") {
    Result<LocatedJson> r = ParseLocatedJson("{\"n\": 1e400}");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("number overflow"));
  }
}

TEST_CASE("located JSON reports syntax errors with their position") {
  auto check = [](const std::string& text, uint32_t line, uint32_t column, const std::string& what) {
    INFO(text);
    Result<LocatedJson> r = ParseLocatedJson(text);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains(what));
    TextPosition pos = ErrorPos(text);
    CHECK(pos.line == line);
    CHECK(pos.column == column);
  };
  check("", 1, 1, "unexpected end of input");
  check("{\"a\": 1,}", 1, 9, "expected string literal");
  check("{\n  \"a\": tru }", 2, 11, "invalid literal");  // where the lexer stopped
  check("{\"a\": \"\xff\"}", 1, 8, "ill-formed UTF-8");  // the byte itself
  check("{\"a\": \"x\ny\"}", 1, 9, "control character");  // the newline
  check("[1e400]", 1, 6, "number overflow");  // its last digit
  check("{} x", 1, 4, "expected end of input");
  check("{\"a\": 01}", 1, 8, "unexpected number literal");
}

namespace {
// The walker's checks are for parsers that derive from it.
const std::string kPath = "t.json";  // the walker keeps a reference to it
struct TestWalker : JsonWalker {
  TestWalker(const LocatedJson& doc, Diagnostics& d) : JsonWalker(doc, kPath, "test-invalid", d) {}
  using JsonWalker::Object;
};
}  // namespace

TEST_CASE("the walker's Object() is false when a required field is missing") {
  // Callers index required fields right after Object() returns true; a missing
  // one would be undefined behaviour in nlohmann's const operator[].
  Diagnostics diagnostics;
  Result<LocatedJson> doc = ParseLocatedJson(R"({"a": 1})");
  REQUIRE(doc.ok());
  TestWalker walker(*doc, diagnostics);
  CHECK(walker.Object(doc->root(), "", {"a", "b"}, {"a"}));
  CHECK_FALSE(walker.Object(doc->root(), "", {"a", "b"}, {"a", "b"}));
  CHECK_THAT(diagnostics.list().back().message, Catch::Contains("missing required field \"b\""));
}
