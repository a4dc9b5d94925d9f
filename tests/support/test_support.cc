#include "support/test_support.h"

#include "support/process.h"


#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>
#include <wabt/binary-writer.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/resolve-names.h>
#include <wabt/stream.h>
#include <wabt/validator.h>
#include <wabt/wast-lexer.h>
#include <wabt/wast-parser.h>

namespace wasmiot::test {

std::string SourceDir() { return WASMIOT_SOURCE_DIR; }
std::string DataDir() { return WASMIOT_TEST_DATA_DIR; }
std::string WasmiotExe() { return WASMIOT_EXE; }

Bytes WatToWasm(const std::string& wat, bool validate) {
  wabt::Features features;
  features.EnableAll();
  wabt::Errors errors;
  auto lexer = wabt::WastLexer::CreateBufferLexer("test.wat", wat.data(), wat.size(), &errors);
  std::unique_ptr<wabt::Module> module;
  wabt::WastParseOptions parse_options(features);
  wabt::Result result = wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options);
  if (wabt::Succeeded(result)) result = wabt::ResolveNamesModule(module.get(), &errors);
  if (wabt::Succeeded(result) && validate) {
    result = wabt::ValidateModule(module.get(), &errors, wabt::ValidateOptions(features));
  }
  if (wabt::Failed(result)) {
    FAIL("cannot compile test .wat:\n" << wabt::FormatErrorsToString(errors, wabt::Location::Type::Text) << wat);
  }
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options(features, /*canonicalize_lebs=*/true, /*relocatable=*/false,
                                         /*write_debug_names=*/false);
  REQUIRE(wabt::Succeeded(wabt::WriteBinaryModule(&stream, module.get(), write_options)));
  const auto& data = stream.output_buffer().data;
  return Bytes(data.begin(), data.end());
}

namespace {

Bytes Leb(uint64_t n) {
  Bytes out;
  do {
    uint8_t b = n & 0x7f;
    n >>= 7;
    out.push_back(static_cast<uint8_t>(b | (n ? 0x80 : 0)));
  } while (n);
  return out;
}

void AppendSection(Bytes& m, uint8_t id, const Bytes& contents) {
  m.push_back(id);
  Bytes size = Leb(contents.size());
  m.insert(m.end(), size.begin(), size.end());
  m.insert(m.end(), contents.begin(), contents.end());
}

}  // namespace

Bytes NestedBlocksModule(uint32_t depth) {
  Bytes body{0x00};  // no locals
  for (uint32_t i = 0; i < depth; ++i) body.insert(body.end(), {0x02, 0x40});
  body.insert(body.end(), depth, 0x0b);
  body.insert(body.end(), {0x41, 0x07, 0x0b});
  Bytes m{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  AppendSection(m, 1, {0x01, 0x60, 0x00, 0x01, 0x7f});
  AppendSection(m, 3, {0x01, 0x00});
  AppendSection(m, 7, {0x01, 0x01, 'f', 0x00, 0x00});
  Bytes code{0x01};
  Bytes size = Leb(body.size());
  code.insert(code.end(), size.begin(), size.end());
  code.insert(code.end(), body.begin(), body.end());
  AppendSection(m, 10, code);
  return m;
}

Bytes HexToBytes(const std::string& text) {
  Bytes out;
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    line = line.substr(0, line.find(";;"));
    std::string digits;
    for (char c : line) {
      if (std::isspace(static_cast<unsigned char>(c))) continue;
      if (!std::isxdigit(static_cast<unsigned char>(c))) FAIL("hex line " << line_number << ": bad character '" << c << "'");
      digits += c;
    }
    if (digits.size() % 2 != 0) FAIL("hex line " << line_number << ": odd number of digits");
    for (size_t i = 0; i < digits.size(); i += 2) {
      out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
  }
  return out;
}

std::string HexHeader(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string line;
  std::string prefix = ";; " + key + ":";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) {
      std::string value = line.substr(prefix.size());
      value.erase(0, value.find_first_not_of(' '));
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
      return value;
    }
  }
  return "";
}

std::string DiagnosticsText(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.list()) out += FormatDiagnostic(d) + "\n";
  return out;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Bytes ReadBytes(const std::string& path) {
  std::string text = ReadText(path);
  return Bytes(text.begin(), text.end());
}

void WriteBytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() / ("wasmiot-test-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

RunResult Run(const std::vector<std::string>& argv) {
  Result<ProcessResult> r = RunProcess(argv);
  INFO(argv[0]);
  REQUIRE(r.ok());
  return RunResult{r->exit_code, r->out, r->err};
}

RunResult RunWasmiot(const std::vector<std::string>& args) {
  std::vector<std::string> argv{WasmiotExe()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

std::vector<std::string> SchemaVerdicts(const std::string& schema, const std::vector<std::string>& files) {
  std::vector<std::string> argv{"node", SourceDir() + "/tests/schema/validate.mjs",
                                SourceDir() + "/schemas/" + schema};
  argv.insert(argv.end(), files.begin(), files.end());
  RunResult r = Run(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  REQUIRE(lines.size() == files.size());
  return lines;
}

std::vector<std::string> DataFiles(const std::string& subdir, const std::string& prefix,
                                   const std::string& extension) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(DataDir() + "/" + subdir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && entry.path().extension() == extension) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool MatchesSchema(const std::string& schema, const std::string& json, const TempDir& dir) {
  std::string file = dir.File("schema-check.json");
  WriteText(file, json);
  std::string verdict = SchemaVerdicts(schema, {file})[0];
  if (verdict != "valid " + file) UNSCOPED_INFO(verdict << "\n" << json);
  return verdict == "valid " + file;
}

Bytes PseudoRandomBytes(size_t size, uint8_t seed) {
  Bytes p(size);
  uint32_t x = seed;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1103515245u + 12345u;
    p[i] = static_cast<uint8_t>(x >> 16);
  }
  return p;
}

}  // namespace wasmiot::test
