#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
void frames_setup(void);
uint32_t frames_run(uint32_t frames);
int main(int argc, char** argv) {
  frames_setup();
  printf("%u\n", (unsigned)frames_run(argc > 1 ? (uint32_t)atoi(argv[1]) : 1000));
  return 0;
}
