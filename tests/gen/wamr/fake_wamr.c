/* See fake_wamr.h. */
#include "fake_wamr.h"

#include <stdio.h>
#include <string.h>

uint32_t fake_last_stack_size, fake_last_heap_size;

static struct {
  const char* module;
  NativeSymbol* symbols;
  uint32_t count;
} registered[8];
static int registered_count;

struct WASMModuleInstanceCommon {
  wasm_module_t module;
  char exception[128];
};
struct WASMExecEnv {
  struct WASMModuleInstanceCommon* instance;
};
struct WASMMemoryInstance {
  uint32_t pages;
  uint8_t* data; /* pages * 65536 bytes, at most sizeof memory_places[0] */
};

static struct WASMModuleInstanceCommon the_instance;
static struct WASMExecEnv the_exec_env = {&the_instance};
static struct WASMMemoryInstance the_memory;
/* Two places for the instance's memory, so that it can move. */
static uint8_t memory_places[2][4 * 65536];

static uint64_t memory_size(void) {
  uint64_t size = (uint64_t)the_memory.pages * 65536u;
  return size < sizeof memory_places[0] ? size : sizeof memory_places[0];
}

void fake_move_memory(void) {
  uint8_t* other = the_memory.data == memory_places[0] ? memory_places[1] : memory_places[0];
  memcpy(other, the_memory.data, sizeof memory_places[0]);
  memset(the_memory.data, 0xAA, sizeof memory_places[0]);
  the_memory.data = other;
}

bool wasm_runtime_register_natives(const char* module_name, NativeSymbol* native_symbols, uint32_t n) {
  if (registered_count == 8) return false;
  registered[registered_count].module = module_name;
  registered[registered_count].symbols = native_symbols;
  registered[registered_count].count = n;
  ++registered_count;
  return true;
}

void* fake_native(const char* module, const char* name, const char** signature) {
  int i;
  uint32_t j;
  for (i = 0; i < registered_count; ++i) {
    if (strcmp(registered[i].module, module) != 0) continue;
    for (j = 0; j < registered[i].count; ++j) {
      if (strcmp(registered[i].symbols[j].symbol, name) == 0) {
        *signature = registered[i].symbols[j].signature;
        return registered[i].symbols[j].func_ptr;
      }
    }
  }
  return NULL;
}

wasm_exec_env_t fake_exec_env(void) { return &the_exec_env; }

int32_t wasm_runtime_get_import_count(const wasm_module_t module) { return module->import_count; }

void wasm_runtime_get_import_type(const wasm_module_t module, int32_t index, wasm_import_t* out) {
  fake_import* i = &module->imports[index];
  memset(out, 0, sizeof *out);
  out->module_name = i->module;
  out->name = i->name;
  out->kind = i->kind;
  if (i->kind == WASM_IMPORT_EXPORT_KIND_FUNC) out->u.func_type = &i->func;
  if (i->kind == WASM_IMPORT_EXPORT_KIND_MEMORY) out->u.memory_type = &i->memory;
}

int32_t wasm_runtime_get_export_count(const wasm_module_t module) { return module->export_count; }

void wasm_runtime_get_export_type(const wasm_module_t module, int32_t index, wasm_export_t* out) {
  fake_export* e = &module->exports[index];
  memset(out, 0, sizeof *out);
  out->name = e->name;
  out->kind = e->kind;
  if (e->kind == WASM_IMPORT_EXPORT_KIND_FUNC) out->u.func_type = &e->func;
  if (e->kind == WASM_IMPORT_EXPORT_KIND_MEMORY) out->u.memory_type = &e->memory;
}

static wasm_valkind_t kind_of(char letter) {
  switch (letter) {
    case 'I': return WASM_I64;
    case 'f': return WASM_F32;
    case 'F': return WASM_F64;
    default: return WASM_I32;
  }
}

uint32_t wasm_func_type_get_param_count(const wasm_func_type_t t) { return (uint32_t)strlen(t->params); }
wasm_valkind_t wasm_func_type_get_param_valkind(const wasm_func_type_t t, uint32_t i) { return kind_of(t->params[i]); }
uint32_t wasm_func_type_get_result_count(const wasm_func_type_t t) { return (uint32_t)strlen(t->results); }
wasm_valkind_t wasm_func_type_get_result_valkind(const wasm_func_type_t t, uint32_t i) { return kind_of(t->results[i]); }
uint32_t wasm_memory_type_get_init_page_count(const wasm_memory_type_t m) { return m->init_pages; }
uint32_t wasm_memory_type_get_max_page_count(const wasm_memory_type_t m) { return m->max_pages; }

wasm_module_inst_t wasm_runtime_instantiate(const wasm_module_t module, uint32_t stack_size, uint32_t heap_size,
                                            char* error, uint32_t error_size) {
  (void)error;
  (void)error_size;
  fake_last_stack_size = stack_size;
  fake_last_heap_size = heap_size;
  the_instance.module = module;
  the_instance.exception[0] = '\0';
  the_memory.pages = module->memory_pages;
  the_memory.data = memory_places[0];
  memset(memory_places, 0, sizeof memory_places);
  return &the_instance;
}

void wasm_runtime_deinstantiate(wasm_module_inst_t instance) { instance->module = NULL; }
wasm_memory_inst_t wasm_runtime_get_default_memory(const wasm_module_inst_t instance) {
  return instance->module->memory_pages ? &the_memory : NULL;
}
uint64_t wasm_memory_get_cur_page_count(const wasm_memory_inst_t m) { return m->pages; }
uint64_t wasm_memory_get_bytes_per_page(const wasm_memory_inst_t m) {
  (void)m;
  return 65536;
}
wasm_module_inst_t wasm_runtime_get_module_inst(wasm_exec_env_t exec_env) { return exec_env->instance; }

wasm_function_inst_t wasm_runtime_lookup_function(const wasm_module_inst_t instance, const char* name) {
  int32_t i;
  for (i = 0; i < instance->module->export_count; ++i) {
    fake_export* e = &instance->module->exports[i];
    if (e->kind == WASM_IMPORT_EXPORT_KIND_FUNC && strcmp(e->name, name) == 0) return e;
  }
  return NULL;
}

bool wasm_runtime_call_wasm_a(wasm_exec_env_t exec_env, wasm_function_inst_t function, uint32_t num_results,
                              wasm_val_t results[], uint32_t num_args, wasm_val_t* args) {
  fake_export* e = (fake_export*)function;
  uint32_t i;
  /* WAMR checks the counts and kinds against the function's type. */
  if (num_args != strlen(e->func.params) || num_results != strlen(e->func.results)) {
    wasm_runtime_set_exception(exec_env->instance, "invalid argument count");
    return false;
  }
  for (i = 0; i < num_args; ++i) {
    if (args[i].kind != kind_of(e->func.params[i])) {
      wasm_runtime_set_exception(exec_env->instance, "invalid argument type");
      return false;
    }
  }
  if (e->callback) e->callback(exec_env, num_args, args);
  if (exec_env->instance->exception[0]) return false;
  if (e->exception) {
    wasm_runtime_set_exception(exec_env->instance, e->exception);
    return false;
  }
  if (num_results) results[0] = e->result;
  return true;
}

const char* wasm_runtime_get_exception(wasm_module_inst_t instance) {
  return instance->exception[0] ? instance->exception : NULL;
}

void wasm_runtime_set_exception(wasm_module_inst_t instance, const char* exception) {
  if (!exception) {
    instance->exception[0] = '\0';
    return;
  }
  snprintf(instance->exception, sizeof instance->exception, "Exception: %s", exception);
}

void wasm_runtime_clear_exception(wasm_module_inst_t instance) { instance->exception[0] = '\0'; }
void wasm_runtime_terminate(wasm_module_inst_t instance) { wasm_runtime_set_exception(instance, "terminated by user"); }
void wasm_runtime_set_instruction_count_limit(wasm_exec_env_t exec_env, int count) {
  (void)exec_env;
  (void)count;
}

/* As WAMR: false, with an exception raised, when the range is not inside the memory. */
bool wasm_runtime_validate_app_addr(wasm_module_inst_t instance, uint64_t app_offset, uint64_t size) {
  if (instance->module->memory_pages && size <= memory_size() && app_offset <= memory_size() - size) return true;
  wasm_runtime_set_exception(instance, "out of bounds memory access");
  return false;
}

/* As WAMR: NULL unless the address is inside the memory (its end is not). */
void* wasm_runtime_addr_app_to_native(wasm_module_inst_t instance, uint64_t app_offset) {
  if (!instance->module->memory_pages || app_offset >= memory_size()) return NULL;
  return the_memory.data + app_offset;
}
