#ifndef WASMIOT_FREESTANDING_ALLOCA_H_
#define WASMIOT_FREESTANDING_ALLOCA_H_
#define alloca __builtin_alloca
#endif
