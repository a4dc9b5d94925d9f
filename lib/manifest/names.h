// The manifest's name rules: what a module name, a device slug, a UUID and a
// version may be (docs/manifest.md), with the descriptions diagnostics quote.
#pragma once

#include <string_view>

#include "json/json_walker.h"
#include "support/text.h"

namespace wasmiot {

bool IsModuleName(std::string_view s);  // [A-Za-z_][A-Za-z0-9_.-]*, at most 64
bool IsSlug(std::string_view s);        // lower-case letters, digits, '.', '_', '-'; at most 64
bool IsUuid(std::string_view s);        // lower-case 8-4-4-4-12 hex
bool IsSemver(std::string_view s);      // MAJOR.MINOR.PATCH, each part at most 65535 (a u16 in bundles)

namespace manifest_names {
using json_walker::NameRule;
inline constexpr NameRule kIdentifier{IsIdentifier, "an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64)"};
inline constexpr NameRule kModuleName{IsModuleName,
                               "a module name ([A-Za-z_][A-Za-z0-9_.-]*, at most 64)"};
inline constexpr NameRule kSlug{IsSlug, "lower-case letters, digits, '.', '_' or '-' (at most 64)"};
inline constexpr NameRule kUuid{IsUuid, "a lower-case UUID (8-4-4-4-12 hex digits)"};
inline constexpr NameRule kSemver{IsSemver, "a version MAJOR.MINOR.PATCH (each part at most 65535)"};
}  // namespace manifest_names

}  // namespace wasmiot
