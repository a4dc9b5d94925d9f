// gen host --lang wasm2c: wasmiot_wasm2c.h and wasmiot_wasm2c.c, the firmware's
// side for `wasmiot aot` output (wasm2c, wabt 1.0.32): the import functions
// wasm2c calls, each checking buffers before delegating to a typed function
// the firmware writes, and typed calls of the exports.
#include <fmt/format.h>

#include "core/wasm2c_names.h"
#include "gen/gen_common.h"
#include "gen/host_buffers.h"
#include "gen/generators.h"
#include "support/text.h"

namespace wasmiot::gen {
namespace {

std::string_view W2cType(ValueType type) {  // wasm2c's names for the value types
  switch (type) {
    case ValueType::kI32: return "u32";
    case ValueType::kI64: return "u64";
    case ValueType::kF32: return "f32";
    case ValueType::kF64: return "f64";
  }
  return "u32";
}

std::string ResultC(const Signature& s) { return s.results.empty() ? "void" : std::string(CType(s.results[0].type)); }
std::string ResultW2c(const Signature& s) { return s.results.empty() ? "void" : std::string(W2cType(s.results[0].type)); }

// wasm2c's parameter list after the instance pointer: (u32, u32, f32).
std::string W2cParamTypes(const Signature& signature) {
  std::string out;
  for (ValueType t : signature.WasmParams()) out += fmt::format(", {}", W2cType(t));
  return out;
}

// A value crossing from the firmware's C type to wasm2c's: a signed integer
// passes as the unsigned of its width, floats as they are.
std::string ToW2c(ValueType type, const std::string& expr) {
  return type == ValueType::kI32 || type == ValueType::kI64 ? fmt::format("({}){}", W2cType(type), expr) : expr;
}

// Only where a host function takes a buffer (else it would be unused).
constexpr std::string_view kGuestBytes = R"C(
/* The guest bytes [address, address + length) as a host pointer, or a
 * WASMIOT_TRAP_HOST trap: checked without overflow before any byte is touched. */
static uint8_t* wasmiot_guest_bytes(wasmiot_instance* instance, uint32_t address, uint32_t length) {
  wasm_rt_memory_t* memory = instance->memory;
  if (!memory || length > memory->size || address > memory->size - length) wasmiot_host_refuse();
  return memory->data + address;
}
)C";

// Only where a host function takes a string.
constexpr std::string_view kGuestString = R"C(
/* The NUL-terminated guest string at `address` as a host pointer, or a
 * WASMIOT_TRAP_HOST trap when its NUL is not inside the module's memory. */
static const char* wasmiot_guest_string(wasmiot_instance* instance, uint32_t address) {
  wasm_rt_memory_t* memory = instance->memory;
  if (!memory || address >= memory->size || !memchr(memory->data + address, 0, memory->size - address)) {
    wasmiot_host_refuse();
  }
  return (const char*)(memory->data + address);
}
)C";

constexpr std::string_view kTrapCode = R"C(
/* Traps: on bare metal (the static runtime beside this file) the glue is the
 * runtime's trap handler and longjmps back to the wrapper that made the call;
 * define WASMIOT_OWN_TRAP_HANDLER to keep yours (then the wrappers cannot
 * report traps). On Linux targets wabt's runtime unwinds (wasm_rt_impl_try). */
#if defined(WASMIOT_RT_BARE_METAL) /* set by the wasm-rt.h `wasmiot aot` writes for bare metal */
)C"
    // (Not a line of its own here: this layer does not include the device library.)
    "#include \"wasmiot_rt_static.h\"\n" R"C(static jmp_buf wasmiot_jump;
static volatile int wasmiot_trap_code;
#if !defined(WASMIOT_OWN_TRAP_HANDLER)
void wasmiot_trap_handler(wasm_rt_trap_t trap) {
  wasmiot_trap_code = (int)trap;
  longjmp(wasmiot_jump, 1);
}
#endif
/* Each call also gives the module the device's stack budget below the
 * wrapper's own frame, on whichever stack (task) makes the call. */
#define WASMIOT_TRY(code)                           \
  do {                                              \
    wasmiot_rt_set_stack_budget(WASMIOT_STACK_BYTES); \
    if (setjmp(wasmiot_jump) == 0) {                \
      (code) = 0;                                   \
    } else {                                        \
      (code) = wasmiot_trap_code;                   \
    }                                               \
  } while (0)
#else
#include "wasm-rt-impl.h"
#define WASMIOT_TRY(code) \
  do {                    \
    (code) = (int)wasm_rt_impl_try(); \
  } while (0)
#endif

/* Set when the glue or a host function ends the call (a bad buffer, a refusal),
 * so that the trap reads WASMIOT_TRAP_HOST rather than the code used to unwind. */
static volatile int wasmiot_host_fault;

void wasmiot_host_refuse(void) {
  wasmiot_host_fault = 1;
  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}


static wasmiot_status wasmiot_status_of(int trap) {
  if (wasmiot_host_fault) return WASMIOT_TRAP_HOST;
  switch (trap) {
    case WASM_RT_TRAP_OOB: return WASMIOT_TRAP_MEMORY_OUT_OF_BOUNDS;
    case WASM_RT_TRAP_INT_OVERFLOW: return WASMIOT_TRAP_INTEGER_OVERFLOW;
    case WASM_RT_TRAP_DIV_BY_ZERO: return WASMIOT_TRAP_DIVIDE_BY_ZERO;
    case WASM_RT_TRAP_INVALID_CONVERSION: return WASMIOT_TRAP_INVALID_CONVERSION;
    case WASM_RT_TRAP_UNREACHABLE: return WASMIOT_TRAP_UNREACHABLE;
    case WASM_RT_TRAP_CALL_INDIRECT: return WASMIOT_TRAP_INDIRECT_CALL;
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS /* a macro: #if cannot see enum values */
    case WASM_RT_TRAP_EXHAUSTION: return WASMIOT_TRAP_STACK_EXHAUSTED;
#endif
    default: return WASMIOT_TRAP_OTHER;
  }
}
)C";

// For the export wrappers' buffer arguments (manifest "host_buffers").
constexpr std::string_view kGuestRange = R"C(/* Whether [address, address + length) lies inside the module's memory, and where. */
static bool wasmiot_guest_range(wasmiot_instance* instance, uint32_t address, uint32_t length, uint8_t** native) {
  wasm_rt_memory_t* memory = instance->memory;
  if (!memory || length > memory->size || address > memory->size - length) return false;
  *native = memory->data + address;
  return true;
}
)C";

HostCallContext Wasm2cContext() { return {"wasmiot_instance* instance", "instance", std::string(kGuestRange)}; }

// The call of an export with guest addresses, under the trap handler: the
// public wasmiot_call_<name>, or, when that one takes host memory, the static
// wasmiot_raw_<name> it calls. `symbol`: wasm2c's function.
std::string GuestAddressWrapper(const ExportNames& e, const std::string& symbol, bool raw) {
  const Signature& s = e.spec->signature;
  std::string c = raw ? fmt::format("\n/* With guest addresses: wasmiot_call_{} places the buffers. */\n"
                                    "static wasmiot_status wasmiot_raw_{}({}) {{\n",
                                    e.c_name, e.c_name, WrapperParams(s, "wasmiot_instance* instance"))
                      : fmt::format("\nwasmiot_status wasmiot_call_{}({}) {{\n", e.c_name,
                                    WrapperParams(s, "wasmiot_instance* instance"));
  c += "  int wasmiot_trap;\n";
  c += fmt::format("  if (!{}) return WASMIOT_MISSING_EXPORT;\n", symbol);
  c += "  wasmiot_host_fault = 0;\n  WASMIOT_TRY(wasmiot_trap);\n  if (wasmiot_trap != 0) return wasmiot_status_of(wasmiot_trap);\n";
  std::string args = "&instance->module";
  for (const Param& p : s.params) {
    args += ", " + ToW2c(p.type, SymbolPart(p.name));
    if (p.is_pointer) args += ", " + SymbolPart(p.length_name);
  }
  if (s.results.empty()) {
    c += fmt::format("  {}({});\n", symbol, args);
  } else {
    const NamedResult& r = s.results[0];
    c += fmt::format("  {{\n    {} wasmiot_value = ({}){}({});\n", CType(r.type), CType(r.type), symbol, args);
    c += fmt::format("    if ({0}) *{0} = wasmiot_value;\n  }}\n", SymbolPart(r.name));
  }
  return c + "  return WASMIOT_OK;\n}\n";
}

}  // namespace

Result<std::vector<GeneratedFile>> GenerateHostWasm2c(const GenRequest& request, const Names& names,
                                                      Diagnostics& diagnostics) {
  const Manifest& m = *request.manifest;
  if (!IsGeneratedSymbolName(request.module_name)) {
    diagnostics.AddError("usage", request.module_name.empty() ? "--name" : request.module_name,
                         "gen host --lang wasm2c needs --name, the module name given to `wasmiot aot --name` "
                         "(a C identifier): wasm2c names the module's symbols after it");
    return Error{ErrorKind::kInvalidInput, "no module name"};
  }
  const std::string prefix = MangleForWasm2c(request.module_name);  // Z_thermostat
  // wasm2c's instantiate takes one import-module instance per module the
  // module imports from, in name order (std::set in wabt's C writer).
  std::set<std::string> instantiate_modules;
  if (request.module_import_modules) {
    instantiate_modules = *request.module_import_modules;
  } else {
    instantiate_modules.insert(names.import_modules.begin(), names.import_modules.end());
    if (m.memory_import) instantiate_modules.insert(m.memory_import->module);
  }
  std::set<std::string> context_modules = instantiate_modules;
  context_modules.insert(names.import_modules.begin(), names.import_modules.end());
  if (m.memory_import) context_modules.insert(m.memory_import->module);

  // ---- the header
  std::string h = fmt::format("/* {} */\n", FirstLine(request, "host wasm2c"));
  h += CDocComment({fmt::format("Firmware glue for `wasmiot aot --name {}` output: device {}/{}, API {}.",
                                request.module_name, m.device.vendor, m.device.device_class, m.device.api_version),
                    "The firmware implements the host functions below; the glue checks every",
                    "buffer against the module's memory before they see it. docs/gen.md"});
  h += "#ifndef WASMIOT_WASM2C_H_\n#define WASMIOT_WASM2C_H_\n\n#include <stdint.h>\n\n";
  h += fmt::format("#include \"wasm-rt.h\"\n#include \"{}.h\"\n\n", request.module_name);
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += BudgetDefines(m) + HostBufferDefines(m) + "\n" + StatusEnumDeclaration(m);
  std::string module;
  for (const ImportNames& i : names.imports) {
    const HostFunction& fn = *i.function;
    if (fn.module != module) {
      module = fn.module;
      h += fmt::format("\n/* ---- Host functions the firmware implements: import module \"{}\" ---- */\n", module);
    }
    std::vector<std::string> doc = FunctionDoc(fn.doc, fn.signature, {});
    doc.push_back("`user` is what the firmware gave wasmiot_instantiate.");
    h += "\n" + CDocComment(doc);
    h += fmt::format("{} {}({});\n", ResultC(fn.signature), i.c_name, CParams(fn.signature, "void* user"));
  }
  h += "\n/* ---- The instance ---- */\n\n";
  for (const std::string& mod : context_modules) {
    h += fmt::format("/* What wasm2c passes to every import of module \"{}\". */\n", mod);
    h += fmt::format("struct {}_instance_t {{\n  struct wasmiot_instance* owner;\n}};\n\n", MangleForWasm2c(mod));
  }
  h += "typedef struct wasmiot_instance {\n";
  h += fmt::format("  {}_instance_t module;\n", prefix);
  h += "  void* user;              /* handed to every host function */\n";
  h += "  wasm_rt_memory_t* memory; /* the module's memory: buffers are checked against it */\n";
  for (const std::string& mod : context_modules) {
    h += fmt::format("  struct {}_instance_t import_{};\n", MangleForWasm2c(mod), SymbolPart(mod));
  }
  h += "} wasmiot_instance;\n\n";
  std::string memory_param = m.memory_import ? ", wasm_rt_memory_t* memory" : "";
  h += fmt::format(
      "/* After wasm_rt_init() and {0}_init_module(), once each: instantiates the module\n"
      " * (its data segments may trap).{1} */\n"
      "wasmiot_status wasmiot_instantiate(wasmiot_instance* instance, void* user{2});\n"
      "void wasmiot_free(wasmiot_instance* instance);\n\n",
      prefix, m.memory_import ? " `memory` is the memory the device supplies (memory_import)." : "", memory_param);
  h += "/* For a host function refusing a call: ends it in WASMIOT_TRAP_HOST. Does not return. */\n"
       "WASM_RT_NO_RETURN void wasmiot_host_refuse(void);\n";
  h += "\n/* ---- Calls to the module's exports ---- */\n"
       "/* Each returns how the call ended; results are written only on WASMIOT_OK. An\n"
       " * optional export the module lacks is WASMIOT_MISSING_EXPORT (a weak reference). A\n";
  if (!m.host_buffers) {
    h += " * buffer parameter is an address in the module's memory. Not reentrant. */\n";
  } else {
    h += " * wrapper is not reentrant.\n *\n";
    for (const std::string& line : HostBufferConventionDoc(m)) h += " * " + line + "\n";
    h += " */\n";
  }
  h += ExportWrapperDeclarations(m, names, "wasmiot_instance* instance");
  h += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* WASMIOT_WASM2C_H_ */\n";

  // ---- the source
  std::string c = fmt::format("/* {} */\n", FirstLine(request, "host wasm2c"));
  // wabt's Linux runtime unwinds with sigsetjmp, which strict C99 hides.
  c += "#if defined(__linux__) && !defined(_POSIX_C_SOURCE)\n#define _POSIX_C_SOURCE 200809L\n#endif\n";
  c += "#include \"wasmiot_wasm2c.h\"\n\n#include <setjmp.h>\n#include <stddef.h>\n#include <string.h>\n";
  c += kTrapCode;
  bool takes_buffers = false, takes_strings = false;
  for (const ImportNames& i : names.imports) {
    for (const Param& p : i.function->signature.params) {
      takes_buffers |= p.is_pointer;
      takes_strings |= p.is_string;
    }
  }
  if (takes_buffers) c += kGuestBytes;
  if (takes_strings) c += kGuestString;
  c += "\n" + StatusNameDefinition(m);
  c += "\n/* ---- The imports wasm2c calls ---- */\n";
  for (const ImportNames& i : names.imports) {
    const HostFunction& fn = *i.function;
    const Signature& s = fn.signature;
    std::string params = fmt::format("struct {}_instance_t* wasmiot_env", MangleForWasm2c(fn.module));
    std::string args = "wasmiot_env->owner->user";
    std::string checks;
    for (const Param& p : s.params) {
      std::string name = SymbolPart(p.name);
      if (p.is_pointer) {
        std::string len = SymbolPart(p.length_name);
        params += fmt::format(", u32 {}, u32 {}", name, len);
        checks += fmt::format("  uint8_t* wasmiot_{} = wasmiot_guest_bytes(wasmiot_env->owner, {}, {});\n", name, name, len);
        args += fmt::format(", wasmiot_{}, {}", name, len);
      } else if (p.is_string) {
        params += fmt::format(", u32 {}", name);
        checks += fmt::format("  const char* wasmiot_{} = wasmiot_guest_string(wasmiot_env->owner, {});\n", name, name);
        args += fmt::format(", wasmiot_{}", name);
      } else {
        params += fmt::format(", {} {}", W2cType(p.type), name);
        args += fmt::format(", ({}){}", CType(p.type), name);
      }
    }
    c += fmt::format("\n{} {}{}({}) {{\n", ResultW2c(s), MangleForWasm2c(fn.module), MangleForWasm2c(fn.name), params);
    c += checks;
    std::string call = fmt::format("{}({})", i.c_name, args);
    c += s.results.empty() ? fmt::format("  {};\n}}\n", call)
                           : fmt::format("  return {};\n}}\n", ToW2c(s.results[0].type, call));
  }
  if (m.memory_import) {
    c += fmt::format("\n/* The memory the device supplies. */\nwasm_rt_memory_t* {}{}(struct {}_instance_t* wasmiot_env) {{\n"
                     "  return wasmiot_env->owner->memory;\n}}\n",
                     MangleForWasm2c(m.memory_import->module), MangleForWasm2c(m.memory_import->name),
                     MangleForWasm2c(m.memory_import->module));
  }
  c += "\n/* ---- The exports, weak: an optional one the module lacks is NULL ---- */\n";
  const ExportSpec* memory_export = nullptr;
  for (const ExportSpec& e : m.exports) {
    if (e.kind == ExportKind::kMemory && !memory_export) memory_export = &e;
  }
  if (memory_export && !m.memory_import) {
    c += fmt::format("wasm_rt_memory_t* {}{}({}_instance_t*) __attribute__((weak));\n", prefix,
                     MangleForWasm2c(memory_export->name), prefix);
  }
  for (const ExportNames& e : names.exports) {
    c += fmt::format("{} {}{}({}_instance_t*{}) __attribute__((weak));\n", ResultW2c(e.spec->signature), prefix,
                     MangleForWasm2c(e.spec->name), prefix, W2cParamTypes(e.spec->signature));
  }
  c += fmt::format("\nwasmiot_status wasmiot_instantiate(wasmiot_instance* instance, void* user{}) {{\n", memory_param);
  c += "  int wasmiot_trap;\n  memset(instance, 0, sizeof *instance);\n  instance->user = user;\n";
  if (m.memory_import) c += "  instance->memory = memory;\n";
  for (const std::string& mod : context_modules) c += fmt::format("  instance->import_{}.owner = instance;\n", SymbolPart(mod));
  std::string instantiate_args = "&instance->module";
  for (const std::string& mod : instantiate_modules) instantiate_args += fmt::format(", &instance->import_{}", SymbolPart(mod));
  c += "  wasmiot_host_fault = 0;\n  WASMIOT_TRY(wasmiot_trap);\n  if (wasmiot_trap != 0) return wasmiot_status_of(wasmiot_trap);\n";
  c += fmt::format("  {}_instantiate({});\n", prefix, instantiate_args);
  if (memory_export && !m.memory_import) {
    std::string getter = prefix + MangleForWasm2c(memory_export->name);
    c += fmt::format("  if ({0}) instance->memory = {0}(&instance->module);\n", getter);
  }
  c += "  return WASMIOT_OK;\n}\n\n";
  c += fmt::format("void wasmiot_free(wasmiot_instance* instance) {{ {}_free(&instance->module); }}\n", prefix);
  c += HostBufferSupport(m, names, Wasm2cContext());
  for (const ExportNames& e : names.exports) {
    std::string symbol = prefix + MangleForWasm2c(e.spec->name);
    bool host_memory = TakesHostBuffers(m, e.spec->signature);
    c += GuestAddressWrapper(e, symbol, host_memory);
    if (host_memory) c += HostBufferWrapper(e, Wasm2cContext(), "!" + symbol);
  }
  return std::vector<GeneratedFile>{{"wasmiot_wasm2c.h", std::move(h)}, {"wasmiot_wasm2c.c", std::move(c)}};
}

}  // namespace wasmiot::gen
