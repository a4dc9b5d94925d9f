/*
 * wasmiot's runtime for wasm2c output on bare-metal targets (Cortex-M, RV32,
 * Xtensa): the wasm-rt.h API with no malloc, no mmap and no signals.
 *
 *  - Linear memory comes from one static buffer of WASMIOT_RT_MEMORY_PAGES
 *    64 KiB pages (the device's memory budget, from its manifest); memory.grow
 *    past it returns -1, as the spec says.
 *  - Loads and stores are bounds-checked by the generated code itself
 *    (WASM_RT_MEMCHECK_SIGNAL_HANDLER is 0 on 32-bit targets).
 *  - Every module function compares the stack pointer with a limit on entry
 *    (WASMIOT_RT_STACK_CHECK, on unless WASM_RT_USE_STACK_DEPTH_COUNT is 1):
 *    a call chain that would pass the stack budget traps "stack exhausted".
 *    wasm_rt_init() sets the limit WASMIOT_RT_STACK_BYTES below its caller's
 *    stack pointer; wasmiot_rt_set_stack_budget() moves it (docs/aot.md).
 *  - Tables come from a static pool of WASMIOT_RT_TABLE_ELEMENTS entries.
 *  - A trap calls wasmiot_trap_handler(), which the firmware provides and
 *    which must not return (reset, or longjmp to the caller of the export).
 *
 * Build: cc -std=c99 -DWASMIOT_RT_MEMORY_PAGES=N -c wasmiot_rt_static.c
 */
#ifndef WASMIOT_RT_STATIC_H_
#define WASMIOT_RT_STATIC_H_

#include "wasm-rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Provided by the firmware. Must not return. */
WASM_RT_NO_RETURN void wasmiot_trap_handler(wasm_rt_trap_t trap);

/* Bytes of linear memory the runtime reserves (the static budget). */
uint32_t wasmiot_rt_memory_budget(void);

/* The lowest stack address a module function may start running at: below it
 * the function traps WASM_RT_TRAP_EXHAUSTION on entry. Firmware with a known
 * task stack may set it directly (the stack's lowest address plus a reserve,
 * docs/aot.md "Stack"). */
extern uintptr_t wasmiot_rt_stack_limit;

/* Gives the module `bytes` of stack below the caller's stack pointer (0: the
 * default, WASMIOT_RT_STACK_BYTES). Call it from the frame that calls the
 * module's exports, on the stack they run on; wasm_rt_init() does once. */
void wasmiot_rt_set_stack_budget(uint32_t bytes);

/* The current stack pointer: one register move on Arm, RISC-V and Xtensa. */
static inline uintptr_t wasmiot_rt_stack_pointer(void) {
  uintptr_t sp;
#if defined(__arm__) || defined(__thumb__)
  __asm__ volatile("mov %0, sp" : "=r"(sp));
#elif defined(__riscv)
  __asm__ volatile("mv %0, sp" : "=r"(sp));
#elif defined(__XTENSA__)
  __asm__ volatile("mov %0, a1" : "=r"(sp));
#else
  /* Other CPUs (the host, in tests): the frame's address is as good. */
  sp = (uintptr_t)__builtin_frame_address(0);
#endif
  return sp;
}

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_RT_STATIC_H_ */
