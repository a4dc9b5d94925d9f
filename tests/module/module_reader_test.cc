#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/limits.h"
#include "module/module_info.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;


TEST_CASE("every bad binary is refused with wabt's message at its offset") {
  std::vector<std::string> files = DataFiles("binaries", "bad-", ".hex");
  REQUIRE(files.size() >= 19);
  for (const std::string& file : files) {
    std::string text = ReadText(file);
    std::string expect = HexHeader(text, "expect");
    std::string offset = HexHeader(text, "offset");
    INFO(file);
    REQUIRE_FALSE(expect.empty());
    REQUIRE_FALSE(offset.empty());
    Diagnostics d;
    Result<ModuleInfo> m = ReadModule(HexToBytes(text), file, d);
    INFO(DiagnosticsText(d));
    REQUIRE_FALSE(m.ok());
    REQUIRE(d.HasErrors());
    const Diagnostic& first = d.list().front();
    CHECK_THAT(first.message, Catch::Contains(expect));
    REQUIRE(first.offset.has_value());
    CHECK(*first.offset == std::stoull(offset, nullptr, 16));
    CHECK((first.code == "binary-malformed" || first.code == "module-invalid"));
  }
}

TEST_CASE("a valid module truncated at every byte is refused cleanly") {
  Bytes full = WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat"));
  Diagnostics whole;
  Result<ModuleInfo> info = ReadModule(full, "full.wasm", whole);
  REQUIRE(info.ok());
  // A prefix that ends exactly where a section ends may itself be a valid module.
  std::vector<size_t> boundaries{8};
  for (const SectionInfo& s : info->sections) boundaries.push_back(s.offset + s.size);

  for (size_t length = 0; length < full.size(); ++length) {
    Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
    Diagnostics d;
    Result<ModuleInfo> m = ReadModule(prefix, "cut.wasm", d);
    bool at_boundary = std::find(boundaries.begin(), boundaries.end(), length) != boundaries.end();
    INFO("length " << length << "\n" << DiagnosticsText(d));
    if (!at_boundary) {
      REQUIRE_FALSE(m.ok());
      REQUIRE(d.list().front().offset.has_value());
      CHECK(*d.list().front().offset <= length);
    } else if (!m.ok()) {
      CHECK(d.HasErrors());
    }
  }
}

TEST_CASE("a module is described section by section") {
  Bytes wasm = WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat"));
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(wasm, "t.wasm", d);
  INFO(DiagnosticsText(d));
  REQUIRE(m.ok());
  CHECK(m->size_bytes == wasm.size());
  uint64_t covered = 8;  // magic and version
  for (const SectionInfo& s : m->sections) {
    CHECK(s.offset + s.size <= wasm.size());
    covered += s.size;
  }
  CHECK(covered < wasm.size());  // the rest are section ids and sizes
  CHECK(m->sections.front().name == "type");
  REQUIRE(m->imports.size() == 5);
  CHECK(m->imports[0].QualifiedName() == "env.read_temperature");
  CHECK(m->imports[0].signature.ToString() == "() -> (f32)");
  CHECK(m->FindExport("get_status")->signature.ToString() == "(i32, i32) -> (i32)");
  CHECK(m->FindExport("memory")->kind == ExternKind::kMemory);
  REQUIRE(m->memories.size() == 1);
  CHECK(m->memories[0].initial == 2);
  CHECK(m->memories[0].max == std::optional<uint64_t>(2));
  REQUIRE(m->data_segments.size() == 1);
  CHECK(m->data_segments[0].size == 16);
  CHECK(m->features_used.empty());
}

TEST_CASE("custom sections, start function, globals and tables are reported") {
  Bytes wasm = WatToWasm(R"((module
    (table 2 funcref)
    (global (mut i32) (i32.const 0))
    (global i64 (i64.const 1))
    (func $s)
    (start $s)
    (data "abc"))
  )");
  // Append a custom section "note" with 3 bytes of payload: id 0, size 8, name len 4.
  Bytes custom{0x00, 0x08, 0x04, 'n', 'o', 't', 'e', 1, 2, 3};
  wasm.insert(wasm.end(), custom.begin(), custom.end());
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(wasm, "x.wasm", d);
  INFO(DiagnosticsText(d));
  REQUIRE(m.ok());
  CHECK(m->start_function == std::optional<uint32_t>(0));
  REQUIRE(m->globals.size() == 2);
  CHECK(m->globals[0].is_mutable);
  CHECK(m->globals[1].type == WasmType::kI64);
  REQUIRE(m->tables.size() == 1);
  CHECK(m->tables[0].element_type == WasmType::kFuncRef);
  CHECK(m->tables[0].limits.initial == 2);
  CHECK_FALSE(m->tables[0].limits.max.has_value());
  const SectionInfo& last = m->sections.back();
  CHECK(last.custom);
  CHECK(last.name == "note");
  CHECK(last.size == 8);
  CHECK(last.offset == wasm.size() - 8);
}

TEST_CASE("custom sections: free-form contents are accepted, malformed framing is not") {
  // Contents are the custom section's own business: wabt's parsers for the
  // sections it knows ("name", "target_features", ...) may fail on them, and
  // the module is still well-formed (bad-custom-*.hex hold the framing errors).
  Bytes base = WatToWasm("(module (func (export \"f\")))");
  auto with = [&](const Bytes& section) {
    Bytes wasm = base;
    wasm.insert(wasm.end(), section.begin(), section.end());
    return wasm;
  };
  const std::vector<std::pair<std::string, Bytes>> accepted = {
      // "name": a subsection id 1 whose size runs far past the section.
      {"name", {0x00, 0x08, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x7f, 0xff}},
      // "target_features": a feature count of 2^32-1 with no features.
      {"target_features", {0x00, 0x15, 0x0f, 't', 'a', 'r', 'g', 'e', 't', '_', 'f', 'e', 'a', 't', 'u', 'r', 'e', 's',
                           0xff, 0xff, 0xff, 0xff, 0x0f}},
      // An unknown name with arbitrary bytes, including invalid UTF-8.
      {"producers", {0x00, 0x0d, 0x09, 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r', 's', 0xc3, 0x28, 0xff}},
      // The empty name is a valid name.
      {"", {0x00, 0x02, 0x00, 0x01}},
  };
  for (const auto& [name, section] : accepted) {
    INFO("\"" << name << "\"");
    Diagnostics d;
    Result<ModuleInfo> m = ReadModule(with(section), "c.wasm", d);
    INFO(DiagnosticsText(d));
    REQUIRE(m.ok());
    CHECK(m->sections.back().custom);
    CHECK(m->sections.back().name == name);
  }
  // The same framing errors in front of a valid module's sections.
  Bytes bad_name{0x00, 0x04, 0x02, 0xc3, 0x28, 0x00};
  Bytes wasm = base;
  wasm.insert(wasm.begin() + 8, bad_name.begin(), bad_name.end());
  Diagnostics d;
  REQUIRE_FALSE(ReadModule(wasm, "c.wasm", d).ok());
  CHECK(d.list().front().code == "binary-malformed");
  CHECK(d.list().front().offset == std::optional<uint64_t>(0xd));
  CHECK_THAT(d.list().front().message, Catch::Contains("invalid utf-8 encoding: section name"));
}

TEST_CASE("the features a module needs are detected, and only those") {
  auto [wat, feature] = GENERATE(table<std::string, std::string>({
      {"(func (param i32) (result i32) local.get 0 i32.extend8_s)", "sign-extension"},
      {"(func (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s)", "saturating-float-to-int"},
      {"(func (result i32 i32) i32.const 1 i32.const 2)", "multi-value"},
      {"(memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.copy)", "bulk-memory"},
      {"(func (result v128) v128.const i32x4 0 0 0 0)", "simd"},
      {"(import \"env\" \"g\" (global (mut i32)))", "mutable-globals"},
      {"(func $f return_call $f)", "tail-call"},
      {"(memory 1 1 shared)", "threads"},
      {"(memory i64 1)", "memory64"},
      {"(memory 1) (memory 1)", "multi-memory"},
      {"(global i32 (i32.add (i32.const 1) (i32.const 2)))", "extended-const"},
  }));
  Bytes wasm = WatToWasm("(module " + wat + ")");
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(wasm, "f.wasm", d);
  INFO(wat << "\n" << DiagnosticsText(d));
  REQUIRE(m.ok());
  CHECK(m->features_used.Names() == std::vector<std::string>{feature});
}

TEST_CASE("the features found are those without which the module is invalid, for every test module") {
  // ReadModule skips the per-feature check for a module valid with no feature
  // at all (features only admit more): the answer must not change.
  std::vector<std::string> wats = {"(func (param externref))", "(memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.fill)",
                                   "(func (result i32 i32) i32.const 1 i32.const 2)"};
  for (const char* dir : {"modules", "aot"}) {
    for (const std::string& file : DataFiles(dir, "", ".wat")) wats.push_back(ReadText(file));
  }
  for (const std::string& text : wats) {
    const std::string wat = text.find("(module") != std::string::npos ? text : "(module " + text + ")";
    INFO(wat.substr(0, 200));
    Bytes wasm = WatToWasm(wat);
    Diagnostics d;
    Result<ModuleInfo> m = ReadModule(wasm, "m.wasm", d);
    REQUIRE(m.ok());
    for (Feature f : AllFeatures()) {
      FeatureSet without = FeatureSet::All();
      without.Remove(f);
      for (Feature g : AllFeatures()) {
        for (auto need = FeatureRequires(g); need; need = FeatureRequires(*need)) {
          if (*need == f) without.Remove(g);
        }
      }
      Diagnostics ignored;
      INFO(FeatureName(f));
      CHECK(m->features_used.Has(f) == !ValidateWithFeatures(wasm, "m.wasm", without, ignored).ok());
    }
  }
}

TEST_CASE("a feature is reported with the features it depends on") {
  Bytes wasm = WatToWasm("(module (func (param externref)))");
  Diagnostics d;
  Result<ModuleInfo> m = ReadModule(wasm, "r.wasm", d);
  REQUIRE(m.ok());
  CHECK(m->features_used.Names() == std::vector<std::string>{"bulk-memory", "reference-types"});
}

TEST_CASE("an ill-typed function body is a validation error with an offset") {
  Bytes wasm = WatToWasm("(module (func (result i32) f32.const 0))", /*validate=*/false);
  Diagnostics d;
  REQUIRE_FALSE(ReadModule(wasm, "bad.wasm", d).ok());
  const Diagnostic& e = d.list().front();
  CHECK(e.code == "module-invalid");
  CHECK_THAT(e.message, Catch::Contains("type mismatch"));
  CHECK(e.offset.has_value());
}

TEST_CASE("module inputs that are not regular files are I/O errors") {
  TempDir dir;
  std::string fifo = dir.File("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  for (std::string path : {dir.File("missing.wasm"), dir.path(), fifo, std::string("/dev/zero")}) {
    Diagnostics d;
    Result<ModuleInfo> m = LoadModule(path, d);
    INFO(path);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().kind == ErrorKind::kIo);
    CHECK(d.list().front().code == "io-error");
    CHECK(d.list().front().path == path);
  }
}

TEST_CASE("modules over wasmiot's limits are refused before anything is allocated") {
  std::vector<std::string> files = DataFiles("binaries", "over-limit-", ".hex");
  REQUIRE(files.size() >= 3);
  for (const std::string& file : files) {
    std::string text = ReadText(file);
    INFO(file);
    Diagnostics d;
    Result<ModuleInfo> m = ReadModule(HexToBytes(text), file, d);
    INFO(DiagnosticsText(d));
    REQUIRE_FALSE(m.ok());
    REQUIRE(d.list().size() == 1);
    CHECK(d.list()[0].code == "module-over-limit");
    CHECK(d.list()[0].message == HexHeader(text, "expect"));
    CHECK(d.list()[0].offset == std::stoull(HexHeader(text, "offset"), nullptr, 16));
  }
}

TEST_CASE("control nesting: exactly the limit is read, one more level is refused at its offset") {
  Diagnostics ok;
  CHECK(ReadModule(NestedBlocksModule(kMaxControlDepth), "deep.wasm", ok).ok());
  CHECK(ok.empty());
  for (uint32_t depth : {kMaxControlDepth + 1, 100'000u, 1'000'000u}) {
    INFO(depth);
    Diagnostics d;
    CHECK_FALSE(ReadModule(NestedBlocksModule(depth), "deep.wasm", d).ok());
    REQUIRE(d.list().size() == 1);
    CHECK(d.list()[0].code == "module-over-limit");
    // The header is 8 + 6 + 4 + 7 bytes, the code section's own header 2 to 5 bytes, then the body's
    // size and its local count; the offending block opcode follows 10000 others of 2 bytes.
    CHECK(d.list()[0].offset.value() > 2 * kMaxControlDepth);
  }
  // Malformed deep inside (an unknown opcode among the ends): still refused as
  // too deep, never built into wabt's IR, whose destructor recurses per level.
  Bytes bad = NestedBlocksModule(200'000);
  bad[bad.size() - 1000] = 0xff;
  Diagnostics d;
  CHECK_FALSE(ReadModule(bad, "bad.wasm", d).ok());
  CHECK(d.list().at(0).code == "module-over-limit");
}
