#include "gen/gen.h"

#include "gen/gen_common.h"
#include "gen/generators.h"

namespace wasmiot {

std::string_view GenLanguageName(GenLanguage language) {
  switch (language) {
    case GenLanguage::kC: return "c";
    case GenLanguage::kRust: return "rust";
    case GenLanguage::kWamr: return "wamr";
    case GenLanguage::kWasm2c: return "wasm2c";
  }
  return "c";
}

bool IsGuestLanguage(GenLanguage language) { return language == GenLanguage::kC || language == GenLanguage::kRust; }

Result<std::vector<GeneratedFile>> Generate(const GenRequest& request, Diagnostics& diagnostics) {
  Result<gen::Names> names = gen::ResolveNames(*request.manifest, diagnostics);
  if (!names) return names.error();
  bool refused = false;
  for (const gen::ImportNames& i : names->imports) {
    refused |= gen::RefuseMultiResult("import " + i.function->QualifiedName(), i.function->signature,
                                      request.language, diagnostics);
  }
  for (const gen::ExportNames& e : names->exports) {
    refused |= gen::RefuseMultiResult("export " + e.spec->name, e.spec->signature, request.language, diagnostics);
  }
  if (refused) return Error{ErrorKind::kInvalidInput, "unsupported signature"};
  switch (request.language) {
    case GenLanguage::kC: return gen::GenerateGuestC(request, *names, diagnostics);
    case GenLanguage::kRust: return gen::GenerateGuestRust(request, *names, diagnostics);
    case GenLanguage::kWamr: return gen::GenerateHostWamr(request, *names, diagnostics);
    case GenLanguage::kWasm2c: return gen::GenerateHostWasm2c(request, *names, diagnostics);
  }
  return Error{ErrorKind::kInvalidInput, "unknown language"};
}

}  // namespace wasmiot
