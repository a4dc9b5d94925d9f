#include "core/device_runtime.h"

namespace wasmiot {

bool IsWamr(DeviceRuntime runtime) { return runtime != DeviceRuntime::kWasm2c; }

FrameCostModel FrameCostModelFor(DeviceRuntime runtime) {
  switch (runtime) {
    case DeviceRuntime::kWamrClassic:
      // WASMInterpFrame up to lp: prev_frame, function, ip, sp_bottom,
      // sp_boundary, sp, csp_bottom, csp_boundary, csp (9 pointers); each
      // WASMBranchBlock is begin_addr, target_addr, frame_sp, cell_num.
      return {36, 4, 16, false};
    case DeviceRuntime::kWamrFast:
      // prev_frame, function, ip, ret_offset, lp; then constants, params,
      // locals and the operand area in cells; no block stack.
      return {20, 4, 0, true};
    case DeviceRuntime::kWamrAot:
    case DeviceRuntime::kWasm2c:
      // A C frame: return address and saved registers (16 bytes on Cortex-M),
      // locals and spilled operands in 4-byte cells.
      return {16, 4, 0, false};
  }
  return {16, 4, 0, false};
}

}  // namespace wasmiot
