/* For tests/aot/aot_test.cc, "the glue gives each call the stack budget":
 * stack.wat's recursion called through the `gen host --lang wasm2c` glue,
 * whose wrappers move the runtime's stack limit to WASMIOT_STACK_BYTES below
 * their own frame on every call, like an RTOS task calling the module on its
 * own stack. The first call comes from main, the second from a function that
 * holds DEEPER bytes of frame first; each call must be given the whole budget
 * below its caller. Paints the stack below main's frame; prints "key value"
 * lines only after measuring (printf may use more stack than the budget). */
#include <stdint.h>
#include <stdio.h>

#include "wasmiot_rt_static.h"
#include "wasmiot_wasm2c.h"

#define DEEPER 1024u
#define PAINTED (2u * WASMIOT_STACK_BYTES + DEEPER + 4096u)
#define UNPAINTED 256u /* right below main's frame, which main's own calls use */

static volatile uint8_t* low;
static wasmiot_instance instance;

/* Bytes of the painted stack used below `from` since it was painted, and
 * paints them again. */
static uint32_t used_below(uintptr_t from) {
  uint32_t untouched = 0, i;
  while (untouched < PAINTED && low[untouched] == 0xa5) ++untouched;
  for (i = 0; i < PAINTED - UNPAINTED; ++i) low[i] = 0xa5;
  return (uint32_t)(from - ((uintptr_t)low + untouched));
}

struct outcome {
  wasmiot_status status;
  uintptr_t caller_sp;
};

static __attribute__((noinline)) struct outcome forever_from_here(void) {
  struct outcome out;
  int32_t depth = 0;
  out.caller_sp = wasmiot_rt_stack_pointer();
  out.status = wasmiot_call_forever(&instance, &depth);
  return out;
}

/* The same call with DEEPER bytes of this function's own frame in use first. */
static __attribute__((noinline)) struct outcome forever_from_deeper(void) {
  volatile uint8_t frame[DEEPER];
  uint32_t i;
  struct outcome out;
  for (i = 0; i < DEEPER; ++i) frame[i] = (uint8_t)i;
  out = forever_from_here();
  if (frame[DEEPER - 1] != (uint8_t)(DEEPER - 1)) out.status = WASMIOT_TRAP_OTHER; /* keeps the frame live */
  return out;
}

int main(void) {
  struct outcome shallow_call, deep_call;
  uint32_t shallow_used, deep_used, i;
  int32_t depth = 0, calls_shallow = 0, calls_deep = 0;
  wasmiot_status again;
  wasm_rt_init();
  Z_stack_init_module();
  if (wasmiot_instantiate(&instance, NULL) != WASMIOT_OK) return 2;
  low = (volatile uint8_t*)(wasmiot_rt_stack_pointer() - PAINTED);
  for (i = 0; i < PAINTED - UNPAINTED; ++i) low[i] = 0xa5;
  shallow_call = forever_from_here();
  shallow_used = used_below(shallow_call.caller_sp);
  wasmiot_call_calls(&instance, &calls_shallow);
  deep_call = forever_from_deeper();
  deep_used = used_below(deep_call.caller_sp);
  wasmiot_call_calls(&instance, &calls_deep);
  again = wasmiot_call_shallow(&instance, &depth);
  printf("shallow_status %s\n", wasmiot_status_name(shallow_call.status));
  printf("shallow_used %u\n", (unsigned)shallow_used);
  printf("shallow_calls %d\n", (int)calls_shallow);
  printf("deep_status %s\n", wasmiot_status_name(deep_call.status));
  printf("deep_used %u\n", (unsigned)deep_used);
  printf("deep_calls %d\n", (int)calls_deep);
  printf("caller_gap %u\n", (unsigned)(shallow_call.caller_sp - deep_call.caller_sp));
  printf("again_status %s\n", wasmiot_status_name(again));
  printf("again_depth %d\n", (int)depth);
  return 0;
}
