#ifndef WASMIOT_FREESTANDING_STDLIB_H_
#define WASMIOT_FREESTANDING_STDLIB_H_
#include <stddef.h>
void abort(void) __attribute__((noreturn));
#endif
