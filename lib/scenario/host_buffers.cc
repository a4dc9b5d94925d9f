#include "scenario/host_buffers.h"

#include <fmt/format.h>

namespace wasmiot {

std::optional<Trap> PlaceBuffers(Instance& instance, const HostBuffers& where, const std::string& export_name,
                                 const std::vector<BufferArgument>& buffers, std::vector<Value>& args,
                                 std::vector<uint32_t>& addresses) {
  auto refuse = [&](std::string message) { return Trap{TrapKind::kHost, std::move(message), export_name}; };
  std::vector<uint32_t> lengths;
  for (const BufferArgument& b : buffers) lengths.push_back(static_cast<uint32_t>(b.contents->size()));
  if (where.kind == HostBufferKind::kReserved) {
    std::optional<std::vector<uint32_t>> placed = PlaceInReservedRegion(where, lengths);
    if (!placed) return refuse(fmt::format("the call's buffers do not fit host_buffers' {} bytes", where.bytes));
    addresses = *placed;
  } else {
    for (size_t i = 0; i < buffers.size(); ++i) {
      CallOutcome got = instance.Call(where.alloc, {Value::I32(lengths[i])});
      if (got.trap) return got.trap;
      uint32_t address = got.results.empty() ? 0 : got.results[0].i32();
      if (address == 0) {
        return refuse(fmt::format("{}({}) returned 0: no room for the buffer {}", where.alloc, lengths[i],
                                  buffers[i].param->name));
      }
      addresses.push_back(address);
    }
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (!instance.WriteMemory(addresses[i], *buffers[i].contents)) {
      return refuse(fmt::format("the buffer {} ({} bytes at {}) is not inside the module's memory",
                                buffers[i].param->name, lengths[i], addresses[i]));
    }
    args[buffers[i].slot] = Value::I32(addresses[i]);
    args[buffers[i].slot + 1] = Value::I32(lengths[i]);
  }
  return std::nullopt;
}

std::optional<Trap> FreeBuffers(Instance& instance, const HostBuffers& where, const std::vector<uint32_t>& addresses) {
  std::optional<Trap> first;
  if (where.kind != HostBufferKind::kAllocator || where.free.empty()) return first;
  for (size_t i = addresses.size(); i-- > 0;) {
    CallOutcome freed = instance.Call(where.free, {Value::I32(addresses[i])});
    if (freed.trap && !first) first = freed.trap;
  }
  return first;
}

}  // namespace wasmiot
