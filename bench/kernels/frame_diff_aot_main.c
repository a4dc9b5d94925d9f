#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "frame_diff.h"
#include "wasm-rt-impl.h"
int main(int argc, char** argv) {
  static Z_frame_diff_instance_t instance;
  wasm_rt_init();
  Z_frame_diff_init_module();
  Z_frame_diff_instantiate(&instance);
  Z_frame_diffZ_frames_setup(&instance);
  if (wasm_rt_impl_try() != 0) return 1;
  printf("%u\n", (unsigned)Z_frame_diffZ_frames_run(&instance, argc > 1 ? (uint32_t)atoi(argv[1]) : 1000));
  return 0;
}
