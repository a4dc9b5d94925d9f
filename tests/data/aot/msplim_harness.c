/* For tests/aot/aot_test.cc, "Cortex-M33's stack limit register": stack.wat's
 * recursion, its module and runtime built with -DWASMIOT_RT_STACK_CHECK=0, on
 * Armv8-M's own limit: MSPLIM set BUDGET bytes below main's frame. The
 * overflow must be a UsageFault with STKOF set, with the stack pointer at the
 * limit and the recursion as deep as the software check lets it go. Prints
 * "key value" lines from the fault handler, then exits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "stack.h"
#include "wasmiot_rt_static.h"

#define SHCSR (*(volatile uint32_t*)0xE000ED24u)
#define CFSR_STKOF (1u << 20)     /* UFSR bit 4: a stack-limit violation */
#define SHCSR_USGFAULTENA (1u << 18) /* a UsageFault of its own, not a HardFault */

static Z_stack_instance_t instance;
static volatile uintptr_t limit;

void wasmiot_trap_handler(wasm_rt_trap_t trap) {
  printf("trap %d\n", (int)trap);
  exit(3);
}

void stack_overflow(uint32_t cfsr, uintptr_t sp);
void stack_overflow(uint32_t cfsr, uintptr_t sp) {
  printf("fault %s\n", (cfsr & CFSR_STKOF) ? "stkof" : "other");
  printf("sp_above_limit %ld\n", (long)(sp - limit));
  printf("calls %u\n", (unsigned)Z_stackZ_calls(&instance));
  exit(0);
}

/* Lifts the limit before anything else, or the handler's own frames fault
 * again; then reports with the fault status and the stack pointer. */
__attribute__((naked)) void UsageFault_Handler(void) {
  __asm__ volatile(
      "movs r0, #0\n\t"
      "msr msplim, r0\n\t"
      "mrs r1, msp\n\t"
      "ldr r0, =0xE000ED28\n\t" /* CFSR */
      "ldr r0, [r0]\n\t"
      "b stack_overflow\n\t");
}

int main(void) {
  wasm_rt_init();
  Z_stack_init_module();
  Z_stack_instantiate(&instance);
  printf("shallow %u\n", (unsigned)Z_stackZ_shallow(&instance));
  SHCSR |= SHCSR_USGFAULTENA;
  limit = (wasmiot_rt_stack_pointer() - BUDGET) & ~(uintptr_t)7; /* MSPLIM holds 8-byte units */
  __asm__ volatile("msr msplim, %0" ::"r"(limit));
  Z_stackZ_forever(&instance);
  printf("no fault\n");
  return 1;
}
