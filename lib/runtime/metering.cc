// Rewrites the module with wabt's IR (read, edit, write back).
#include "runtime/metering.h"

#include <fmt/format.h>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/ir.h>
#include <wabt/stream.h>

#include "core/features.h"
#include "module/wabt_features.h"
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

// Charges every straight-line sequence of a function body for its own
// instructions. Iterative, with an explicit work list: a module may nest
// blocks kMaxControlDepth deep, and recursion per level would overflow the
// stack long before that under sanitizers.
class Meter {
 public:
  explicit Meter(wabt::Index fuel_global) : fuel_(fuel_global) {}

  void Charge(wabt::ExprList& body) {
    std::vector<wabt::ExprList*> work{&body};
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
  }

  uint64_t sequences() const { return sequences_; }

 private:
  // fuel -= cost; if (fuel < 0) unreachable;   (pushed in reverse at the front)
  void Prepend(wabt::ExprList& list, uint64_t cost) {
    ++sequences_;
    auto trap = std::make_unique<wabt::IfExpr>();
    trap->true_.exprs.push_back(std::make_unique<wabt::UnreachableExpr>());
    list.push_front(std::move(trap));
    list.push_front(std::make_unique<wabt::CompareExpr>(wabt::Opcode::I64LtS));
    list.push_front(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
    list.push_front(std::make_unique<wabt::GlobalGetExpr>(wabt::Var(fuel_, wabt::Location())));
    list.push_front(std::make_unique<wabt::GlobalSetExpr>(wabt::Var(fuel_, wabt::Location())));
    list.push_front(std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Sub));
    list.push_front(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(cost)));
    list.push_front(std::make_unique<wabt::GlobalGetExpr>(wabt::Var(fuel_, wabt::Location())));
  }

  wabt::Index fuel_;
  uint64_t sequences_ = 0;
};

wabt::Var IndexVar(wabt::Index index) { return wabt::Var(index, wabt::Location()); }

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
  if (options.appended_heap_pages > 0 && module.memories.size() > module.num_memory_imports) {
    wabt::Limits& limits = module.memories[module.num_memory_imports]->page_limits;
    const uint64_t most = limits.is_64 ? (uint64_t{1} << 48) : 65536;
    limits.initial = std::min<uint64_t>(limits.initial + options.appended_heap_pages, most);
    if (limits.has_max) limits.max = std::min<uint64_t>(limits.max + options.appended_heap_pages, most);
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
  Meter meter(fuel);
  for (wabt::Func* f : module.funcs) meter.Charge(f->exprs);  // imports have no body: nothing to charge
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
  return out;
}

}  // namespace wasmiot
