#include "core/wasm2c_names.h"

namespace wasmiot {

std::string MangleForWasm2c(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "Z_";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z' && c != 'Z') || (u >= '0' && u <= '9') || c == '_';
    if (plain) {
      out += c;
    } else {
      out += 'Z';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace wasmiot
