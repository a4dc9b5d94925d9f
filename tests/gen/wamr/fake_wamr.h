/*
 * A stand-in for WAMR, for tests only: the API of wasm_export.h (beside this
 * file) over modules described in C, so that the glue `wasmiot gen host --lang
 * wamr` writes runs without WAMR (not a Debian package). It records what the
 * glue asks of it and plays back what a test scripts: an export's result or
 * the exception WAMR would raise.
 */
#ifndef WASMIOT_TEST_FAKE_WAMR_H_
#define WASMIOT_TEST_FAKE_WAMR_H_

#include "wasm_export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct WASMFuncType {
  const char* params;   /* type letters, as WAMR's signatures: "ii" */
  const char* results;  /* "f" */
};

struct WASMMemory {
  uint32_t init_pages;
  uint32_t max_pages;
};

typedef struct fake_import {
  const char* module;
  const char* name;
  wasm_import_export_kind_t kind;
  struct WASMFuncType func;
  struct WASMMemory memory;
} fake_import;

typedef struct fake_export {
  const char* name;
  wasm_import_export_kind_t kind;
  struct WASMFuncType func;
  struct WASMMemory memory;
  /* What a call does: NULL returns `result` (for an export with a result),
   * else the exception WAMR would set ("integer divide by zero"). A callback,
   * if set, runs first (to call host functions through the natives). */
  const char* exception;
  wasm_val_t result;
  void (*callback)(wasm_exec_env_t exec_env, uint32_t num_args, wasm_val_t* args);
} fake_export;

struct WASMModuleCommon {
  fake_import imports[8];
  int32_t import_count;
  fake_export exports[8];
  int32_t export_count;
  uint32_t memory_pages; /* what an instance gets */
};

/* The last wasm_runtime_instantiate's stack and heap sizes. */
extern uint32_t fake_last_stack_size, fake_last_heap_size;
/* A registered native by module and name (NULL if none), and its signature. */
void* fake_native(const char* module, const char* name, const char** signature);
/* The one exec env of the last instance. */
wasm_exec_env_t fake_exec_env(void);
/* The instance's memory moved elsewhere, as a growth may move it: its bytes
 * copied to another place, and the old place scribbled over. */
void fake_move_memory(void);

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_TEST_FAKE_WAMR_H_ */
