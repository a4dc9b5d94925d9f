// Counted loops in two versions, so that compiled code can run a loop without
// a fuel check and a bounds check per access, and gcc can vectorize it.
//
// After the Meter has charged a function (runtime/metering.cc), each
// innermost loop that counts an i32 local by a constant step to a bound fixed
// before the loop, and whose accesses to memory 0 are affine in that count, is
// replaced by
//
//   <guard: the loop's exact trip count T; the fuel left covers T turns of
//    every charge in its body; each access stays within memory 0 at the first
//    and the last turn>
//   if (guard) { FAST } else { the loop as it was }
//
// FAST is the same loop with its charges subtracting without the check (the
// guard proved none can go below zero), the iteration counted in an i64
// local, each access's address recomputed from that count in i64, and the
// back edge taken while the count is below T. It does what the checked loop
// does, instruction for instruction charged, so fuel used and every trap are
// those of the plain module (tests/runtime/loop_versioning_test.cc compares
// them at every budget); the interpreter runs the plain one by default
// (RunLimits::version_loops). Markers (an i64.const in a reserved
// range, dropped) open and close FAST; the host AOT engine's C pass
// (RewriteFastLoopsInC) turns the accesses between them into unchecked
// accesses from a data pointer held in a local, with the i64 address.
//
// Not versioned: loops with calls, nested loops, memory.grow, atomics, bulk
// memory, SIMD, trapping arithmetic (division, remainder, float to int), the
// module's own unreachable, or an access whose address is not affine in the
// count; and every loop of a module that already holds a marker constant.
#pragma once

#include <cstdint>
#include <string>

// Part of wabt's use 4, metering (README, "Layers"): only the .cc includes wabt.
namespace wabt {
struct Func;
}  // namespace wabt

namespace wasmiot {

// FAST number k opens with i64.const kFastLoopMarker + 2k and closes with
// kFastLoopMarker + 2k + 1 ("wasmiot" in ASCII, then the number).
inline constexpr uint64_t kFastLoopMarker = 0x7761736d696f7400ull;
inline constexpr uint32_t kMaxFastLoops = 0x80;

// The charge the Meter puts at the front of a sequence, of this many
// instructions: local.get F; i64.const N; i64.sub; local.tee F; i64.const 0;
// i64.lt_s; if (local.get F; global.set fuel; unreachable).
inline constexpr size_t kChargeLength = 7;

// Whether an i64.const value is in the marker range. A module holding one
// gets no loop versioned, so the C pass never mistakes the module's own constant.
inline bool IsFastLoopMarker(uint64_t value) { return value - kFastLoopMarker < 2 * uint64_t{kMaxFastLoops}; }

// Versions the counted loops of `f`, whose fuel is in local `fuel_local`
// (charged, not yet loaded at entry). Numbers them from `next_marker` on,
// advancing it; stops at kMaxFastLoops. Returns how many it versioned.
uint32_t VersionCountedLoops(wabt::Func& f, uint32_t fuel_local, uint32_t& next_marker);

// The host AOT engine's half: in wasm2c's C for a module versioned above,
// rewrites each access between a pair of markers into an unchecked access at
// the i64 address. Returns how many accesses it rewrote. An access it does not
// recognize stays checked (slower, as correct).
uint32_t RewriteFastLoopsInC(std::string& c);

}  // namespace wasmiot
