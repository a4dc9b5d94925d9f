#include "junit.h"

#include <fmt/format.h>

namespace wasmiot::tool {
namespace {

// XML 1.0 text: markup characters escaped, control characters (which XML 1.0
// cannot hold at all) as U+FFFD, and invalid UTF-8 left to the reader's
// replacement (it arrives from module-controlled logs only through Printable).
std::string Escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': case '\t': case '\r': out += static_cast<char>(c); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\xEF\xBF\xBD";
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace

std::string JUnitXml(const std::string& suite, const std::vector<JUnitCase>& cases) {
  size_t failures = 0;
  double total = 0;
  for (const JUnitCase& c : cases) {
    failures += c.failed;
    total += c.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"wasmiot\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", cases.size(),
                     failures, total);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.3f}\">\n",
                     Escape(suite), cases.size(), failures, total);
  for (const JUnitCase& c : cases) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", Escape(c.classname),
                       Escape(c.name), c.seconds);
    if (!c.failed) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n      <failure message=\"{}\" type=\"divergence\">{}</failure>\n    </testcase>\n",
                       Escape(c.message), Escape(c.details));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace wasmiot::tool
