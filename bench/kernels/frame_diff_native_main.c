#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
void setup(void);
uint32_t run(uint32_t frames);
int main(int argc, char** argv) {
  setup();
  printf("%u\n", (unsigned)run(argc > 1 ? (uint32_t)atoi(argv[1]) : 1000));
  return 0;
}
