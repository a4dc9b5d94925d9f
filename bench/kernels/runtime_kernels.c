/* CPU-bound kernels for the runtime benchmark (bench/runtime.sh): frame
 * differencing on 320x240 frames, a PID control loop, CRC32, and a small
 * matrix multiply, and the CoreMark-like coremix.c; plus an export that calls one host function n times.
 * Built natively (gcc -O2, linked into the benchmark) and to wasm (clang -O2),
 * so the same source runs on every engine. Each *_run(n) does n units of work
 * and returns a checksum, so nothing is optimized away. */
#include <stdint.h>

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#else
#define EXPORT(name)
#endif

/* Built twice natively: as is (gcc -O2 vectorizes), and with SCALAR_BASELINE
 * and -fno-tree-vectorize, since wasm MVP code has no vectors to use. */
#if defined(SCALAR_BASELINE)
#define frames_setup frames_setup_scalar
#define frames_run frames_run_scalar
#define pid_run pid_run_scalar
#define crc_run crc_run_scalar
#define matmul_run matmul_run_scalar
#define coremix_setup coremix_setup_scalar
#define coremix_run coremix_run_scalar
#endif

/* ---- frame differencing: one unit = one 320x240 frame compared ---------- */
#include "frame_diff.c"

/* ---- PID loop: one unit = one controller step on a simulated plant ------- */
EXPORT("pid_run") uint32_t pid_run(uint32_t n) {
  float kp = 1.2f, ki = 0.05f, kd = 0.3f, dt = 0.1f;
  float setpoint = 22.0f, temp = 15.0f, integral = 0.0f, last_error = 0.0f;
  for (uint32_t i = 0; i < n; ++i) {
    if (i % 5000 == 0) setpoint = setpoint > 21.0f ? 18.0f : 24.0f;
    float error = setpoint - temp;
    integral += error * dt;
    if (integral > 50.0f) integral = 50.0f;
    if (integral < -50.0f) integral = -50.0f;
    float derivative = (error - last_error) / dt;
    float out = kp * error + ki * integral + kd * derivative;
    if (out > 100.0f) out = 100.0f;
    if (out < -100.0f) out = -100.0f;
    temp += (out * 0.02f - (temp - 10.0f) * 0.01f) * dt;
    last_error = error;
  }
  return (uint32_t)(temp * 1000.0f);
}

/* ---- CRC32 (IEEE, bitwise): one unit = one byte -------------------------- */
static uint8_t crc_data[4096];

EXPORT("crc_run") uint32_t crc_run(uint32_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t byte = crc_data[i & 4095] ^ (uint8_t)i;
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/* ---- 16x16 float matrix multiply: one unit = one product ----------------- */
#define N 16
static float ma[N][N], mb[N][N], mc[N][N];

EXPORT("matmul_run") uint32_t matmul_run(uint32_t n) {
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      ma[i][j] = (float)(i + j) * 0.01f;
      mb[i][j] = (float)(i - j) * 0.02f;
    }
  }
  float sum = 0.0f;
  for (uint32_t r = 0; r < n; ++r) {
    for (int i = 0; i < N; ++i) {
      for (int j = 0; j < N; ++j) {
        float acc = 0.0f;
        for (int k = 0; k < N; ++k) acc += ma[i][k] * mb[k][j];
        mc[i][j] = acc;
      }
    }
    ma[r % N][(r / N) % N] += mc[(r + 3) % N][r % N] * 1e-6f;
    sum += mc[r % N][(r + 1) % N];
  }
  return (uint32_t)(int32_t)(sum * 100.0f);
}

/* ---- coremix: one unit = one iteration of list, matrix, state machine, CRC -- */
#include "coremix.c"

/* ---- host calls: one unit = one call of env.now_ms ----------------------- */
#if defined(__wasm__)
IMPORT("now_ms") int64_t now_ms(void);

EXPORT("host_calls_run") uint32_t host_calls_run(uint32_t n) {
  int64_t sum = 0;
  for (uint32_t i = 0; i < n; ++i) sum += now_ms();
  return (uint32_t)sum;
}
#endif
