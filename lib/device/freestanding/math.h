#ifndef WASMIOT_FREESTANDING_MATH_H_
#define WASMIOT_FREESTANDING_MATH_H_
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define signbit(x) __builtin_signbit(x)
float sqrtf(float);
double sqrt(double);
float ceilf(float);
double ceil(double);
float floorf(float);
double floor(double);
float truncf(float);
double trunc(double);
float nearbyintf(float);
double nearbyint(double);
float fabsf(float);
double fabs(double);
float copysignf(float, float);
double copysign(double, double);
float fminf(float, float);
double fmin(double, double);
float fmaxf(float, float);
double fmax(double, double);
#endif
