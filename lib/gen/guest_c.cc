// gen guest --lang c: wasmiot_guest.h, what a C module includes.
#include <fmt/format.h>

#include "gen/gen_common.h"
#include "gen/generators.h"

namespace wasmiot::gen {
namespace {

std::string ResultType(const Signature& signature) {
  return signature.results.empty() ? "void" : std::string(CType(signature.results[0].type));
}

}  // namespace

Result<std::vector<GeneratedFile>> GenerateGuestC(const GenRequest& request, const Names& names,
                                                  Diagnostics& /*diagnostics: nothing to refuse*/) {
  const Manifest& m = *request.manifest;
  std::string h = fmt::format("/* {} */\n", FirstLine(request, "guest c"));
  std::vector<std::string> device_doc = CommentLines(m.device.doc);
  device_doc.insert(device_doc.begin(), fmt::format("Device {}/{}, API {}: what a module for it imports and exports.",
                                                    m.device.vendor, m.device.device_class, m.device.api_version));
  h += CDocComment(device_doc);
  h += "#ifndef WASMIOT_GUEST_H_\n#define WASMIOT_GUEST_H_\n\n#include <stdint.h>\n\n";
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += BudgetDefines(m) + "\n";
  h += "/* Outside a wasm build (a host build of the module's logic for unit tests)\n"
       " * the attributes mean nothing and are left out. */\n"
       "#if defined(__wasm__)\n"
       "#define WASMIOT_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))\n"
       "#define WASMIOT_EXPORT(name) __attribute__((export_name(name)))\n"
       "#else\n#define WASMIOT_IMPORT(module, name)\n#define WASMIOT_EXPORT(name)\n#endif\n";
  std::string module;
  for (const ImportNames& i : names.imports) {
    const HostFunction& fn = *i.function;
    if (fn.module != module) {
      module = fn.module;
      h += fmt::format("\n/* ---- Host functions: import module \"{}\" ---- */\n", module);
    }
    h += "\n" + CDocComment(FunctionDoc(fn.doc, fn.signature, {}));
    h += fmt::format("WASMIOT_IMPORT(\"{}\", \"{}\") {} {}({});\n", fn.module, fn.name, ResultType(fn.signature),
                     i.c_name, CParams(fn.signature, ""));
  }
  h += "\n/* ---- Exports the device calls: define these in the module ---- */\n";
  for (const ExportSpec& e : m.exports) {
    if (e.kind == ExportKind::kMemory) {
      h += fmt::format("\n/* Memory export \"{}\" ({}): wasm-ld exports the module's memory as \"memory\"{}. */\n",
                       e.name, e.required ? "required" : "optional",
                       e.name == "memory" ? "" : "; export it under this name instead (-Wl,--export-memory=NAME)");
    }
  }
  for (const ExportNames& e : names.exports) {
    std::vector<std::string> doc = FunctionDoc(
        e.spec->doc, e.spec->signature, {false, false, e.spec->required ? "Required." : "Optional."});
    h += "\n" + CDocComment(doc);
    h += fmt::format("WASMIOT_EXPORT(\"{}\") {} {}({});\n", e.spec->name, ResultType(e.spec->signature), e.c_name,
                     CParams(e.spec->signature, ""));
  }
  h += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* WASMIOT_GUEST_H_ */\n";
  return std::vector<GeneratedFile>{{"wasmiot_guest.h", std::move(h)}};
}

}  // namespace wasmiot::gen
