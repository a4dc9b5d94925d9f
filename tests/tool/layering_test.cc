// The layers of lib/ (one folder each) include each other without a cycle, so
// that each can become its own library with declared dependencies (issue 11).
// A project include names its folder ("check/check.h"); the device library's
// headers ("wasmiot_bundle.h") are the `device` layer.
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
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

TEST_CASE("the cycle finder finds a cycle") {
  Graph graph = {{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}, {"d", {}}};
  CHECK(FindCycle(graph) == "a -> b -> c -> a");
  graph["c"].clear();
  CHECK(FindCycle(graph).empty());
}

}  // namespace wasmiot::test
