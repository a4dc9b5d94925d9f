/* See wasmiot_rt_static.h. C99, freestanding apart from <string.h> and <stdarg.h>. */
#include "wasmiot_rt_static.h"

#include <stdarg.h>
#include <string.h>

#ifndef WASMIOT_RT_MEMORY_PAGES
#error "define WASMIOT_RT_MEMORY_PAGES: the device's linear-memory budget in 64 KiB pages"
#endif
#ifndef WASMIOT_RT_TABLE_ELEMENTS
#define WASMIOT_RT_TABLE_ELEMENTS 64
#endif
#ifndef WASMIOT_RT_MAX_FUNC_TYPES
#define WASMIOT_RT_MAX_FUNC_TYPES 64
#endif
#ifndef WASMIOT_RT_STACK_BYTES
#error "define WASMIOT_RT_STACK_BYTES: the stack wasm_rt_init() gives the module, in bytes (wasmiot aot sets it)"
#endif
#define WASMIOT_RT_MAX_TYPE_ARITY 16
#define WASMIOT_RT_PAGE_BYTES 65536u

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#error "bare-metal targets need explicit bounds checks: WASM_RT_MEMCHECK_SIGNAL_HANDLER must be 0"
#endif

typedef char wasmiot_rt_budget_fits_u32[(WASMIOT_RT_MEMORY_PAGES <= 65535) ? 1 : -1];

#if WASMIOT_RT_MEMORY_PAGES > 0
static uint8_t g_memory[(uint32_t)WASMIOT_RT_MEMORY_PAGES * WASMIOT_RT_PAGE_BYTES];
#else
static uint8_t g_memory[1];
#endif
static int g_memory_in_use;
static wasm_rt_funcref_t g_funcrefs[WASMIOT_RT_TABLE_ELEMENTS];
static uint32_t g_funcrefs_used;
static wasm_rt_externref_t g_externrefs[WASMIOT_RT_TABLE_ELEMENTS];
static uint32_t g_externrefs_used;
static int g_initialized;

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif
uintptr_t wasmiot_rt_stack_limit;

/* Function types, for call_indirect: equal signatures get equal indexes. */
typedef struct {
  uint32_t params, results;
  wasm_rt_type_t types[WASMIOT_RT_MAX_TYPE_ARITY];
} wasmiot_func_type;
static wasmiot_func_type g_types[WASMIOT_RT_MAX_FUNC_TYPES];
static uint32_t g_type_count;

/* Exceptions (only reached by modules that use them). */
static uint32_t g_tag_count;
static uint32_t g_exception_tag, g_exception_size;
static uint8_t g_exception[256];
static WASM_RT_UNWIND_TARGET* g_unwind_target;

uint32_t wasmiot_rt_memory_budget(void) { return (uint32_t)WASMIOT_RT_MEMORY_PAGES * WASMIOT_RT_PAGE_BYTES; }

void wasmiot_rt_set_stack_budget(uint32_t bytes) {
  uintptr_t sp = wasmiot_rt_stack_pointer();
  if (bytes == 0) bytes = WASMIOT_RT_STACK_BYTES;
  wasmiot_rt_stack_limit = sp > bytes ? sp - bytes : 0;
}

void wasm_rt_init(void) {
  g_memory_in_use = 0;
  g_funcrefs_used = 0;
  g_externrefs_used = 0;
  g_type_count = 0;
  g_tag_count = 0;
  g_unwind_target = NULL;
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = 0;
#endif
  wasmiot_rt_set_stack_budget(0);
  g_initialized = 1;
}

bool wasm_rt_is_initialized(void) { return g_initialized != 0; }

void wasm_rt_free(void) { g_initialized = 0; }

void wasm_rt_trap(wasm_rt_trap_t trap) {
  wasmiot_trap_handler(trap);
}

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no error";
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "invalid call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
#endif
  }
  return "unknown trap";
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  wasmiot_func_type t;
  uint32_t i;
  va_list args;
  if (params + results > WASMIOT_RT_MAX_TYPE_ARITY) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  memset(&t, 0, sizeof t);
  t.params = params;
  t.results = results;
  va_start(args, results);
  for (i = 0; i < params + results; ++i) t.types[i] = (wasm_rt_type_t)va_arg(args, int);
  va_end(args);
  for (i = 0; i < g_type_count; ++i) {
    if (memcmp(&g_types[i], &t, sizeof t) == 0) return i + 1;
  }
  if (g_type_count == WASMIOT_RT_MAX_FUNC_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  g_types[g_type_count] = t;
  return ++g_type_count;
}

uint32_t wasm_rt_register_tag(uint32_t size) {
  (void)size;
  return g_tag_count++;
}

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void* values) {
  if (size > sizeof g_exception) wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
  g_exception_tag = tag;
  g_exception_size = size;
  if (size) memcpy(g_exception, values, size);
}

void wasm_rt_throw(void) {
  if (!g_unwind_target) wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
  longjmp(*g_unwind_target, 1);
}

WASM_RT_UNWIND_TARGET* wasm_rt_get_unwind_target(void) { return g_unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET* target) { g_unwind_target = target; }
uint32_t wasm_rt_exception_tag(void) { return g_exception_tag; }
uint32_t wasm_rt_exception_size(void) { return g_exception_size; }
void* wasm_rt_exception(void) { return g_exception; }

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  /* One memory per runtime, within the static budget: anything else is a
   * module the device's manifest would have refused. */
  if (g_memory_in_use || initial_pages > (uint32_t)WASMIOT_RT_MEMORY_PAGES) wasm_rt_trap(WASM_RT_TRAP_OOB);
  if (max_pages > (uint32_t)WASMIOT_RT_MEMORY_PAGES) max_pages = (uint32_t)WASMIOT_RT_MEMORY_PAGES;
  g_memory_in_use = 1;
  memory->data = g_memory;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = initial_pages * WASMIOT_RT_PAGE_BYTES;
  if (memory->size) memset(g_memory, 0, memory->size);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  uint32_t old_pages = memory->pages;
  if (delta > memory->max_pages - old_pages) return (uint32_t)-1;
  if (delta) memset(memory->data + memory->size, 0, delta * WASMIOT_RT_PAGE_BYTES);
  memory->pages = old_pages + delta;
  memory->size = memory->pages * WASMIOT_RT_PAGE_BYTES;
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  memory->data = NULL;
  memory->size = memory->pages = 0;
  g_memory_in_use = 0;
}

/* Tables take their elements from a static pool; each is created at its
 * maximum (or initial, if unbounded) so that table.grow never moves it. */
static uint32_t reserve(uint32_t* used, uint32_t elements, uint32_t max_elements) {
  uint32_t want = max_elements == 0xffffffffu ? elements : max_elements;
  uint32_t start = *used;
  if (elements > want || want > WASMIOT_RT_TABLE_ELEMENTS - start) wasm_rt_trap(WASM_RT_TRAP_OOB);
  *used = start + want;
  return start;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  uint32_t i, start = reserve(&g_funcrefs_used, elements, max_elements);
  table->data = &g_funcrefs[start];
  table->size = elements;
  table->max_size = max_elements == 0xffffffffu ? elements : max_elements;
  for (i = 0; i < table->max_size; ++i) table->data[i] = wasm_rt_funcref_null_value;
}

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements,
                                      uint32_t max_elements) {
  uint32_t i, start = reserve(&g_externrefs_used, elements, max_elements);
  table->data = &g_externrefs[start];
  table->size = elements;
  table->max_size = max_elements == 0xffffffffu ? elements : max_elements;
  for (i = 0; i < table->max_size; ++i) table->data[i] = wasm_rt_externref_null_value;
}

/* The pool is reclaimed only by wasm_rt_init(): a device instantiates once. */
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) { table->size = 0; }
void wasm_rt_free_externref_table(wasm_rt_externref_table_t* table) { table->size = 0; }

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t* table, uint32_t delta, wasm_rt_funcref_t init) {
  uint32_t i, old = table->size;
  if (delta > table->max_size - old) return (uint32_t)-1;
  for (i = old; i < old + delta; ++i) table->data[i] = init;
  table->size = old + delta;
  return old;
}

uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t* table, uint32_t delta,
                                      wasm_rt_externref_t init) {
  uint32_t i, old = table->size;
  if (delta > table->max_size - old) return (uint32_t)-1;
  for (i = old; i < old + delta; ++i) table->data[i] = init;
  table->size = old + delta;
  return old;
}
