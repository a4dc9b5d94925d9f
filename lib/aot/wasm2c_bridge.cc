// The one file that includes wabt's C writer.
#include "aot/wasm2c_bridge.h"

#include <wabt/apply-names.h>
#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/c-writer.h>
#include <wabt/feature.h>
#include <wabt/generate-names.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/validator.h>

namespace wasmiot {

Result<GeneratedC> GenerateC(const Bytes& wasm, const std::string& module_name,
                             const std::string& header_name) {
  wabt::Features features;  // wabt's defaults: what its wasm2c can compile
  wabt::Errors errors;
  wabt::Module module;
  wabt::ReadBinaryOptions options(features, nullptr, /*read_debug_names=*/true,
                                  /*stop_on_first_error=*/true, /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr("module.wasm", wasm.data(), wasm.size(), options, &errors, &module)) ||
      wabt::Failed(wabt::ValidateModule(&module, &errors, wabt::ValidateOptions(features)))) {
    return Error{ErrorKind::kInvalidInput, errors.empty() ? "invalid module" : errors.front().message};
  }
  // The C writer asserts unless every item has a name.
  if (wabt::Failed(wabt::GenerateNames(&module)) || wabt::Failed(wabt::ApplyNames(&module))) {
    return Error{ErrorKind::kInternal, "cannot name the module's items"};
  }
  wabt::MemoryStream c_stream;
  wabt::MemoryStream h_stream;
  wabt::WriteCOptions write_options;
  write_options.module_name = module_name;
  if (wabt::Failed(wabt::WriteC(&c_stream, &h_stream, header_name.c_str(), &module, write_options))) {
    return Error{ErrorKind::kInternal, "wasm2c failed"};
  }
  const auto& c = c_stream.output_buffer().data;
  const auto& h = h_stream.output_buffer().data;
  return GeneratedC{std::string(c.begin(), c.end()), std::string(h.begin(), h.end())};
}

}  // namespace wasmiot
