#include "core/features.h"

namespace wasmiot {
namespace {

struct FeatureInfo {
  Feature feature;
  std::string_view name;
};

// Order matches enum Feature.
constexpr FeatureInfo kFeatures[] = {
    {Feature::kMutableGlobals, "mutable-globals"},
    {Feature::kSaturatingFloatToInt, "saturating-float-to-int"},
    {Feature::kSignExtension, "sign-extension"},
    {Feature::kMultiValue, "multi-value"},
    {Feature::kBulkMemory, "bulk-memory"},
    {Feature::kReferenceTypes, "reference-types"},
    {Feature::kSimd, "simd"},
    {Feature::kRelaxedSimd, "relaxed-simd"},
    {Feature::kThreads, "threads"},
    {Feature::kTailCall, "tail-call"},
    {Feature::kExceptions, "exceptions"},
    {Feature::kMemory64, "memory64"},
    {Feature::kMultiMemory, "multi-memory"},
    {Feature::kExtendedConst, "extended-const"},
};
static_assert(std::size(kFeatures) == kFeatureCount);

constexpr bool TableMatchesEnum() {
  for (size_t i = 0; i < std::size(kFeatures); ++i) {
    if (static_cast<size_t>(kFeatures[i].feature) != i) return false;
  }
  return true;
}
static_assert(TableMatchesEnum(), "kFeatures must list features in enum order");

}  // namespace

std::string_view FeatureName(Feature feature) {
  return kFeatures[static_cast<size_t>(feature)].name;
}

std::optional<Feature> FeatureFromName(std::string_view name) {
  for (const FeatureInfo& info : kFeatures) {
    if (info.name == name) return info.feature;
  }
  return std::nullopt;
}

const std::vector<Feature>& AllFeatures() {
  static const std::vector<Feature> all = [] {
    std::vector<Feature> v;
    for (const FeatureInfo& info : kFeatures) v.push_back(info.feature);
    return v;
  }();
  return all;
}

std::optional<Feature> FeatureRequires(Feature feature) {
  switch (feature) {
    case Feature::kReferenceTypes: return Feature::kBulkMemory;
    case Feature::kExceptions: return Feature::kReferenceTypes;
    case Feature::kRelaxedSimd: return Feature::kSimd;
    default: return std::nullopt;
  }
}

FeatureSet FeatureSet::All() {
  FeatureSet set;
  for (Feature f : AllFeatures()) set.Add(f);
  return set;
}

std::vector<Feature> FeatureSet::List() const {
  std::vector<Feature> out;
  for (Feature f : AllFeatures()) {
    if (Has(f)) out.push_back(f);
  }
  return out;
}

std::vector<std::string> FeatureSet::Names() const {
  std::vector<std::string> out;
  for (Feature f : List()) out.emplace_back(FeatureName(f));
  return out;
}

}  // namespace wasmiot
