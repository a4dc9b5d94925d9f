// The one place that includes wabt's reader and validator (see STYLE.md:
// each third-party library has one bridge file).
#include <cctype>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/binary.h>
#include <wabt/cast.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/validator.h>

#include "core/limits.h"
#include "module/module_info.h"
#include "module/wabt_features.h"

namespace wasmiot {

wabt::Features ToWabtFeatures(const FeatureSet& set) {
  wabt::Features f;
  // wabt enables several proposals by default: start from nothing.
#define WABT_FEATURE(variable, flag, default_, help) f.disable_##variable();
#include <wabt/feature.def>
#undef WABT_FEATURE
  // Enable dependencies first: set_*_enabled() re-derives them each time.
  if (set.Has(Feature::kBulkMemory)) f.enable_bulk_memory();
  if (set.Has(Feature::kReferenceTypes)) f.enable_reference_types();
  if (set.Has(Feature::kExceptions)) f.enable_exceptions();
  if (set.Has(Feature::kMutableGlobals)) f.enable_mutable_globals();
  if (set.Has(Feature::kSaturatingFloatToInt)) f.enable_sat_float_to_int();
  if (set.Has(Feature::kSignExtension)) f.enable_sign_extension();
  if (set.Has(Feature::kMultiValue)) f.enable_multi_value();
  if (set.Has(Feature::kSimd)) f.enable_simd();
  if (set.Has(Feature::kRelaxedSimd)) f.enable_relaxed_simd();
  if (set.Has(Feature::kThreads)) f.enable_threads();
  if (set.Has(Feature::kTailCall)) f.enable_tail_call();
  if (set.Has(Feature::kMemory64)) f.enable_memory64();
  if (set.Has(Feature::kMultiMemory)) f.enable_multi_memory();
  if (set.Has(Feature::kExtendedConst)) f.enable_extended_const();
  return f;
}

namespace {

struct Parsed {
  wabt::Module module;
  wabt::Errors errors;
  bool read_ok = false;
  bool valid = false;
};

void Parse(const Bytes& bytes, const std::string& path, const FeatureSet& features, Parsed& out) {
  wabt::Features wf = ToWabtFeatures(features);
  wabt::ReadBinaryOptions options(wf, /*log_stream=*/nullptr, /*read_debug_names=*/false,
                                  /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  out.read_ok = wabt::Succeeded(wabt::ReadBinaryIr(path.c_str(), bytes.data(), bytes.size(),
                                                   options, &out.errors, &out.module));
  if (!out.read_ok) return;
  wabt::ValidateOptions validate_options(wf);
  out.valid = wabt::Succeeded(wabt::ValidateModule(&out.module, &out.errors, validate_options));
}

FeatureSet WithoutFeature(Feature f);

bool Accepts(const Bytes& bytes, const std::string& path, const FeatureSet& features) {
  Parsed p;
  Parse(bytes, path, features, p);
  return p.read_ok && p.valid;
}

// With the features it depends on.
FeatureSet Closed(FeatureSet set) {
  for (Feature f : set.List()) {
    for (auto need = FeatureRequires(f); need; need = FeatureRequires(*need)) set.Add(*need);
  }
  return set;
}

// What a module read with every feature shows of the features it uses, in
// one walk: each instruction's opcode, and the types, limits, segments,
// imports and exports only a feature allows. A guess FeaturesUsed verifies,
// so a construct this misses costs time, not a wrong answer.
class FeatureWalk {
 public:
  explicit FeatureWalk(const wabt::Module& m) : m_(m) {}

  FeatureSet Run() {
    for (const wabt::TypeEntry* t : m_.types) {
      if (const auto* f = wabt::dyn_cast<wabt::FuncType>(t)) Signature(f->sig);
    }
    for (const wabt::Func* f : m_.funcs) {
      Signature(f->decl.sig);
      for (wabt::Type t : f->local_types) Value(t);
      List(f->exprs);
    }
    for (const wabt::Global* g : m_.globals) {
      Value(g->type);
      List(g->init_expr);
    }
    for (const wabt::Import* i : m_.imports) {
      if (const auto* g = wabt::dyn_cast<wabt::GlobalImport>(i); g && g->global.mutable_) seen_.Add(Feature::kMutableGlobals);
    }
    for (const wabt::Export* e : m_.exports) {
      if (e->kind != wabt::ExternalKind::Global) continue;
      const wabt::Global* g = m_.GetGlobal(e->var);
      if (g && g->mutable_) seen_.Add(Feature::kMutableGlobals);
    }
    if (m_.memories.size() > 1) seen_.Add(Feature::kMultiMemory);
    for (const wabt::Memory* mem : m_.memories) {
      if (mem->page_limits.is_shared) seen_.Add(Feature::kThreads);
      if (mem->page_limits.is_64) seen_.Add(Feature::kMemory64);
    }
    if (m_.tables.size() > 1) seen_.Add(Feature::kReferenceTypes);
    for (const wabt::Table* t : m_.tables) Value(t->elem_type);
    for (const wabt::DataSegment* d : m_.data_segments) {
      if (d->kind != wabt::SegmentKind::Active) seen_.Add(Feature::kBulkMemory);
      if (d->memory_var.is_index() && d->memory_var.index() != 0) seen_.Add(Feature::kMultiMemory);
      List(d->offset);
    }
    for (const wabt::ElemSegment* e : m_.elem_segments) {
      if (e->kind != wabt::SegmentKind::Active) seen_.Add(Feature::kBulkMemory);
      if (e->table_var.is_index() && e->table_var.index() != 0) seen_.Add(Feature::kReferenceTypes);
      Value(e->elem_type);
      List(e->offset);
      for (const wabt::ExprList& l : e->elem_exprs) List(l);
    }
    if (!m_.tags.empty()) seen_.Add(Feature::kExceptions);
    return seen_;
  }

 private:
  void Value(wabt::Type t) {
    if (t == wabt::Type::V128) seen_.Add(Feature::kSimd);
    if (t.IsRef() && t != wabt::Type::FuncRef) seen_.Add(Feature::kReferenceTypes);  // a funcref table is MVP
  }
  void Signature(const wabt::FuncSignature& sig) {
    if (sig.result_types.size() > 1) seen_.Add(Feature::kMultiValue);
    for (wabt::Type t : sig.param_types) Typed(t);
    for (wabt::Type t : sig.result_types) Typed(t);
  }
  void Typed(wabt::Type t) {  // a value in a signature or a local: any reference needs reference types
    Value(t);
    if (t.IsRef()) seen_.Add(Feature::kReferenceTypes);
  }
  void Block(const wabt::BlockDeclaration& decl) {
    if (decl.has_func_type || decl.sig.GetNumParams() > 0 || decl.sig.GetNumResults() > 1) {
      seen_.Add(Feature::kMultiValue);
    }
    Signature(decl.sig);
  }
  // The first feature (with its dependencies) that enables the opcode.
  void Opcode(wabt::Opcode op) {
    static const wabt::Features none = ToWabtFeatures(FeatureSet{});
    static const std::vector<std::pair<Feature, wabt::Features>> each = [] {
      std::vector<std::pair<Feature, wabt::Features>> out;
      for (Feature f : AllFeatures()) {
        FeatureSet only;
        only.Add(f);
        out.emplace_back(f, ToWabtFeatures(Closed(only)));
      }
      return out;
    }();
    if (op.IsEnabled(none)) return;
    for (const auto& [f, enabled] : each) {
      if (op.IsEnabled(enabled)) {
        seen_.Add(f);
        return;
      }
    }
  }
  // Iterative: a module may nest blocks kMaxControlDepth deep.
  void List(const wabt::ExprList& body) {
    std::vector<const wabt::ExprList*> work{&body};
    while (!work.empty()) {
      const wabt::ExprList& list = *work.back();
      work.pop_back();
      for (const wabt::Expr& e : list) Expr(e, work);
    }
  }
  void Expr(const wabt::Expr& e, std::vector<const wabt::ExprList*>& work) {
    switch (e.type()) {
      case wabt::ExprType::Block:
      case wabt::ExprType::Loop: {
        const wabt::Block& b = e.type() == wabt::ExprType::Block ? wabt::cast<wabt::BlockExpr>(&e)->block
                                                                 : wabt::cast<wabt::LoopExpr>(&e)->block;
        Block(b.decl);
        work.push_back(&b.exprs);
        return;
      }
      case wabt::ExprType::If: {
        auto* b = wabt::cast<wabt::IfExpr>(&e);
        Block(b->true_.decl);
        work.push_back(&b->true_.exprs);
        work.push_back(&b->false_);
        return;
      }
      case wabt::ExprType::Try: {
        seen_.Add(Feature::kExceptions);
        auto* t = wabt::cast<wabt::TryExpr>(&e);
        Block(t->block.decl);
        work.push_back(&t->block.exprs);
        for (const wabt::Catch& c : t->catches) work.push_back(&c.exprs);
        return;
      }
      case wabt::ExprType::Select:
        if (!wabt::cast<wabt::SelectExpr>(&e)->result_type.empty()) seen_.Add(Feature::kReferenceTypes);
        return;
      case wabt::ExprType::CallIndirect:
        if (wabt::cast<wabt::CallIndirectExpr>(&e)->table.index() != 0) seen_.Add(Feature::kReferenceTypes);
        return;
      case wabt::ExprType::Binary: Opcode(wabt::cast<wabt::BinaryExpr>(&e)->opcode); return;
      case wabt::ExprType::Compare: Opcode(wabt::cast<wabt::CompareExpr>(&e)->opcode); return;
      case wabt::ExprType::Convert: Opcode(wabt::cast<wabt::ConvertExpr>(&e)->opcode); return;
      case wabt::ExprType::Unary: Opcode(wabt::cast<wabt::UnaryExpr>(&e)->opcode); return;
      case wabt::ExprType::Ternary: Opcode(wabt::cast<wabt::TernaryExpr>(&e)->opcode); return;
      case wabt::ExprType::Load: Memory(wabt::cast<wabt::LoadExpr>(&e)->memidx); return;
      case wabt::ExprType::Store: Memory(wabt::cast<wabt::StoreExpr>(&e)->memidx); return;
      case wabt::ExprType::MemorySize: Memory(wabt::cast<wabt::MemorySizeExpr>(&e)->memidx); return;
      case wabt::ExprType::MemoryGrow: Memory(wabt::cast<wabt::MemoryGrowExpr>(&e)->memidx); return;
      case wabt::ExprType::Const:
        if (wabt::cast<wabt::ConstExpr>(&e)->const_.type() == wabt::Type::V128) seen_.Add(Feature::kSimd);
        return;
      // Kinds that exist only with a feature.
      case wabt::ExprType::MemoryCopy: case wabt::ExprType::MemoryFill: case wabt::ExprType::MemoryInit:
      case wabt::ExprType::DataDrop: case wabt::ExprType::ElemDrop: case wabt::ExprType::TableInit:
      case wabt::ExprType::TableCopy:
        seen_.Add(Feature::kBulkMemory);
        return;
      case wabt::ExprType::TableGet: case wabt::ExprType::TableSet: case wabt::ExprType::TableGrow:
      case wabt::ExprType::TableSize: case wabt::ExprType::TableFill: case wabt::ExprType::RefNull:
      case wabt::ExprType::RefIsNull: case wabt::ExprType::RefFunc:
        seen_.Add(Feature::kReferenceTypes);
        return;
      case wabt::ExprType::ReturnCall: case wabt::ExprType::ReturnCallIndirect:
        seen_.Add(Feature::kTailCall);
        return;
      case wabt::ExprType::Throw: case wabt::ExprType::Rethrow:
        seen_.Add(Feature::kExceptions);
        return;
      case wabt::ExprType::AtomicLoad: case wabt::ExprType::AtomicStore: case wabt::ExprType::AtomicRmw:
      case wabt::ExprType::AtomicRmwCmpxchg: case wabt::ExprType::AtomicWait: case wabt::ExprType::AtomicNotify:
      case wabt::ExprType::AtomicFence:
        seen_.Add(Feature::kThreads);
        return;
      case wabt::ExprType::SimdLaneOp: case wabt::ExprType::SimdLoadLane: case wabt::ExprType::SimdStoreLane:
      case wabt::ExprType::SimdShuffleOp: case wabt::ExprType::LoadSplat: case wabt::ExprType::LoadZero:
        seen_.Add(Feature::kSimd);
        return;
      default: return;
    }
  }
  void Memory(const wabt::Var& memidx) {
    if (memidx.is_index() && memidx.index() != 0) seen_.Add(Feature::kMultiMemory);
  }

  const wabt::Module& m_;
  FeatureSet seen_;
};

// A feature is needed if the module is rejected without it (and without the
// features that depend on it). ReadModule first tries the module with no
// feature at all (most device modules are built for the MVP), so this runs
// only for one that needs some. The walk above guesses the set S (with what
// it depends on): if the module is valid with S, no feature outside S is
// needed (features only admit more), and each one in S is checked by
// elimination: 1 + |S| validations instead of one per feature. A module
// invalid with S (a construct the walk missed) gets every feature checked.
FeatureSet FeaturesUsed(const Bytes& bytes, const std::string& path, const wabt::Module& module) {
  FeatureSet candidates = Closed(FeatureWalk(module).Run());
  const bool guessed = Accepts(bytes, path, candidates);
  FeatureSet used;
  for (Feature f : AllFeatures()) {
    if (guessed && !candidates.Has(f)) continue;
    if (!Accepts(bytes, path, WithoutFeature(f))) used.Add(f);
  }
  return used;
}

// The sections with their offsets and sizes, and the first custom section
// whose own framing is malformed.
//
// Custom sections are read with fail_on_custom_section_error=false, since
// their contents are free-form bytes by the spec: a "name", "linking" or
// producer section that wabt cannot parse must not make a module malformed.
// Their framing is not free-form, though: `customsec ::= section_0(name
// byte*)`, so a name that is not valid UTF-8 or whose length runs past the
// section is a malformed module. wabt reports those at error level but, with
// that option, goes on as if nothing happened; the errors it reports between
// a custom section's header and its name (BeginCustomSection) are exactly
// those, and are kept here. (A section size past the end of the module fails
// the read before any section is entered.)
class SectionCollector : public wabt::BinaryReaderNop {
 public:
  explicit SectionCollector(std::vector<SectionInfo>& out) : out_(out) {}

  wabt::Result BeginSection(wabt::Index, wabt::BinarySection type, wabt::Offset size) override {
    if (type == wabt::BinarySection::Custom) {  // see BeginCustomSection
      reading_custom_name_ = true;
      return wabt::Result::Ok;
    }
    reading_custom_name_ = false;
    std::string name = wabt::GetSectionName(type);  // "Type": the spec spells it "type"
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out_.push_back(SectionInfo{static_cast<uint8_t>(type), name, false, state->offset, size});
    return wabt::Result::Ok;
  }

  wabt::Result BeginCustomSection(wabt::Index, wabt::Offset size, std::string_view name) override {
    reading_custom_name_ = false;
    // Called after the name was read; the contents include the name.
    uint64_t name_bytes = name.size() + LebSize(name.size());
    uint64_t start = state->offset - name_bytes;
    out_.push_back(SectionInfo{0, std::string(name), true, start, size});
    return wabt::Result::Ok;
  }

  bool OnError(const wabt::Error& error) override {
    if (reading_custom_name_ && error.error_level == wabt::ErrorLevel::Error && !framing_error_) {
      framing_error_ = error;
    }
    return true;
  }

  // A custom section's name that is not valid UTF-8 or runs past its section.
  const std::optional<wabt::Error>& framing_error() const { return framing_error_; }

 private:
  static uint64_t LebSize(uint64_t value) {
    uint64_t n = 1;
    while (value >= 0x80) {
      value >>= 7;
      ++n;
    }
    return n;
  }
  std::vector<SectionInfo>& out_;
  bool reading_custom_name_ = false;
  std::optional<wabt::Error> framing_error_;
};

// Holds a module to kMax* of core/limits.h in one streaming pass, before
// anything builds an IR, expands locals or allocates a table.
class LimitChecker : public wabt::BinaryReaderNop {
 public:
  LimitChecker(const std::string& path, Diagnostics& diagnostics, uint32_t max_depth)
      : path_(path), diagnostics_(diagnostics), max_depth_(max_depth) {}

  wabt::Result OnFunctionCount(wabt::Index count) override {
    defined_types_.reserve(std::min<size_t>(count, 1u << 16));
    return wabt::Result::Ok;
  }
  wabt::Result OnFunction(wabt::Index, wabt::Index sig_index) override {
    defined_types_.push_back(sig_index);
    return wabt::Result::Ok;
  }
  wabt::Result OnFuncType(wabt::Index index, wabt::Index param_count, wabt::Type*, wabt::Index, wabt::Type*) override {
    if (index >= param_counts_.size()) param_counts_.resize(index + 1);
    param_counts_[index] = param_count;
    return wabt::Result::Ok;
  }
  wabt::Result OnImportFunc(wabt::Index, std::string_view, std::string_view, wabt::Index, wabt::Index) override {
    ++imported_functions_;
    return wabt::Result::Ok;
  }
  wabt::Result OnTable(wabt::Index index, wabt::Type, const wabt::Limits* limits) override {
    CheckTable(index, *limits);
    return wabt::Result::Ok;
  }
  wabt::Result OnImportTable(wabt::Index, std::string_view, std::string_view, wabt::Index table_index, wabt::Type,
                             const wabt::Limits* limits) override {
    CheckTable(table_index, *limits);
    return wabt::Result::Ok;
  }

  wabt::Result BeginFunctionBody(wabt::Index index, wabt::Offset size) override {
    function_ = index;
    depth_ = 0;
    depth_reported_ = false;
    locals_ = 0;
    size_t defined = index - imported_functions_;
    if (defined < defined_types_.size() && defined_types_[defined] < param_counts_.size()) {
      locals_ = param_counts_[defined_types_[defined]];
    }
    if (size > kMaxFunctionBodyBytes) {
      Over(state->offset, fmt::format("function {} has a body of {} bytes, more than the limit of {}", index, size,
                                      kMaxFunctionBodyBytes));
    }
    return wabt::Result::Ok;
  }
  wabt::Result OnLocalDecl(wabt::Index, wabt::Index count, wabt::Type) override {
    bool was_over = locals_ > kMaxLocalsPerFunction;
    locals_ += count;  // 64-bit: cannot wrap
    if (!was_over && locals_ > kMaxLocalsPerFunction) {
      Over(state->offset, fmt::format("function {} has {} or more parameters and locals, more than the limit of {}",
                                      function_, locals_, kMaxLocalsPerFunction));
    }
    return wabt::Result::Ok;
  }
  // Initializer expressions: wabt 1.0.32's IR reader aborts (an assertion,
  // fixed in 1.0.33) on one that opens a block and never ends it, so any
  // block in one is refused here, before that reader sees it. The spec allows
  // none there.
  wabt::Result BeginGlobalInitExpr(wabt::Index) override { return BeginInit(); }
  wabt::Result EndGlobalInitExpr(wabt::Index) override { return EndInit(); }
  wabt::Result BeginElemSegmentInitExpr(wabt::Index) override { return BeginInit(); }
  wabt::Result EndElemSegmentInitExpr(wabt::Index) override { return EndInit(); }
  wabt::Result BeginDataSegmentInitExpr(wabt::Index) override { return BeginInit(); }
  wabt::Result EndDataSegmentInitExpr(wabt::Index) override { return EndInit(); }

  wabt::Result OnBlockExpr(wabt::Type) override { return Enter(); }
  wabt::Result OnLoopExpr(wabt::Type) override { return Enter(); }
  wabt::Result OnIfExpr(wabt::Type) override { return Enter(); }
  wabt::Result OnTryExpr(wabt::Type) override { return Enter(); }
  wabt::Result OnEndExpr() override {
    if (in_init_) init_ended_ = true;
    return Leave();
  }
  wabt::Result OnDelegateExpr(wabt::Index) override { return Leave(); }  // closes its try

  bool OnError(const wabt::Error&) override { return true; }  // malformed: the full reader reports it

  // Whether the full reader must not see the module at all.
  bool unsafe() const { return too_deep_ || unsafe_; }

 private:
  wabt::Result BeginInit() {
    in_init_ = true;
    init_ended_ = false;
    return wabt::Result::Ok;
  }
  wabt::Result EndInit() {  // wabt 1.0.32 also ends one at its section's end, without an `end`
    in_init_ = false;
    if (init_ended_) return wabt::Result::Ok;
    unsafe_ = true;
    Diagnostic& d = diagnostics_.AddError("binary-malformed", path_, "initializer expression without end");
    d.offset = state->offset;
    return wabt::Result::Error;
  }
  wabt::Result Enter() {
    if (in_init_) {
      unsafe_ = true;
      Diagnostic& d = diagnostics_.AddError("module-invalid", path_,
                                            "a block, loop, if or try in an initializer expression, which must be "
                                            "constant");
      d.offset = state->offset;
      return wabt::Result::Error;  // stop reading: nothing after it is safe to build
    }
    if (++depth_ > max_depth_ && !depth_reported_) {
      depth_reported_ = true;
      too_deep_ = true;
      Over(state->offset, fmt::format("function {} nests blocks more than {} deep (wasm2c, C compilers and wabt "
                                      "recurse once per level)", function_, max_depth_));
    }
    return wabt::Result::Ok;
  }
  wabt::Result Leave() {
    if (depth_ > 0) --depth_;
    return wabt::Result::Ok;
  }
  void CheckTable(wabt::Index index, const wabt::Limits& limits) {
    uint64_t largest = limits.has_max ? limits.max : limits.initial;
    if (largest > kMaxTableElements) {
      Over(state->offset, fmt::format("table {} declares {} elements, more than the limit of {}", index, largest,
                                      kMaxTableElements));
    }
  }
  void Over(uint64_t offset, std::string message) {
    Diagnostic& d = diagnostics_.AddError("module-over-limit", path_, std::move(message));
    d.offset = offset;
  }

  const std::string& path_;
  Diagnostics& diagnostics_;
  uint32_t max_depth_;
  std::vector<wabt::Index> param_counts_;   // by type index
  std::vector<wabt::Index> defined_types_;  // type index of each defined function
  wabt::Index imported_functions_ = 0;
  wabt::Index function_ = 0;
  uint32_t depth_ = 0;
  bool depth_reported_ = false;  // in this function
  bool too_deep_ = false;        // in any function
  bool in_init_ = false;
  bool init_ended_ = false;
  bool unsafe_ = false;          // a block in an initializer expression
  uint64_t locals_ = 0;
};

// Where each function body starts and ends, by function index.
class BodyCollector : public wabt::BinaryReaderNop {
 public:
  struct Body {
    wabt::Index function;
    uint64_t start;
    uint64_t end;
  };
  wabt::Result BeginFunctionBody(wabt::Index index, wabt::Offset size) override {
    bodies.push_back(Body{index, state->offset, state->offset + size});
    return wabt::Result::Ok;
  }
  bool OnError(const wabt::Error&) override { return true; }
  std::vector<Body> bodies;
};

FeatureSet WithoutFeature(Feature f) {
  FeatureSet without = FeatureSet::All();
  without.Remove(f);
  for (Feature g : AllFeatures()) {
    for (auto need = FeatureRequires(g); need; need = FeatureRequires(*need)) {
      if (*need == f) without.Remove(g);
    }
  }
  return without;
}

WasmType TypeOf(const wabt::Type& t) {
  switch (static_cast<wabt::Type::Enum>(t)) {
    case wabt::Type::I32: return WasmType::kI32;
    case wabt::Type::I64: return WasmType::kI64;
    case wabt::Type::F32: return WasmType::kF32;
    case wabt::Type::F64: return WasmType::kF64;
    case wabt::Type::V128: return WasmType::kV128;
    case wabt::Type::FuncRef: return WasmType::kFuncRef;
    case wabt::Type::ExternRef: return WasmType::kExternRef;
    case wabt::Type::Reference: return WasmType::kRef;
    default: return WasmType::kOther;
  }
}

FuncSignature SignatureOf(const wabt::FuncSignature& sig) {
  FuncSignature out;
  for (const wabt::Type& t : sig.param_types) out.params.push_back(TypeOf(t));
  for (const wabt::Type& t : sig.result_types) out.results.push_back(TypeOf(t));
  return out;
}

Limits LimitsOf(const wabt::Limits& l) {
  Limits out;
  out.initial = l.initial;
  if (l.has_max) out.max = l.max;
  out.shared = l.is_shared;
  out.is_64 = l.is_64;
  return out;
}

ExternKind KindOf(wabt::ExternalKind kind) {
  switch (kind) {
    case wabt::ExternalKind::Func: return ExternKind::kFunc;
    case wabt::ExternalKind::Table: return ExternKind::kTable;
    case wabt::ExternalKind::Memory: return ExternKind::kMemory;
    case wabt::ExternalKind::Global: return ExternKind::kGlobal;
    case wabt::ExternalKind::Tag: return ExternKind::kTag;
  }
  return ExternKind::kFunc;
}

void Describe(const wabt::Module& m, ModuleInfo& info) {
  for (const wabt::Import* import : m.imports) {
    ImportInfo i;
    i.module = import->module_name;
    i.name = import->field_name;
    i.kind = KindOf(import->kind());
    if (auto* f = wabt::dyn_cast<wabt::FuncImport>(import)) {
      i.signature = SignatureOf(f->func.decl.sig);
    } else if (auto* mem = wabt::dyn_cast<wabt::MemoryImport>(import)) {
      i.limits = LimitsOf(mem->memory.page_limits);
    } else if (auto* t = wabt::dyn_cast<wabt::TableImport>(import)) {
      i.limits = LimitsOf(t->table.elem_limits);
    } else if (auto* g = wabt::dyn_cast<wabt::GlobalImport>(import)) {
      i.global = GlobalInfo{TypeOf(g->global.type), g->global.mutable_, std::nullopt};
    }
    info.imports.push_back(std::move(i));
  }
  for (const wabt::Export* e : m.exports) {
    ExportInfo out;
    out.name = e->name;
    out.kind = KindOf(e->kind);
    out.index = e->var.index();
    if (e->kind == wabt::ExternalKind::Func) {
      if (const wabt::Func* f = m.GetFunc(e->var)) out.signature = SignatureOf(f->decl.sig);
    }
    info.exports.push_back(std::move(out));
  }
  for (size_t i = m.num_memory_imports; i < m.memories.size(); ++i) {
    info.memories.push_back(LimitsOf(m.memories[i]->page_limits));
  }
  for (size_t i = m.num_table_imports; i < m.tables.size(); ++i) {
    info.tables.push_back(TableInfo{TypeOf(m.tables[i]->elem_type), LimitsOf(m.tables[i]->elem_limits)});
  }
  for (size_t i = m.num_global_imports; i < m.globals.size(); ++i) {
    GlobalInfo g{TypeOf(m.globals[i]->type), m.globals[i]->mutable_, std::nullopt};
    const wabt::ExprList& init = m.globals[i]->init_expr;
    if (init.size() == 1) {
      if (auto* c = wabt::dyn_cast<wabt::ConstExpr>(&init.front())) {
        if (c->const_.type() == wabt::Type::I32) g.initial = c->const_.u32();
        if (c->const_.type() == wabt::Type::I64) g.initial = c->const_.u64();
      }
    }
    info.globals.push_back(g);
  }
  info.function_count = static_cast<uint32_t>(m.funcs.size() - m.num_func_imports);
  if (!m.starts.empty()) info.start_function = m.starts.front()->index();
  for (size_t i = 0; i < m.data_segments.size(); ++i) {
    const wabt::DataSegment* d = m.data_segments[i];
    DataSegmentInfo segment{static_cast<uint32_t>(i), d->kind == wabt::SegmentKind::Passive, d->data.size(),
                            std::nullopt};
    if (d->kind == wabt::SegmentKind::Active && d->memory_var.index() == 0 && d->offset.size() == 1) {
      if (auto* c = wabt::dyn_cast<wabt::ConstExpr>(&d->offset.front()); c && c->const_.type() == wabt::Type::I32) {
        segment.offset = c->const_.u32();
      }
    }
    info.data_segments.push_back(segment);
  }
}

void Report(const wabt::Errors& errors, std::string_view code, const std::string& path,
            Diagnostics& diagnostics) {
  for (const wabt::Error& e : errors) {
    if (e.error_level != wabt::ErrorLevel::Error) continue;
    Diagnostic& d = diagnostics.AddError(std::string(code), path, e.message);
    d.offset = e.loc.offset;
  }
}

}  // namespace

Status CheckModuleLimits(const Bytes& bytes, const std::string& path, Diagnostics& diagnostics, bool instrumented) {
  Diagnostics found;
  LimitChecker checker(path, found, kMaxControlDepth + (instrumented ? kInstrumentationDepth : 0));
  wabt::ReadBinaryOptions options(ToWabtFeatures(FeatureSet::All()), nullptr, false, /*stop_on_first_error=*/true,
                                  false);
  bool read_ok = wabt::Succeeded(wabt::ReadBinary(bytes.data(), bytes.size(), &checker, options));
  // A malformed module is reported by the full reader with wabt's message,
  // unless it nests too deep for that reader's IR to be built safely.
  if (found.empty() || (!read_ok && !checker.unsafe())) return Ok{};
  diagnostics.Append(found);
  return Error{ErrorKind::kInvalidInput, "over a limit"};
}

Result<ModuleInfo> ReadModule(const Bytes& bytes, const std::string& path, Diagnostics& diagnostics,
                              bool instrumented) {
  if (Status s = CheckModuleLimits(bytes, path, diagnostics, instrumented); !s) return s.error();
  // One streaming pass for the sections, which also finds malformed custom
  // section framing (see SectionCollector) before the full reader ignores it.
  std::vector<SectionInfo> sections;
  SectionCollector collector(sections);
  wabt::ReadBinaryOptions walk_options(ToWabtFeatures(FeatureSet::All()), nullptr, false, true, false);
  bool walked = wabt::Succeeded(wabt::ReadBinary(bytes.data(), bytes.size(), &collector, walk_options));
  if (const std::optional<wabt::Error>& e = collector.framing_error()) {
    Diagnostic& d = diagnostics.AddError("binary-malformed", path, e->message);
    d.offset = e->loc.offset;
    return Error{ErrorKind::kInvalidInput, "malformed module"};
  }
  // A feature only ever admits more modules, so one valid with none needs
  // none: then that one parse is the only one (it was 73% of a `run` start
  // when every feature was tried, bench/runtime.sh). Otherwise the module is
  // read with every feature, for its errors and its features.
  auto parsed = std::make_unique<Parsed>();
  Parse(bytes, path, FeatureSet{}, *parsed);
  const bool mvp = parsed->read_ok && parsed->valid;
  if (!mvp) {
    parsed = std::make_unique<Parsed>();
    Parse(bytes, path, FeatureSet::All(), *parsed);
  }
  if (!parsed->read_ok) {
    Report(parsed->errors, "binary-malformed", path, diagnostics);
    if (parsed->errors.empty()) diagnostics.AddError("binary-malformed", path, "cannot read module");
    return Error{ErrorKind::kInvalidInput, "malformed module"};
  }
  if (!parsed->valid) {
    Report(parsed->errors, "module-invalid", path, diagnostics);
    return Error{ErrorKind::kInvalidInput, "invalid module"};
  }
  ModuleInfo info;
  info.size_bytes = bytes.size();
  if (!walked) {
    diagnostics.AddError("binary-malformed", path, "cannot walk the module's sections");
    return Error{ErrorKind::kInvalidInput, "malformed module"};
  }
  info.sections = std::move(sections);
  Describe(parsed->module, info);
  info.valid_without_features = mvp;
  if (!mvp) info.features_used = FeaturesUsed(bytes, path, parsed->module);
  if (Result<std::vector<FunctionFrame>> frames = AnalyzeFrames(parsed->module)) info.frames = std::move(frames).value();
  return info;
}

Status ValidateWithFeatures(const Bytes& bytes, const std::string& path, const FeatureSet& features,
                            Diagnostics& diagnostics) {
  Parsed parsed;
  Parse(bytes, path, features, parsed);
  if (parsed.read_ok && parsed.valid) return Ok{};
  Report(parsed.errors, "module-invalid", path, diagnostics);
  return Error{ErrorKind::kInvalidInput, "invalid for these features"};
}

std::string DescribeFeatureUse(const Bytes& bytes, const std::string& path, Feature feature) {
  Parsed without;
  Parse(bytes, path, WithoutFeature(feature), without);
  if (without.errors.empty()) return "the module";
  uint64_t offset = without.errors.front().loc.offset;

  Parsed full;
  Parse(bytes, path, FeatureSet::All(), full);
  BodyCollector bodies;
  wabt::ReadBinaryOptions options(ToWabtFeatures(FeatureSet::All()), nullptr, false, true, false);
  if (wabt::Succeeded(wabt::ReadBinary(bytes.data(), bytes.size(), &bodies, options))) {
    for (const BodyCollector::Body& b : bodies.bodies) {
      if (offset < b.start || offset > b.end) continue;
      std::string out = fmt::format("function {}", b.function);
      for (const wabt::Export* e : full.module.exports) {
        if (e->kind == wabt::ExternalKind::Func && e->var.index() == b.function) {
          out += fmt::format(" (export \"{}\")", e->name);
          break;
        }
      }
      return out;
    }
  }
  std::vector<SectionInfo> sections;
  SectionCollector collector(sections);
  (void)wabt::ReadBinary(bytes.data(), bytes.size(), &collector, options);
  for (const SectionInfo& s : sections) {
    if (offset >= s.offset && offset <= s.offset + s.size) return fmt::format("the {} section", s.name);
  }
  return fmt::format("the module at offset {:#x}", offset);
}

Result<ModuleInfo> LoadModule(const std::string& path, Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInput(path, kMaxModuleFileBytes, "module-too-large", diagnostics);
  if (!bytes) return bytes.error();
  return ReadModule(*bytes, path, diagnostics);
}

}  // namespace wasmiot
