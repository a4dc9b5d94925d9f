// Rewrites the module with wabt's IR (read, edit, write back).
#include "runtime/metering.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/ir.h>
#include <wabt/stream.h>

#include "core/features.h"
#include "core/limits.h"
#include "module/wabt_features.h"
#include "runtime/loop_versioning.h"
#include "support/text.h"

namespace wasmiot {
namespace {

// The expression lists nested directly in `e` (a block's body, an if's arms,
// a try's body and catches).
std::vector<wabt::ExprList*> NestedLists(wabt::Expr& e) {
  switch (e.type()) {
    case wabt::ExprType::Block: return {&wabt::cast<wabt::BlockExpr>(&e)->block.exprs};
    case wabt::ExprType::Loop: return {&wabt::cast<wabt::LoopExpr>(&e)->block.exprs};
    case wabt::ExprType::If: {
      auto* i = wabt::cast<wabt::IfExpr>(&e);
      return {&i->true_.exprs, &i->false_};
    }
    case wabt::ExprType::Try: {
      auto* t = wabt::cast<wabt::TryExpr>(&e);
      std::vector<wabt::ExprList*> lists{&t->block.exprs};
      for (wabt::Catch& c : t->catches) lists.push_back(&c.exprs);
      return lists;
    }
    default: return {};
  }
}

wabt::Var IndexVar(wabt::Index index) { return wabt::Var(index, wabt::Location()); }

// Whether a function holds an i64.const in loop versioning's marker range.
bool UsesFastLoopMarkers(wabt::Module& module) {
  std::vector<wabt::ExprList*> work;
  for (wabt::Func* f : module.funcs) work.push_back(&f->exprs);
  while (!work.empty()) {
    wabt::ExprList& list = *work.back();
    work.pop_back();
    for (wabt::Expr& e : list) {
      if (e.type() == wabt::ExprType::Const) {
        const wabt::Const& k = wabt::cast<wabt::ConstExpr>(&e)->const_;
        if (k.type() == wabt::Type::I64 && IsFastLoopMarker(k.u64())) return true;
      }
      for (wabt::ExprList* nested : NestedLists(e)) work.push_back(nested);
    }
  }
  return false;
}

// Charges every straight-line sequence of a function body for its own
// instructions, against a copy of the fuel global kept in a local of the
// function (a register in compiled code: stores to linear memory cannot
// alias it, and no load and store of the global stays in a loop). The local
// is loaded at entry and after every call, and written back to the global
// before every call, return and branch out of the function, at the
// end of the body, and when a charge runs out. Iterative, with explicit work
// lists: a module may nest blocks kMaxControlDepth deep, and recursion per
// level would overflow the stack long before that under sanitizers.
class Meter {
 public:
  Meter(wabt::Index fuel_global, bool version_loops) : fuel_(fuel_global), version_loops_(version_loops) {}

  void Charge(wabt::Func& f) {
    local_ = f.GetNumParamsAndLocals();
    f.local_types.AppendDecl(wabt::Type::I64, 1);
    std::vector<wabt::ExprList*> work{&f.exprs};
    while (!work.empty()) {
      wabt::ExprList& list = *work.back();
      work.pop_back();
      uint64_t cost = 0;
      for (wabt::Expr& e : list) {
        ++cost;
        for (wabt::ExprList* nested : NestedLists(e)) work.push_back(nested);
      }
      if (cost > 0) Prepend(list, cost);
    }
    Synchronize(f.exprs);
    if (version_loops_) versioned_loops_ += VersionCountedLoops(f, local_, next_marker_);
    f.exprs.push_front(Load());
    f.exprs.push_front(std::make_unique<wabt::GlobalGetExpr>(IndexVar(fuel_)));
    f.exprs.push_back(std::make_unique<wabt::LocalGetExpr>(IndexVar(local_)));
    f.exprs.push_back(Store());
  }

  uint64_t sequences() const { return sequences_; }
  uint32_t versioned_loops() const { return versioned_loops_; }

 private:
  std::unique_ptr<wabt::Expr> Load() const { return std::make_unique<wabt::LocalSetExpr>(IndexVar(local_)); }
  std::unique_ptr<wabt::Expr> Store() const { return std::make_unique<wabt::GlobalSetExpr>(IndexVar(fuel_)); }

  // fuel -= cost; if (fuel < 0) { global = fuel; unreachable }   (pushed in reverse at the front)
  void Prepend(wabt::ExprList& list, uint64_t cost) {
    ++sequences_;
    auto trap = std::make_unique<wabt::IfExpr>();
    trap->true_.exprs.push_back(std::make_unique<wabt::LocalGetExpr>(IndexVar(local_)));
    trap->true_.exprs.push_back(Store());
    trap->true_.exprs.push_back(std::make_unique<wabt::UnreachableExpr>());
    list.push_front(std::move(trap));
    list.push_front(std::make_unique<wabt::CompareExpr>(wabt::Opcode::I64LtS));
    list.push_front(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
    list.push_front(std::make_unique<wabt::LocalTeeExpr>(IndexVar(local_)));
    list.push_front(std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Sub));
    list.push_front(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(cost)));
    list.push_front(std::make_unique<wabt::LocalGetExpr>(IndexVar(local_)));
  }

  // Whether `e`, at label depth `depth` (0: the function body), may leave
  // the function: a return or a branch to the function's label. (Nothing
  // throws: InstrumentModule refuses a module with a tag.)
  static bool Leaves(const wabt::Expr& e, wabt::Index depth) {
    switch (e.type()) {
      case wabt::ExprType::Return:
      case wabt::ExprType::ReturnCall:
      case wabt::ExprType::ReturnCallIndirect: return true;
      case wabt::ExprType::Br: return wabt::cast<wabt::BrExpr>(&e)->var.index() == depth;
      case wabt::ExprType::BrIf: return wabt::cast<wabt::BrIfExpr>(&e)->var.index() == depth;
      case wabt::ExprType::BrTable: {
        auto* t = wabt::cast<wabt::BrTableExpr>(&e);
        if (t->default_target.index() == depth) return true;
        return std::any_of(t->targets.begin(), t->targets.end(), [&](const wabt::Var& v) { return v.index() == depth; });
      }
      default: return false;
    }
  }

  static bool IsCall(const wabt::Expr& e) {
    return e.type() == wabt::ExprType::Call || e.type() == wabt::ExprType::CallIndirect ||
           e.type() == wabt::ExprType::CallRef;
  }

  // Writes the local back before calls and exits, and reloads it after
  // calls (the callee used fuel).
  void Synchronize(wabt::ExprList& body) {
    std::vector<std::pair<wabt::ExprList*, wabt::Index>> work{{&body, 0}};  // a list and its label depth
    while (!work.empty()) {
      auto [list, depth] = work.back();
      work.pop_back();
      for (auto it = list->begin(); it != list->end(); ++it) {
        if (IsCall(*it) || Leaves(*it, depth)) {
          list->insert(it, std::make_unique<wabt::LocalGetExpr>(IndexVar(local_)));
          list->insert(it, Store());
        }
        if (IsCall(*it)) {
          auto next = std::next(it);
          list->insert(next, std::make_unique<wabt::GlobalGetExpr>(IndexVar(fuel_)));
          list->insert(next, Load());
          it = std::prev(next);
          continue;
        }
        for (wabt::ExprList* nested : NestedLists(*it)) work.push_back({nested, depth + 1});
      }
    }
  }

  wabt::Index fuel_;
  bool version_loops_;
  wabt::Index local_ = 0;
  uint64_t sequences_ = 0;
  uint32_t versioned_loops_ = 0;
  uint32_t next_marker_ = 0;
};

// global.get g; i32.const n; i32.add|sub; global.set g
void Count(wabt::ExprList& out, wabt::Index g, wabt::Opcode op, uint32_t n = 1) {
  out.push_back(std::make_unique<wabt::GlobalGetExpr>(IndexVar(g)));
  out.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I32(n)));
  out.push_back(std::make_unique<wabt::BinaryExpr>(op));
  out.push_back(std::make_unique<wabt::GlobalSetExpr>(IndexVar(g)));
}

// Replaces each `return` in `body` with a branch to the label just outside
// it (the block LimitDepth wraps the body in); refuses tail calls. Iterative,
// like Meter.
Status ReturnsToBranches(wabt::ExprList& body) {
  std::vector<std::pair<wabt::ExprList*, wabt::Index>> work{{&body, 0}};  // a list and its label depth
  while (!work.empty()) {
    auto [list, depth] = work.back();
    work.pop_back();
    for (auto it = list->begin(); it != list->end(); ++it) {
      switch (it->type()) {
        case wabt::ExprType::Return: {
          it = list->insert(it, std::make_unique<wabt::BrExpr>(IndexVar(depth)));
          list->erase(std::next(it));
          break;
        }
        case wabt::ExprType::ReturnCall:
        case wabt::ExprType::ReturnCallIndirect:
          return Error{ErrorKind::kInvalidInput, "tail calls cannot be run with a call-depth limit"};
        default:
          for (wabt::ExprList* nested : NestedLists(*it)) work.push_back({nested, depth + 1});
      }
    }
  }
  return Ok{};
}

// A block type () -> (results); several results need a type in the module.
wabt::BlockDeclaration ResultsBlockType(wabt::Module& module, const wabt::FuncSignature& sig) {
  wabt::BlockDeclaration decl;
  decl.sig.result_types = sig.result_types;
  if (sig.result_types.size() > 1 && module.GetFuncTypeIndex(decl) == wabt::kInvalidIndex) {
    auto type = std::make_unique<wabt::FuncType>();
    type->sig.result_types = sig.result_types;
    auto field = std::make_unique<wabt::TypeModuleField>();
    field->type = std::move(type);
    module.AppendField(std::move(field));
  }
  return decl;
}

// if (global > limit) { [global.set depth_marker (-1)] unreachable }
void TrapAbove(wabt::ExprList& out, wabt::Index global, uint32_t limit, std::optional<wabt::Index> mark_depth) {
  out.push_back(std::make_unique<wabt::GlobalGetExpr>(IndexVar(global)));
  out.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I32(limit)));
  out.push_back(std::make_unique<wabt::CompareExpr>(wabt::Opcode::I32GtU));
  auto trap = std::make_unique<wabt::IfExpr>();
  if (mark_depth) {
    trap->true_.exprs.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I32(kStackBudgetExhaustedDepth)));
    trap->true_.exprs.push_back(std::make_unique<wabt::GlobalSetExpr>(IndexVar(*mark_depth)));
  }
  trap->true_.exprs.push_back(std::make_unique<wabt::UnreachableExpr>());
  out.push_back(std::move(trap));
}

// The stack a call takes on the device: the byte counter and this function's frame.
struct StackCharge {
  wabt::Index global;
  uint32_t limit;
  uint32_t frame;
};

// Wraps a body: depth++, trap above `max` [, stack += frame, trap above the
// budget], block { body } [, stack -= frame], depth--. The outermost call
// (depth 0, which every engine sets before a call) starts the stack at 0.
Status LimitDepth(wabt::Module& module, wabt::Func& f, wabt::Index depth_global, uint32_t max,
                  std::optional<StackCharge> stack) {
  Status s = ReturnsToBranches(f.exprs);
  if (!s) return s;
  auto body = std::make_unique<wabt::BlockExpr>();
  body->block.decl = ResultsBlockType(module, f.decl.sig);
  body->block.exprs = std::move(f.exprs);
  wabt::ExprList out;
  if (stack) {
    out.push_back(std::make_unique<wabt::GlobalGetExpr>(IndexVar(depth_global)));
    out.push_back(std::make_unique<wabt::ConvertExpr>(wabt::Opcode::I32Eqz));
    auto reset = std::make_unique<wabt::IfExpr>();
    reset->true_.exprs.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I32(0)));
    reset->true_.exprs.push_back(std::make_unique<wabt::GlobalSetExpr>(IndexVar(stack->global)));
    out.push_back(std::move(reset));
  }
  Count(out, depth_global, wabt::Opcode::I32Add);
  TrapAbove(out, depth_global, max, std::nullopt);
  if (stack) {
    Count(out, stack->global, wabt::Opcode::I32Add, stack->frame);
    TrapAbove(out, stack->global, stack->limit, depth_global);
  }
  out.push_back(std::move(body));
  if (stack) Count(out, stack->global, wabt::Opcode::I32Sub, stack->frame);
  Count(out, depth_global, wabt::Opcode::I32Sub);
  f.exprs = std::move(out);
  return Ok{};
}

// Appends a mutable global; returns its index.
wabt::Index AddGlobal(wabt::Module& module, wabt::Type type, wabt::Const init) {
  wabt::Index index = static_cast<wabt::Index>(module.globals.size());
  auto global = std::make_unique<wabt::GlobalModuleField>();
  global->global.type = type;
  global->global.mutable_ = true;
  global->global.init_expr.push_back(std::make_unique<wabt::ConstExpr>(init));
  module.AppendField(std::move(global));
  return index;
}

// Appends an exported mutable global; returns its index.
wabt::Index AddExportedGlobal(wabt::Module& module, const char* name, wabt::Type type, wabt::Const init) {
  wabt::Index index = AddGlobal(module, type, init);
  auto exported = std::make_unique<wabt::ExportModuleField>();
  exported->export_.name = name;
  exported->export_.kind = wabt::ExternalKind::Global;
  exported->export_.var = IndexVar(index);
  module.AppendField(std::move(exported));
  return index;
}

// Lowers a declared maximum to the budget; refuses an initial size over it.
// `unit` in the singular: "page".
Status ClampLimits(wabt::Limits& limits, std::optional<uint64_t> budget, std::string_view what,
                   std::string_view unit) {
  if (!budget) return Ok{};
  if (limits.initial > *budget) {
    return Error{ErrorKind::kInvalidInput, fmt::format("the module's initial {} is {}, over the budget of {}", what,
                                                       Plural(limits.initial, unit), *budget)};
  }
  if (!limits.has_max || limits.max > *budget) {
    limits.max = *budget;
    limits.has_max = true;
  }
  return Ok{};
}

// Memory 0 of a size in bytes no page count expresses (WAMR's, see
// module/wamr_memory.h): every access to it, by a load, store, atomic or bulk
// instruction, first checks that it ends within `limit` bytes and otherwise
// goes to address 0xffffffff instead, past any memory below 4 GiB, so that the
// engine's own bounds check traps there as the device's does. memory.size says
// `pages`, and memory.grow of more than nothing fails. Inserted after the fuel
// charges, so the fuel counts the module's own instructions only.
class ByteLimit {
 public:
  ByteLimit(wabt::Func& f, uint64_t limit, uint32_t pages) : f_(f), limit_(limit), pages_(pages) {}

  void Apply() {
    std::vector<wabt::ExprList*> work{&f_.exprs};
    while (!work.empty()) {
      wabt::ExprList& list = *work.back();
      work.pop_back();
      for (auto it = list.begin(); it != list.end(); ++it) {
        for (wabt::ExprList* nested : NestedLists(*it)) work.push_back(nested);
        it = Rewrite(list, it);
      }
    }
  }

 private:
  using It = wabt::ExprList::iterator;

  // Returns the iterator of the instruction that now stands where `it` was.
  It Rewrite(wabt::ExprList& list, It it) {
    switch (it->type()) {
      case wabt::ExprType::Load: return Access(list, it, wabt::cast<wabt::LoadExpr>(&*it));
      case wabt::ExprType::Store: return Access(list, it, wabt::cast<wabt::StoreExpr>(&*it));
      case wabt::ExprType::AtomicLoad: return Access(list, it, wabt::cast<wabt::AtomicLoadExpr>(&*it));
      case wabt::ExprType::AtomicStore: return Access(list, it, wabt::cast<wabt::AtomicStoreExpr>(&*it));
      case wabt::ExprType::AtomicRmw: return Access(list, it, wabt::cast<wabt::AtomicRmwExpr>(&*it));
      case wabt::ExprType::AtomicRmwCmpxchg: return Access(list, it, wabt::cast<wabt::AtomicRmwCmpxchgExpr>(&*it));
      case wabt::ExprType::AtomicWait: return Access(list, it, wabt::cast<wabt::AtomicWaitExpr>(&*it));
      case wabt::ExprType::AtomicNotify: return Access(list, it, wabt::cast<wabt::AtomicNotifyExpr>(&*it));
      case wabt::ExprType::LoadSplat: return Access(list, it, wabt::cast<wabt::LoadSplatExpr>(&*it));
      case wabt::ExprType::LoadZero: return Access(list, it, wabt::cast<wabt::LoadZeroExpr>(&*it));
      case wabt::ExprType::SimdLoadLane: return Access(list, it, wabt::cast<wabt::SimdLoadLaneExpr>(&*it));
      case wabt::ExprType::SimdStoreLane: return Access(list, it, wabt::cast<wabt::SimdStoreLaneExpr>(&*it));
      case wabt::ExprType::MemoryFill:  // (dest, value, n)
        if (wabt::cast<wabt::MemoryFillExpr>(&*it)->memidx.index() == 0) Range(list, it, true, false);
        return it;
      case wabt::ExprType::MemoryInit:  // (dest, segment offset, n)
        if (wabt::cast<wabt::MemoryInitExpr>(&*it)->memidx.index() == 0) Range(list, it, true, false);
        return it;
      case wabt::ExprType::MemoryCopy: {  // (dest, source, n)
        auto* e = wabt::cast<wabt::MemoryCopyExpr>(&*it);
        bool dest = e->destmemidx.index() == 0, source = e->srcmemidx.index() == 0;
        if (dest || source) Range(list, it, dest, source);
        return it;
      }
      case wabt::ExprType::MemorySize:
        if (wabt::cast<wabt::MemorySizeExpr>(&*it)->memidx.index() != 0) return it;
        it = list.insert(it, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(pages_)));
        list.erase(std::next(it));
        return it;
      case wabt::ExprType::MemoryGrow: {  // delta == 0 ? pages : -1
        if (wabt::cast<wabt::MemoryGrowExpr>(&*it)->memidx.index() != 0) return it;
        wabt::Index delta = Temp(wabt::Type::I32, 0);
        Insert(list, it, std::make_unique<wabt::LocalSetExpr>(IndexVar(delta)));
        Insert(list, it, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(pages_)));
        Insert(list, it, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(0xffffffffu)));
        Insert(list, it, std::make_unique<wabt::LocalGetExpr>(IndexVar(delta)));
        Insert(list, it, std::make_unique<wabt::ConvertExpr>(wabt::Opcode::I32Eqz));
        it = list.insert(it, std::make_unique<wabt::SelectExpr>(wabt::TypeVector{}));
        list.erase(std::next(it));
        return it;
      }
      default: return it;
    }
  }

  // A load, store or atomic access of memory 0 (its opcode's size at address
  // + offset); the operands after the address wait in locals while it is checked.
  template <typename MemoryAccess>
  It Access(wabt::ExprList& list, It at, const MemoryAccess* e) {
    if (e->memidx.index() == 0) CheckAccess(list, at, e->opcode, e->offset);
    return at;
  }
  void CheckAccess(wabt::ExprList& list, It at, wabt::Opcode opcode, uint64_t offset) {
    std::vector<wabt::Type> after;
    for (int n = 2; n <= 3; ++n) {
      if (opcode.GetParamType(n) != wabt::Type::Void) after.push_back(opcode.GetParamType(n));
    }
    for (size_t k = after.size(); k-- > 0;) {
      Insert(list, at, std::make_unique<wabt::LocalSetExpr>(IndexVar(Temp(after[k], static_cast<int>(k) + 1))));
    }
    const uint64_t end = offset + opcode.GetMemorySize();  // both far below 2^63
    wabt::Index address = Temp(wabt::Type::I32, 0);
    Insert(list, at, std::make_unique<wabt::LocalSetExpr>(IndexVar(address)));
    Insert(list, at, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(0xffffffffu)));
    Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(address)));
    if (end > limit_) {  // never within: always the far address
      Insert(list, at, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(1)));
    } else {  // address > limit - end
      Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(address)));
      Insert(list, at, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(static_cast<uint32_t>(limit_ - end))));
      Insert(list, at, std::make_unique<wabt::CompareExpr>(wabt::Opcode::I32GtU));
    }
    Insert(list, at, std::make_unique<wabt::SelectExpr>(wabt::TypeVector{}));
    for (size_t k = 0; k < after.size(); ++k) {
      Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(Temp(after[k], static_cast<int>(k) + 1))));
    }
  }

  // A bulk instruction's (dest, second, n): the checked addresses among the
  // first two each become 0xffffffff when address + n passes the limit.
  void Range(wabt::ExprList& list, It at, bool check_dest, bool check_second) {
    wabt::Index dest = Temp(wabt::Type::I32, 0), second = Temp(wabt::Type::I32, 1), n = Temp(wabt::Type::I32, 2);
    for (wabt::Index local : {n, second, dest}) Insert(list, at, std::make_unique<wabt::LocalSetExpr>(IndexVar(local)));
    for (auto [local, check] : {std::pair{dest, check_dest}, std::pair{second, check_second}}) {
      if (!check) {
        Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(local)));
        continue;
      }
      Insert(list, at, std::make_unique<wabt::ConstExpr>(wabt::Const::I32(0xffffffffu)));
      Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(local)));
      Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(local)));
      Insert(list, at, std::make_unique<wabt::ConvertExpr>(wabt::Opcode::I64ExtendI32U));
      Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(n)));
      Insert(list, at, std::make_unique<wabt::ConvertExpr>(wabt::Opcode::I64ExtendI32U));
      Insert(list, at, std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Add));
      Insert(list, at, std::make_unique<wabt::ConstExpr>(wabt::Const::I64(limit_)));
      Insert(list, at, std::make_unique<wabt::CompareExpr>(wabt::Opcode::I64GtU));
      Insert(list, at, std::make_unique<wabt::SelectExpr>(wabt::TypeVector{}));
    }
    Insert(list, at, std::make_unique<wabt::LocalGetExpr>(IndexVar(n)));
  }

  static void Insert(wabt::ExprList& list, It before, std::unique_ptr<wabt::Expr> e) { list.insert(before, std::move(e)); }

  // A scratch local of this function, one per type and slot.
  wabt::Index Temp(wabt::Type type, int slot) {
    auto key = std::pair{static_cast<int32_t>(type), slot};
    auto found = temps_.find(key);
    if (found != temps_.end()) return found->second;
    wabt::Index index = f_.GetNumParamsAndLocals();
    f_.local_types.AppendDecl(type, 1);
    temps_.emplace(key, index);
    return index;
  }

  wabt::Func& f_;
  uint64_t limit_;
  uint32_t pages_;
  std::map<std::pair<int32_t, int>, wabt::Index> temps_;
};

// Memory 0 as WAMR lays it out: pages added for the app heap, or a size in
// bytes (ByteLimit), and __heap_base moved above the heap.
Status ApplyWamrMemory(wabt::Module& module, const WamrMemory& layout) {
  if (module.memories.empty() || !layout.changed()) return Ok{};
  wabt::Limits& limits = module.memories[0]->page_limits;
  if (limits.is_64) return Error{ErrorKind::kInternal, "WAMR's layout of a 64-bit memory is not modelled"};
  if (layout.fixed_bytes) {
    if (*layout.fixed_bytes > uint64_t{0xffff} * kWasmPageBytes) {
      return Error{ErrorKind::kInvalidInput, fmt::format("the module's memory and the app heap take {}, more than "
                                                         "WAMR can give a 32-bit memory", Plural(*layout.fixed_bytes, "byte"))};
    }
    limits.initial = (*layout.fixed_bytes + kWasmPageBytes - 1) / kWasmPageBytes;
    limits.max = limits.initial;
    limits.has_max = true;
    for (wabt::Index i = module.num_func_imports; i < module.funcs.size(); ++i) {
      ByteLimit(*module.funcs[i], *layout.fixed_bytes, layout.fixed_pages).Apply();
    }
  } else {
    limits.initial = std::min<uint64_t>(limits.initial + layout.added_pages, kWasmPageBytes);
    if (limits.has_max) limits.max = std::min<uint64_t>(limits.max + layout.added_pages, kWasmPageBytes);
  }
  if (layout.heap_base_global && *layout.heap_base_global < module.globals.size()) {
    wabt::ExprList& init = module.globals[*layout.heap_base_global]->init_expr;
    init.clear();
    init.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I32(layout.heap_base_value)));
  }
  return Ok{};
}

}  // namespace

Result<MeteredModule> InstrumentModule(const Bytes& wasm, const InstrumentOptions& options) {
  wabt::Features features = ToWabtFeatures(FeatureSet::All());
  wabt::Module module;
  wabt::Errors errors;
  wabt::ReadBinaryOptions read_options(features, nullptr, /*read_debug_names=*/false, /*stop_on_first_error=*/true,
                                       /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr("module", wasm.data(), wasm.size(), read_options, &errors, &module))) {
    return Error{ErrorKind::kInvalidInput, errors.empty() ? "unreadable module" : errors[0].message};
  }
  for (const char* name : {kFuelGlobalExport, kDepthGlobalExport, kStartExport, kMemoryExport}) {
    if (module.GetExport(name)) {
      return Error{ErrorKind::kInvalidInput, fmt::format("the module already exports \"{}\"", name)};
    }
  }
  // wabt 1.0.32's interpreter loses a function's locals when a catch is
  // taken (it aborts on the next local access, even with no metering), and
  // wasm2c 1.0.32 compiles no exceptions: no engine can run a tag.
  if (!module.tags.empty()) {
    return Error{ErrorKind::kInvalidInput, "the module uses exceptions (it has a tag), which neither engine can run "
                                           "(wabt 1.0.32)"};
  }
  // The start function becomes an export the runtime calls itself.
  for (auto it = module.fields.begin(); it != module.fields.end();) {
    if (it->type() != wabt::ModuleFieldType::Start) {
      ++it;
      continue;
    }
    auto exported_start = std::make_unique<wabt::ExportModuleField>();
    exported_start->export_.name = kStartExport;
    exported_start->export_.kind = wabt::ExternalKind::Func;
    exported_start->export_.var = wabt::cast<wabt::StartModuleField>(&*it)->start;
    it = module.fields.erase(it);
    module.starts.clear();
    module.AppendField(std::move(exported_start));
    break;
  }
  for (wabt::Memory* m : module.memories) {
    Status s = ClampLimits(m->page_limits, options.max_memory_pages, "memory", "page");
    if (!s) return s.error();
  }
  for (wabt::Table* t : module.tables) {
    Status s = ClampLimits(t->elem_limits, options.max_table_elements, "table", "element");
    if (!s) return s.error();
  }
  if (!module.memories.empty()) {
    auto exported = std::make_unique<wabt::ExportModuleField>();
    exported->export_.name = kMemoryExport;
    exported->export_.kind = wabt::ExternalKind::Memory;
    exported->export_.var = IndexVar(0);
    module.AppendField(std::move(exported));
  }
  // New globals go last, so no existing global index moves.
  wabt::Index fuel = AddExportedGlobal(module, kFuelGlobalExport, wabt::Type::I64, wabt::Const::I64(options.initial_fuel));
  // Loops are versioned on the module's own code, before WAMR's byte limit
  // rewrites its accesses (then none is: its addresses are no longer affine).
  const bool version_loops = options.version_loops && !UsesFastLoopMarkers(module) &&
                             !(options.wamr_memory && options.wamr_memory->fixed_bytes);
  Meter meter(fuel, version_loops);
  for (wabt::Index i = module.num_func_imports; i < module.funcs.size(); ++i) meter.Charge(*module.funcs[i]);
  if (options.wamr_memory) {
    Status s = ApplyWamrMemory(module, *options.wamr_memory);
    if (!s) return s.error();
  }
  if (options.stack && !options.max_call_depth) {
    return Error{ErrorKind::kInternal, "the stack budget is counted only with the call depth"};
  }
  if (options.stack && options.stack->frame_bytes.size() != module.funcs.size() - module.num_func_imports) {
    return Error{ErrorKind::kInternal, "one frame size per defined function"};
  }
  if (options.max_call_depth > 0) {
    wabt::Index depth = AddExportedGlobal(module, kDepthGlobalExport, wabt::Type::I32, wabt::Const::I32(0));
    std::optional<wabt::Index> stack_global;
    if (options.stack) stack_global = AddGlobal(module, wabt::Type::I32, wabt::Const::I32(0));
    for (wabt::Index i = module.num_func_imports; i < module.funcs.size(); ++i) {
      std::optional<StackCharge> charge;
      if (options.stack) {
        // Both are at most 256 MiB (the manifest's range) and a frame far less: i32 arithmetic.
        charge = StackCharge{*stack_global, static_cast<uint32_t>(options.stack->limit_bytes),
                             static_cast<uint32_t>(options.stack->frame_bytes[i - module.num_func_imports])};
      }
      Status s = LimitDepth(module, *module.funcs[i], depth, options.max_call_depth, charge);
      if (!s) return s.error();
    }
  }
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options(features, /*canonicalize_lebs=*/true, /*relocatable=*/false,
                                         /*write_debug_names=*/false);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, &module, write_options))) {
    return Error{ErrorKind::kInternal, "could not write the metered module"};
  }
  MeteredModule out;
  const std::vector<uint8_t>& data = stream.output_buffer().data;
  out.wasm.assign(data.begin(), data.end());
  out.metered_sequences = meter.sequences();
  out.versioned_loops = meter.versioned_loops();
  return out;
}

}  // namespace wasmiot
