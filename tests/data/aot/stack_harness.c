/* For tests/aot/aot_test.cc, "the stack budget": stack.wat's recursion against
 * the runtime's stack limit. Paints the stack below main's frame, gives the
 * module BUDGET bytes, recurses until the trap, then reports how much of the
 * painted stack the calls and the trap used. Prints only after measuring: the
 * C library's printf may use more stack than the budget. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include "stack.h"
#include "wasmiot_rt_static.h"

#define PAINTED (BUDGET + 4096u)
#define UNPAINTED 256u /* right below main's frame, which main's own calls use */

static jmp_buf jump;
static volatile int trap_code;
void wasmiot_trap_handler(wasm_rt_trap_t trap) {
  trap_code = (int)trap;
  longjmp(jump, 1);
}

static Z_stack_instance_t instance;

int main(void) {
  volatile uint8_t* low;
  uint32_t i, untouched, first, calls, again;
  wasm_rt_init();
  Z_stack_init_module();
  Z_stack_instantiate(&instance);
  low = (volatile uint8_t*)(wasmiot_rt_stack_pointer() - PAINTED);
  for (i = 0; i < PAINTED - UNPAINTED; ++i) low[i] = 0xa5;
  wasmiot_rt_set_stack_budget(BUDGET);
  first = Z_stackZ_shallow(&instance);
  if (setjmp(jump) == 0) {
    Z_stackZ_forever(&instance);
    printf("no trap\n");
    return 1;
  }
  untouched = 0; /* set only after the longjmp */
  while (untouched < PAINTED && low[untouched] == 0xa5) ++untouched;
  calls = Z_stackZ_calls(&instance);
  again = Z_stackZ_shallow(&instance);
  printf("shallow %u\n", (unsigned)first);
  printf("trap %s\n", trap_code == WASM_RT_TRAP_EXHAUSTION ? "exhaustion" : "other");
  printf("used %u\n", (unsigned)(PAINTED - untouched));
  printf("calls %u\n", (unsigned)calls);
  printf("again %u\n", (unsigned)again);
  return 0;
}
