#define CATCH_CONFIG_RUNNER
#include <stdlib.h>

#include <catch2/catch.hpp>

// The AOT engine's objects go to a cache inside the build folder, shared by
// the test processes (so each module compiles once) and never the user's.
int main(int argc, char* argv[]) {
  setenv("WASMIOT_CACHE_DIR", WASMIOT_TEST_AOT_CACHE, /*overwrite=*/0);
  return Catch::Session().run(argc, argv);
}
