/*
 * The WAMR glue `wasmiot gen host --lang wamr` writes for the thermostat
 * (templates/thermostat/device.json), run against tests/gen/wamr/fake_wamr.c:
 * its natives and their signatures, its install checks on good and bad
 * modules, the budgets it instantiates with, its export calls with their
 * statuses, and its buffer arguments placed in the reserved region of the
 * manifest's "host_buffers". Built and run by tests/gen/gen_compile_test.sh.
 */
#include <stdio.h>
#include <string.h>

#include "fake_wamr.h"
#include "wasmiot_wamr.h"

static int failures;
#define EXPECT(condition)                                                  \
  do {                                                                     \
    if (!(condition)) {                                                    \
      printf("%s:%d: expected %s\n", __FILE__, __LINE__, #condition);      \
      ++failures;                                                          \
    }                                                                      \
  } while (0)

/* The firmware's host functions: record what the module asked for. */
static char logged[64];
static int32_t hvac_mode = -1;
void env_log(wasm_exec_env_t exec_env, const uint8_t* message, uint32_t message_len) {
  (void)exec_env;
  snprintf(logged, sizeof logged, "%.*s", (int)message_len, (const char*)message);
}
float env_read_humidity(wasm_exec_env_t exec_env) {
  (void)exec_env;
  return 40.0f;
}
float env_read_temperature(wasm_exec_env_t exec_env) {
  (void)exec_env;
  return 18.5f;
}
void env_set_fan_speed(wasm_exec_env_t exec_env, int32_t percent) {
  (void)exec_env;
  (void)percent;
}
void env_set_hvac_mode(wasm_exec_env_t exec_env, int32_t mode) {
  if (mode > 3) {
    wasmiot_host_refuse(exec_env);
    return;
  }
  hvac_mode = mode;
}

/* control_loop calls set_hvac_mode through the registered native, as WAMR would. */
static int32_t next_mode = 1;
static void control_loop(wasm_exec_env_t exec_env, uint32_t num_args, wasm_val_t* args) {
  const char* signature = NULL;
  void (*set_mode)(wasm_exec_env_t, int32_t) = NULL;
  void* native = fake_native("env", "set_hvac_mode", &signature);
  (void)num_args;
  (void)args;
  memcpy(&set_mode, &native, sizeof native);
  if (set_mode) set_mode(exec_env, next_mode);
}

/* get_status, as a module would: writes a status into the buffer it is given,
 * through WAMR's address translation, after moving the memory (as a growth may)
 * when asked to. Records what it was given. */
static const char status_text[] = "{\"mode\":1}";
static uint32_t status_calls, status_address, status_length;
static int status_moves_memory;
static void module_get_status(wasm_exec_env_t exec_env, uint32_t num_args, wasm_val_t* args) {
  uint8_t* out;
  (void)num_args;
  ++status_calls;
  status_address = (uint32_t)args[0].of.i32;
  status_length = (uint32_t)args[1].of.i32;
  if (status_moves_memory) fake_move_memory();
  out = (uint8_t*)wasm_runtime_addr_app_to_native(wasm_runtime_get_module_inst(exec_env), status_address);
  if (out && status_length >= sizeof status_text - 1) memcpy(out, status_text, sizeof status_text - 1);
}

static struct WASMModuleCommon Thermostat(void) {
  struct WASMModuleCommon m;
  memset(&m, 0, sizeof m);
  m.imports[0] = (fake_import){"env", "read_temperature", WASM_IMPORT_EXPORT_KIND_FUNC, {"", "f"}, {0, 0}};
  m.imports[1] = (fake_import){"env", "set_hvac_mode", WASM_IMPORT_EXPORT_KIND_FUNC, {"i", ""}, {0, 0}};
  m.imports[2] = (fake_import){"env", "log", WASM_IMPORT_EXPORT_KIND_FUNC, {"ii", ""}, {0, 0}};
  m.import_count = 3;
  m.exports[0] = (fake_export){"memory", WASM_IMPORT_EXPORT_KIND_MEMORY, {"", ""}, {2, 4}, NULL, {0, {0}, {0}}, NULL};
  m.exports[1] = (fake_export){"init", WASM_IMPORT_EXPORT_KIND_FUNC, {"", ""}, {0, 0}, NULL, {0, {0}, {0}}, NULL};
  m.exports[2] = (fake_export){"control_loop", WASM_IMPORT_EXPORT_KIND_FUNC, {"", ""}, {0, 0}, NULL, {0, {0}, {0}},
                               control_loop};
  m.exports[3] = (fake_export){"get_status", WASM_IMPORT_EXPORT_KIND_FUNC, {"ii", "i"}, {0, 0}, NULL,
                               {WASM_I32, {0}, {0}}, module_get_status};
  m.exports[3].result.of.i32 = 27;
  m.export_count = 4;
  m.memory_pages = 2;
  return m;
}

static void Natives(void) {
  const char* signature = NULL;
  EXPECT(wasmiot_register_natives());
  EXPECT(fake_native("env", "read_temperature", &signature) != NULL);
  EXPECT(strcmp(signature, "()f") == 0);
  EXPECT(fake_native("env", "log", &signature) != NULL);
  EXPECT(strcmp(signature, "(*~)") == 0);
  EXPECT(fake_native("env", "set_hvac_mode", &signature) != NULL);
  EXPECT(strcmp(signature, "(i)") == 0);
  EXPECT(fake_native("env", "no_such", &signature) == NULL);
}

static void InstallChecks(void) {
  char error[160];
  struct WASMModuleCommon m = Thermostat();
  EXPECT(wasmiot_check_module(&m, error, sizeof error));
  EXPECT(wasmiot_check_module_size(WASMIOT_MAX_MODULE_BYTES, error, sizeof error));
  EXPECT(!wasmiot_check_module_size(WASMIOT_MAX_MODULE_BYTES + 1, error, sizeof error));

  m = Thermostat();
  m.imports[0].name = "read_pressure";
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));
  EXPECT(strcmp(error, "import env.read_pressure is not a host function of acme/thermostat-t100") == 0);

  m = Thermostat();
  m.imports[0].func.results = "F"; /* the chapter's "()F": an f64 */
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));
  EXPECT(strcmp(error, "import env.read_temperature has another signature than the device declares") == 0);

  m = Thermostat();
  m.imports[1].kind = WASM_IMPORT_EXPORT_KIND_GLOBAL;
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));
  EXPECT(strstr(error, "is not a function the device supplies") != NULL);

  m = Thermostat();
  m.exports[2].name = "loop"; /* control_loop is required */
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));
  EXPECT(strcmp(error, "the module does not export control_loop, which the device requires") == 0);

  m = Thermostat();
  m.exports[3].func.results = ""; /* get_status is optional, but must have its signature */
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));
  EXPECT(strcmp(error, "export get_status has another signature than the device calls") == 0);

  m = Thermostat();
  m.exports[0].memory.max_pages = 5;
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));
  EXPECT(strstr(error, "may grow past the device's budget") != NULL);

  m = Thermostat();
  m.exports[0].memory.init_pages = 3;
  EXPECT(!wasmiot_check_module(&m, error, sizeof error));

  /* A message longer than the buffer is cut, and still terminated. */
  m = Thermostat();
  m.imports[0].name = "read_pressure";
  EXPECT(!wasmiot_check_module(&m, error, 8));
  EXPECT(strcmp(error, "import ") == 0);
}

static void Instantiate(void) {
  char error[160];
  struct WASMModuleCommon m = Thermostat();
  EXPECT(wasmiot_instantiate(&m, error, sizeof error) != NULL);
  EXPECT(fake_last_stack_size == WASMIOT_STACK_BYTES);
  EXPECT(fake_last_heap_size == WASMIOT_HEAP_BYTES);
  m.memory_pages = WASMIOT_MEMORY_MAX_PAGES + 1; /* WAMR grew it past the budget */
  EXPECT(wasmiot_instantiate(&m, error, sizeof error) == NULL);
  m = Thermostat();
  m.imports[0].name = "read_pressure";
  EXPECT(wasmiot_instantiate(&m, error, sizeof error) == NULL);
}

static void Calls(void) {
  char error[160];
  uint8_t buf[64];
  int32_t written = -1;
  struct WASMModuleCommon m = Thermostat();
  wasm_exec_env_t env;
  EXPECT(wasmiot_instantiate(&m, error, sizeof error) != NULL);
  env = fake_exec_env();
  EXPECT(wasmiot_call_init(env) == WASMIOT_OK);
  EXPECT(wasmiot_call_control_loop(env) == WASMIOT_OK);
  EXPECT(hvac_mode == 1);
  EXPECT(wasmiot_call_get_status(env, buf, sizeof buf, &written) == WASMIOT_OK);
  EXPECT(written == 27);
  /* Not exported: a status, not a NULL function called. */
  EXPECT(wasmiot_call_set_target_temperature(env, 21.5f) == WASMIOT_MISSING_EXPORT);
  /* WAMR's exceptions as the trap names `wasmiot run` reports. */
  m.exports[1].exception = "integer divide by zero";
  EXPECT(wasmiot_call_init(env) == WASMIOT_TRAP_DIVIDE_BY_ZERO);
  EXPECT(strcmp(wasmiot_status_name(WASMIOT_TRAP_DIVIDE_BY_ZERO), "divide-by-zero") == 0);
  m.exports[1].exception = "wasm operand stack overflow";
  EXPECT(wasmiot_call_init(env) == WASMIOT_TRAP_STACK_EXHAUSTED);
  m.exports[1].exception = "out of bounds memory access";
  EXPECT(wasmiot_call_init(env) == WASMIOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  m.exports[1].exception = "terminated by user";
  EXPECT(wasmiot_call_init(env) == WASMIOT_TRAP_TIMEOUT);
  m.exports[1].exception = "something new";
  EXPECT(wasmiot_call_init(env) == WASMIOT_TRAP_OTHER);
  m.exports[1].exception = NULL;
  /* Each call starts clean: the exception was cleared. */
  EXPECT(wasmiot_call_init(env) == WASMIOT_OK);
  /* A host function refusing a request ends the call as "host". */
  next_mode = 9;
  EXPECT(wasmiot_call_control_loop(env) == WASMIOT_TRAP_HOST);
  EXPECT(strcmp(wasmiot_status_name(WASMIOT_TRAP_HOST), "host") == 0);
  /* get_status's result is untouched when the call traps. */
  written = -1;
  m.exports[3].exception = "unreachable";
  EXPECT(wasmiot_call_get_status(env, NULL, 0, &written) == WASMIOT_TRAP_UNREACHABLE);
  EXPECT(written == -1);
}

/* get_status's buffer is host memory: the glue places it in the reserved region,
 * zeroed, calls the export with its address, and copies back what it wrote. */
static void HostBuffers(void) {
  char error[160];
  uint8_t buf[2048];
  uint8_t* region;
  int32_t written = -1;
  struct WASMModuleCommon m = Thermostat();
  wasm_exec_env_t env;
  EXPECT(WASMIOT_HOST_BUFFERS_ADDRESS == 130048u && WASMIOT_HOST_BUFFERS_BYTES == 1024u);
  EXPECT(wasmiot_instantiate(&m, error, sizeof error) != NULL);
  env = fake_exec_env();

  /* Stale bytes in the region do not come back: a buffer the module writes starts as zeros. */
  region = (uint8_t*)wasm_runtime_addr_app_to_native(wasm_runtime_get_module_inst(env), 130048);
  memset(region, 'S', 1024);
  memset(buf, 'x', sizeof buf);
  status_calls = 0;
  EXPECT(wasmiot_call_get_status(env, buf, 64, &written) == WASMIOT_OK);
  EXPECT(status_calls == 1);
  EXPECT(status_address == 130048);
  EXPECT(status_length == 64);
  EXPECT(written == 27);
  EXPECT(memcmp(buf, status_text, sizeof status_text - 1) == 0);
  EXPECT(buf[sizeof status_text - 1] == 0 && buf[63] == 0);
  EXPECT(buf[64] == 'x'); /* nothing past its length */

  /* The memory moved during the call: the bytes come from where it is now. */
  memset(buf, 'x', sizeof buf);
  status_moves_memory = 1;
  EXPECT(wasmiot_call_get_status(env, buf, 64, &written) == WASMIOT_OK);
  status_moves_memory = 0;
  EXPECT(memcmp(buf, status_text, sizeof status_text - 1) == 0);
  EXPECT(buf[63] == 0);

  /* The whole region fits; a byte more does not, and the export is not called. */
  EXPECT(wasmiot_call_get_status(env, buf, 1024, &written) == WASMIOT_OK);
  EXPECT(status_length == 1024);
  status_calls = 0;
  written = -1;
  memset(buf, 'x', sizeof buf);
  EXPECT(wasmiot_call_get_status(env, buf, 1025, &written) == WASMIOT_NO_HOST_BUFFER);
  EXPECT(status_calls == 0);
  EXPECT(written == -1 && buf[0] == 'x');
  EXPECT(strcmp(wasmiot_status_name(WASMIOT_NO_HOST_BUFFER), "no-host-buffer") == 0);

  /* NULL is fine without a length, WASMIOT_NO_HOST_BUFFER with one. */
  EXPECT(wasmiot_call_get_status(env, NULL, 0, &written) == WASMIOT_OK);
  EXPECT(status_calls == 1 && status_length == 0);
  EXPECT(wasmiot_call_get_status(env, NULL, 8, &written) == WASMIOT_NO_HOST_BUFFER);
  EXPECT(status_calls == 1);

  /* A trapping export leaves the host's buffer untouched, though it wrote its own memory. */
  m.exports[3].exception = "unreachable";
  memset(buf, 'x', sizeof buf);
  written = -1;
  EXPECT(wasmiot_call_get_status(env, buf, 64, &written) == WASMIOT_TRAP_UNREACHABLE);
  EXPECT(status_calls == 2);
  region = (uint8_t*)wasm_runtime_addr_app_to_native(wasm_runtime_get_module_inst(env), 130048);
  EXPECT(memcmp(region, status_text, sizeof status_text - 1) == 0);
  EXPECT(buf[0] == 'x' && buf[63] == 'x' && written == -1);
  m.exports[3].exception = NULL;

  /* An instance of one page: the region is outside its memory. The export is not
   * called, and the exception WAMR raised checking the range does not outlive it. */
  m.memory_pages = 1;
  EXPECT(wasmiot_instantiate(&m, error, sizeof error) != NULL);
  status_calls = 0;
  EXPECT(wasmiot_call_get_status(env, buf, 64, &written) == WASMIOT_NO_HOST_BUFFER);
  EXPECT(status_calls == 0);
  EXPECT(wasmiot_call_init(env) == WASMIOT_OK);
}

int main(void) {
  Natives();
  InstallChecks();
  Instantiate();
  Calls();
  HostBuffers();
  (void)logged;
  if (failures) printf("%d failed\n", failures);
  return failures ? 1 : 0;
}
