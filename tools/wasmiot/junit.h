// JUnit XML, the report GitLab, Jenkins and GitHub runners read: one test case
// per scenario or gateway, a failure carrying the first divergence.
#pragma once

#include <string>
#include <vector>

namespace wasmiot::tool {

struct JUnitCase {
  std::string classname;  // "scenario" or "gateway"
  std::string name;       // the file
  double seconds = 0;
  bool failed = false;
  std::string message;  // one line
  std::string details;  // the whole divergence, or the diagnostics
};

std::string JUnitXml(const std::string& suite, const std::vector<JUnitCase>& cases);

}  // namespace wasmiot::tool
