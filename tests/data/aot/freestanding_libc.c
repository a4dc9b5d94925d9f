/* What a firmware SDK's C library supplies on a target whose Debian toolchain
 * has none (xtensa-lx106): the aot test links its image against these. The
 * image is linked, not run (no emulator here), so these aim to be plain and
 * correct rather than fast. */
#include <stddef.h>
#include <stdint.h>

void* memcpy(void* d, const void* s, size_t n) { unsigned char* a = d; const unsigned char* b = s; while (n--) *a++ = *b++; return d; }
void* memmove(void* d, const void* s, size_t n) {
  unsigned char* a = d;
  const unsigned char* b = s;
  if (a < b) { while (n--) *a++ = *b++; } else { while (n--) a[n] = b[n]; }
  return d;
}
void* memset(void* d, int c, size_t n) { unsigned char* a = d; while (n--) *a++ = (unsigned char)c; return d; }
int memcmp(const void* x, const void* y, size_t n) {
  const unsigned char* a = x;
  const unsigned char* b = y;
  for (; n; --n, ++a, ++b) if (*a != *b) return *a - *b;
  return 0;
}

/* Doubles of magnitude 2^52 or more (and NaNs, infinities) are already integral. */
static int integral(double x) { return !(x < 4503599627370496.0 && x > -4503599627370496.0); }
double trunc(double x) { return integral(x) ? x : (double)(int64_t)x; }
double floor(double x) { double t = trunc(x); return t > x ? t - 1.0 : t; }
double ceil(double x) { double t = trunc(x); return t < x ? t + 1.0 : t; }
double nearbyint(double x) {
  if (integral(x)) return x;
  double f = floor(x), diff = x - f;
  if (diff > 0.5 || (diff == 0.5 && (int64_t)f % 2 != 0)) f += 1.0;
  return f == 0.0 && x < 0 ? -0.0 : f;
}
double sqrt(double x) {
  if (!(x > 0.0) || (integral(x) && x + x == x)) return x; /* 0, -0, NaN, negatives, infinity */
  double r = x > 1.0 ? x / 2.0 : 1.0;
  for (int i = 0; i < 64; ++i) r = 0.5 * (r + x / r);
  return r;
}
float truncf(float x) { return (float)trunc(x); }
float floorf(float x) { return (float)floor(x); }
float ceilf(float x) { return (float)ceil(x); }
float nearbyintf(float x) { return (float)nearbyint(x); }
float sqrtf(float x) { return (float)sqrt(x); }
