// Manifest files (format v1, docs/manifest.md): JSON to a Manifest, every
// problem a diagnostic at its key or value, one run reporting them all.
#include "manifest/manifest.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/limits.h"
#include "json/json_walker.h"
#include "support/file_io.h"
#include "manifest/enum_names.h"
#include "manifest/names.h"
#include "manifest/sim_rules.h"
#include "support/text.h"

namespace wasmiot {
namespace {

using nlohmann::json;
using json_walker::EnumChoices;
using json_walker::EnumEntry;
using json_walker::EnumName;
using json_walker::NameRule;
using namespace manifest_names;
using namespace manifest_enums;

constexpr std::string_view kManifestCode = "manifest-invalid";

// Walks the located JSON. Each check that fails adds one diagnostic at the
// offending key or value and the walk goes on, so one run reports everything.
class ManifestParser : public JsonWalker {
 public:
  ManifestParser(const LocatedJson& doc, const std::string& path, Diagnostics& diagnostics)
      : JsonWalker(doc, path, kManifestCode, diagnostics) {}

  bool Parse(Manifest& m) {
    const json& root = doc_.root();
    if (!Object(root, "",
                {"$schema", "manifest_version", "device", "imports", "memory_import", "exports",
                 "budgets", "features", "aot_targets", "runtime", "host_buffers"},
                {"manifest_version", "device", "imports", "exports", "budgets", "features",
                 "aot_targets"})) {
      return false;
    }
    if (root.contains("$schema")) String(root, "", "$schema", nullptr, 1024);
    if (const json* v = Field(root, "manifest_version")) {
      if (!(v->is_number_unsigned() && v->get<uint64_t>() == kManifestFormatVersion)) {
        ValueError("/manifest_version",
                   fmt::format("unsupported manifest_version {}: this wasmiot reads version {}",
                               v->dump(), kManifestFormatVersion));
      }
    }
    if (const json* v = Field(root, "device")) Device(*v, "/device", m.device);
    if (const json* v = Field(root, "features")) Features(*v, "/features", m.features);
    if (const json* v = Field(root, "imports")) Imports(*v, "/imports", m);
    if (const json* v = Field(root, "memory_import")) MemoryImport(*v, "/memory_import", m);
    if (const json* v = Field(root, "exports")) Exports(*v, "/exports", m);
    if (const json* v = Field(root, "budgets")) BudgetsOf(*v, "/budgets", m.budgets);
    if (const json* v = Field(root, "aot_targets")) AotTargets(*v, "/aot_targets", m);
    if (const json* v = Field(root, "runtime")) {
      if (auto r = Enum(*v, "/runtime", kDeviceRuntimes, "runtime")) m.runtime = *r;
    }
    if (const json* v = Field(root, "host_buffers")) HostBuffersOf(*v, "/host_buffers", m);
    return ok_;
  }

 private:
  // -- sections --

  void Device(const json& v, const std::string& ptr, DeviceIdentity& out) {
    if (!Object(v, ptr, {"vendor", "class", "vendor_uuid", "class_uuid", "api_version", "doc"},
                {"vendor", "class", "api_version"})) {
      return;
    }
    out.vendor = String(v, ptr, "vendor", &kSlug).value_or("");
    out.device_class = String(v, ptr, "class", &kSlug).value_or("");
    out.vendor_uuid = String(v, ptr, "vendor_uuid", &kUuid).value_or("");
    out.class_uuid = String(v, ptr, "class_uuid", &kUuid).value_or("");
    out.api_version = String(v, ptr, "api_version", &kSemver).value_or("");
    out.doc = Doc(v, ptr);
  }

  void Features(const json& v, const std::string& ptr, FeatureSet& out) {
    if (!Expect(v.is_array(), v, ptr, "an array")) return;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = JsonPointerChild(ptr, i);
      if (!Expect(v[i].is_string(), v[i], p, "a string")) continue;
      const std::string& name = v[i].get_ref<const std::string&>();
      std::optional<Feature> f = FeatureFromName(name);
      if (!f) {
        std::string all;
        for (Feature known : AllFeatures()) all += (all.empty() ? "" : ", ") + std::string(FeatureName(known));
        ValueError(p, fmt::format("unknown feature \"{}\": expected one of {}", name, all));
      } else if (out.Has(*f)) {
        ValueError(p, fmt::format("feature \"{}\" is listed twice", name));
      } else {
        out.Add(*f);
      }
    }
    for (Feature f : out.List()) {
      std::optional<Feature> needs = FeatureRequires(f);
      if (needs && !out.Has(*needs)) {
        ValueError(ptr, fmt::format("feature \"{}\" requires \"{}\"", FeatureName(f), FeatureName(*needs)));
      }
    }
  }

  // Calls `each(name, value, pointer)` for every entry of an object whose keys
  // are names following `rule`, reporting the keys that do not.
  template <typename Each>
  void ForEachNamed(const json& v, const std::string& ptr, const NameRule& rule, size_t max_entries,
                    std::string_view what, Each each) {
    if (!Expect(v.is_object(), v, ptr, "an object")) return;
    if (v.size() > max_entries) ValueError(ptr, fmt::format("more than {} {}", max_entries, what));
    for (const auto& [name, value] : v.items()) {
      std::string p = JsonPointerChild(ptr, name);
      if (!rule.check(name)) {
        KeyError(p, fmt::format("\"{}\" is not {}", name, rule.description));
        continue;
      }
      each(name, value, p);
    }
  }

  void Imports(const json& v, const std::string& ptr, Manifest& m) {
    ForEachNamed(v, ptr, kModuleName, 64, "import modules",
                 [&](const std::string& module, const json& functions, const std::string& mp) {
      ForEachNamed(functions, mp, kIdentifier, 1024, "functions",
                   [&](const std::string& name, const json& spec, const std::string& fp) {
        HostFunction fn;
        fn.module = module;
        fn.name = name;
        fn.position = PositionOf(doc_.text(), doc_.KeyOffset(fp));
        if (HostFunctionOf(spec, fp, m.features, fn)) m.host_functions.push_back(std::move(fn));
      });
    });
  }

  bool HostFunctionOf(const json& v, const std::string& ptr, const FeatureSet& features,
                      HostFunction& fn) {
    if (!Object(v, ptr, {"params", "results", "doc", "sim"}, {"sim"})) return false;
    bool signature_ok = SignatureOf(v, ptr, features, fn.signature);
    fn.doc = Doc(v, ptr);
    const json* sim = Field(v, "sim");
    // The simulation's shape rules need the whole signature: skip them when it
    // was already found wrong, rather than report a consequence of that error.
    return sim && SimulationOf(*sim, JsonPointerChild(ptr, "sim"), fn, ptr, signature_ok) &&
           signature_ok;
  }

  bool SignatureOf(const json& v, const std::string& ptr, const FeatureSet& features,
                   Signature& sig) {
    size_t errors_before = diagnostics_.Count(Severity::kError);
    std::set<std::string> names;
    auto unique = [&](const std::string& name, const std::string& p) {
      if (!names.insert(name).second) ValueError(p, fmt::format("duplicate name \"{}\"", name));
    };
    if (const json* params = Field(v, "params")) {
      std::string pp = JsonPointerChild(ptr, "params");
      if (Expect(params->is_array(), *params, pp, "an array")) {
        if (params->size() > 16) ValueError(pp, "more than 16 parameters");
        for (size_t i = 0; i < params->size() && i < 16; ++i) {
          Param param;
          std::string p = JsonPointerChild(pp, i);
          if (!ParamOf((*params)[i], p, param)) continue;
          unique(param.name, JsonPointerChild(p, "name"));
          if (param.is_pointer) unique(param.length_name, JsonPointerChild(p, "len"));
          sig.params.push_back(std::move(param));
        }
      }
    }
    if (const json* results = Field(v, "results")) {
      std::string rp = JsonPointerChild(ptr, "results");
      if (Expect(results->is_array(), *results, rp, "an array")) {
        if (results->size() > 4) ValueError(rp, "more than 4 results");
        for (size_t i = 0; i < results->size() && i < 4; ++i) {
          std::string p = JsonPointerChild(rp, i);
          const json& r = (*results)[i];
          if (!Object(r, p, {"name", "type", "doc"}, {"name", "type"})) continue;
          NamedResult result;
          std::optional<std::string> name = String(r, p, "name", &kIdentifier);
          std::optional<ValueType> type;
          if (const json* t = Field(r, "type")) type = Enum(*t, JsonPointerChild(p, "type"), kValueTypes, "value type");
          if (!name || !type) continue;
          result.name = *name;
          result.type = *type;
          result.doc = Doc(r, p);
          unique(result.name, JsonPointerChild(p, "name"));
          sig.results.push_back(std::move(result));
        }
        if (sig.results.size() > 1 && !features.Has(Feature::kMultiValue)) {
          ValueError(rp, "more than one result needs the \"multi-value\" feature");
        }
      }
    }
    return diagnostics_.Count(Severity::kError) == errors_before;
  }

  bool ParamOf(const json& v, const std::string& p, Param& param) {
    if (!Object(v, p, {"name", "type", "len", "access", "doc"}, {"name", "type"})) return false;
    std::optional<std::string> name = String(v, p, "name", &kIdentifier);
    const json* type = Field(v, "type");
    if (!name || !type) return false;
    param.name = *name;
    param.doc = Doc(v, p);
    std::string tp = JsonPointerChild(p, "type");
    if (type->is_string() && type->get_ref<const std::string&>() == "ptr") {
      param.is_pointer = true;
      param.type = ValueType::kI32;
      if (!v.contains("len")) {
        ValueError(tp, fmt::format("pointer \"{}\" has no length: add \"len\" naming the length "
                                   "parameter that follows it", param.name));
        return false;
      }
      std::optional<std::string> len = String(v, p, "len", &kIdentifier);
      if (!len) return false;
      param.length_name = *len;
      if (const json* access = Field(v, "access")) {
        std::optional<BufferAccess> a = Enum(*access, JsonPointerChild(p, "access"), kAccesses, "access");
        if (!a) return false;
        param.access = *a;
      }
      return true;
    }
    if (type->is_string() && type->get_ref<const std::string&>() == "string") {
      param.is_string = true;
      param.type = ValueType::kI32;
    }
    std::optional<ValueType> t = param.is_string ? std::optional<ValueType>(ValueType::kI32)
                                                 : Enum(*type, tp, kValueTypes, "value type");
    if (!t) {
      if (type->is_string()) return false;  // Enum reported it; mention ptr for completeness
      return false;
    }
    param.type = *t;
    for (std::string_view only_ptr : {"len", "access"}) {
      if (v.contains(std::string(only_ptr))) {
        KeyError(JsonPointerChild(p, only_ptr),
                 fmt::format("\"{}\" is only for parameters of type \"ptr\"{}", only_ptr,
                             param.is_string ? " (a string's length is where its NUL byte is)" : ""));
        return false;
      }
    }
    return true;
  }

  bool SimulationOf(const json& v, const std::string& ptr, HostFunction& fn,
                    const std::string& fn_ptr, bool check_shape) {
    if (!Expect(v.is_object(), v, ptr, "an object")) return false;
    const json* kind_value = Field(v, "kind");
    if (!kind_value) {
      ValueError(ptr, "missing required field \"kind\"");
      return false;
    }
    std::optional<SimKind> kind = Enum(*kind_value, JsonPointerChild(ptr, "kind"), kSimKinds, "simulation kind");
    if (!kind) return false;
    Simulation& sim = fn.sim;
    sim.kind = *kind;
    size_t errors_before = diagnostics_.Count(Severity::kError);
    switch (sim.kind) {
      case SimKind::kSensor:
        Object(v, ptr, {"kind", "channel", "indexed_by"}, {"kind"});
        sim.channel = String(v, ptr, "channel", &kIdentifier).value_or(fn.name);
        sim.indexed_by = String(v, ptr, "indexed_by", &kIdentifier).value_or("");
        break;
      case SimKind::kActuator:
        Object(v, ptr, {"kind", "returns"}, {"kind"});
        if (const json* r = Field(v, "returns")) {
          std::string rp = JsonPointerChild(ptr, "returns");
          if (Expect(r->is_number(), *r, rp, "a number")) {
            sim.returns = r->get<double>();
            if (!(std::fabs(sim.returns) <= 1e15)) ValueError(rp, "must be within +-1e15");
          }
        }
        break;
      case SimKind::kLog:
        Object(v, ptr, {"kind"}, {"kind"});
        break;
      case SimKind::kClock:
        Object(v, ptr, {"kind", "unit"}, {"kind", "unit"});
        if (const json* u = Field(v, "unit")) {
          if (auto unit = Enum(*u, JsonPointerChild(ptr, "unit"), kClockUnits, "clock unit")) sim.unit = *unit;
        }
        break;
      case SimKind::kBufferIn:
      case SimKind::kBufferOut: {
        bool in = sim.kind == SimKind::kBufferIn;
        if (in) Object(v, ptr, {"kind", "stream"}, {"kind"});
        else Object(v, ptr, {"kind", "stream", "status"}, {"kind"});
        sim.stream = String(v, ptr, "stream", &kIdentifier).value_or(fn.name);
        if (const json* st = in ? nullptr : Field(v, "status")) {
          std::string sp = JsonPointerChild(ptr, "status");
          if (Expect(st->is_number_integer() && st->get<int64_t>() >= INT32_MIN && st->get<int64_t>() <= INT32_MAX, *st,
                     sp, "an i32 integer")) {
            sim.status = static_cast<int32_t>(st->get<int64_t>());
          }
          if (fn.signature.results.empty()) ValueError(sp, "the function has no result to return it in");
        }
        break;
      }
    }
    if (check_shape) {
      for (const std::string& problem : SimulationShapeProblems(sim, fn.signature)) {
        ValueError(fn_ptr, fmt::format("a {} {}", SimKindName(sim.kind), problem));
      }
      if (sim.kind == SimKind::kSensor && !sim.indexed_by.empty() && !IndexedByFits(sim, fn.signature)) {
        ValueError(JsonPointerChild(ptr, "indexed_by"),
                   fmt::format("\"{}\" must name the function's only parameter, of type i32", sim.indexed_by));
      }
    }
    return diagnostics_.Count(Severity::kError) == errors_before;
  }

  void MemoryImport(const json& v, const std::string& ptr, Manifest& m) {
    if (!Object(v, ptr, {"module", "name"}, {"module", "name"})) return;
    std::optional<std::string> module = String(v, ptr, "module", &kModuleName);
    std::optional<std::string> name = String(v, ptr, "name", &kIdentifier);
    if (module && name) m.memory_import = ImportName{*module, *name};
  }

  void Exports(const json& v, const std::string& ptr, Manifest& m) {
    ForEachNamed(v, ptr, kIdentifier, 1024, "exports",
                 [&](const std::string& name, const json& spec, const std::string& ep) {
      if (!Object(spec, ep, {"kind", "required", "params", "results", "doc"}, {"required"})) return;
      ExportSpec e;
      e.name = name;
      if (const json* k = Field(spec, "kind")) {
        if (auto kind = Enum(*k, JsonPointerChild(ep, "kind"), kExportKinds, "export kind")) e.kind = *kind;
      }
      if (const json* r = Field(spec, "required")) {
        if (Expect(r->is_boolean(), *r, JsonPointerChild(ep, "required"), "a boolean")) e.required = r->get<bool>();
      }
      if (e.kind == ExportKind::kMemory) {
        for (std::string_view key : {"params", "results"}) {
          if (spec.contains(std::string(key))) {
            KeyError(JsonPointerChild(ep, key), "a memory export has no signature");
          }
        }
      } else {
        SignatureOf(spec, ep, m.features, e.signature);
      }
      e.doc = Doc(spec, ep);
      m.exports.push_back(std::move(e));
    });
  }

  void BudgetsOf(const json& v, const std::string& ptr, Budgets& b) {
    if (!Object(v, ptr,
                {"memory", "table", "stack_bytes", "heap_bytes", "fuel_per_call", "wall_ms_per_call",
                 "max_module_bytes"},
                {"memory", "table", "stack_bytes", "heap_bytes", "fuel_per_call", "wall_ms_per_call",
                 "max_module_bytes"})) {
      return;
    }
    constexpr uint64_t k256MiB = 256ull << 20;
    if (const json* mem = Field(v, "memory")) {
      std::string mp = JsonPointerChild(ptr, "memory");
      if (Object(*mem, mp, {"initial_pages", "max_pages"}, {"initial_pages", "max_pages"})) {
        auto initial = Integer(*mem, mp, "initial_pages", 0, 65536);
        auto max = Integer(*mem, mp, "max_pages", 0, 65536);
        if (initial) b.initial_pages = static_cast<uint32_t>(*initial);
        if (max) b.max_pages = static_cast<uint32_t>(*max);
        if (initial && max && *initial > *max) {
          ValueError(JsonPointerChild(mp, "initial_pages"),
                     fmt::format("{} is more than max_pages ({})", *initial, *max));
        }
      }
    }
    if (const json* table = Field(v, "table")) {
      std::string tp = JsonPointerChild(ptr, "table");
      if (Object(*table, tp, {"max_elements"}, {"max_elements"})) {
        if (auto n = Integer(*table, tp, "max_elements", 0, 1000000)) b.max_table_elements = static_cast<uint32_t>(*n);
      }
    }
    b.stack_bytes = Integer(v, ptr, "stack_bytes", 0, k256MiB).value_or(0);
    b.heap_bytes = Integer(v, ptr, "heap_bytes", 0, k256MiB).value_or(0);
    b.fuel_per_call = Integer(v, ptr, "fuel_per_call", 1, kMaxFuelPerCall).value_or(0);
    b.wall_ms_per_call = Integer(v, ptr, "wall_ms_per_call", 1, kMaxWallMsPerCall).value_or(0);
    b.max_module_bytes = Integer(v, ptr, "max_module_bytes", 8, k256MiB).value_or(0);
  }

  // After the exports and budgets: the region must lie in the initial memory,
  // and the allocator's exports join the exports, required.
  void HostBuffersOf(const json& v, const std::string& ptr, Manifest& m) {
    if (!Expect(v.is_object(), v, ptr, "an object")) return;
    const json* kind_value = Field(v, "kind");
    if (!kind_value) {
      ValueError(ptr, "missing required field \"kind\": \"reserved\" or \"allocator\"");
      return;
    }
    std::optional<HostBufferKind> kind = Enum(*kind_value, JsonPointerChild(ptr, "kind"), kHostBufferKinds, "kind");
    if (!kind) return;
    HostBuffers hb;
    hb.kind = *kind;
    if (hb.kind == HostBufferKind::kReserved) {
      if (!Object(v, ptr, {"kind", "address", "bytes"}, {"kind", "address", "bytes"})) return;
      const uint64_t memory = uint64_t{m.budgets.initial_pages} * kWasmPageBytes;
      std::optional<uint64_t> address = Integer(v, ptr, "address", 1, 0xffffffff);
      std::optional<uint64_t> bytes = Integer(v, ptr, "bytes", 1, 0xffffffff);
      if (!address || !bytes) return;
      if (*address + *bytes > memory) {
        ValueError(JsonPointerChild(ptr, "bytes"),
                   fmt::format("the region [{}, {}) ends past the initial memory budget ({}): it must lie in the "
                               "memory every module starts with",
                               *address, *address + *bytes, Plural(memory, "byte")));
        return;
      }
      hb.address = static_cast<uint32_t>(*address);
      hb.bytes = static_cast<uint32_t>(*bytes);
    } else {
      if (!Object(v, ptr, {"kind", "alloc", "free"}, {"kind", "alloc"})) return;
      std::optional<std::string> alloc = String(v, ptr, "alloc", &kIdentifier);
      if (!alloc) return;
      hb.alloc = *alloc;
      hb.free = String(v, ptr, "free", &kIdentifier).value_or("");
      if (hb.free == hb.alloc) {
        ValueError(JsonPointerChild(ptr, "free"), "alloc and free must be two exports");
        return;
      }
      auto param = [](std::string name) {
        Param p;
        p.name = std::move(name);
        return p;
      };
      ExportSpec alloc_spec{hb.alloc, ExportKind::kFunc, true, {{param("size")}, {{"address", ValueType::kI32, ""}}},
                            "Gives the host a buffer of `size` bytes for an export's pointer parameter (0: no room)."};
      ExportSpec free_spec{hb.free, ExportKind::kFunc, true, {{param("address")}, {}},
                           "Takes back a buffer alloc gave."};
      for (ExportSpec* implied : {&alloc_spec, hb.free.empty() ? nullptr : &free_spec}) {
        if (!implied) continue;
        const ExportSpec* listed = m.FindExport(implied->name);
        if (!listed) {
          m.exports.push_back(*implied);
        } else if (listed->kind != ExportKind::kFunc ||
                   listed->signature.WasmParams() != implied->signature.WasmParams() ||
                   listed->signature.WasmResults() != implied->signature.WasmResults() || !listed->required) {
          ValueError(JsonPointerChild(ptr, implied == &alloc_spec ? "alloc" : "free"),
                     fmt::format("exports.{} must be a required function {}, as host_buffers uses it", implied->name,
                                 FormatSignature(implied->signature.WasmParams(), implied->signature.WasmResults())));
          return;
        }
      }
    }
    m.host_buffers = std::move(hb);
  }

  void AotTargets(const json& v, const std::string& ptr, Manifest& m) {
    if (!Expect(v.is_array(), v, ptr, "an array")) return;
    const auto& known = KnownAotTargetNames();
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = JsonPointerChild(ptr, i);
      if (!Expect(v[i].is_string(), v[i], p, "a string")) continue;
      const std::string& name = v[i].get_ref<const std::string&>();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string hint;
        if (auto near = ClosestMatch(name, known)) hint = fmt::format(" (did you mean \"{}\"?)", *near);
        ValueError(p, fmt::format("unknown AOT target \"{}\"{}", name, hint));
      } else if (std::find(m.aot_targets.begin(), m.aot_targets.end(), name) != m.aot_targets.end()) {
        ValueError(p, fmt::format("AOT target \"{}\" is listed twice", name));
      } else {
        m.aot_targets.push_back(name);
      }
    }
  }

};

}  // namespace

Result<Manifest> ParseManifest(std::string text, const std::string& path, Diagnostics& diagnostics) {
  Result<LocatedJson> doc = ParseLocatedJson(text);  // a copy: errors need the text
  if (!doc) {
    Diagnostic& d = diagnostics.AddError(std::string(kManifestCode), path, doc.error().message);
    d.position = PositionOf(text, doc.error().offset.value_or(0));
    return Error{ErrorKind::kInvalidInput, "invalid manifest"};
  }
  Manifest manifest;
  ManifestParser parser(*doc, path, diagnostics);
  if (!parser.Parse(manifest)) return Error{ErrorKind::kInvalidInput, "invalid manifest"};
  return manifest;
}

Result<Manifest> LoadManifest(const std::string& path, Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInput(path, kMaxManifestBytes, kManifestCode, diagnostics);
  if (!bytes) return bytes.error();
  return ParseManifest(std::string(bytes->begin(), bytes->end()), path, diagnostics);
}

}  // namespace wasmiot
