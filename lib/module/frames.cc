// The frame facts of each function, read from wabt's IR: one pass over the
// code with a stack of value sizes, as a validator keeps a stack of types.
// (A wabt bridge: see tests/tool/layering_test.cc.)
#include "module/frames.h"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/expr-visitor.h>
#include <wabt/ir.h>

#include "core/features.h"
#include "module/wabt_features.h"

namespace wasmiot {
namespace {

uint32_t Cells(wabt::Type type) {
  switch (type) {
    case wabt::Type::I64:
    case wabt::Type::F64: return 2;
    case wabt::Type::V128: return 4;
    case wabt::Type::Void: return 0;
    default: return 1;  // i32, f32, references (32-bit pointers on a device)
  }
}

class FrameReader : public wabt::ExprVisitor::DelegateNop {
 public:
  FrameReader(const wabt::Module& module, const wabt::Func& func, FunctionFrame& out)
      : module_(module), func_(func), out_(out) {}

  // Results pushed by opcode-described instructions: loads, stores, numeric
  // operators, SIMD and atomics (their operands and result are in the opcode table).
  wabt::Result Apply(wabt::Opcode opcode) {
    for (wabt::Type t : {opcode.GetParamType3(), opcode.GetParamType2(), opcode.GetParamType1()}) {
      if (t != wabt::Type::Void) Pop();
    }
    Push(opcode.GetResultType());
    return wabt::Result::Ok;
  }

  wabt::Result OnBinaryExpr(wabt::BinaryExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnCompareExpr(wabt::CompareExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnConvertExpr(wabt::ConvertExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnUnaryExpr(wabt::UnaryExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnLoadExpr(wabt::LoadExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnStoreExpr(wabt::StoreExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnTernaryExpr(wabt::TernaryExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnSimdLaneOpExpr(wabt::SimdLaneOpExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnSimdLoadLaneExpr(wabt::SimdLoadLaneExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnSimdStoreLaneExpr(wabt::SimdStoreLaneExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnSimdShuffleOpExpr(wabt::SimdShuffleOpExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnLoadSplatExpr(wabt::LoadSplatExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnLoadZeroExpr(wabt::LoadZeroExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnAtomicWaitExpr(wabt::AtomicWaitExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnAtomicNotifyExpr(wabt::AtomicNotifyExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnAtomicLoadExpr(wabt::AtomicLoadExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnAtomicStoreExpr(wabt::AtomicStoreExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnAtomicRmwExpr(wabt::AtomicRmwExpr* e) override { return Apply(e->opcode); }
  wabt::Result OnAtomicRmwCmpxchgExpr(wabt::AtomicRmwCmpxchgExpr* e) override { return Apply(e->opcode); }

  wabt::Result OnConstExpr(wabt::ConstExpr* e) override {
    Push(e->const_.type());
    out_.const_cells += Cells(e->const_.type());
    return wabt::Result::Ok;
  }
  wabt::Result OnDropExpr(wabt::DropExpr*) override { return Pop(), wabt::Result::Ok; }
  wabt::Result OnSelectExpr(wabt::SelectExpr*) override {
    Pop();  // the condition
    uint32_t size = Pop();
    Pop();
    PushCells(size);
    return wabt::Result::Ok;
  }
  wabt::Result OnLocalGetExpr(wabt::LocalGetExpr* e) override { return Push(LocalType(e->var)), wabt::Result::Ok; }
  wabt::Result OnLocalSetExpr(wabt::LocalSetExpr*) override { return Pop(), wabt::Result::Ok; }
  wabt::Result OnLocalTeeExpr(wabt::LocalTeeExpr* e) override {
    Pop();
    Push(LocalType(e->var));
    return wabt::Result::Ok;
  }
  wabt::Result OnGlobalGetExpr(wabt::GlobalGetExpr* e) override {
    const wabt::Global* g = module_.GetGlobal(e->var);
    Push(g ? g->type : wabt::Type(wabt::Type::I32));
    return wabt::Result::Ok;
  }
  wabt::Result OnGlobalSetExpr(wabt::GlobalSetExpr*) override { return Pop(), wabt::Result::Ok; }
  wabt::Result OnMemorySizeExpr(wabt::MemorySizeExpr*) override {
    out_.sizes_memory = true;
    return PushCells(1), wabt::Result::Ok;
  }
  wabt::Result OnMemoryGrowExpr(wabt::MemoryGrowExpr*) override {
    out_.sizes_memory = true;
    out_.grows_memory = true;
    return Pops(1), PushCells(1), wabt::Result::Ok;
  }
  wabt::Result OnMemoryCopyExpr(wabt::MemoryCopyExpr*) override { return Pops(3), wabt::Result::Ok; }
  wabt::Result OnMemoryFillExpr(wabt::MemoryFillExpr*) override { return Pops(3), wabt::Result::Ok; }
  wabt::Result OnMemoryInitExpr(wabt::MemoryInitExpr*) override { return Pops(3), wabt::Result::Ok; }
  wabt::Result OnTableGetExpr(wabt::TableGetExpr*) override { return Pops(1), PushCells(1), wabt::Result::Ok; }
  wabt::Result OnTableSetExpr(wabt::TableSetExpr*) override { return Pops(2), wabt::Result::Ok; }
  wabt::Result OnTableGrowExpr(wabt::TableGrowExpr*) override { return Pops(2), PushCells(1), wabt::Result::Ok; }
  wabt::Result OnTableSizeExpr(wabt::TableSizeExpr*) override { return PushCells(1), wabt::Result::Ok; }
  wabt::Result OnTableFillExpr(wabt::TableFillExpr*) override { return Pops(3), wabt::Result::Ok; }
  wabt::Result OnTableCopyExpr(wabt::TableCopyExpr*) override { return Pops(3), wabt::Result::Ok; }
  wabt::Result OnTableInitExpr(wabt::TableInitExpr*) override { return Pops(3), wabt::Result::Ok; }
  wabt::Result OnRefFuncExpr(wabt::RefFuncExpr*) override { return PushCells(1), wabt::Result::Ok; }
  wabt::Result OnRefNullExpr(wabt::RefNullExpr*) override { return PushCells(1), wabt::Result::Ok; }
  wabt::Result OnRefIsNullExpr(wabt::RefIsNullExpr*) override { return Pops(1), PushCells(1), wabt::Result::Ok; }

  wabt::Result OnCallExpr(wabt::CallExpr* e) override {
    out_.callees.push_back(e->var.index());
    if (const wabt::Func* f = module_.GetFunc(e->var)) Call(f->decl.sig);
    return wabt::Result::Ok;
  }
  wabt::Result OnCallIndirectExpr(wabt::CallIndirectExpr* e) override {
    out_.calls_indirect = true;
    Pops(1);
    Call(e->decl.sig);
    return wabt::Result::Ok;
  }
  wabt::Result OnCallRefExpr(wabt::CallRefExpr*) override {
    out_.calls_indirect = true;
    return Pops(1), wabt::Result::Ok;
  }
  wabt::Result OnReturnCallExpr(wabt::ReturnCallExpr* e) override {
    out_.callees.push_back(e->var.index());
    if (const wabt::Func* f = module_.GetFunc(e->var)) Call(f->decl.sig);
    return Unreachable();
  }
  wabt::Result OnReturnCallIndirectExpr(wabt::ReturnCallIndirectExpr* e) override {
    out_.calls_indirect = true;
    Pops(1);
    Call(e->decl.sig);
    return Unreachable();
  }

  wabt::Result BeginBlockExpr(wabt::BlockExpr* e) override { return Enter(e->block.decl.sig), wabt::Result::Ok; }
  wabt::Result EndBlockExpr(wabt::BlockExpr*) override { return Leave(), wabt::Result::Ok; }
  wabt::Result BeginLoopExpr(wabt::LoopExpr* e) override { return Enter(e->block.decl.sig), wabt::Result::Ok; }
  wabt::Result EndLoopExpr(wabt::LoopExpr*) override { return Leave(), wabt::Result::Ok; }
  wabt::Result BeginIfExpr(wabt::IfExpr* e) override {
    Pops(1);
    Enter(e->true_.decl.sig);
    return wabt::Result::Ok;
  }
  wabt::Result AfterIfTrueExpr(wabt::IfExpr*) override { return Restart(), wabt::Result::Ok; }
  wabt::Result EndIfExpr(wabt::IfExpr*) override { return Leave(), wabt::Result::Ok; }
  wabt::Result BeginTryExpr(wabt::TryExpr* e) override { return Enter(e->block.decl.sig), wabt::Result::Ok; }
  wabt::Result OnCatchExpr(wabt::TryExpr*, wabt::Catch*) override { return Truncate(), wabt::Result::Ok; }
  wabt::Result OnDelegateExpr(wabt::TryExpr*) override { return wabt::Result::Ok; }
  wabt::Result EndTryExpr(wabt::TryExpr*) override { return Leave(), wabt::Result::Ok; }

  wabt::Result OnBrExpr(wabt::BrExpr*) override { return Unreachable(); }
  wabt::Result OnBrIfExpr(wabt::BrIfExpr*) override { return Pops(1), wabt::Result::Ok; }
  wabt::Result OnBrTableExpr(wabt::BrTableExpr*) override { return Unreachable(); }
  wabt::Result OnReturnExpr(wabt::ReturnExpr*) override { return Unreachable(); }
  wabt::Result OnUnreachableExpr(wabt::UnreachableExpr*) override { return Unreachable(); }
  wabt::Result OnThrowExpr(wabt::ThrowExpr*) override { return Unreachable(); }
  wabt::Result OnRethrowExpr(wabt::RethrowExpr*) override { return Unreachable(); }

  void Finish() {
    std::sort(out_.callees.begin(), out_.callees.end());
    out_.callees.erase(std::unique(out_.callees.begin(), out_.callees.end()), out_.callees.end());
  }

 private:
  struct Label {
    size_t base;  // the stack's size where the block's values start
    std::vector<uint32_t> params, results;
  };

  wabt::Type LocalType(const wabt::Var& var) const {
    return var.index() < func_.GetNumParamsAndLocals() ? func_.GetLocalType(var) : wabt::Type(wabt::Type::I32);
  }
  void Push(wabt::Type type) {
    if (type != wabt::Type::Void) PushCells(Cells(type));
  }
  void PushCells(uint32_t cells) {
    stack_.push_back(cells);
    height_ += cells;
    out_.max_stack_cells = std::max(out_.max_stack_cells, height_);
  }
  // Pops one value; in unreachable code nothing below the block's base.
  uint32_t Pop() {
    size_t floor = labels_.empty() ? 0 : labels_.back().base;
    if (stack_.size() <= floor) return 1;
    uint32_t cells = stack_.back();
    stack_.pop_back();
    height_ -= cells;
    return cells;
  }
  void Pops(int n) {
    for (int i = 0; i < n; ++i) Pop();
  }
  void Call(const wabt::FuncSignature& sig) {
    for (size_t i = 0; i < sig.param_types.size(); ++i) Pop();
    for (wabt::Type t : sig.result_types) Push(t);
  }
  static std::vector<uint32_t> CellsOf(const wabt::TypeVector& types) {
    std::vector<uint32_t> out;
    for (wabt::Type t : types) out.push_back(Cells(t));
    return out;
  }
  void Enter(const wabt::FuncSignature& sig) {
    for (size_t i = 0; i < sig.param_types.size(); ++i) Pop();
    labels_.push_back(Label{stack_.size(), CellsOf(sig.param_types), CellsOf(sig.result_types)});
    for (uint32_t c : labels_.back().params) PushCells(c);
    out_.max_blocks = std::max<uint32_t>(out_.max_blocks, static_cast<uint32_t>(labels_.size()) + 1);
  }
  // Back to the block's base (after br, return, unreachable: the rest of the
  // block is unreachable and takes its operands from nowhere).
  void Truncate() {
    size_t base = labels_.empty() ? 0 : labels_.back().base;
    while (stack_.size() > base) {
      height_ -= stack_.back();
      stack_.pop_back();
    }
  }
  wabt::Result Unreachable() {
    Truncate();
    return wabt::Result::Ok;
  }
  void Restart() {  // else: the block's parameters again
    Truncate();
    if (!labels_.empty()) {
      std::vector<uint32_t> params = labels_.back().params;
      for (uint32_t c : params) PushCells(c);
    }
  }
  void Leave() {
    Truncate();
    if (labels_.empty()) return;
    std::vector<uint32_t> results = labels_.back().results;
    labels_.pop_back();
    for (uint32_t c : results) PushCells(c);
  }

  const wabt::Module& module_;
  const wabt::Func& func_;
  FunctionFrame& out_;
  std::vector<uint32_t> stack_;  // each value's cells
  uint32_t height_ = 0;
  std::vector<Label> labels_;
};

}  // namespace

Result<std::vector<FunctionFrame>> AnalyzeFrames(const Bytes& wasm) {
  wabt::Module module;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(ToWabtFeatures(FeatureSet::All()), nullptr, /*read_debug_names=*/false,
                                  /*stop_on_first_error=*/true, /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr("module", wasm.data(), wasm.size(), options, &errors, &module))) {
    return Error{ErrorKind::kInvalidInput, errors.empty() ? "unreadable module" : errors[0].message};
  }
  return AnalyzeFrames(module);
}

Result<std::vector<FunctionFrame>> AnalyzeFrames(wabt::Module& module) {
  std::vector<FunctionFrame> frames;
  for (wabt::Index i = module.num_func_imports; i < module.funcs.size(); ++i) {
    wabt::Func& f = *module.funcs[i];
    FunctionFrame frame;
    for (wabt::Type t : f.decl.sig.param_types) frame.param_cells += Cells(t);
    for (wabt::Index l = f.GetNumParams(); l < f.GetNumParamsAndLocals(); ++l) frame.local_cells += Cells(f.GetLocalType(l));
    FrameReader reader(module, f, frame);
    wabt::ExprVisitor visitor(&reader);
    if (wabt::Failed(visitor.VisitFunc(&f))) return Error{ErrorKind::kInvalidInput, "unreadable function body"};
    reader.Finish();
    frames.push_back(std::move(frame));
  }
  return frames;
}

uint64_t FrameBytes(const FrameCostModel& model, const FunctionFrame& frame) {
  uint64_t cells = uint64_t{frame.param_cells} + frame.local_cells + frame.max_stack_cells +
                   (model.counts_constants ? frame.const_cells : 0);
  return model.header_bytes + model.cell_bytes * cells + uint64_t{model.block_bytes} * frame.max_blocks;
}

StackBound WorstCaseStack(const std::vector<FunctionFrame>& frames, uint32_t function_imports, uint32_t function,
                          const FrameCostModel& model) {
  // Depth-first over the call graph, iteratively (a chain can be as long as
  // the module has functions): colour 1 on the current chain, 2 done.
  StackBound bound;
  if (function < function_imports || function - function_imports >= frames.size()) {
    bound.bytes = 0;  // a host function, or out of range: nothing of the module's
    return bound;
  }
  std::vector<uint8_t> colour(frames.size(), 0);
  std::vector<uint64_t> deepest(frames.size(), 0);  // done: the most from this function down
  std::vector<uint32_t> next(frames.size(), 0);     // done: the callee on that deepest chain (+1), 0 = none
  struct Visit {
    uint32_t index;  // into frames
    size_t callee = 0;
  };
  std::vector<Visit> work{{function - function_imports}};
  colour[work.back().index] = 1;
  while (!work.empty()) {
    Visit& v = work.back();
    const FunctionFrame& f = frames[v.index];
    if (f.calls_indirect) {
      bound.unbounded = fmt::format("a call through a table in function {}", v.index + function_imports);
      return bound;
    }
    if (v.callee < f.callees.size()) {
      uint32_t callee = f.callees[v.callee++];
      if (callee < function_imports || callee - function_imports >= frames.size()) continue;
      uint32_t c = callee - function_imports;
      if (colour[c] == 1) {
        std::string chain;
        bool on = false;
        for (const Visit& w : work) {
          on = on || w.index == c;
          if (on) chain += fmt::format("{} -> ", w.index + function_imports);
        }
        bound.unbounded = fmt::format("recursion: {}{}", chain, callee);
        return bound;
      }
      if (colour[c] == 0) {
        colour[c] = 1;
        work.push_back({c});
      }
      continue;
    }
    uint64_t best = 0;
    uint32_t best_callee = 0;
    for (uint32_t callee : f.callees) {
      if (callee < function_imports || callee - function_imports >= frames.size()) continue;
      uint32_t c = callee - function_imports;
      if (deepest[c] > best) {
        best = deepest[c];
        best_callee = c + 1;
      }
    }
    deepest[v.index] = FrameBytes(model, f) + best;
    next[v.index] = best_callee;
    colour[v.index] = 2;
    work.pop_back();
  }
  uint32_t at = function - function_imports;
  bound.bytes = deepest[at];
  for (uint32_t i = at + 1; i != 0; i = next[i - 1]) bound.chain.push_back(i - 1 + function_imports);
  return bound;
}

}  // namespace wasmiot
