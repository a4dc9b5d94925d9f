#include "workflow/build_state.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/text.h"

namespace wasmiot {

namespace {
constexpr int kStateVersion = 1;
constexpr uint64_t kMaxStateBytes = 16 << 20;
constexpr uint64_t kMaxKeyedFileBytes = 256 << 20;
}  // namespace

StepKey& StepKey::Add(std::string_view part) {
  buffer_ += std::to_string(part.size());
  buffer_ += ':';
  buffer_ += part;
  return *this;
}

StepKey& StepKey::Add(const Bytes& part) {
  return Add(std::string_view(reinterpret_cast<const char*>(part.data()), part.size()));
}

StepKey& StepKey::Add(uint64_t part) { return Add(std::to_string(part)); }

StepKey& StepKey::AddFile(const std::string& path) {
  Add(path);
  Result<Bytes> bytes = ReadInputFile(path, kMaxKeyedFileBytes);
  if (!bytes) return Add("missing");
  Sha256 digest = HashSha256(bytes->data(), bytes->size());
  return Add(HexString(digest.data(), digest.size()));
}

std::string StepKey::Hex() const {
  Sha256 digest = HashSha256(reinterpret_cast<const uint8_t*>(buffer_.data()), buffer_.size());
  return HexString(digest.data(), digest.size());
}

bool BuildState::StampOf(const std::string& path, Stamp& stamp) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  stamp.path = path;
  stamp.size = static_cast<uint64_t>(st.st_size);
  stamp.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  return true;
}

BuildState BuildState::Load(const std::string& path) {
  Result<Bytes> bytes = ReadInputFile(path, kMaxStateBytes);
  if (!bytes) return BuildState();
  return FromJson(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
}

BuildState BuildState::FromJson(std::string_view text) {
  BuildState state;
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  // Types first: nlohmann's value() and get() throw on a wrong type (the fuzzer
  // found "state_version": {} ending the process).
  if (!doc.is_object()) return state;
  const auto version = doc.find("state_version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != kStateVersion) {
    return state;
  }
  const auto steps = doc.find("steps");
  if (steps == doc.end() || !steps->is_object()) return state;
  for (const auto& [name, value] : steps->items()) {
    if (!value.is_object() || !value.contains("key") || !value["key"].is_string() ||
        !value.contains("outputs") || !value["outputs"].is_array()) {
      continue;
    }
    Entry entry;
    entry.key = value["key"].get<std::string>();
    bool valid = true;
    for (const auto& o : value["outputs"]) {
      if (!o.is_array() || o.size() != 3 || !o[0].is_string() || !o[1].is_number_unsigned() ||
          !o[2].is_number_integer()) {
        valid = false;
        break;
      }
      entry.outputs.push_back({o[0].get<std::string>(), o[1].get<uint64_t>(), o[2].get<int64_t>()});
    }
    if (valid) state.steps_[name] = std::move(entry);
  }
  return state;
}

Status BuildState::Save(const std::string& path) const {
  nlohmann::json steps = nlohmann::json::object();
  for (const auto& [name, entry] : steps_) {
    nlohmann::json outputs = nlohmann::json::array();
    for (const Stamp& s : entry.outputs) outputs.push_back({s.path, s.size, s.mtime_ns});
    steps[name] = {{"key", entry.key}, {"outputs", outputs}};
  }
  std::string text = nlohmann::json{{"state_version", kStateVersion}, {"steps", steps}}.dump(1) + "\n";
  return WriteFileAtomically(path, text.data(), text.size());
}

bool BuildState::UpToDate(const std::string& step, const std::string& key) const {
  auto it = steps_.find(step);
  if (it == steps_.end() || it->second.key != key) return false;
  for (const Stamp& recorded : it->second.outputs) {
    Stamp now;
    if (!StampOf(recorded.path, now) || now.size != recorded.size || now.mtime_ns != recorded.mtime_ns) return false;
  }
  return true;
}

void BuildState::Record(const std::string& step, const std::string& key, const std::vector<std::string>& outputs) {
  Entry entry;
  entry.key = key;
  for (const std::string& path : outputs) {
    Stamp s;
    if (StampOf(path, s)) entry.outputs.push_back(s);
  }
  steps_[step] = std::move(entry);
}

void BuildState::Forget(const std::string& step) { steps_.erase(step); }

}  // namespace wasmiot
