/* A CPU-bound kernel from the chapter's motion detector: count the pixels of a
 * 320x240 frame that differ from the previous one by more than 30, `frames`
 * times, changing one pixel between passes. Built natively (gcc -O2) and to
 * wasm (clang) then AOT (wasmiot aot --target host), to compare run times;
 * bench/kernels/runtime_kernels.c includes it for the runtime benchmark. */
#include <stdint.h>

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

#define WIDTH 320
#define HEIGHT 240
#define PIXELS (WIDTH * HEIGHT)

static uint8_t previous[PIXELS];
static uint8_t current[PIXELS];

EXPORT("frames_setup") void frames_setup(void) {
  uint32_t x = 12345;
  for (uint32_t i = 0; i < PIXELS; ++i) {
    x = x * 1103515245u + 12345u; /* deterministic noise */
    previous[i] = (uint8_t)(x >> 16);
    current[i] = (uint8_t)((x >> 16) + ((i & 7) == 0 ? 40 : 3));
  }
}

EXPORT("frames_run") uint32_t frames_run(uint32_t frames) {
  uint32_t changed = 0;
  for (uint32_t f = 0; f < frames; ++f) {
    for (uint32_t i = 0; i < PIXELS; ++i) {
      int32_t d = (int32_t)current[i] - (int32_t)previous[i];
      if (d < 0) d = -d;
      changed += d > 30;
    }
    current[(f * 7919u) % PIXELS] ^= 0x55;
  }
  return changed;
}
