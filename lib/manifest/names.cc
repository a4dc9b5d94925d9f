#include "manifest/names.h"

#include <algorithm>
#include <string>

namespace wasmiot {

bool IsModuleName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto rest = [&](char c) { return alpha(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; };
  return alpha(s[0]) && std::all_of(s.begin() + 1, s.end(), rest);
}

bool IsSlug(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  auto rest = [&](char c) { return first(c) || c == '.' || c == '_' || c == '-'; };
  return first(s[0]) && std::all_of(s.begin() + 1, s.end(), rest);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsSemver(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    size_t len = i - start;
    // Bundles carry each part as a u16.
    if (len == 0 || len > 5 || (len > 1 && s[start] == '0') || std::stoul(std::string(s.substr(start, len))) > 65535) {
      return false;
    }
    ++parts;
    if (i == s.size()) return parts == 3;
    if (s[i] != '.' || parts == 3) return false;
    ++i;
  }
}

}  // namespace wasmiot
