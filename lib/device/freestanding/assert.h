#ifndef WASMIOT_FREESTANDING_ASSERT_H_
#define WASMIOT_FREESTANDING_ASSERT_H_
#define assert(x) ((x) ? (void)0 : __builtin_trap())
#endif
