/*
 * The part of WAMR's embedding API (core/iwasm/include/wasm_export.h and
 * lib_export.h, WAMR 2.x) that `wasmiot gen host --lang wamr` output uses,
 * declared from WAMR's documentation so that the tests can compile and run
 * the glue without WAMR, which Debian does not package. Written for the tests,
 * not copied: same names, types and signatures as the real header, nothing
 * else. tests/gen/fake_wamr.c implements it over a described module.
 */
#ifndef WASMIOT_TEST_WASM_EXPORT_H_
#define WASMIOT_TEST_WASM_EXPORT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct NativeSymbol {
  const char* symbol;
  void* func_ptr;
  const char* signature;
  void* attachment;
} NativeSymbol;

struct WASMModuleCommon;
typedef struct WASMModuleCommon* wasm_module_t;
struct WASMModuleInstanceCommon;
typedef struct WASMModuleInstanceCommon* wasm_module_inst_t;
typedef void WASMFunctionInstanceCommon;
typedef WASMFunctionInstanceCommon* wasm_function_inst_t;
struct WASMExecEnv;
typedef struct WASMExecEnv* wasm_exec_env_t;
struct WASMMemoryInstance;
typedef struct WASMMemoryInstance* wasm_memory_inst_t;
struct WASMFuncType;
typedef struct WASMFuncType* wasm_func_type_t;
struct WASMTableType;
typedef struct WASMTableType* wasm_table_type_t;
struct WASMGlobalType;
typedef struct WASMGlobalType* wasm_global_type_t;
struct WASMMemory;
typedef struct WASMMemory WASMMemoryType;
typedef WASMMemoryType* wasm_memory_type_t;

typedef enum {
  WASM_IMPORT_EXPORT_KIND_FUNC,
  WASM_IMPORT_EXPORT_KIND_TABLE,
  WASM_IMPORT_EXPORT_KIND_MEMORY,
  WASM_IMPORT_EXPORT_KIND_GLOBAL
} wasm_import_export_kind_t;

typedef struct wasm_import_t {
  const char* module_name;
  const char* name;
  wasm_import_export_kind_t kind;
  bool linked;
  union {
    wasm_func_type_t func_type;
    wasm_table_type_t table_type;
    wasm_global_type_t global_type;
    wasm_memory_type_t memory_type;
  } u;
} wasm_import_t;

typedef struct wasm_export_t {
  const char* name;
  wasm_import_export_kind_t kind;
  union {
    wasm_func_type_t func_type;
    wasm_table_type_t table_type;
    wasm_global_type_t global_type;
    wasm_memory_type_t memory_type;
  } u;
} wasm_export_t;

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum { WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_V128, WASM_EXTERNREF = 128, WASM_FUNCREF };

struct wasm_ref_t;
typedef struct wasm_val_t {
  wasm_valkind_t kind;
  uint8_t _paddings[7];
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uintptr_t foreign;
    struct wasm_ref_t* ref;
  } of;
} wasm_val_t;

bool wasm_runtime_register_natives(const char* module_name, NativeSymbol* native_symbols, uint32_t n_native_symbols);
int32_t wasm_runtime_get_import_count(const wasm_module_t module);
void wasm_runtime_get_import_type(const wasm_module_t module, int32_t import_index, wasm_import_t* import_type);
int32_t wasm_runtime_get_export_count(const wasm_module_t module);
void wasm_runtime_get_export_type(const wasm_module_t module, int32_t export_index, wasm_export_t* export_type);
uint32_t wasm_func_type_get_param_count(const wasm_func_type_t func_type);
wasm_valkind_t wasm_func_type_get_param_valkind(const wasm_func_type_t func_type, uint32_t param_index);
uint32_t wasm_func_type_get_result_count(const wasm_func_type_t func_type);
wasm_valkind_t wasm_func_type_get_result_valkind(const wasm_func_type_t func_type, uint32_t result_index);
uint32_t wasm_memory_type_get_init_page_count(const wasm_memory_type_t memory_type);
uint32_t wasm_memory_type_get_max_page_count(const wasm_memory_type_t memory_type);
wasm_module_inst_t wasm_runtime_instantiate(const wasm_module_t module, uint32_t default_stack_size,
                                            uint32_t host_managed_heap_size, char* error_buf, uint32_t error_buf_size);
void wasm_runtime_deinstantiate(wasm_module_inst_t module_inst);
wasm_memory_inst_t wasm_runtime_get_default_memory(const wasm_module_inst_t module_inst);
uint64_t wasm_memory_get_cur_page_count(const wasm_memory_inst_t memory_inst);
uint64_t wasm_memory_get_bytes_per_page(const wasm_memory_inst_t memory_inst);
wasm_module_inst_t wasm_runtime_get_module_inst(wasm_exec_env_t exec_env);
wasm_function_inst_t wasm_runtime_lookup_function(const wasm_module_inst_t module_inst, const char* name);
bool wasm_runtime_call_wasm_a(wasm_exec_env_t exec_env, wasm_function_inst_t function, uint32_t num_results,
                              wasm_val_t results[], uint32_t num_args, wasm_val_t* args);
const char* wasm_runtime_get_exception(wasm_module_inst_t module_inst);
void wasm_runtime_set_exception(wasm_module_inst_t module_inst, const char* exception);
void wasm_runtime_clear_exception(wasm_module_inst_t module_inst);
void wasm_runtime_terminate(wasm_module_inst_t module_inst);
void wasm_runtime_set_instruction_count_limit(wasm_exec_env_t exec_env, int instruction_count);
bool wasm_runtime_validate_app_addr(wasm_module_inst_t module_inst, uint64_t app_offset, uint64_t size);
void* wasm_runtime_addr_app_to_native(wasm_module_inst_t module_inst, uint64_t app_offset);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_TEST_WASM_EXPORT_H_ */
