#include <catch2/catch.hpp>

#include "support/diagnostics.h"
#include "support/text.h"

using namespace wasmiot;

TEST_CASE("diagnostics format as path: severity: item: message [code]") {
  Diagnostics list;
  SECTION("binary input: hex byte offset") {
    Diagnostic& d = list.AddError("binary-malformed", "m.wasm", "unexpected end");
    d.offset = 0x1a2b;
    CHECK(FormatDiagnostic(d) == "m.wasm:0x1a2b: error: unexpected end [binary-malformed]");
  }
  SECTION("text input: line and column") {
    Diagnostic& d = list.AddError("manifest-invalid", "d.json", "bad");
    d.position = TextPosition{12, 5};
    CHECK(FormatDiagnostic(d) == "d.json:12:5: error: bad [manifest-invalid]");
  }
  SECTION("an item and a warning") {
    Diagnostic& d = list.Add(Severity::kWarning, "export-optional-missing", "m.wasm", "not provided");
    d.item = "get_status";
    CHECK(FormatDiagnostic(d) == "m.wasm: warning: get_status: not provided [export-optional-missing]");
  }
  CHECK(list.list().size() == 1);
}

TEST_CASE("diagnostics count by severity") {
  Diagnostics list;
  CHECK_FALSE(list.HasErrors());
  list.Add(Severity::kNote, "n", "p", "m");
  list.Add(Severity::kWarning, "w", "p", "m");
  CHECK_FALSE(list.HasErrors());
  list.AddError("e", "p", "m");
  CHECK(list.HasErrors());
  CHECK(list.Count(Severity::kError) == 1);
  CHECK(list.Count(Severity::kWarning) == 1);
  CHECK(list.Count(Severity::kNote) == 1);
}

TEST_CASE("PositionOf counts lines and byte columns from 1") {
  std::string text = "ab\ncd\n\nx";
  CHECK(PositionOf(text, 0).line == 1);
  CHECK(PositionOf(text, 0).column == 1);
  CHECK(PositionOf(text, 4).line == 2);
  CHECK(PositionOf(text, 4).column == 2);
  CHECK(PositionOf(text, 7).line == 4);
  CHECK(PositionOf(text, 999).line == 4);  // clamped, never past the end
}

TEST_CASE("ClosestMatch suggests near names only") {
  std::vector<std::string_view> names{"check", "inspect", "budgets"};
  CHECK(ClosestMatch("chek", names) == std::optional<std::string>("check"));
  CHECK(ClosestMatch("budget", names) == std::optional<std::string>("budgets"));
  CHECK_FALSE(ClosestMatch("frobnicate", names).has_value());
  CHECK(EditDistance("kitten", "sitting") == 3);
}

TEST_CASE("Printable escapes what a terminal would act on, and only that") {
  CHECK(Printable("plain text, ünïcødé, 温度") == "plain text, ünïcødé, 温度");
  CHECK(Printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(Printable("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd");
  CHECK(Printable(std::string("nul\0!", 5)) == "nul\\x00!");
  CHECK(Printable("del\x7f") == "del\\x7f");
  CHECK(Printable("c1 \xc2\x9b csi") == "c1 \\xc2\\x9b csi");  // U+009B, a one-character CSI
  CHECK(Printable("bad \xff\xfe") == "bad \\xff\\xfe");
  CHECK(Printable("cut \xe6\xb8") == "cut \\xe6\\xb8");                 // a sequence that ends early
  CHECK(Printable("overlong \xc0\xaf") == "overlong \\xc0\\xaf");       // '/' in two bytes
  CHECK(Printable("surrogate \xed\xa0\x80") == "surrogate \\xed\\xa0\\x80");
  CHECK(Printable("\xf0\x9f\x93\xa1 ok") == "\xf0\x9f\x93\xa1 ok");
  std::string once = Printable("\x1b]0;x\x07\xff");
  CHECK(Printable(once) == once);  // idempotent
}

TEST_CASE("Plural and ClosestQualifiedMatch") {
  CHECK(Plural(0, "error") == "0 errors");
  CHECK(Plural(1, "error") == "1 error");
  CHECK(Plural(2, "page") == "2 pages");
  CHECK(Plural(1, "entry", "entries") == "1 entry");
  CHECK(Plural(3, "entry", "entries") == "3 entries");
  std::vector<std::string_view> functions{"env.log", "env.read_temperature", "net.send"};
  CHECK(ClosestQualifiedMatch("log", functions) == std::optional<std::string>("env.log"));
  CHECK(ClosestQualifiedMatch("sned", functions) == std::optional<std::string>("net.send"));
  CHECK(ClosestQualifiedMatch("env.lg", functions) == std::optional<std::string>("env.log"));
  CHECK_FALSE(ClosestQualifiedMatch("reboot", functions).has_value());
}
