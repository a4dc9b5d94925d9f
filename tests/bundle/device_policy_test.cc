// MakeDevicePolicy (lib/bundle/device_policy.h), called directly: the C
// policy verify and assemble hold bundles against.
#include <catch2/catch.hpp>

#include "bundle/bundle.h"
#include "bundle/device_policy.h"
#include "support/test_support.h"
#include "support/text.h"

namespace wasmiot::test {

TEST_CASE("MakeDevicePolicy: the manifest's device, budget and AOT targets") {
  Diagnostics d;
  Result<Manifest> thermostat = LoadManifest(SourceDir() + "/templates/thermostat/device.json", d);
  REQUIRE(thermostat.ok());
  std::array<uint8_t, 32> key{};
  key[0] = 7;

  DeviceChoices wasm_only;
  wasm_only.installed_sequence = 4;
  wasm_only.max_sequence_jump = 10;
  wasm_only.payload_kind = WASMIOT_PAYLOAD_WASM;
  auto p = MakeDevicePolicy({key}, *thermostat, wasm_only, d);
  CHECK_FALSE(d.HasErrors());
  const wasmiot_device_policy& c = p->policy;
  CHECK(c.public_key_count == 1);
  CHECK(c.public_keys[0][0] == 7);
  REQUIRE(c.device_id);
  CHECK(HexString(c.device_id, 16) == "41c35fc84a4f265f6f2410a3012d4125");
  CHECK(c.payload_kind == WASMIOT_PAYLOAD_WASM);
  CHECK(c.max_payload_size == thermostat->budgets.max_module_bytes);
  CHECK(c.installed_sequence == 4);
  CHECK(c.max_sequence_jump == 10);
  // Without --target: the AOT targets the manifest lists, and none if it lists none.
  REQUIRE(c.targets);
  CHECK(c.target_count == thermostat->aot_targets.size());

  Manifest no_aot = *thermostat;
  no_aot.aot_targets.clear();
  auto none = MakeDevicePolicy({key}, no_aot, DeviceChoices{}, d);
  CHECK(none->policy.targets != nullptr);
  CHECK(none->policy.target_count == 0);

  // A target the device does not list is refused; without a manifest any target goes.
  DeviceChoices m7;
  m7.target = "cortex-m7";
  Diagnostics refused;
  (void)MakeDevicePolicy({key}, *thermostat, m7, refused);
  CHECK_THAT(DiagnosticsText(refused), Catch::Contains("[target-not-accepted]"));
  Diagnostics free;
  auto any = MakeDevicePolicy({key}, std::nullopt, m7, free);
  CHECK_FALSE(free.HasErrors());
  CHECK(any->policy.device_id == nullptr);
  CHECK(any->policy.target_count == 1);
  CHECK(any->policy.max_payload_size == kMaxAotPayload);
}

}  // namespace wasmiot::test
