/*
 * wasmiot's runtime for wasm2c output on bare-metal targets (Cortex-M, RV32,
 * Xtensa): the wasm-rt.h API with no malloc, no mmap and no signals.
 *
 *  - Linear memory comes from one static buffer of WASMIOT_RT_MEMORY_PAGES
 *    64 KiB pages (the device's memory budget, from its manifest); memory.grow
 *    past it returns -1, as the spec says.
 *  - Loads and stores are bounds-checked by the generated code itself
 *    (WASM_RT_MEMCHECK_SIGNAL_HANDLER is 0 on 32-bit targets).
 *  - Call depth is counted and capped at WASM_RT_MAX_CALL_STACK_DEPTH.
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

#ifdef __cplusplus
}
#endif

#endif /* WASMIOT_RT_STATIC_H_ */
