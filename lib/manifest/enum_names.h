// The manifest's enumerations by their JSON spellings: one table each, read by
// the parser and by the *Name() functions (manifest.h).
#pragma once

#include "json/json_walker.h"
#include "manifest/manifest.h"

namespace wasmiot::manifest_enums {
using json_walker::EnumEntry;

inline constexpr EnumEntry<ValueType> kValueTypes[] = {
    {"i32", ValueType::kI32}, {"i64", ValueType::kI64},
    {"f32", ValueType::kF32}, {"f64", ValueType::kF64}};
inline constexpr EnumEntry<BufferAccess> kAccesses[] = {
    {"read", BufferAccess::kRead}, {"write", BufferAccess::kWrite},
    {"readwrite", BufferAccess::kReadWrite}};
inline constexpr EnumEntry<SimKind> kSimKinds[] = {
    {"sensor", SimKind::kSensor}, {"actuator", SimKind::kActuator}, {"log", SimKind::kLog},
    {"clock", SimKind::kClock},   {"buffer_in", SimKind::kBufferIn},
    {"buffer_out", SimKind::kBufferOut}};
inline constexpr EnumEntry<ClockUnit> kClockUnits[] = {
    {"s", ClockUnit::kSeconds}, {"ms", ClockUnit::kMilliseconds},
    {"us", ClockUnit::kMicroseconds}, {"ns", ClockUnit::kNanoseconds}};
inline constexpr EnumEntry<DeviceRuntime> kDeviceRuntimes[] = {
    {"wasm2c", DeviceRuntime::kWasm2c}, {"wamr-classic", DeviceRuntime::kWamrClassic},
    {"wamr-fast", DeviceRuntime::kWamrFast}, {"wamr-aot", DeviceRuntime::kWamrAot}};
inline constexpr EnumEntry<HostBufferKind> kHostBufferKinds[] = {
    {"reserved", HostBufferKind::kReserved}, {"allocator", HostBufferKind::kAllocator}};
inline constexpr EnumEntry<ExportKind> kExportKinds[] = {
    {"func", ExportKind::kFunc}, {"memory", ExportKind::kMemory}};

}  // namespace wasmiot::manifest_enums
