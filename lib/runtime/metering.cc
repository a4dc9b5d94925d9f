// Rewrites the module with wabt's IR (read, edit, write back).
#include "runtime/metering.h"

#include <fmt/format.h>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/ir.h>
#include <wabt/stream.h>

#include "manifest/features.h"
#include "module/wabt_features.h"

namespace wasmiot {
namespace {

class Meter {
 public:
  explicit Meter(wabt::Index fuel_global) : fuel_(fuel_global) {}

  // Charges `list` for its own instructions, then its nested lists for theirs.
  void Charge(wabt::ExprList& list) {
    uint64_t cost = 0;
    for (wabt::Expr& e : list) {
      ++cost;
      Nested(e);
    }
    if (cost == 0) return;
    ++sequences_;
    // fuel -= cost; if (fuel < 0) unreachable;   (pushed in reverse at the front)
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

  uint64_t sequences() const { return sequences_; }

 private:
  void Nested(wabt::Expr& e) {
    switch (e.type()) {
      case wabt::ExprType::Block: Charge(wabt::cast<wabt::BlockExpr>(&e)->block.exprs); break;
      case wabt::ExprType::Loop: Charge(wabt::cast<wabt::LoopExpr>(&e)->block.exprs); break;
      case wabt::ExprType::If: {
        auto* i = wabt::cast<wabt::IfExpr>(&e);
        Charge(i->true_.exprs);
        Charge(i->false_);
        break;
      }
      case wabt::ExprType::Try: {
        auto* t = wabt::cast<wabt::TryExpr>(&e);
        Charge(t->block.exprs);
        for (wabt::Catch& c : t->catches) Charge(c.exprs);
        break;
      }
      default: break;
    }
  }

  wabt::Index fuel_;
  uint64_t sequences_ = 0;
};

}  // namespace

Result<MeteredModule> InjectFuelMetering(const Bytes& wasm, uint64_t initial_fuel) {
  wabt::Features features = ToWabtFeatures(FeatureSet::All());
  wabt::Module module;
  wabt::Errors errors;
  wabt::ReadBinaryOptions read_options(features, nullptr, /*read_debug_names=*/false, /*stop_on_first_error=*/true,
                                       /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr("module", wasm.data(), wasm.size(), read_options, &errors, &module))) {
    return Error{ErrorKind::kInvalidInput, errors.empty() ? "unreadable module" : errors[0].message};
  }
  for (const char* name : {kFuelGlobalExport, kStartExport}) {
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
  // The fuel global goes last, so no existing global index moves.
  wabt::Index fuel = static_cast<wabt::Index>(module.globals.size());
  auto global = std::make_unique<wabt::GlobalModuleField>();
  global->global.type = wabt::Type::I64;
  global->global.mutable_ = true;
  global->global.init_expr.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(initial_fuel)));
  module.AppendField(std::move(global));
  auto exported = std::make_unique<wabt::ExportModuleField>();
  exported->export_.name = kFuelGlobalExport;
  exported->export_.kind = wabt::ExternalKind::Global;
  exported->export_.var = wabt::Var(fuel, wabt::Location());
  module.AppendField(std::move(exported));

  Meter meter(fuel);
  for (wabt::Func* f : module.funcs) meter.Charge(f->exprs);  // imports have no body: nothing to charge
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
