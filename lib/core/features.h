// WebAssembly features (post-MVP proposals) a device runtime supports and a
// module uses. Names follow wabt's and wasm-opt's flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmiot {

enum class Feature : uint8_t {
  kMutableGlobals,
  kSaturatingFloatToInt,
  kSignExtension,
  kMultiValue,
  kBulkMemory,
  kReferenceTypes,
  kSimd,
  kRelaxedSimd,
  kThreads,
  kTailCall,
  kExceptions,
  kMemory64,
  kMultiMemory,
  kExtendedConst,
};
inline constexpr size_t kFeatureCount = 14;

std::string_view FeatureName(Feature feature);
std::optional<Feature> FeatureFromName(std::string_view name);
const std::vector<Feature>& AllFeatures();

// Features that only make sense together with another (as wabt enforces).
std::optional<Feature> FeatureRequires(Feature feature);

class FeatureSet {
 public:
  static FeatureSet All();
  bool Has(Feature f) const { return (bits_ >> static_cast<unsigned>(f)) & 1u; }
  void Add(Feature f) { bits_ |= 1u << static_cast<unsigned>(f); }
  void Remove(Feature f) { bits_ &= ~(1u << static_cast<unsigned>(f)); }
  bool empty() const { return bits_ == 0; }
  std::vector<Feature> List() const;
  std::vector<std::string> Names() const;
  bool operator==(const FeatureSet& other) const { return bits_ == other.bits_; }

 private:
  uint32_t bits_ = 0;
};

}  // namespace wasmiot
