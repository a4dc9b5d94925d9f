/* Cortex-M reset for qemu's MPS2 boards (AN385 M3, AN386 M4, AN500 M7, AN505 M33), for
 * tests/aot/aot_test.cc and bench/cortexm.sh:
 * zero .bss, open newlib's semihosting handles (librdimon), run main, and
 * exit through semihosting so qemu ends with main's status. */
#include <stdlib.h>
#include <string.h>
extern char __bss_start__[], __bss_end__[], __stack[];
extern void initialise_monitor_handles(void);
int main(void);
void Reset_Handler(void) {
#if defined(__ARM_FP)
  /* Grant full access to the FPU (CP10, CP11) before any float instruction. */
  *(volatile unsigned*)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb");
#endif
  memset(__bss_start__, 0, (size_t)(__bss_end__ - __bss_start__));
  initialise_monitor_handles();
  exit(main());
}
static void Fault(void) { exit(99); }
/* bench/cortexm.sh counts SysTick wraps; tests/data/aot/msplim_harness.c takes
 * the UsageFault a stack-limit overflow raises; anything else exits 99. */
void UsageFault_Handler(void) __attribute__((weak, alias("Fault")));
void SysTick_Handler(void) __attribute__((weak, alias("Fault")));
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack, Reset_Handler, Fault, Fault, Fault, Fault, UsageFault_Handler, 0, 0, 0, 0, Fault, Fault,
    0, Fault, SysTick_Handler};
/* -nostartfiles drops crti/crtn: newlib's __libc_init_array still calls these. */
void _init(void) {}
void _fini(void) {}
