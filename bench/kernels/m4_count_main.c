/* bench/cortexm.sh: one kernel on qemu's MPS2 AN386 board (Cortex-M4F), run
 * with -icount so that time is instructions: the virtual clock advances
 * 2^ICOUNT_SHIFT ns per instruction executed, and SysTick counts the 25 MHz
 * CPU clock (40 ns a tick) with its wraps counted by an interrupt. Prints the
 * instructions bench_run took and its checksum. bench_setup and bench_run
 * come from a glue file the script writes: the kernel's C compiled natively,
 * or its module's AOT output. */
#include <stdint.h>
#include <stdio.h>

#ifndef ICOUNT_SHIFT
#error "define ICOUNT_SHIFT as passed to qemu's -icount shift="
#endif

void bench_setup(void);
uint32_t bench_run(uint32_t iterations);

#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)

static volatile uint32_t wraps;
void SysTick_Handler(void) { ++wraps; }

static uint64_t ticks(void) {
  uint32_t w, v;
  do {
    w = wraps;
    v = SYST_CVR;
  } while (w != wraps);
  return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v);
}

int main(void) {
  bench_setup();
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* processor clock, interrupt on wrap, enabled */
  uint64_t start = ticks();
  uint32_t checksum = bench_run(ITERATIONS);
  uint64_t took = ticks() - start;
  SYST_CSR = 0;
  /* ticks * 40 ns / (2^shift ns per instruction), rounded */
  uint64_t instructions = (took * 40u + (1u << ICOUNT_SHIFT) / 2) >> ICOUNT_SHIFT;
  printf("instructions %lu checksum %lu\n", (unsigned long)instructions, (unsigned long)checksum);
  return 0;
}
