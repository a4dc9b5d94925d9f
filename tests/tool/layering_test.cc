// The layers of lib/ (one folder and one CMake library each) include each
// other without a cycle, the libraries declare no cycle either, and a
// third-party library is included only by its bridge files. The build itself
// refuses an include of an undeclared layer (lib/CMakeLists.txt).
// A project include names its folder ("check/check.h"); the device library's
// headers ("wasmiot_bundle.h") are the `device` layer.
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <iterator>
#include <regex>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace wasmiot::test {
namespace {

namespace fs = std::filesystem;
using Graph = std::map<std::string, std::set<std::string>>;

// Folder -> the other lib/ folders its files include.
Graph IncludeGraph(const fs::path& lib) {
  Graph graph;
  std::set<std::string> layers;
  for (const auto& entry : fs::directory_iterator(lib)) {
    if (entry.is_directory()) layers.insert(entry.path().filename().string());
  }
  const std::regex include(R"re(^\s*#\s*include\s+"([^"]+)")re");
  for (const std::string& layer : layers) {
    std::set<std::string>& deps = graph[layer];
    for (const auto& entry : fs::recursive_directory_iterator(lib / layer)) {
      std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cc" && ext != ".c") continue;
      std::ifstream in(entry.path());
      std::string line;
      std::smatch m;
      while (std::getline(in, line)) {
        if (!std::regex_search(line, m, include)) continue;
        std::string target = m[1];
        std::string folder = target.rfind("wasmiot_", 0) == 0 ? "device" : target.substr(0, target.find('/'));
        if (target.find('/') == std::string::npos && folder != "device") continue;  // same folder
        if (layers.count(folder) && folder != layer) deps.insert(folder);
      }
    }
  }
  return graph;
}

// Layer -> the layers lib/CMakeLists.txt declares it depends on, from its
// wasmiot_layer(NAME SOURCES ... DEPENDS ... ) calls.
Graph DeclaredGraph(const fs::path& cmake_lists) {
  std::ifstream in(cmake_lists);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Graph graph;
  const std::regex call(R"re(\nwasmiot_layer\(([^)]*)\))re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), call); it != std::sregex_iterator(); ++it) {
    std::istringstream words((*it)[1].str());
    std::string name, word, section;
    words >> name;
    std::set<std::string>& deps = graph[name];
    while (words >> word) {
      if (word == "SOURCES" || word == "DEPENDS" || word == "PUBLIC_LINKS" || word == "BRIDGES") section = word;
      else if (section == "DEPENDS") deps.insert(word);
    }
  }
  return graph;
}

// Third-party headers ("wabt/", "binaryen-c.h") included by `file` (a path
// relative to lib/).
std::vector<std::string> ThirdPartyIncludes(const fs::path& file) {
  const std::regex include(R"re(^\s*#\s*include\s+<((wabt|CLI)/[^>]+|binaryen-c\.h|sodium\.h|sodium/[^>]+)>)re");
  std::vector<std::string> found;
  std::ifstream in(file);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, include)) found.push_back(m[1]);
  }
  return found;
}

// One cycle as "a -> b -> a", or "" if there is none.
std::string FindCycle(const Graph& graph) {
  std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
  std::vector<std::string> path;
  std::string found;
  std::function<bool(const std::string&)> visit = [&](const std::string& node) {
    state[node] = 1;
    path.push_back(node);
    for (const std::string& next : graph.at(node)) {
      if (state[next] == 1) {
        auto start = std::find(path.begin(), path.end(), next);
        for (auto it = start; it != path.end(); ++it) found += *it + " -> ";
        found += next;
        return true;
      }
      if (state[next] == 0 && visit(next)) return true;
    }
    path.pop_back();
    state[node] = 2;
    return false;
  };
  for (const auto& [node, deps] : graph) {
    if (state[node] == 0 && visit(node)) return found;
  }
  return "";
}

}  // namespace

TEST_CASE("the layers of lib/ include each other without a cycle") {
  Graph graph = IncludeGraph(fs::path(SourceDir()) / "lib");
  REQUIRE(graph.count("manifest"));
  std::string cycle = FindCycle(graph);
  INFO("include cycle: " << cycle);
  CHECK(cycle.empty());
  // The bottom layers include no other layer; the device library is C99 that
  // firmware builds alone.
  CHECK(graph["device"].empty());
  CHECK(graph["core"].empty());
  CHECK(graph["support"].empty());
}

TEST_CASE("each lib/ folder is one CMake library whose declared dependencies cover its includes") {
  const fs::path lib = fs::path(SourceDir()) / "lib";
  Graph includes = IncludeGraph(lib);
  Graph declared = DeclaredGraph(lib / "CMakeLists.txt");
  declared["device"];  // the C99 library, declared on its own: it depends on nothing
  REQUIRE(declared.count("runtime"));
  for (const auto& [layer, deps] : includes) {
    INFO("layer " << layer);
    REQUIRE(declared.count(layer));
    for (const std::string& dep : deps) {
      INFO("includes " << dep);
      CHECK(declared[layer].count(dep));
    }
  }
  for (const auto& [layer, deps] : declared) {
    INFO("declared layer " << layer);
    CHECK(fs::is_directory(lib / layer));
  }
  std::string cycle = FindCycle(declared);
  INFO("declared cycle: " << cycle);
  CHECK(cycle.empty());
}

TEST_CASE("third-party libraries are included only by their bridge files") {
  // wabt has four uses, one bridge each (README, "Layers"); wabt_features.h
  // is the feature mapping those bridges share.
  const std::map<std::string, std::set<std::string>> bridges = {
      {"wabt", {"module/wasm_reader.cc", "module/frames.cc", "module/wabt_features.h", "aot/wasm2c_bridge.cc",
                "runtime/interp_engine.cc", "runtime/metering.cc", "runtime/loop_versioning.cc"}},
      {"binaryen", {"opt/binaryen_bridge.cc"}},
      {"sodium", {"keys/sodium_bridge.cc", "core/sha256.cc"}},
      {"CLI", {}},  // the command line belongs to tools/
  };
  const fs::path lib = fs::path(SourceDir()) / "lib";
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(lib)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc" && ext != ".c") continue;
    ++files;
    std::string file = fs::relative(entry.path(), lib).generic_string();
    for (const std::string& header : ThirdPartyIncludes(entry.path())) {
      std::string library = header.substr(0, header.find_first_of("/-."));
      INFO(file << " includes <" << header << ">");
      REQUIRE(bridges.count(library));
      CHECK(bridges.at(library).count(file));
    }
  }
  CHECK(files > 50);
  CHECK(ThirdPartyIncludes(lib / "keys/sodium_bridge.cc") == std::vector<std::string>{"sodium.h"});
}

TEST_CASE("the cycle finder finds a cycle") {
  Graph graph = {{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}, {"d", {}}};
  CHECK(FindCycle(graph) == "a -> b -> c -> a");
  graph["c"].clear();
  CHECK(FindCycle(graph).empty());
}

}  // namespace wasmiot::test
