#include "manifest/sim_rules.h"

#include <algorithm>

namespace wasmiot {

std::vector<std::string> SimulationShapeProblems(const Simulation& sim, const Signature& sig) {
  std::vector<std::string> problems;
  auto pointers = [&](auto predicate) {
    return std::count_if(sig.params.begin(), sig.params.end(),
                         [&](const Param& p) { return p.is_pointer && predicate(p.access); });
  };
  switch (sim.kind) {
    case SimKind::kSensor:
      if (sig.results.size() != 1) problems.push_back("returns exactly one result");
      if (sim.indexed_by.empty() && !sig.params.empty()) problems.push_back("without \"indexed_by\" takes no parameters");
      break;
    case SimKind::kActuator:
      if (sig.results.size() > 1) problems.push_back("returns at most one result");
      break;
    case SimKind::kLog:
      if (sig.params.size() != 1 || !sig.results.empty() ||
          !(sig.params[0].is_string || (sig.params[0].is_pointer && sig.params[0].access == BufferAccess::kRead))) {
        problems.push_back("takes one \"ptr\" parameter with \"access\": \"read\", or one \"string\", and returns "
                           "nothing");
      }
      break;
    case SimKind::kClock: {
      bool integer_result = sig.results.size() == 1 && (sig.results[0].type == ValueType::kI32 ||
                                                        sig.results[0].type == ValueType::kI64);
      if (!sig.params.empty() || !integer_result) problems.push_back("takes no parameters and returns one i32 or i64");
      break;
    }
    case SimKind::kBufferIn:
    case SimKind::kBufferOut: {
      bool in = sim.kind == SimKind::kBufferIn;
      auto writable = [](BufferAccess a) { return a != BufferAccess::kRead; };
      auto readable = [](BufferAccess a) { return a != BufferAccess::kWrite; };
      auto any = [](BufferAccess) { return true; };
      long matching = in ? pointers(writable) : pointers(readable);
      if (pointers(any) != 1 || matching != 1) {
        problems.push_back(in ? "takes exactly one \"ptr\" parameter, with \"access\": \"write\" or \"readwrite\""
                              : "takes exactly one \"ptr\" parameter, with \"access\": \"read\" or \"readwrite\"");
      }
      if (sig.results.size() > 1 || (sig.results.size() == 1 && sig.results[0].type != ValueType::kI32)) {
        problems.push_back("returns nothing or an i32 byte count");
      }
      break;
    }
  }
  return problems;
}

bool IndexedByFits(const Simulation& sim, const Signature& sig) {
  return sig.params.size() == 1 && sig.params[0].name == sim.indexed_by && !sig.params[0].is_pointer &&
         sig.params[0].type == ValueType::kI32;
}

}  // namespace wasmiot
