// Buffers the host passes to an export's pointer parameters, placed where the
// manifest's host_buffers says (docs/manifest.md): in the reserved region, or
// through the module's alloc export, filled before the call, read back after
// it, and freed.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/engine.h"
#include "support/file_io.h"

namespace wasmiot {

// A buffer argument: its address slot among the export's WebAssembly
// parameters (the length follows it), its parameter, and its first contents.
struct BufferArgument {
  size_t slot = 0;
  const Param* param = nullptr;
  const Bytes* contents = nullptr;
};

// Places the buffers, writes their contents and fills in their address and
// length slots of `args`; their addresses go to `addresses` (those placed so
// far, when it fails). A trap when the allocator trapped or gave no room
// (`host`): the export is then not called.
std::optional<Trap> PlaceBuffers(Instance& instance, const HostBuffers& where, const std::string& export_name,
                                 const std::vector<BufferArgument>& buffers, std::vector<Value>& args,
                                 std::vector<uint32_t>& addresses);

// Gives placed buffers back to the allocator's free export, last first; its
// first trap, if any. Nothing to do for a reserved region.
std::optional<Trap> FreeBuffers(Instance& instance, const HostBuffers& where, const std::vector<uint32_t>& addresses);

}  // namespace wasmiot
