// Helpers for the tests. Test data is text: modules are .wat compiled here with
// libwabt, bad binaries are commented hex, manifests are JSON.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot::test {

std::string SourceDir();
std::string DataDir();
std::string WasmiotExe();

// Compiles WebAssembly text to a binary; fails the test on a syntax error.
// validate=false lets a test build a module that is well-formed but invalid.
Bytes WatToWasm(const std::string& wat, bool validate = true);

// (func (export "f") (result i32) (block (block ... )) i32.const 7), `depth`
// blocks deep, built as bytes: wat2wasm itself overflows its stack near 20000.
Bytes NestedBlocksModule(uint32_t depth);

// Parses commented hex: ";;" starts a comment, tokens are pairs of hex digits.
Bytes HexToBytes(const std::string& text);

// The value of a ";; key: value" header line in a hex file, or "".
std::string HexHeader(const std::string& text, const std::string& key);

// All diagnostics, formatted one per line, for test failure messages.
std::string DiagnosticsText(const Diagnostics& diagnostics);

std::string ReadText(const std::string& path);
Bytes ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const Bytes& bytes);
void WriteText(const std::string& path, const std::string& text);

// A fresh folder under the system temp dir, removed when it goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_.string(); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a program (argv[0] is looked up in PATH) with no stdin; captures output.
RunResult Run(const std::vector<std::string>& argv);
// Runs the wasmiot executable with these arguments.
RunResult RunWasmiot(const std::vector<std::string>& args);

// Validates JSON files with ajv against schemas/<schema>; returns one verdict
// line per file ("valid F" or "invalid F: reason"), in order.
std::vector<std::string> SchemaVerdicts(const std::string& schema, const std::vector<std::string>& files);

// Whether one JSON document matches schemas/<schema> (written to a file in
// `dir` for the validator; the verdict's reason is in the test's output).
bool MatchesSchema(const std::string& schema, const std::string& json, const TempDir& dir);

// Bytes that never repeat at chunk distance (a linear congruential sequence).
Bytes PseudoRandomBytes(size_t size, uint8_t seed);

// Every file in DataDir()/<subdir> whose name starts with prefix, sorted.
std::vector<std::string> DataFiles(const std::string& subdir, const std::string& prefix,
                                   const std::string& extension);

}  // namespace wasmiot::test
