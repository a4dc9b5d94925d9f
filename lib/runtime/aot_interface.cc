#include "runtime/aot_interface.h"

#include <sstream>

#include <fmt/format.h>

#include "runtime/metering.h"
#include "support/text.h"

namespace wasmiot {
namespace {

constexpr const char* kHeader = "wasmiot-aot-interface 1";
constexpr int kLastKind = static_cast<int>(ExternKind::kTag);
constexpr int kLastType = static_cast<int>(WasmType::kOther);
constexpr size_t kMaxEntries = 1'000'000;

std::string Types(const std::vector<WasmType>& types) {
  if (types.empty()) return "-";
  std::string out;
  for (WasmType t : types) out += fmt::format("{}{}", out.empty() ? "" : ",", static_cast<int>(t));
  return out;
}

bool ParseTypes(const std::string& text, std::vector<WasmType>& out) {
  if (text == "-") return true;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty() || item.size() > 2 || item.find_first_not_of("0123456789") != std::string::npos) return false;
    int t = std::stoi(item);
    if (t > kLastType) return false;
    out.push_back(static_cast<WasmType>(t));
  }
  return true;
}

// A name in hex ("-": the empty name), with support/text.h's decoder.
bool ParseName(const std::string& hex, std::string& out) {
  if (hex == "-") return true;
  std::optional<std::vector<uint8_t>> bytes = ParseHex(hex);
  if (!bytes || bytes->empty()) return false;
  out.assign(bytes->begin(), bytes->end());
  return true;
}

std::string Hex(const std::string& s) {
  return s.empty() ? "-" : HexString(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool ParseKind(const std::string& text, ExternKind& out) {
  if (text.size() != 1 || text[0] < '0' || text[0] > '0' + kLastKind) return false;
  out = static_cast<ExternKind>(text[0] - '0');
  return true;
}

}  // namespace

AotInterface InterfaceOf(const ModuleInfo& info) {
  AotInterface out;
  for (const ImportInfo& i : info.imports) {
    ImportInfo kept;
    kept.module = i.module;
    kept.name = i.name;
    kept.kind = i.kind;
    kept.signature = i.signature;
    out.imports.push_back(std::move(kept));
  }
  for (const ExportInfo& e : info.exports) {
    ExportInfo kept;
    kept.name = e.name;
    kept.kind = e.kind;
    kept.signature = e.signature;
    out.exports.push_back(std::move(kept));
  }
  out.has_start = info.FindExport(kStartExport) != nullptr;
  return out;
}

std::string SerializeInterface(const AotInterface& interface) {
  std::string out = std::string(kHeader) + "\n";
  out += "library " + interface.library + "\n";
  out += fmt::format("start {}\n", interface.has_start ? 1 : 0);
  out += "memory " + (interface.memory_bytes ? std::to_string(*interface.memory_bytes) : std::string("-")) + "\n";
  for (const ImportInfo& i : interface.imports) {
    out += fmt::format("import {} {} {} {} {}\n", static_cast<int>(i.kind), Hex(i.module), Hex(i.name),
                       Types(i.signature.params), Types(i.signature.results));
  }
  for (const ExportInfo& e : interface.exports) {
    out += fmt::format("export {} {} {} {}\n", static_cast<int>(e.kind), Hex(e.name), Types(e.signature.params),
                       Types(e.signature.results));
  }
  return out + "end\n";
}

Result<AotInterface> ParseInterface(const std::string& text) {
  auto bad = [] { return Error{ErrorKind::kInvalidInput, "not an AOT interface file"}; };
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) return bad();
  AotInterface out;
  bool ended = false;
  size_t entries = 0;
  while (std::getline(in, line)) {
    if (ended || ++entries > kMaxEntries) return bad();
    std::istringstream fields(line);
    std::string tag;
    fields >> tag;
    std::vector<std::string> rest;
    for (std::string f; fields >> f;) rest.push_back(f);
    if (tag == "end" && rest.empty()) {
      ended = true;
    } else if (tag == "library" && rest.size() == 1 && rest[0].find_first_not_of("0123456789abcdef") == std::string::npos) {
      out.library = rest[0];
    } else if (tag == "start" && rest.size() == 1 && (rest[0] == "0" || rest[0] == "1")) {
      out.has_start = rest[0] == "1";
    } else if (tag == "memory" && rest.size() == 1) {
      if (rest[0] != "-") {
        if (rest[0].empty() || rest[0].size() > 19 || rest[0].find_first_not_of("0123456789") != std::string::npos) return bad();
        out.memory_bytes = std::stoull(rest[0]);
      }
    } else if (tag == "import" && rest.size() == 5) {
      ImportInfo i;
      if (!ParseKind(rest[0], i.kind) || !ParseName(rest[1], i.module) || !ParseName(rest[2], i.name) ||
          !ParseTypes(rest[3], i.signature.params) || !ParseTypes(rest[4], i.signature.results)) {
        return bad();
      }
      out.imports.push_back(std::move(i));
    } else if (tag == "export" && rest.size() == 4) {
      ExportInfo e;
      if (!ParseKind(rest[0], e.kind) || !ParseName(rest[1], e.name) || !ParseTypes(rest[2], e.signature.params) ||
          !ParseTypes(rest[3], e.signature.results)) {
        return bad();
      }
      out.exports.push_back(std::move(e));
    } else {
      return bad();
    }
  }
  if (!ended || out.library.empty()) return bad();
  return out;
}

}  // namespace wasmiot
