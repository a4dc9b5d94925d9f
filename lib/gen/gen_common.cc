#include "gen/gen_common.h"

#include <map>

#include <fmt/format.h>

#include "core/trap_kinds.h"
#include "support/text.h"

namespace wasmiot::gen {

std::string SymbolPart(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  // IsGeneratedSymbolName also refuses a leading "__" and names past 64
  // characters; only the keyword rule needs the suffix.
  if (IsIdentifier(out) && out.substr(0, 2) != "__" && !IsGeneratedSymbolName(out)) out += '_';
  return out;
}

namespace {

constexpr std::string_view kReservedPrefix = "wasmiot_";

// Symbols of one namespace, refusing a second holder of the same spelling.
class SymbolTable {
 public:
  SymbolTable(std::string language, Diagnostics& diagnostics) : language_(std::move(language)), diagnostics_(diagnostics) {}

  void Add(const std::string& symbol, const std::string& holder) {
    if (symbol.compare(0, kReservedPrefix.size(), kReservedPrefix) == 0) {
      diagnostics_.AddError("gen-name-reserved", holder,
                            fmt::format("becomes the {} symbol \"{}\", but the prefix \"wasmiot_\" belongs to the "
                                        "generated glue: rename it in the manifest", language_, symbol));
      return;
    }
    auto [it, inserted] = holders_.emplace(symbol, holder);
    if (!inserted) {
      diagnostics_.AddError("gen-name-collision", holder,
                            fmt::format("becomes the {} symbol \"{}\", as {} does: rename one of them in the manifest "
                                        "(names outside [A-Za-z0-9_] become '_', keywords get a '_' after them)",
                                        language_, symbol, it->second));
    }
  }

 private:
  std::string language_;
  Diagnostics& diagnostics_;
  std::map<std::string, std::string> holders_;
};

// Parameter and result names become C and Rust parameters, beside the glue's
// own first parameter (exec_env, instance, user).
void CheckParams(const std::string& holder, const Signature& signature, Diagnostics& diagnostics) {
  SymbolTable params("parameter", diagnostics);
  for (const char* own : {"exec_env", "instance", "user"}) params.Add(own, "the glue's own parameter");
  for (const Param& p : signature.params) {
    params.Add(SymbolPart(p.name), holder + " parameter " + p.name);
    if (p.is_pointer) params.Add(SymbolPart(p.length_name), holder + " parameter " + p.length_name);
  }
  for (const NamedResult& r : signature.results) params.Add(SymbolPart(r.name), holder + " result " + r.name);
}

}  // namespace

Result<Names> ResolveNames(const Manifest& manifest, Diagnostics& diagnostics) {
  size_t errors_before = diagnostics.Count(Severity::kError);
  Names names;
  SymbolTable c_symbols("C", diagnostics);
  SymbolTable rust_modules("Rust module", diagnostics);
  rust_modules.Add("budgets", "the generated module of budget constants");
  rust_modules.Add("exports", "the generated module of export types");
  for (const char* crate : {"core", "std", "alloc"}) rust_modules.Add(crate, "a crate every no_std module uses");
  // Export types live in `mod exports` beside the primitive types they use.
  SymbolTable rust_export_types("Rust type", diagnostics);
  for (const char* primitive : {"i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128",
                                "usize", "f32", "f64", "bool", "char", "str"}) {
    rust_export_types.Add(primitive, "a Rust primitive type");
  }
  std::map<std::string, SymbolTable> rust_functions;
  for (const HostFunction& fn : manifest.host_functions) {
    ImportNames n;
    n.function = &fn;
    n.c_name = SymbolPart(fn.module) + "_" + SymbolPart(fn.name);
    n.rust_module = SymbolPart(fn.module);
    n.rust_name = SymbolPart(fn.name);
    std::string holder = "import " + fn.QualifiedName();
    c_symbols.Add(n.c_name, holder);
    bool new_module = true;
    for (const std::string& m : names.import_modules) new_module = new_module && m != fn.module;
    if (new_module) {
      names.import_modules.push_back(fn.module);
      rust_modules.Add(n.rust_module, "import module " + fn.module);
    }
    auto [table, created] = rust_functions.try_emplace(n.rust_module, "Rust", diagnostics);
    if (created) table->second.Add("raw", "the generated module of raw declarations");
    table->second.Add(n.rust_name, holder);
    CheckParams(holder, fn.signature, diagnostics);
    names.imports.push_back(std::move(n));
  }
  for (const ExportSpec& e : manifest.exports) {
    if (e.kind != ExportKind::kFunc) continue;
    ExportNames n;
    n.spec = &e;
    n.c_name = SymbolPart(e.name);
    c_symbols.Add(n.c_name, "export " + e.name);
    rust_export_types.Add(n.c_name, "export " + e.name);
    CheckParams("export " + e.name, e.signature, diagnostics);
    names.exports.push_back(std::move(n));
  }
  if (diagnostics.Count(Severity::kError) > errors_before) {
    return Error{ErrorKind::kInvalidInput, "the manifest's names cannot all become symbols"};
  }
  return names;
}

std::string FirstLine(const GenRequest& request, std::string_view language_name) {
  return fmt::format("Generated by wasmiot gen ({}) from {}, sha256 {}. Do not edit: generate again.",
                     language_name, Printable(request.manifest_name),
                     HexString(request.manifest_digest.data(), request.manifest_digest.size()));
}

std::vector<std::string> CommentLines(std::string_view text) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      lines.emplace_back();
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      lines.back() += ' ';
    } else if (c == '/' && !lines.back().empty() && lines.back().back() == '*') {
      lines.back() += " /";  // never close the comment
    } else {
      lines.back() += c;
    }
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (std::string& line : lines) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    // A C99 trigraph for a backslash (two question marks and a slash) at the end
    // of a line would splice the next line into it.
    if (line.size() >= 3 && line.compare(line.size() - 3, 3, "?\?/") == 0) line += '.';
  }
  return lines;
}

std::string CDocComment(const std::vector<std::string>& lines, std::string_view indent) {
  if (lines.empty()) return "";
  std::string out = fmt::format("{}/**\n", indent);
  for (const std::string& line : lines) {
    out += line.empty() ? fmt::format("{} *\n", indent) : fmt::format("{} * {}\n", indent, line);
  }
  return out + fmt::format("{} */\n", indent);
}

std::string RustDocComment(const std::vector<std::string>& lines, std::string_view indent) {
  std::string out;
  for (const std::string& line : lines) {
    out += line.empty() ? fmt::format("{}///\n", indent) : fmt::format("{}/// {}\n", indent, line);
  }
  return out;
}

std::string_view CType(ValueType type) {
  switch (type) {
    case ValueType::kI32: return "int32_t";
    case ValueType::kI64: return "int64_t";
    case ValueType::kF32: return "float";
    case ValueType::kF64: return "double";
  }
  return "int32_t";
}

std::string_view RustType(ValueType type) { return ValueTypeName(type); }

char WamrLetter(ValueType type) {
  switch (type) {
    case ValueType::kI32: return 'i';
    case ValueType::kI64: return 'I';
    case ValueType::kF32: return 'f';
    case ValueType::kF64: return 'F';
  }
  return 'i';
}

namespace {
// A buffer as a C parameter pair: `const uint8_t* NAME` (read) or `uint8_t* NAME`, and `uint32_t LEN`.
std::string BufferParam(const Param& p) {
  return fmt::format("{}uint8_t* {}, uint32_t {}", p.access == BufferAccess::kRead ? "const " : "", SymbolPart(p.name),
                     SymbolPart(p.length_name));
}
}  // namespace

std::string CParams(const Signature& signature, std::string first) {
  std::string out = std::move(first);
  for (const Param& p : signature.params) {
    if (!out.empty()) out += ", ";
    if (p.is_pointer) {
      out += BufferParam(p);
    } else if (p.is_string) {
      out += fmt::format("const char* {}", SymbolPart(p.name));
    } else {
      out += fmt::format("{} {}", CType(p.type), SymbolPart(p.name));
    }
  }
  return out.empty() ? "void" : out;
}

std::string WrapperParams(const Signature& signature, std::string first, bool host_memory) {
  for (const Param& p : signature.params) {
    if (p.is_pointer && host_memory) {
      first += ", " + BufferParam(p);
    } else if (p.is_pointer) {
      first += fmt::format(", uint32_t {}, uint32_t {}", SymbolPart(p.name), SymbolPart(p.length_name));
    } else if (p.is_string) {
      first += fmt::format(", uint32_t {}", SymbolPart(p.name));
    } else {
      first += fmt::format(", {} {}", CType(p.type), SymbolPart(p.name));
    }
  }
  for (const NamedResult& r : signature.results) first += fmt::format(", {}* {}", CType(r.type), SymbolPart(r.name));
  return first;
}

std::vector<std::string> FunctionDoc(const std::string& doc, const Signature& signature, const DocOptions& options) {
  std::vector<std::string> lines = CommentLines(doc);
  std::vector<std::string> tags;
  auto add = [&](std::string line, const std::string& item_doc) {
    std::vector<std::string> more = CommentLines(item_doc);
    if (!more.empty()) line += " " + more[0];
    tags.push_back(std::move(line));
    for (size_t i = 1; i < more.size(); ++i) tags.push_back("  " + more[i]);
  };
  for (const Param& p : signature.params) {
    std::string_view who = options.host_side ? "the host" : "the module";
    if (p.is_string) {
      add(fmt::format("@param {} a NUL-terminated string {} reads.", SymbolPart(p.name), who), p.doc);
      continue;
    }
    if (!p.is_pointer) {
      add(fmt::format("@param {}", SymbolPart(p.name)), p.doc);
      continue;
    }
    std::string_view does = p.access == BufferAccess::kRead    ? "reads"
                            : p.access == BufferAccess::kWrite ? "writes"
                                                               : "reads and writes";
    if (options.slices) {
      add(fmt::format("@param {} bytes {} {}.", SymbolPart(p.name), who, does), p.doc);
    } else {
      add(fmt::format("@param {} a buffer in the module's memory {} {}.", SymbolPart(p.name), who, does), p.doc);
      tags.push_back(fmt::format("@param {} its length in bytes.", SymbolPart(p.length_name)));
    }
  }
  for (const NamedResult& r : signature.results) add(fmt::format("@return {}", SymbolPart(r.name)), r.doc);
  if (!options.status.empty()) lines.push_back(options.status);
  if (!lines.empty() && !tags.empty()) lines.emplace_back();
  lines.insert(lines.end(), tags.begin(), tags.end());
  return lines;
}

std::string BudgetDefines(const Manifest& m) {
  const Budgets& b = m.budgets;
  std::string out = "/* The device (manifest \"device\" and \"budgets\"). */\n";
  out += fmt::format("#define WASMIOT_DEVICE_VENDOR \"{}\"\n", m.device.vendor);
  out += fmt::format("#define WASMIOT_DEVICE_CLASS \"{}\"\n", m.device.device_class);
  out += fmt::format("#define WASMIOT_DEVICE_API_VERSION \"{}\"\n", m.device.api_version);
  out += fmt::format("#define WASMIOT_MEMORY_INITIAL_PAGES {}u\n", b.initial_pages);
  out += fmt::format("#define WASMIOT_MEMORY_MAX_PAGES {}u\n", b.max_pages);
  out += fmt::format("#define WASMIOT_TABLE_MAX_ELEMENTS {}u\n", b.max_table_elements);
  out += fmt::format("#define WASMIOT_STACK_BYTES {}u\n", b.stack_bytes);
  out += fmt::format("#define WASMIOT_HEAP_BYTES {}u\n", b.heap_bytes);
  out += fmt::format("#define WASMIOT_FUEL_PER_CALL {}ull\n", b.fuel_per_call);
  out += fmt::format("#define WASMIOT_WALL_MS_PER_CALL {}u\n", b.wall_ms_per_call);
  out += fmt::format("#define WASMIOT_MAX_MODULE_BYTES {}u\n", b.max_module_bytes);
  return out;
}

namespace {
std::string StatusConstant(TrapKind kind) {
  std::string name(TrapKindName(kind));
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return "WASMIOT_TRAP_" + name;
}
}  // namespace

std::string StatusEnumDeclaration(const Manifest& m) {
  std::string out =
      "/* How a call ended: WASMIOT_OK, or the trap, with the names `wasmiot run`\n"
      " * reports (wasmiot_status_name), or an export the module does not have. */\n"
      "typedef enum wasmiot_status {\n  WASMIOT_OK = 0,\n";
  for (TrapKind kind : kAllTrapKinds) out += fmt::format("  {},\n", StatusConstant(kind));
  if (!m.host_buffers) {
    out += "  WASMIOT_MISSING_EXPORT\n} wasmiot_status;\n\n";
    out += "/* \"ok\", \"unreachable\", \"memory-out-of-bounds\", ..., \"missing-export\". */\n";
  } else {
    out += "  WASMIOT_MISSING_EXPORT,\n"
           "  /* A buffer argument has no place in the module's memory (manifest\n"
           "   * \"host_buffers\"), or is NULL with a length: the export was not called. */\n"
           "  WASMIOT_NO_HOST_BUFFER\n} wasmiot_status;\n\n";
    out += "/* \"ok\", \"unreachable\", \"memory-out-of-bounds\", ..., \"missing-export\",\n"
           " * \"no-host-buffer\". */\n";
  }
  out += "const char* wasmiot_status_name(wasmiot_status status);\n";
  return out;
}

std::string StatusNameDefinition(const Manifest& m) {
  std::string out = "const char* wasmiot_status_name(wasmiot_status status) {\n  switch (status) {\n";
  out += "    case WASMIOT_OK: return \"ok\";\n";
  for (TrapKind kind : kAllTrapKinds) {
    out += fmt::format("    case {}: return \"{}\";\n", StatusConstant(kind), TrapKindName(kind));
  }
  out += "    case WASMIOT_MISSING_EXPORT: return \"missing-export\";\n";
  if (m.host_buffers) out += "    case WASMIOT_NO_HOST_BUFFER: return \"no-host-buffer\";\n";
  out += "  }\n  return \"other\";\n}\n";
  return out;
}

bool RefuseMultiResult(const std::string& what, const Signature& signature, GenLanguage language,
                       Diagnostics& diagnostics) {
  if (signature.results.size() <= 1) return false;
  diagnostics.AddError("gen-unsupported", what,
                       fmt::format("has {} results; gen --lang {} writes functions with at most one result "
                                   "(no C, Rust or WAMR native calling convention here returns several)",
                                   signature.results.size(), GenLanguageName(language)));
  return true;
}

}  // namespace wasmiot::gen
