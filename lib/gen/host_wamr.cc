// gen host --lang wamr: wasmiot_wamr.h and wasmiot_wamr.c, the firmware's side
// for WAMR (classic or fast interpreter, or wamrc AOT).
#include <algorithm>

#include <fmt/format.h>

#include "gen/gen_common.h"
#include "gen/host_buffers.h"
#include "gen/generators.h"

namespace wasmiot::gen {
namespace {

// WAMR's native signature: "(i*~$)f". A pointer is "*~": WAMR checks the
// address and length against the module's memory and passes a native pointer;
// a string is "$": WAMR checks its NUL is inside the memory and passes a char*.
std::string NativeSignature(const Signature& signature) {
  std::string out = "(";
  for (const Param& p : signature.params) {
    out += p.is_pointer ? std::string("*~") : p.is_string ? std::string("$") : std::string(1, WamrLetter(p.type));
  }
  out += ")";
  for (const NamedResult& r : signature.results) out += WamrLetter(r.type);
  return out;
}

std::string Letters(const std::vector<ValueType>& types) {
  std::string out;
  for (ValueType t : types) out += WamrLetter(t);
  return out;
}

std::string_view ValKind(ValueType type) {
  switch (type) {
    case ValueType::kI32: return "WASM_I32";
    case ValueType::kI64: return "WASM_I64";
    case ValueType::kF32: return "WASM_F32";
    case ValueType::kF64: return "WASM_F64";
  }
  return "WASM_I32";
}

std::string_view ValField(ValueType type) { return ValueTypeName(type); }

constexpr std::string_view kCheckCode = R"C(
/* ---- Install checks: what WAMR does not check at load ---- */

static void wasmiot_fail(char* error, uint32_t size, const char* a, const char* b, const char* c, const char* d) {
  const char* parts[4];
  uint32_t used = 0;
  int i;
  parts[0] = a; parts[1] = b; parts[2] = c; parts[3] = d;
  if (!error || size == 0) return;
  for (i = 0; i < 4; ++i) {
    const char* p = parts[i];
    while (p && *p && used + 1 < size) error[used++] = *p++;
  }
  error[used] = '\0';
}

static char wasmiot_letter(wasm_valkind_t kind) {
  switch (kind) {
    case WASM_I32: return 'i';
    case WASM_I64: return 'I';
    case WASM_F32: return 'f';
    case WASM_F64: return 'F';
    default: return '?';
  }
}

/* A function type as letters ("ii" -> "f"); false if it has more than 32. */
static bool wasmiot_letters(wasm_func_type_t type, char* params, char* results) {
  uint32_t n = wasm_func_type_get_param_count(type), r = wasm_func_type_get_result_count(type), i;
  if (n > 32 || r > 32) return false;
  for (i = 0; i < n; ++i) params[i] = wasmiot_letter(wasm_func_type_get_param_valkind(type, i));
  params[n] = '\0';
  for (i = 0; i < r; ++i) results[i] = wasmiot_letter(wasm_func_type_get_result_valkind(type, i));
  results[r] = '\0';
  return true;
}

static bool wasmiot_same_type(wasm_func_type_t type, const char* params, const char* results) {
  char p[33], r[33];
  return wasmiot_letters(type, p, r) && strcmp(p, params) == 0 && strcmp(r, results) == 0;
}

static bool wasmiot_memory_fits(wasm_memory_type_t memory, char* error, uint32_t error_size) {
  if (!memory) return true;
  if (wasm_memory_type_get_init_page_count(memory) > WASMIOT_MEMORY_INITIAL_PAGES) {
    wasmiot_fail(error, error_size, "the module's initial memory is larger than the device's budget", "", "", "");
    return false;
  }
  if (wasm_memory_type_get_max_page_count(memory) > WASMIOT_MEMORY_MAX_PAGES) {
    wasmiot_fail(error, error_size, "the module's memory may grow past the device's budget (no maximum, or a larger one)",
                 "", "", "");
    return false;
  }
  return true;
}

bool wasmiot_check_module_size(uint64_t size, char* error, uint32_t error_size) {
  if (size <= WASMIOT_MAX_MODULE_BYTES) return true;
  wasmiot_fail(error, error_size, "the module is larger than the device accepts (max_module_bytes)", "", "", "");
  return false;
}

bool wasmiot_check_module(wasm_module_t module, char* error, uint32_t error_size) {
  int32_t count = wasm_runtime_get_import_count(module), i;
  const struct wasmiot_export_type* e;
  for (i = 0; i < count; ++i) {
    wasm_import_t import;
    const struct wasmiot_function_type* f;
    wasm_runtime_get_import_type(module, i, &import);
    if (import.kind == WASM_IMPORT_EXPORT_KIND_MEMORY && wasmiot_memory_import(import.module_name, import.name)) {
      if (!wasmiot_memory_fits(import.u.memory_type, error, error_size)) return false;
      continue;
    }
    if (import.kind != WASM_IMPORT_EXPORT_KIND_FUNC) {
      wasmiot_fail(error, error_size, "import ", import.module_name, ".",
                   import.name);
      wasmiot_fail(error + strlen(error), error_size - (uint32_t)strlen(error),
                   " is not a function the device supplies", "", "", "");
      return false;
    }
    for (f = wasmiot_host_function_types; f->module; ++f) {
      if (strcmp(f->module, import.module_name) == 0 && strcmp(f->name, import.name) == 0) break;
    }
    if (!f->module) {
      wasmiot_fail(error, error_size, "import ", import.module_name, ".", import.name);
      wasmiot_fail(error + strlen(error), error_size - (uint32_t)strlen(error),
                   " is not a host function of " WASMIOT_DEVICE_VENDOR "/" WASMIOT_DEVICE_CLASS, "", "", "");
      return false;
    }
    if (!wasmiot_same_type(import.u.func_type, f->params, f->results)) {
      wasmiot_fail(error, error_size, "import ", import.module_name, ".", import.name);
      wasmiot_fail(error + strlen(error), error_size - (uint32_t)strlen(error),
                   " has another signature than the device declares", "", "", "");
      return false;
    }
  }
  count = wasm_runtime_get_export_count(module);
  for (e = wasmiot_export_types; e->name; ++e) {
    bool found = false;
    for (i = 0; i < count && !found; ++i) {
      wasm_export_t x;
      wasm_runtime_get_export_type(module, i, &x);
      if (strcmp(x.name, e->name) != 0) continue;
      found = true;
      if (e->is_memory) {
        if (x.kind != WASM_IMPORT_EXPORT_KIND_MEMORY) {
          wasmiot_fail(error, error_size, "export ", e->name, " is not a memory", "");
          return false;
        }
        if (!wasmiot_memory_fits(x.u.memory_type, error, error_size)) return false;
      } else if (x.kind != WASM_IMPORT_EXPORT_KIND_FUNC || !wasmiot_same_type(x.u.func_type, e->params, e->results)) {
        wasmiot_fail(error, error_size, "export ", e->name, " has another signature than the device calls", "");
        return false;
      }
    }
    if (!found && e->required) {
      wasmiot_fail(error, error_size, "the module does not export ", e->name, ", which the device requires", "");
      return false;
    }
  }
  return true;
}

wasm_module_inst_t wasmiot_instantiate(wasm_module_t module, char* error, uint32_t error_size) {
  wasm_module_inst_t instance;
  wasm_memory_inst_t memory;
  if (!wasmiot_check_module(module, error, error_size)) return NULL;
  instance = wasm_runtime_instantiate(module, WASMIOT_STACK_BYTES, WASMIOT_HEAP_BYTES, error, error_size);
  if (!instance) return NULL;
  memory = wasm_runtime_get_default_memory(instance);
  if (memory && wasm_memory_get_cur_page_count(memory) * wasm_memory_get_bytes_per_page(memory) >
                    (uint64_t)WASMIOT_MEMORY_MAX_PAGES * 65536u + WASMIOT_HEAP_BYTES) {
    wasm_runtime_deinstantiate(instance);
    wasmiot_fail(error, error_size, "the instance's memory (with the app heap) is larger than the device's budget",
                 "", "", "");
    return NULL;
  }
  return instance;
}

/* ---- Calls ---- */

void wasmiot_host_refuse(wasm_exec_env_t exec_env) {
  wasm_runtime_set_exception(wasm_runtime_get_module_inst(exec_env), WASMIOT_HOST_REFUSED);
}

/* WAMR's exception text ("Exception: integer divide by zero") as a status. */
static wasmiot_status wasmiot_status_of(const char* exception) {
  static const struct {
    const char* text;
    wasmiot_status status;
  } known[] = {
      {"unreachable", WASMIOT_TRAP_UNREACHABLE},
      {"out of bounds memory access", WASMIOT_TRAP_MEMORY_OUT_OF_BOUNDS},
      {"integer divide by zero", WASMIOT_TRAP_DIVIDE_BY_ZERO},
      {"integer overflow", WASMIOT_TRAP_INTEGER_OVERFLOW},
      {"invalid conversion to integer", WASMIOT_TRAP_INVALID_CONVERSION},
      {"indirect call type mismatch", WASMIOT_TRAP_INDIRECT_CALL},
      {"invalid function index", WASMIOT_TRAP_INDIRECT_CALL},
      {"undefined element", WASMIOT_TRAP_INDIRECT_CALL},
      {"uninitialized element", WASMIOT_TRAP_INDIRECT_CALL},
      {"out of bounds table access", WASMIOT_TRAP_INDIRECT_CALL},
      {"null function reference", WASMIOT_TRAP_INDIRECT_CALL},
      {"native stack overflow", WASMIOT_TRAP_STACK_EXHAUSTED},
      {"wasm operand stack overflow", WASMIOT_TRAP_STACK_EXHAUSTED},
      {"wasm auxiliary stack overflow", WASMIOT_TRAP_STACK_EXHAUSTED},
      {"instruction limit exceeded", WASMIOT_TRAP_FUEL_EXHAUSTED},
      {"terminated by user", WASMIOT_TRAP_TIMEOUT},
      {WASMIOT_HOST_REFUSED, WASMIOT_TRAP_HOST},
      {"failed to call unlinked import function", WASMIOT_TRAP_HOST},
  };
  size_t i;
  if (!exception) return WASMIOT_TRAP_OTHER;
  if (strncmp(exception, "Exception: ", 11) == 0) exception += 11;
  for (i = 0; i < sizeof known / sizeof known[0]; ++i) {
    if (strcmp(exception, known[i].text) == 0) return known[i].status;
  }
  return WASMIOT_TRAP_OTHER;
}

static wasmiot_status wasmiot_call(wasm_exec_env_t exec_env, const char* name, uint32_t result_count,
                                   wasm_val_t* results, uint32_t arg_count, wasm_val_t* args) {
  wasm_module_inst_t instance = wasm_runtime_get_module_inst(exec_env);
  wasm_function_inst_t function = wasm_runtime_lookup_function(instance, name);
  bool ok;
  wasmiot_status status;
  if (!function) return WASMIOT_MISSING_EXPORT;
#if defined(WASMIOT_WAMR_INSTRUCTION_LIMIT)
  wasm_runtime_set_instruction_count_limit(exec_env, WASMIOT_FUEL_PER_CALL > 0x7fffffffull ? 0x7fffffff
                                                                                         : (int)WASMIOT_FUEL_PER_CALL);
#endif
#if defined(WASMIOT_WAMR_DEADLINE)
  wasmiot_deadline_arm(instance, WASMIOT_WALL_MS_PER_CALL);
#endif
  ok = wasm_runtime_call_wasm_a(exec_env, function, result_count, results, arg_count, args);
#if defined(WASMIOT_WAMR_DEADLINE)
  wasmiot_deadline_disarm(instance);
#endif
  if (ok) return WASMIOT_OK;
  status = wasmiot_status_of(wasm_runtime_get_exception(instance));
  wasm_runtime_clear_exception(instance);
  return status;
}
)C";

// For the export wrappers' buffer arguments (manifest "host_buffers").
constexpr std::string_view kGuestRange = R"C(/* Whether [address, address + length) lies inside the module's memory, and where
 * (NULL for no bytes). WAMR raises an exception for a range outside: cleared, so
 * that the next call starts clean. */
static bool wasmiot_guest_range(wasm_exec_env_t exec_env, uint32_t address, uint32_t length, uint8_t** native) {
  wasm_module_inst_t instance = wasm_runtime_get_module_inst(exec_env);
  if (!wasm_runtime_validate_app_addr(instance, address, length)) {
    wasm_runtime_clear_exception(instance);
    return false;
  }
  *native = length ? (uint8_t*)wasm_runtime_addr_app_to_native(instance, address) : NULL;
  return length == 0 || *native != NULL;
}
)C";

HostCallContext WamrContext() { return {"wasm_exec_env_t exec_env", "exec_env", std::string(kGuestRange)}; }

// The call of an export with guest addresses: the public wasmiot_call_<name>,
// or, when that one takes host memory, the static wasmiot_raw_<name> it calls.
std::string GuestAddressWrapper(const ExportNames& e, bool raw) {
  const Signature& s = e.spec->signature;
  std::string c = raw ? fmt::format("\n/* With guest addresses: wasmiot_call_{} places the buffers. */\n"
                                    "static wasmiot_status wasmiot_raw_{}({}) {{\n",
                                    e.c_name, e.c_name, WrapperParams(s, "wasm_exec_env_t exec_env"))
                      : fmt::format("\nwasmiot_status wasmiot_call_{}({}) {{\n", e.c_name,
                                    WrapperParams(s, "wasm_exec_env_t exec_env"));
  size_t arg_count = s.WasmParams().size();
  if (arg_count) c += fmt::format("  wasm_val_t wasmiot_args[{}];\n", arg_count);
  if (!s.results.empty()) c += "  wasm_val_t wasmiot_results[1];\n  wasmiot_status wasmiot_result;\n";
  if (arg_count) c += "  memset(wasmiot_args, 0, sizeof wasmiot_args);\n";
  size_t slot = 0;
  for (const Param& p : s.params) {
    c += fmt::format("  wasmiot_args[{}].kind = {};\n  wasmiot_args[{}].of.{} = ({}){};\n", slot, ValKind(p.type), slot,
                     ValField(p.type), CType(p.type), SymbolPart(p.name));
    ++slot;
    if (p.is_pointer) {
      c += fmt::format("  wasmiot_args[{}].kind = WASM_I32;\n  wasmiot_args[{}].of.i32 = (int32_t){};\n", slot, slot,
                       SymbolPart(p.length_name));
      ++slot;
    }
  }
  std::string args = arg_count ? fmt::format("{}, wasmiot_args", arg_count) : "0, NULL";
  if (s.results.empty()) return c + fmt::format("  return wasmiot_call(exec_env, \"{}\", 0, NULL, {});\n}}\n", e.spec->name, args);
  const NamedResult& r = s.results[0];
  c += fmt::format("  wasmiot_result = wasmiot_call(exec_env, \"{}\", 1, wasmiot_results, {});\n", e.spec->name, args);
  c += fmt::format("  if (wasmiot_result == WASMIOT_OK && {}) *{} = wasmiot_results[0].of.{};\n", SymbolPart(r.name),
                   SymbolPart(r.name), ValField(r.type));
  return c + "  return wasmiot_result;\n}\n";
}

}  // namespace

Result<std::vector<GeneratedFile>> GenerateHostWamr(const GenRequest& request, const Names& names,
                                                    Diagnostics& /*diagnostics: nothing to refuse*/) {
  const Manifest& m = *request.manifest;
  // ---- the header
  std::string h = fmt::format("/* {} */\n", FirstLine(request, "host wamr"));
  h += CDocComment({fmt::format("Firmware glue for WAMR: device {}/{}, API {}.", m.device.vendor,
                                m.device.device_class, m.device.api_version),
                    "The firmware implements the host functions below; this glue registers",
                    "them with their signatures, refuses at install a module that `wasmiot",
                    "check` would refuse, and calls exports with typed wrappers. docs/gen.md"});
  h += "#ifndef WASMIOT_WAMR_H_\n#define WASMIOT_WAMR_H_\n\n#include <stdbool.h>\n#include <stdint.h>\n\n";
  h += "#include \"wasm_export.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += BudgetDefines(m) + HostBufferDefines(m) + "\n" + StatusEnumDeclaration(m);
  std::string module;
  for (const ImportNames& i : names.imports) {
    const HostFunction& fn = *i.function;
    if (fn.module != module) {
      module = fn.module;
      h += fmt::format("\n/* ---- Host functions the firmware implements: import module \"{}\" ---- */\n", module);
    }
    std::vector<std::string> doc = FunctionDoc(fn.doc, fn.signature, {});
    doc.push_back(fmt::format("WAMR signature \"{}\"{}.", NativeSignature(fn.signature),
                              fn.signature.WasmParams().size() > fn.signature.params.size()
                                  ? ": WAMR has checked each buffer lies inside the module's memory"
                                  : ""));
    h += "\n" + CDocComment(doc);
    h += fmt::format("{} {}({});\n", fn.signature.results.empty() ? "void" : CType(fn.signature.results[0].type),
                     i.c_name, CParams(fn.signature, "wasm_exec_env_t exec_env"));
  }
  h += "\n/* ---- Set-up ---- */\n\n"
       "/* Registers every host function with its signature string. Call once, after\n"
       " * wasm_runtime_init() or wasm_runtime_full_init() and before loading a module. */\n"
       "bool wasmiot_register_natives(void);\n\n"
       "/* Install checks WAMR does not do at load, so that a module `wasmiot check` refuses is\n"
       " * refused at install rather than when a call first reaches a bad import: its size\n"
       " * (before wasm_runtime_load), then every import declared by the device with the same\n"
       " * signature, every required export present with its signature, memory within budget.\n"
       " * On failure they write a message into `error` (NUL-terminated, cut to error_size). */\n"
       "bool wasmiot_check_module_size(uint64_t size, char* error, uint32_t error_size);\n"
       "bool wasmiot_check_module(wasm_module_t module, char* error, uint32_t error_size);\n\n"
       "/* wasmiot_check_module, then wasm_runtime_instantiate with the device's stack and heap\n"
       " * budgets, then the instance's memory (app heap included) against the budget. */\n"
       "wasm_module_inst_t wasmiot_instantiate(wasm_module_t module, char* error, uint32_t error_size);\n\n"
       "/* For a host function refusing a call (a request it cannot serve): the call ends in\n"
       " * WASMIOT_TRAP_HOST once the host function returns. */\n"
       "void wasmiot_host_refuse(wasm_exec_env_t exec_env);\n\n"
       "/* Budgets per call. WAMR counts instructions differently from `wasmiot run`'s fuel\n"
       " * (docs/runtime.md): with WASMIOT_WAMR_INSTRUCTION_LIMIT defined (WAMR built with\n"
       " * WAMR_BUILD_INSTRUCTION_METERING) every call gets WASMIOT_FUEL_PER_CALL. With\n"
       " * WASMIOT_WAMR_DEADLINE defined every call arms a deadline the firmware implements,\n"
       " * e.g. a timer whose handler calls wasm_runtime_terminate(instance): the call then\n"
       " * ends in WASMIOT_TRAP_TIMEOUT. */\n"
       "#if defined(WASMIOT_WAMR_DEADLINE)\n"
       "void wasmiot_deadline_arm(wasm_module_inst_t instance, uint32_t milliseconds);\n"
       "void wasmiot_deadline_disarm(wasm_module_inst_t instance);\n#endif\n";
  h += "\n/* ---- Calls to the module's exports ---- */\n"
       "/* Each looks the export up (WASMIOT_MISSING_EXPORT if the module lacks it), calls\n"
       " * it under the budgets, and returns how it ended; results are written only on\n";
  if (!m.host_buffers) {
    h += " * WASMIOT_OK. A buffer parameter is an address in the module's memory. */\n";
  } else {
    h += " * WASMIOT_OK.\n *\n";
    for (const std::string& line : HostBufferConventionDoc(m)) h += " * " + line + "\n";
    h += " */\n";
  }
  h += ExportWrapperDeclarations(m, names, "wasm_exec_env_t exec_env");
  h += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* WASMIOT_WAMR_H_ */\n";

  // ---- the source
  std::string c = fmt::format("/* {} */\n", FirstLine(request, "host wamr"));
  c += "#include \"wasmiot_wamr.h\"\n\n#include <string.h>\n\n";
  c += "#define WASMIOT_HOST_REFUSED \"wasmiot: the host refused the call\"\n\n";
  // NativeSymbol tables, sorted by name as WAMR's bsearch wants them (WAMR
  // sorts them again on registration; sorted here, the table reads the same).
  for (const std::string& mod : names.import_modules) {
    std::vector<const ImportNames*> fns;
    for (const ImportNames& i : names.imports) {
      if (i.function->module == mod) fns.push_back(&i);
    }
    std::sort(fns.begin(), fns.end(), [](auto* a, auto* b) { return a->function->name < b->function->name; });
    c += fmt::format("/* Import module \"{}\". Not const: WAMR sorts it in place. */\n", mod);
    c += fmt::format("static NativeSymbol wasmiot_natives_{}[] = {{\n", SymbolPart(mod));
    for (const ImportNames* i : fns) {
      c += fmt::format("    {{\"{}\", __extension__(void*){}, \"{}\", NULL}},\n", i->function->name, i->c_name,
                       NativeSignature(i->function->signature));
    }
    c += "};\n\n";
  }
  c += "bool wasmiot_register_natives(void) {\n";
  for (const std::string& mod : names.import_modules) {
    std::string table = "wasmiot_natives_" + SymbolPart(mod);
    c += fmt::format("  if (!wasm_runtime_register_natives(\"{}\", {}, (uint32_t)(sizeof {} / sizeof {}[0]))) return false;\n",
                     mod, table, table, table);
  }
  c += "  return true;\n}\n\n";
  c += "/* What a module may import and must export, as WAMR type letters. */\n"
       "static const struct wasmiot_function_type {\n  const char* module;\n  const char* name;\n"
       "  const char* params;\n  const char* results;\n} wasmiot_host_function_types[] = {\n";
  for (const ImportNames& i : names.imports) {
    const Signature& s = i.function->signature;
    c += fmt::format("    {{\"{}\", \"{}\", \"{}\", \"{}\"}},\n", i.function->module, i.function->name,
                     Letters(s.WasmParams()), Letters(s.WasmResults()));
  }
  c += "    {NULL, NULL, NULL, NULL}};\n\n";
  c += "static const struct wasmiot_export_type {\n  const char* name;\n  const char* params;\n"
       "  const char* results;\n  bool required;\n  bool is_memory;\n} wasmiot_export_types[] = {\n";
  for (const ExportSpec& e : m.exports) {
    c += fmt::format("    {{\"{}\", \"{}\", \"{}\", {}, {}}},\n", e.name, Letters(e.signature.WasmParams()),
                     Letters(e.signature.WasmResults()), e.required ? "true" : "false",
                     e.kind == ExportKind::kMemory ? "true" : "false");
  }
  c += "    {NULL, NULL, NULL, false, false}};\n\n";
  c += "static bool wasmiot_memory_import(const char* module, const char* name) {\n";
  if (m.memory_import) {
    c += fmt::format("  return strcmp(module, \"{}\") == 0 && strcmp(name, \"{}\") == 0;\n}}\n", m.memory_import->module,
                     m.memory_import->name);
  } else {
    c += "  (void)module;\n  (void)name;\n  return false; /* the device supplies no memory */\n}\n";
  }
  c += kCheckCode;
  c += "\n" + StatusNameDefinition(m);
  c += HostBufferSupport(m, names, WamrContext());
  for (const ExportNames& e : names.exports) {
    bool host_memory = TakesHostBuffers(m, e.spec->signature);
    c += GuestAddressWrapper(e, host_memory);
    if (!host_memory) continue;
    c += HostBufferWrapper(e, WamrContext(),
                           fmt::format("!wasm_runtime_lookup_function(wasm_runtime_get_module_inst(exec_env), \"{}\")",
                                       e.spec->name));
  }
  return std::vector<GeneratedFile>{{"wasmiot_wamr.h", std::move(h)}, {"wasmiot_wamr.c", std::move(c)}};
}

}  // namespace wasmiot::gen
