/*
 * Firmware side of the thermostat, linking `wasmiot aot` output:
 *
 *   wasmiot aot thermostat.wasm --target cortex-m4f -o aot --manifest thermostat.device.json
 *   arm-none-eabi-gcc <flags from --list-targets> -Iaot thermostat_firmware.c aot/libthermostat.a ...
 *
 * It implements the device's host functions (the manifest's imports), calls the
 * module's exports, and turns traps into errors. The same file builds for a
 * Linux target (wabt's runtime) and for bare metal (wasmiot's static runtime).
 * See docs/aot.md.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include "thermostat.h"

#if defined(__linux__)
#include "wasm-rt-impl.h"
#define TRY_CALL() ((int)wasm_rt_impl_try())
#else
#include "wasmiot_rt_static.h"
static jmp_buf g_trap_jump;
static volatile int g_trap;
/* The runtime calls this on a trap; it must not return. */
void wasmiot_trap_handler(wasm_rt_trap_t trap) {
  g_trap = (int)trap;
  longjmp(g_trap_jump, 1);
}
#define TRY_CALL() (setjmp(g_trap_jump) ? g_trap : 0)
#endif

/* wasm2c passes the second argument of Z_thermostat_instantiate() to every
 * host function: the firmware defines what it holds. Here: the module, so that
 * pointer arguments can be checked against its memory. */
struct Z_env_instance_t {
  Z_thermostat_instance_t* module;
  float temperature;
  float humidity;
};

/* Sensors and actuators (real firmware talks to hardware here). */
f32 Z_envZ_read_temperature(struct Z_env_instance_t* env) { return env->temperature; }
f32 Z_envZ_read_humidity(struct Z_env_instance_t* env) { return env->humidity; }
void Z_envZ_set_hvac_mode(struct Z_env_instance_t* env, u32 mode) {
  (void)env;
  printf("hvac mode %u\n", (unsigned)mode);
}
void Z_envZ_set_fan_speed(struct Z_env_instance_t* env, u32 percent) {
  (void)env;
  printf("fan speed %u\n", (unsigned)percent);
}

/* A "ptr" parameter arrives as a wasm address and a length. Check them against
 * the module's memory, without overflow, before touching a byte: a bad pointer
 * traps the module, it never reads firmware memory. */
static const uint8_t* GuestBytes(struct Z_env_instance_t* env, u32 address, u32 length) {
  const wasm_rt_memory_t* memory = &env->module->w2c_memory;
  if (length > memory->size || address > memory->size - length) wasm_rt_trap(WASM_RT_TRAP_OOB);
  return memory->data + address;
}

void Z_envZ_log(struct Z_env_instance_t* env, u32 message, u32 length) {
  const uint8_t* text = GuestBytes(env, message, length);
  printf("log: %.*s\n", (int)length, (const char*)text);
}

int main(void) {
  static Z_thermostat_instance_t thermostat;
  static struct Z_env_instance_t env = {&thermostat, 18.0f, 40.0f};
  wasm_rt_init();
  Z_thermostat_init_module();
  Z_thermostat_instantiate(&thermostat, &env);

  int trap = TRY_CALL();
  if (trap == 0) Z_thermostatZ_init(&thermostat);
  if (trap == 0) trap = TRY_CALL();
  if (trap == 0) Z_thermostatZ_control_loop(&thermostat); /* 18 C: heat */
  env.temperature = 25.0f;
  env.humidity = 70.0f;
  if (trap == 0) trap = TRY_CALL();
  if (trap == 0) Z_thermostatZ_control_loop(&thermostat); /* 25 C and humid: cool, fan 50 */
  if (trap != 0) {
    printf("trap: %s\n", wasm_rt_strerror((wasm_rt_trap_t)trap));
    return 1;
  }
  Z_thermostat_free(&thermostat);
  wasm_rt_free();
  return 0;
}
