#ifndef WASMIOT_FREESTANDING_SETJMP_H_
#define WASMIOT_FREESTANDING_SETJMP_H_
/* GCC's builtin setjmp needs five words and no library. */
typedef void* jmp_buf[5];
#define setjmp(buf) __builtin_setjmp(buf)
#define longjmp(buf, value) __builtin_longjmp(buf, 1)
#endif
