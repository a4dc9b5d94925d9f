// gen guest --lang rust: wasmiot_guest.rs, a module of declarations a no_std
// crate includes (`include!` or `#[path] mod`): no inner attributes, so both work.
#include <fmt/format.h>

#include "gen/gen_common.h"
#include "gen/generators.h"

namespace wasmiot::gen {
namespace {

std::string RawParams(const Signature& signature) {
  std::string out;
  for (const Param& p : signature.params) {
    if (!out.empty()) out += ", ";
    if (p.is_pointer) {
      out += fmt::format("{}: *{} u8, {}: usize", SymbolPart(p.name), p.access == BufferAccess::kRead ? "const" : "mut",
                         SymbolPart(p.length_name));
    } else if (p.is_string) {
      out += fmt::format("{}: *const u8", SymbolPart(p.name));
    } else {
      out += fmt::format("{}: {}", SymbolPart(p.name), RustType(p.type));
    }
  }
  return out;
}

std::string ReturnArrow(const Signature& signature) {
  return signature.results.empty() ? "" : fmt::format(" -> {}", RustType(signature.results[0].type));
}

// The safe wrapper's parameters (a slice per buffer) and the raw call's arguments.
std::pair<std::string, std::string> SafeParams(const Signature& signature) {
  std::string params, args;
  for (const Param& p : signature.params) {
    if (!params.empty()) params += ", ";
    if (!args.empty()) args += ", ";
    std::string name = SymbolPart(p.name);
    if (p.is_pointer) {
      bool read_only = p.access == BufferAccess::kRead;
      params += fmt::format("{}: &{}[u8]", name, read_only ? "" : "mut ");
      args += fmt::format("{}.{}(), {}.len()", name, read_only ? "as_ptr" : "as_mut_ptr", name);
    } else if (p.is_string) {
      params += fmt::format("{}: &[u8]", name);  // ends in its NUL byte, checked below
      args += fmt::format("{}.as_ptr()", name);
    } else {
      params += fmt::format("{}: {}", name, RustType(p.type));
      args += name;
    }
  }
  return {params, args};
}

}  // namespace

Result<std::vector<GeneratedFile>> GenerateGuestRust(const GenRequest& request, const Names& names,
                                                     Diagnostics& /*diagnostics: nothing to refuse*/) {
  const Manifest& m = *request.manifest;
  std::string rs = fmt::format("// {}\n", FirstLine(request, "guest rust"));
  rs += fmt::format("//\n// Device {}/{}, API {}: what a module for it imports and exports.\n", m.device.vendor,
                    m.device.device_class, m.device.api_version);
  for (const std::string& line : CommentLines(m.device.doc)) rs += "// " + line + "\n";
  rs += "// Include it into a #![no_std] crate root:\n"
        "//   include!(concat!(env!(\"WASMIOT_GEN_DIR\"), \"/wasmiot_guest.rs\"));\n\n";
  const Budgets& b = m.budgets;
  rs += "/// The device's budgets (manifest \"budgets\").\n#[allow(dead_code)]\npub mod budgets {\n";
  rs += fmt::format("    pub const MEMORY_INITIAL_PAGES: u32 = {};\n", b.initial_pages);
  rs += fmt::format("    pub const MEMORY_MAX_PAGES: u32 = {};\n", b.max_pages);
  rs += fmt::format("    pub const TABLE_MAX_ELEMENTS: u32 = {};\n", b.max_table_elements);
  rs += fmt::format("    pub const STACK_BYTES: u64 = {};\n", b.stack_bytes);
  rs += fmt::format("    pub const HEAP_BYTES: u64 = {};\n", b.heap_bytes);
  rs += fmt::format("    pub const FUEL_PER_CALL: u64 = {};\n", b.fuel_per_call);
  rs += fmt::format("    pub const WALL_MS_PER_CALL: u64 = {};\n", b.wall_ms_per_call);
  rs += fmt::format("    pub const MAX_MODULE_BYTES: u64 = {};\n", b.max_module_bytes);
  rs += "}\n";

  for (const std::string& module : names.import_modules) {
    std::string rust_module;
    std::string raw, safe;
    for (const ImportNames& i : names.imports) {
      const HostFunction& fn = *i.function;
      if (fn.module != module) continue;
      rust_module = i.rust_module;
      raw += "\n" + RustDocComment(FunctionDoc(fn.doc, fn.signature, {}), "            ");
      if (i.rust_name != fn.name) raw += fmt::format("            #[link_name = \"{}\"]\n", fn.name);
      raw += fmt::format("            pub fn {}({}){};\n", i.rust_name, RawParams(fn.signature), ReturnArrow(fn.signature));
      auto [params, args] = SafeParams(fn.signature);
      safe += "\n" + RustDocComment(FunctionDoc(fn.doc, fn.signature, {true, true, ""}), "    ");
      safe += fmt::format("    #[inline]\n    pub fn {}({}){} {{\n", i.rust_name, params, ReturnArrow(fn.signature));
      bool buffers = fn.signature.WasmParams().size() > fn.signature.params.size();
      safe += buffers ? "        // SAFETY: the device implements this import as the manifest declares it and\n"
                        "        // touches a buffer only within the slice it is given, during the call.\n"
                      : "        // SAFETY: the device implements this import as the manifest declares it.\n";
      for (const Param& p : fn.signature.params) {
        if (!p.is_string) continue;
        safe += fmt::format("        assert!({0}.last() == Some(&0), \"{0} must end in a NUL byte\");\n", SymbolPart(p.name));
      }
      safe += fmt::format("        unsafe {{ raw::{}({}) }}\n    }}\n", i.rust_name, args);
    }
    rs += fmt::format("\n/// Host functions of import module \"{}\".\n#[allow(dead_code, non_snake_case)]\npub mod {} {{\n",
                      module, rust_module);
    rs += "    /// The imports exactly as the device declares them.\n    pub mod raw {\n";
    rs += fmt::format("        #[link(wasm_import_module = \"{}\")]\n        extern \"C\" {{", module);
    rs += raw + "        }\n    }\n" + safe + "}\n";
  }

  rs += "\n/// The exports the device calls, as function types: define each as\n"
        "/// `#[no_mangle] pub extern \"C\" fn NAME(...)`, and let the compiler hold it to the\n"
        "/// device's signature with `const _: exports::NAME = NAME;`. A buffer the device\n"
        "/// passes arrives as a pointer and a usize length the host chose: check the length\n"
        "/// (at most isize::MAX, and what the buffer may hold) before making a slice of it.\n"
        "#[allow(dead_code, non_camel_case_types)]\npub mod exports {";
  for (const ExportNames& e : names.exports) {
    std::vector<std::string> doc = FunctionDoc(
        e.spec->doc, e.spec->signature, {false, false, e.spec->required ? "Required." : "Optional."});
    rs += "\n" + RustDocComment(doc, "    ");
    rs += fmt::format("    pub type {} = extern \"C\" fn({}){};\n", e.c_name, RawParams(e.spec->signature),
                      ReturnArrow(e.spec->signature));
  }
  rs += "}\n";
  return std::vector<GeneratedFile>{{"wasmiot_guest.rs", std::move(rs)}};
}

}  // namespace wasmiot::gen
