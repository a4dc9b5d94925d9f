// Counted loops in two versions (runtime/loop_versioning.h), on wabt's IR.
#include "runtime/loop_versioning.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include <wabt/cast.h>
#include <wabt/ir.h>

namespace wasmiot {
namespace {

using wabt::Expr;
using wabt::ExprList;
using wabt::ExprType;
using wabt::Index;
using wabt::Opcode;

wabt::Var IndexVar(Index index) { return wabt::Var(index, wabt::Location()); }

// Bounds on what the analysis tracks, so that every value the guard computes
// fits an i64 with room: addresses and counts below 2^36, coefficients below
// 2^20, at most kMaxTerms locals in one expression.
constexpr int64_t kMaxConstant = int64_t{1} << 36;
constexpr int64_t kMaxCoefficient = int64_t{1} << 20;
constexpr size_t kMaxTerms = 6;
constexpr int64_t kMaxCostPerTurn = int64_t{1} << 20;
// Accesses in one loop: the guard checks each group of them (a few dozen
// instructions each), and a loop with more is not worth its size.
constexpr size_t kMaxAccesses = 256;
constexpr int64_t kI32Min = -(int64_t{1} << 31);
constexpr int64_t kI32Max = (int64_t{1} << 31) - 1;

// An i32 value as an exact integer: c + sum(entry[L] * L's value at loop entry,
// sign-extended) + t * the turn (0 for the first). The i32 value is this
// modulo 2^32; the guard checks ranges in which the two are equal.
struct Affine {
  int64_t c = 0;
  std::map<Index, int64_t> entry;
  int64_t t = 0;

  bool Invariant() const { return t == 0; }
  bool Constant() const { return t == 0 && entry.empty(); }
};

struct Comparison {
  Opcode op;
  Affine lhs, rhs;
};

using Symbol = std::variant<std::monostate, Affine, Comparison>;  // monostate: unknown

bool InBounds(const Affine& a) {
  if (a.c <= -kMaxConstant || a.c >= kMaxConstant || a.entry.size() > kMaxTerms) return false;
  if (a.t <= -kMaxCoefficient || a.t >= kMaxCoefficient) return false;
  return std::all_of(a.entry.begin(), a.entry.end(),
                     [](const auto& e) { return e.second > -kMaxCoefficient && e.second < kMaxCoefficient; });
}

Symbol Checked(Affine a) {
  for (auto it = a.entry.begin(); it != a.entry.end();) it = it->second == 0 ? a.entry.erase(it) : std::next(it);
  if (!InBounds(a)) return {};
  return a;
}

Symbol Combine(const Affine& a, const Affine& b, int64_t sign) {
  Affine r = a;
  r.c += sign * b.c;
  r.t += sign * b.t;
  for (const auto& [local, k] : b.entry) r.entry[local] += sign * k;
  return Checked(std::move(r));
}

Symbol Scale(const Affine& a, int64_t factor) {
  if (factor <= -kMaxCoefficient || factor >= kMaxCoefficient) return {};
  Affine r = a;
  r.c *= factor;
  r.t *= factor;
  for (auto& e : r.entry) e.second *= factor;
  return Checked(std::move(r));
}

bool IsDivision(Opcode op) {
  switch (op) {
    case Opcode::I32DivS: case Opcode::I32DivU: case Opcode::I32RemS: case Opcode::I32RemU:
    case Opcode::I64DivS: case Opcode::I64DivU: case Opcode::I64RemS: case Opcode::I64RemU: return true;
    default: return false;
  }
}

bool IsTrappingConversion(Opcode op) {
  switch (op) {
    case Opcode::I32TruncF32S: case Opcode::I32TruncF32U: case Opcode::I32TruncF64S: case Opcode::I32TruncF64U:
    case Opcode::I64TruncF32S: case Opcode::I64TruncF32U: case Opcode::I64TruncF64S: case Opcode::I64TruncF64U:
      return true;
    default: return false;
  }
}

// The charge at the front of `list`, if the Meter put one there: its cost.
std::optional<int64_t> ChargeAt(const ExprList& list, Index fuel_local) {
  if (list.size() < kChargeLength) return std::nullopt;
  auto it = list.begin();
  const Expr& get = *it++;
  const Expr& cost = *it++;
  const Expr& sub = *it++;
  const Expr& tee = *it++;
  const Expr& zero = *it++;
  const Expr& less = *it++;
  const Expr& check = *it;
  if (get.type() != ExprType::LocalGet || wabt::cast<wabt::LocalGetExpr>(&get)->var.index() != fuel_local) return std::nullopt;
  if (cost.type() != ExprType::Const || wabt::cast<wabt::ConstExpr>(&cost)->const_.type() != wabt::Type::I64) return std::nullopt;
  if (sub.type() != ExprType::Binary || wabt::cast<wabt::BinaryExpr>(&sub)->opcode != Opcode::I64Sub) return std::nullopt;
  if (tee.type() != ExprType::LocalTee || wabt::cast<wabt::LocalTeeExpr>(&tee)->var.index() != fuel_local) return std::nullopt;
  if (zero.type() != ExprType::Const || less.type() != ExprType::Compare || check.type() != ExprType::If) return std::nullopt;
  if (wabt::cast<wabt::CompareExpr>(&less)->opcode != Opcode::I64LtS) return std::nullopt;
  return static_cast<int64_t>(wabt::cast<wabt::ConstExpr>(&cost)->const_.u64());
}

std::unique_ptr<Expr> Clone(const Expr& e);

// False if `from` holds a kind Clone does not copy.
bool CloneList(const ExprList& from, ExprList& to) {
  for (const Expr& e : from) {
    std::unique_ptr<Expr> copy = Clone(e);
    if (!copy) return false;
    to.push_back(std::move(copy));
  }
  return true;
}

template <typename BlockOrLoop>
std::unique_ptr<Expr> CloneBlock(const Expr& e) {
  auto* from = wabt::cast<BlockOrLoop>(&e);
  auto to = std::make_unique<BlockOrLoop>();
  to->block.decl = from->block.decl;
  if (!CloneList(from->block.exprs, to->block.exprs)) return nullptr;
  return to;
}

// A copy of an expression of the kinds a versioned loop may hold, or null.
std::unique_ptr<Expr> Clone(const Expr& e) {
  switch (e.type()) {
    case ExprType::Binary: return std::make_unique<wabt::BinaryExpr>(wabt::cast<wabt::BinaryExpr>(&e)->opcode);
    case ExprType::Compare: return std::make_unique<wabt::CompareExpr>(wabt::cast<wabt::CompareExpr>(&e)->opcode);
    case ExprType::Convert: return std::make_unique<wabt::ConvertExpr>(wabt::cast<wabt::ConvertExpr>(&e)->opcode);
    case ExprType::Unary: return std::make_unique<wabt::UnaryExpr>(wabt::cast<wabt::UnaryExpr>(&e)->opcode);
    case ExprType::Const: return std::make_unique<wabt::ConstExpr>(wabt::cast<wabt::ConstExpr>(&e)->const_);
    case ExprType::LocalGet: return std::make_unique<wabt::LocalGetExpr>(wabt::cast<wabt::LocalGetExpr>(&e)->var);
    case ExprType::LocalSet: return std::make_unique<wabt::LocalSetExpr>(wabt::cast<wabt::LocalSetExpr>(&e)->var);
    case ExprType::LocalTee: return std::make_unique<wabt::LocalTeeExpr>(wabt::cast<wabt::LocalTeeExpr>(&e)->var);
    case ExprType::GlobalGet: return std::make_unique<wabt::GlobalGetExpr>(wabt::cast<wabt::GlobalGetExpr>(&e)->var);
    case ExprType::GlobalSet: return std::make_unique<wabt::GlobalSetExpr>(wabt::cast<wabt::GlobalSetExpr>(&e)->var);
    case ExprType::Br: return std::make_unique<wabt::BrExpr>(wabt::cast<wabt::BrExpr>(&e)->var);
    case ExprType::BrIf: return std::make_unique<wabt::BrIfExpr>(wabt::cast<wabt::BrIfExpr>(&e)->var);
    case ExprType::BrTable: {
      auto* from = wabt::cast<wabt::BrTableExpr>(&e);
      auto to = std::make_unique<wabt::BrTableExpr>();
      to->targets = from->targets;
      to->default_target = from->default_target;
      return to;
    }
    case ExprType::Load: {
      auto* l = wabt::cast<wabt::LoadExpr>(&e);
      return std::make_unique<wabt::LoadExpr>(l->opcode, l->memidx, l->align, l->offset);
    }
    case ExprType::Store: {
      auto* s = wabt::cast<wabt::StoreExpr>(&e);
      return std::make_unique<wabt::StoreExpr>(s->opcode, s->memidx, s->align, s->offset);
    }
    case ExprType::Select: {
      auto to = std::make_unique<wabt::SelectExpr>(wabt::cast<wabt::SelectExpr>(&e)->result_type);
      return to;
    }
    case ExprType::MemorySize: return std::make_unique<wabt::MemorySizeExpr>(wabt::cast<wabt::MemorySizeExpr>(&e)->memidx);
    case ExprType::Drop: return std::make_unique<wabt::DropExpr>();
    case ExprType::Nop: return std::make_unique<wabt::NopExpr>();
    case ExprType::Return: return std::make_unique<wabt::ReturnExpr>();
    case ExprType::Unreachable: return std::make_unique<wabt::UnreachableExpr>();
    case ExprType::Block: return CloneBlock<wabt::BlockExpr>(e);
    case ExprType::Loop: return CloneBlock<wabt::LoopExpr>(e);
    case ExprType::If: {
      auto* from = wabt::cast<wabt::IfExpr>(&e);
      auto to = std::make_unique<wabt::IfExpr>();
      to->true_.decl = from->true_.decl;
      if (!CloneList(from->true_.exprs, to->true_.exprs) || !CloneList(from->false_, to->false_)) return nullptr;
      return to;
    }
    default: return nullptr;  // calls, atomics, bulk memory, SIMD, tables, exceptions: never versioned
  }
}

// Whether `body` nests at most kMaxNesting blocks (counted without recursion).
constexpr int kMaxNesting = 32;
bool Shallow(const ExprList& body) {
  std::vector<std::pair<const ExprList*, int>> work{{&body, 0}};
  while (!work.empty()) {
    auto [list, depth] = work.back();
    work.pop_back();
    for (const Expr& e : *list) {
      std::vector<const ExprList*> inner;
      if (e.type() == ExprType::Block) inner = {&wabt::cast<wabt::BlockExpr>(&e)->block.exprs};
      if (e.type() == ExprType::Loop) inner = {&wabt::cast<wabt::LoopExpr>(&e)->block.exprs};
      if (e.type() == ExprType::If) inner = {&wabt::cast<wabt::IfExpr>(&e)->true_.exprs, &wabt::cast<wabt::IfExpr>(&e)->false_};
      if (e.type() == ExprType::Try) return false;  // never versioned
      for (const ExprList* l : inner) {
        if (depth + 1 > kMaxNesting) return false;
        work.push_back({l, depth + 1});
      }
    }
  }
  return true;
}

// One access to memory 0 in the loop, with its address.
struct Access {
  ExprList* list;
  ExprList::iterator at;  // stays valid: FAST's lists only gain instructions around it
  Affine address;
  uint64_t offset;
  uint64_t size;
};

// How the loop ends: it goes round while `w op n`, w affine in the turn (after
// the turn's updates), n fixed.
struct Exit {
  Opcode op;
  Affine w, n;
};

// What a loop body must be to be versioned, found on the copy that becomes FAST.
class Analysis {
 public:
  Analysis(const wabt::Func& f, Index fuel_local) : f_(f), fuel_(fuel_local) {}

  bool Run(wabt::LoopExpr& loop) {
    if (loop.block.decl.sig.GetNumParams() > 0 || loop.block.decl.has_func_type) return false;
    if (!Survey(loop.block.exprs, 1, true)) return false;
    if (cost_ <= 0 || cost_ > kMaxCostPerTurn) return false;
    ExprList& body = loop.block.exprs;
    if (body.empty() || body.back().type() != ExprType::BrIf || wabt::cast<wabt::BrIfExpr>(&body.back())->var.index() != 0) {
      return false;
    }
    FindSteps(body);
    std::vector<Symbol> stack;
    if (!Evaluate(body, stack, true)) return false;
    return exit_.has_value();
  }

  int64_t cost() const { return cost_; }
  const std::vector<Access>& accesses() const { return accesses_; }
  const Exit& exit() const { return *exit_; }
  const std::map<Index, int64_t>& steps() const { return steps_; }

 private:
  // Checks every instruction is of a kind FAST may hold, counts the charges
  // and the writes of each local, and that only the last instruction branches
  // back. `depth`: labels between here and the loop's (1 in its body).
  bool Survey(ExprList& list, Index depth, bool top) {
    size_t skip = 0;
    if (std::optional<int64_t> charge = ChargeAt(list, fuel_)) {
      cost_ += *charge;
      skip = kChargeLength;
    }
    size_t i = 0;
    for (Expr& e : list) {
      if (i++ < skip) continue;
      bool last = top && &e == &list.back();
      switch (e.type()) {
        case ExprType::Binary:
          if (IsDivision(wabt::cast<wabt::BinaryExpr>(&e)->opcode)) return false;
          break;
        case ExprType::Convert:
          if (IsTrappingConversion(wabt::cast<wabt::ConvertExpr>(&e)->opcode)) return false;
          break;
        case ExprType::Compare: case ExprType::Unary: case ExprType::Const: case ExprType::LocalGet:
        case ExprType::GlobalGet: case ExprType::GlobalSet: case ExprType::Select: case ExprType::Drop:
        case ExprType::Nop: case ExprType::MemorySize: case ExprType::Return:
          break;
        case ExprType::Load:
          if (wabt::cast<wabt::LoadExpr>(&e)->memidx.index() != 0 || wabt::cast<wabt::LoadExpr>(&e)->opcode.GetResultType() == wabt::Type::V128) return false;
          break;
        case ExprType::Store:
          if (wabt::cast<wabt::StoreExpr>(&e)->memidx.index() != 0 || wabt::cast<wabt::StoreExpr>(&e)->opcode.GetParamType2() == wabt::Type::V128) return false;
          break;
        case ExprType::LocalSet: case ExprType::LocalTee: {
          Index local = e.type() == ExprType::LocalSet ? wabt::cast<wabt::LocalSetExpr>(&e)->var.index()
                                                 : wabt::cast<wabt::LocalTeeExpr>(&e)->var.index();
          if (local == fuel_) break;  // the write-back before a return: Synchronize's
          ++writes_[local];
          if (!top) nested_writes_.insert(local);
          break;
        }
        case ExprType::Br:
          if (wabt::cast<wabt::BrExpr>(&e)->var.index() == depth - 1) return false;
          break;
        case ExprType::BrIf:
          if (wabt::cast<wabt::BrIfExpr>(&e)->var.index() == depth - 1 && !last) return false;
          break;
        case ExprType::BrTable: {
          auto* t = wabt::cast<wabt::BrTableExpr>(&e);
          if (t->default_target.index() == depth - 1) return false;
          for (const wabt::Var& v : t->targets) {
            if (v.index() == depth - 1) return false;
          }
          break;
        }
        case ExprType::Block: {
          auto* b = wabt::cast<wabt::BlockExpr>(&e);
          if (b->block.decl.sig.GetNumParams() > 0 || b->block.decl.has_func_type) return false;
          if (!Survey(b->block.exprs, depth + 1, false)) return false;
          break;
        }
        case ExprType::If: {
          auto* b = wabt::cast<wabt::IfExpr>(&e);
          if (b->true_.decl.sig.GetNumParams() > 0 || b->true_.decl.has_func_type) return false;
          if (!Survey(b->true_.exprs, depth + 1, false) || !Survey(b->false_, depth + 1, false)) return false;
          break;
        }
        default: return false;  // calls, nested loops, unreachable, atomics, bulk memory, SIMD, tables, ...
      }
    }
    return true;
  }

  // The counted locals: written once per turn, at the top level of the body,
  // as `local.get L; i32.const k; i32.add (or i32.sub); local.set/tee L`.
  void FindSteps(ExprList& body) {
    std::vector<Expr*> seq;
    for (Expr& e : body) seq.push_back(&e);
    for (size_t i = 3; i < seq.size(); ++i) {
      Expr& w = *seq[i];
      if (w.type() != ExprType::LocalSet && w.type() != ExprType::LocalTee) continue;
      Index local = w.type() == ExprType::LocalSet ? wabt::cast<wabt::LocalSetExpr>(&w)->var.index()
                                                   : wabt::cast<wabt::LocalTeeExpr>(&w)->var.index();
      if (writes_[local] != 1 || nested_writes_.count(local) || f_.GetLocalType(local) != wabt::Type::I32) continue;
      Expr& get = *seq[i - 3];
      Expr& k = *seq[i - 2];
      Expr& op = *seq[i - 1];
      if (get.type() != ExprType::LocalGet || wabt::cast<wabt::LocalGetExpr>(&get)->var.index() != local) continue;
      if (k.type() != ExprType::Const || wabt::cast<wabt::ConstExpr>(&k)->const_.type() != wabt::Type::I32) continue;
      if (op.type() != ExprType::Binary) continue;
      Opcode code = wabt::cast<wabt::BinaryExpr>(&op)->opcode;
      int64_t step = static_cast<int32_t>(wabt::cast<wabt::ConstExpr>(&k)->const_.u32());
      if (code == Opcode::I32Sub) step = -step;
      else if (code != Opcode::I32Add) continue;
      if (step != 0 && step > -kMaxCoefficient && step < kMaxCoefficient) {
        steps_[local] = step;
        step_writes_.insert(&w);
      }
    }
  }

  Symbol Read(Index local) const {
    if (f_.GetLocalType(local) != wabt::Type::I32) return {};
    if (auto step = steps_.find(local); step != steps_.end()) {
      Affine a;
      a.entry[local] = 1;
      a.t = step->second;
      if (stepped_.count(local)) a.c = step->second;
      return a;
    }
    if (!writes_.count(local)) {
      Affine a;
      a.entry[local] = 1;
      return a;
    }
    if (auto d = defined_.find(local); d != defined_.end() && !nested_writes_.count(local)) return d->second;
    return {};
  }

  // Runs the list on a stack of symbols; records the accesses, and at the end
  // of the body the exit. False on what it cannot follow.
  bool Evaluate(ExprList& list, std::vector<Symbol>& stack, bool top) {
    size_t skip = ChargeAt(list, fuel_) ? kChargeLength : 0;
    size_t i = 0;
    auto pop = [&](Symbol& out) {
      if (stack.empty()) return false;
      out = std::move(stack.back());
      stack.pop_back();
      return true;
    };
    for (auto at = list.begin(); at != list.end(); ++at) {
      Expr& e = *at;
      if (i++ < skip) continue;
      Symbol a, b, c;
      switch (e.type()) {
        case ExprType::Const: {
          const wabt::Const& k = wabt::cast<wabt::ConstExpr>(&e)->const_;
          if (k.type() == wabt::Type::I32) {
            Affine v;
            v.c = static_cast<int32_t>(k.u32());
            stack.push_back(v);
          } else {
            stack.push_back({});
          }
          break;
        }
        case ExprType::LocalGet: stack.push_back(Read(wabt::cast<wabt::LocalGetExpr>(&e)->var.index())); break;
        case ExprType::LocalSet:
        case ExprType::LocalTee: {
          Index local = e.type() == ExprType::LocalSet ? wabt::cast<wabt::LocalSetExpr>(&e)->var.index()
                                                       : wabt::cast<wabt::LocalTeeExpr>(&e)->var.index();
          if (!pop(a)) return false;
          if (step_writes_.count(&e)) {
            stepped_.insert(local);
          } else if (top && local != fuel_) {
            defined_[local] = a;
          }
          if (e.type() == ExprType::LocalTee) stack.push_back(Read(local));
          break;
        }
        case ExprType::GlobalGet: case ExprType::MemorySize: stack.push_back({}); break;
        case ExprType::GlobalSet: case ExprType::Drop:
          if (!pop(a)) return false;
          break;
        case ExprType::Nop: break;
        case ExprType::Unary: case ExprType::Convert:
          if (!pop(a)) return false;
          stack.push_back({});
          break;
        case ExprType::Binary: {
          if (!pop(b) || !pop(a)) return false;
          Opcode op = wabt::cast<wabt::BinaryExpr>(&e)->opcode;
          auto* x = std::get_if<Affine>(&a);
          auto* y = std::get_if<Affine>(&b);
          Symbol r;
          if (x && y) {
            if (op == Opcode::I32Add) r = Combine(*x, *y, 1);
            else if (op == Opcode::I32Sub) r = Combine(*x, *y, -1);
            else if (op == Opcode::I32Mul && y->Constant()) r = Scale(*x, y->c);
            else if (op == Opcode::I32Mul && x->Constant()) r = Scale(*y, x->c);
            else if (op == Opcode::I32Shl && y->Constant()) r = Scale(*x, int64_t{1} << (y->c & 31));
          }
          stack.push_back(r);
          break;
        }
        case ExprType::Compare: {
          if (!pop(b) || !pop(a)) return false;
          auto* x = std::get_if<Affine>(&a);
          auto* y = std::get_if<Affine>(&b);
          if (x && y) stack.push_back(Comparison{wabt::cast<wabt::CompareExpr>(&e)->opcode, *x, *y});
          else stack.push_back({});
          break;
        }
        case ExprType::Select:
          if (!pop(c) || !pop(b) || !pop(a)) return false;
          stack.push_back({});
          break;
        case ExprType::Load: {
          auto* l = wabt::cast<wabt::LoadExpr>(&e);
          if (!pop(a)) return false;
          auto* address = std::get_if<Affine>(&a);
          if (!address) return false;
          if (accesses_.size() == kMaxAccesses) return false;
          accesses_.push_back({&list, at, *address, l->offset, l->opcode.GetMemorySize()});
          stack.push_back({});
          break;
        }
        case ExprType::Store: {
          auto* s = wabt::cast<wabt::StoreExpr>(&e);
          if (!pop(b) || !pop(a)) return false;
          auto* address = std::get_if<Affine>(&a);
          if (!address) return false;
          if (accesses_.size() == kMaxAccesses) return false;
          accesses_.push_back({&list, at, *address, s->offset, s->opcode.GetMemorySize()});
          break;
        }
        case ExprType::Block: {
          auto* blk = wabt::cast<wabt::BlockExpr>(&e);
          std::vector<Symbol> inner;
          if (!Evaluate(blk->block.exprs, inner, false)) return false;
          for (Index r = 0; r < blk->block.decl.sig.GetNumResults(); ++r) stack.push_back({});
          break;
        }
        case ExprType::If: {
          auto* blk = wabt::cast<wabt::IfExpr>(&e);
          if (!pop(a)) return false;
          std::vector<Symbol> then_stack, else_stack;
          if (!Evaluate(blk->true_.exprs, then_stack, false) || !Evaluate(blk->false_, else_stack, false)) return false;
          for (Index r = 0; r < blk->true_.decl.sig.GetNumResults(); ++r) stack.push_back({});
          break;
        }
        case ExprType::BrIf: {
          if (!pop(a)) return false;
          if (top && &e == &list.back()) return SetExit(a);
          break;
        }
        case ExprType::Br: case ExprType::BrTable: case ExprType::Return:
          // The rest of this list never runs. At the top level the back
          // edge would not be reached: not a counted loop.
          return !top;
        default: return false;
      }
    }
    return true;
  }

  bool SetExit(const Symbol& condition) {
    if (const auto* w = std::get_if<Affine>(&condition)) {
      if (w->t == 0) return false;
      exit_ = Exit{Opcode::I32Ne, *w, Affine{}};
      return true;
    }
    const auto* cmp = std::get_if<Comparison>(&condition);
    if (!cmp) return false;
    Opcode op = cmp->op;
    Affine w = cmp->lhs, n = cmp->rhs;
    if (w.t == 0) {  // the counted side on the right: mirror
      std::swap(w, n);
      switch (op) {
        case Opcode::I32LtS: op = Opcode::I32GtS; break;
        case Opcode::I32LtU: op = Opcode::I32GtU; break;
        case Opcode::I32LeS: op = Opcode::I32GeS; break;
        case Opcode::I32LeU: op = Opcode::I32GeU; break;
        case Opcode::I32GtS: op = Opcode::I32LtS; break;
        case Opcode::I32GtU: op = Opcode::I32LtU; break;
        case Opcode::I32GeS: op = Opcode::I32LeS; break;
        case Opcode::I32GeU: op = Opcode::I32LeU; break;
        default: break;
      }
    }
    if (w.t == 0 || n.t != 0) return false;
    switch (op) {
      case Opcode::I32Ne: break;
      case Opcode::I32LtS: case Opcode::I32LtU: case Opcode::I32LeS: case Opcode::I32LeU:
        if (w.t < 0) return false;
        break;
      case Opcode::I32GtS: case Opcode::I32GtU: case Opcode::I32GeS: case Opcode::I32GeU:
        if (w.t > 0) return false;
        break;
      default: return false;
    }
    exit_ = Exit{op, w, n};
    return true;
  }

  const wabt::Func& f_;
  Index fuel_;
  int64_t cost_ = 0;
  std::map<Index, int> writes_;
  std::set<Index> nested_writes_;
  std::map<Index, int64_t> steps_;
  std::set<const Expr*> step_writes_;
  std::set<Index> stepped_;
  std::map<Index, Symbol> defined_;
  std::vector<Access> accesses_;
  std::optional<Exit> exit_;
};

// Emits instructions at the end of a list.
class Emitter {
 public:
  explicit Emitter(ExprList& out) : out_(out) {}
  Emitter& Op(Opcode op) {
    out_.push_back(std::make_unique<wabt::BinaryExpr>(op));
    return *this;
  }
  Emitter& Cmp(Opcode op) {
    out_.push_back(std::make_unique<wabt::CompareExpr>(op));
    return *this;
  }
  Emitter& Convert(Opcode op) {
    out_.push_back(std::make_unique<wabt::ConvertExpr>(op));
    return *this;
  }
  Emitter& I64(int64_t v) {
    out_.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(static_cast<uint64_t>(v))));
    return *this;
  }
  Emitter& Get(Index local) {
    out_.push_back(std::make_unique<wabt::LocalGetExpr>(IndexVar(local)));
    return *this;
  }
  Emitter& Set(Index local) {
    out_.push_back(std::make_unique<wabt::LocalSetExpr>(IndexVar(local)));
    return *this;
  }
  // An affine value at the first turn as an i64, reading each local's value
  // from `entry_of(L)` (an i64 local) or, if none, the i32 local itself.
  Emitter& Value(const Affine& a, const std::map<Index, Index>& saved) {
    I64(a.c);
    for (const auto& [local, k] : a.entry) {
      if (auto s = saved.find(local); s != saved.end()) {
        Get(s->second);
      } else {
        Get(local).Convert(Opcode::I64ExtendI32S);
      }
      I64(k).Op(Opcode::I64Mul).Op(Opcode::I64Add);
    }
    return *this;
  }
  ExprList& list() { return out_; }

 private:
  ExprList& out_;
};

// Adds 1 to every branch target in `list` (at `depth` labels inside the loop)
// that leaves the loop: the loop now sits one label deeper, in an `if`.
void DeepenOuterBranches(ExprList& list, Index depth) {
  auto deepen = [&](wabt::Var& v) {
    if (v.index() >= depth) v = IndexVar(v.index() + 1);
  };
  for (Expr& e : list) {
    switch (e.type()) {
      case ExprType::Br: deepen(wabt::cast<wabt::BrExpr>(&e)->var); break;
      case ExprType::BrIf: deepen(wabt::cast<wabt::BrIfExpr>(&e)->var); break;
      case ExprType::BrTable: {
        auto* t = wabt::cast<wabt::BrTableExpr>(&e);
        for (wabt::Var& v : t->targets) deepen(v);
        deepen(t->default_target);
        break;
      }
      case ExprType::Block: DeepenOuterBranches(wabt::cast<wabt::BlockExpr>(&e)->block.exprs, depth + 1); break;
      case ExprType::Loop: DeepenOuterBranches(wabt::cast<wabt::LoopExpr>(&e)->block.exprs, depth + 1); break;
      case ExprType::If: {
        auto* i = wabt::cast<wabt::IfExpr>(&e);
        DeepenOuterBranches(i->true_.exprs, depth + 1);
        DeepenOuterBranches(i->false_, depth + 1);
        break;
      }
      default: break;
    }
  }
}

// Turns every charge in FAST into a plain subtraction (local.get F; i64.const
// N; i64.sub; local.set F): the guard proved none goes below zero.
void UncheckCharges(ExprList& list, Index fuel_local) {
  if (ChargeAt(list, fuel_local)) {
    auto tee = std::next(list.begin(), 3);
    auto end = std::next(list.begin(), kChargeLength);
    list.insert(tee, std::make_unique<wabt::LocalSetExpr>(IndexVar(fuel_local)));
    list.erase(tee, end);
  }
  for (Expr& e : list) {
    if (e.type() == ExprType::Block) UncheckCharges(wabt::cast<wabt::BlockExpr>(&e)->block.exprs, fuel_local);
    if (e.type() == ExprType::If) {
      UncheckCharges(wabt::cast<wabt::IfExpr>(&e)->true_.exprs, fuel_local);
      UncheckCharges(wabt::cast<wabt::IfExpr>(&e)->false_, fuel_local);
    }
  }
}

class Versioner {
 public:
  Versioner(wabt::Func& f, Index fuel_local, uint32_t& next_marker) : f_(f), fuel_(fuel_local), next_(next_marker) {}

  uint32_t Run() {
    Visit(f_.exprs);
    return versioned_;
  }

 private:
  Index NewLocal(wabt::Type type) {
    Index index = f_.GetNumParamsAndLocals();
    f_.local_types.AppendDecl(type, 1);
    return index;
  }

  // Iterative, like the Meter: a module may nest blocks kMaxControlDepth deep.
  void Visit(ExprList& body) {
    std::vector<ExprList*> work{&body};
    while (!work.empty()) {
      ExprList& list = *work.back();
      work.pop_back();
      for (auto it = list.begin(); it != list.end(); ++it) {
        switch (it->type()) {
          case ExprType::Block: work.push_back(&wabt::cast<wabt::BlockExpr>(&*it)->block.exprs); break;
          case ExprType::If:
            work.push_back(&wabt::cast<wabt::IfExpr>(&*it)->true_.exprs);
            work.push_back(&wabt::cast<wabt::IfExpr>(&*it)->false_);
            break;
          case ExprType::Try: {
            auto* t = wabt::cast<wabt::TryExpr>(&*it);
            work.push_back(&t->block.exprs);
            for (wabt::Catch& c : t->catches) work.push_back(&c.exprs);
            break;
          }
          case ExprType::Loop: {
            ExprList& inside = wabt::cast<wabt::LoopExpr>(&*it)->block.exprs;
            if (next_ >= kMaxFastLoops || !Version(list, it)) work.push_back(&inside);  // maybe a loop inside is
            break;
          }
          default: break;
        }
      }
    }
  }

  // Replaces the loop at `at` with the guard and its two versions.
  bool Version(ExprList& list, ExprList::iterator& at) {
    auto* loop = wabt::cast<wabt::LoopExpr>(&*at);
    if (!Shallow(loop->block.exprs)) return false;  // the steps below recurse per level
    std::unique_ptr<Expr> copy = Clone(*loop);
    if (!copy) return false;
    auto* fast = wabt::cast<wabt::LoopExpr>(copy.get());
    Analysis analysis(f_, fuel_);
    if (!analysis.Run(*fast)) return false;
    const uint32_t marker = next_++;
    ++versioned_;

    Index turn = NewLocal(wabt::Type::I64), trips = NewLocal(wabt::Type::I64);
    // The counted locals' entry values, which FAST's addresses use.
    std::map<Index, Index> saved;
    for (const auto& [local, step] : analysis.steps()) saved[local] = NewLocal(wabt::Type::I64);

    ExprList guard;
    Emitter g(guard);
    for (const auto& [local, slot] : saved) g.Get(local).Convert(Opcode::I64ExtendI32S).Set(slot);
    EmitTrips(g, analysis.exit(), saved, trips);  // leaves "T is exact and its values fit" (i32)
    // The fuel covers T turns: fuel >= T * cost.
    g.Get(fuel_).Get(trips).I64(analysis.cost()).Op(Opcode::I64Mul).Cmp(Opcode::I64GeS).Op(Opcode::I32And);
    EmitBounds(g, analysis.accesses(), saved, trips);

    // FAST: addresses from the turn, the charges unchecked, the back edge on T.
    for (const Access& access : analysis.accesses()) Readdress(access, saved, turn);
    UncheckCharges(fast->block.exprs, fuel_);
    ExprList& body = fast->block.exprs;
    auto back = std::prev(body.end());
    body.insert(back, std::make_unique<wabt::DropExpr>());
    ExprList tail;
    Emitter(tail).Get(turn).I64(1).Op(Opcode::I64Add).Set(turn).Get(turn).Get(trips).Cmp(Opcode::I64LtS);
    body.splice(back, tail);

    auto versions = std::make_unique<wabt::IfExpr>();
    versions->true_.decl = loop->block.decl;
    ExprList& then_arm = versions->true_.exprs;
    Emitter(then_arm).I64(static_cast<int64_t>(kFastLoopMarker + 2 * marker)).list().push_back(std::make_unique<wabt::DropExpr>());
    Emitter(then_arm).I64(0).Set(turn);
    DeepenOuterBranches(fast->block.exprs, 1);
    then_arm.push_back(std::move(copy));
    Emitter(then_arm).I64(static_cast<int64_t>(kFastLoopMarker + 2 * marker + 1)).list().push_back(std::make_unique<wabt::DropExpr>());
    auto next = std::next(at);
    std::unique_ptr<Expr> original = list.extract(at);
    DeepenOuterBranches(wabt::cast<wabt::LoopExpr>(original.get())->block.exprs, 1);
    versions->false_.push_back(std::move(original));
    list.splice(next, guard);
    at = list.insert(next, std::move(versions));
    return true;
  }

  // Pushes the i32 "this loop's trip count is known and exact" and leaves it in
  // `trips`. The loop goes round while w(t) op n, w(t) = W0 + Q*t after turn t.
  void EmitTrips(Emitter& g, const Exit& exit, const std::map<Index, Index>& saved, Index trips) {
    Index w0 = NewLocal(wabt::Type::I64), n = NewLocal(wabt::Type::I64), d = NewLocal(wabt::Type::I64);
    const int64_t q = exit.w.t;
    g.Value(exit.w, saved).Set(w0).Value(exit.n, saved).Set(n);
    auto in_i32 = [&](Index v, bool unsigned_range) {
      g.Get(v).I64(unsigned_range ? 0 : kI32Min).Cmp(Opcode::I64GeS).Get(v).I64(kI32Max).Cmp(Opcode::I64LeS).Op(Opcode::I32And);
    };
    Opcode op = exit.op;
    const bool is_unsigned = op == Opcode::I32LtU || op == Opcode::I32LeU || op == Opcode::I32GtU || op == Opcode::I32GeU;
    in_i32(w0, is_unsigned);
    in_i32(n, is_unsigned);
    g.Op(Opcode::I32And);
    if (op == Opcode::I32Ne) {
      // It stops at the turn t where W0 + Q*t == n: (n - W0) / Q, exactly.
      g.Get(n).Get(w0).Op(Opcode::I64Sub).Set(d);
      g.Get(d).I64(q).Op(Opcode::I64RemS).Convert(Opcode::I64Eqz).Op(Opcode::I32And);
      g.Get(d).I64(q).Op(Opcode::I64DivS).I64(1).Op(Opcode::I64Add).Set(trips);
      g.Get(trips).I64(1).Cmp(Opcode::I64GeS).Op(Opcode::I32And);
      return;
    }
    // Up: while w < n (w <= n: while w < n + 1); down: while w > n (w >= n: n - 1).
    const bool up = op == Opcode::I32LtS || op == Opcode::I32LtU || op == Opcode::I32LeS || op == Opcode::I32LeU;
    const bool inclusive = op == Opcode::I32LeS || op == Opcode::I32LeU || op == Opcode::I32GeS || op == Opcode::I32GeU;
    if (inclusive) g.Get(n).I64(up ? 1 : -1).Op(Opcode::I64Add).Set(n);
    const int64_t step = up ? q : -q;  // > 0
    // The distance left; the stopping turn t* = ceil(max(0, distance) / step), T = t* + 1.
    if (up) g.Get(n).Get(w0).Op(Opcode::I64Sub).Set(d);
    else g.Get(w0).Get(n).Op(Opcode::I64Sub).Set(d);
    g.Get(d).I64(0).Get(d).I64(0).Cmp(Opcode::I64GtS);
    g.list().push_back(std::make_unique<wabt::SelectExpr>(wabt::TypeVector{}));
    g.I64(step - 1).Op(Opcode::I64Add).I64(step).Op(Opcode::I64DivS).Set(d);  // t*
    g.Get(d).I64(1).Op(Opcode::I64Add).Set(trips);
    // w(t*) stays in range, so no value in between wraps.
    g.Get(w0).Get(d).I64(q).Op(Opcode::I64Mul).Op(Opcode::I64Add).Set(d);
    if (up) g.Get(d).I64(kI32Max).Cmp(Opcode::I64LeS);
    else g.Get(d).I64(is_unsigned ? 0 : kI32Min).Cmp(Opcode::I64GeS);
    g.Op(Opcode::I32And);
  }

  // ANDs onto the guard: every access is within memory 0 at the first and the
  // last turn (so at every turn between: the address is linear in the turn).
  void EmitBounds(Emitter& g, const std::vector<Access>& accesses, const std::map<Index, Index>& saved, Index trips) {
    struct Group {
      Affine base;  // c = 0
      int64_t low, high;
    };
    std::vector<Group> groups;
    for (const Access& a : accesses) {
      Affine base = a.address;
      int64_t low = a.address.c + static_cast<int64_t>(a.offset);
      int64_t high = low + static_cast<int64_t>(a.size);
      base.c = 0;
      auto same = std::find_if(groups.begin(), groups.end(),
                               [&](const Group& x) { return x.base.entry == base.entry && x.base.t == base.t; });
      if (same == groups.end()) {
        groups.push_back({base, low, high});
      } else {
        same->low = std::min(same->low, low);
        same->high = std::max(same->high, high);
      }
    }
    if (groups.empty()) return;
    Index memory = NewLocal(wabt::Type::I64), first = NewLocal(wabt::Type::I64), last = NewLocal(wabt::Type::I64);
    g.list().push_back(std::make_unique<wabt::MemorySizeExpr>(IndexVar(0)));
    g.Convert(Opcode::I64ExtendI32U).I64(16).Op(Opcode::I64Shl).Set(memory);
    for (const Group& group : groups) {
      g.Value(group.base, saved).Set(first);
      g.Get(first).Get(trips).I64(1).Op(Opcode::I64Sub).I64(group.base.t).Op(Opcode::I64Mul).Op(Opcode::I64Add).Set(last);
      for (Index end : {first, last}) {
        g.Get(end).I64(group.low).Op(Opcode::I64Add).I64(0).Cmp(Opcode::I64GeS).Op(Opcode::I32And);
        g.Get(end).I64(group.high).Op(Opcode::I64Add).Get(memory).Cmp(Opcode::I64LeS).Op(Opcode::I32And);
      }
    }
  }

  // Replaces an access's address in FAST by its value from the turn, in i64
  // and wrapped: (drop the old one) c + sum(k * entry) + t * turn.
  void Readdress(const Access& access, const std::map<Index, Index>& saved, Index turn) {
    ExprList code;
    Emitter e(code);
    std::optional<Index> value;
    if (access.at->type() == ExprType::Store) {
      value = NewLocal(wabt::cast<wabt::StoreExpr>(&*access.at)->opcode.GetParamType2());
      e.Set(*value);
    }
    code.push_back(std::make_unique<wabt::DropExpr>());
    Affine address = access.address;
    e.Value(address, saved).Get(turn).I64(address.t).Op(Opcode::I64Mul).Op(Opcode::I64Add);
    e.Convert(Opcode::I32WrapI64);
    if (value) e.Get(*value);
    access.list->splice(access.at, code);
  }

  wabt::Func& f_;
  Index fuel_;
  uint32_t& next_;
  uint32_t versioned_ = 0;
};

}  // namespace

uint32_t VersionCountedLoops(wabt::Func& f, uint32_t fuel_local, uint32_t& next_marker) {
  return Versioner(f, fuel_local, next_marker).Run();
}

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// The marker number a line `w2c_jN = VALUEull;` holds, if it is one.
std::optional<uint64_t> MarkerIn(const std::string& line) {
  static const std::regex marker(R"(^\s*w2c_j\d+ = (\d+)ull;$)");
  if (line.find("ull;") == std::string::npos) return std::nullopt;  // most lines: no regex
  std::smatch m;
  if (!std::regex_match(line, m, marker)) return std::nullopt;
  uint64_t value = std::stoull(m[1].str());
  if (!IsFastLoopMarker(value)) return std::nullopt;
  return value - kFastLoopMarker;
}

}  // namespace

// wasm2c 1.0.32 writes FAST's accesses as (tests/runtime/loop_versioning_test.cc):
//     w2c_i0 = (u32)(w2c_j0);                      the i64 address, wrapped
//     w2c_i1 = w2c_l13;                            (a store: its value)
//     i32_store8(&instance->w2c_memory, (u64)(w2c_i0) + 4u, w2c_i1);
// and this makes the last line wasmiot_fast_i32_store8(data, w2c_j0 + 4u, w2c_i1),
// an access without a bounds check at the address gcc sees as affine in the
// turn, from a data pointer in a local that no store can alias.
uint32_t RewriteFastLoopsInC(std::string& c) {
  static const std::regex definition(R"(^DEFINE_(LOAD|STORE)\((\w+), (.*)\)$)");
  // wasm2c's names for its stack slots and locals: w2c_i0, w2c_f8_0 (renamed
  // away from a function w2c_f8), w2c_l13.
  static const std::regex wrap(R"(^\s*(w2c_i\d+(?:_\d+)*) = \(u32\)\((w2c_j\d+(?:_\d+)*)\);$)");
  static const std::regex value(R"(^\s*w2c_[a-z]\d+(?:_\d+)* = w2c_l\d+(?:_\d+)*;$)");
  static const std::regex access(
      R"(^(\s*(?:w2c_[a-z]\d+(?:_\d+)* = )?)(\w+)\((&?instance->\w+), \(u64\)\((w2c_i\d+(?:_\d+)*)\)( \+ \d+[uUlL]*)?(, w2c_[a-z]\d+(?:_\d+)*)?\);$)");
  std::vector<std::string> lines = Lines(c);
  std::set<std::string> fast_names;
  size_t last_definition = 0;
  std::string helpers =
      "#define WASMIOT_FAST_LOAD(name, t1, t2, t3) static inline t3 wasmiot_fast_##name(u8* d, u64 a) "
      "{ t1 r; wasm_rt_memcpy(&r, d + a, sizeof(t1)); return (t3)(t2)r; }\n"
      "#define WASMIOT_FAST_STORE(name, t1, t2) static inline void wasmiot_fast_##name(u8* d, u64 a, t2 v) "
      "{ t1 w = (t1)v; wasm_rt_memcpy(d + a, &w, sizeof(t1)); }\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (lines[i].rfind("DEFINE_", 0) != 0 || !std::regex_match(lines[i], m, definition)) continue;
    fast_names.insert(m[2].str());
    helpers += fmt::format("WASMIOT_FAST_{}({}, {})\n", m[1].str(), m[2].str(), m[3].str());
    last_definition = i;
  }
  if (fast_names.empty()) return 0;

  uint32_t rewritten = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::optional<uint64_t> begin = MarkerIn(lines[i]);
    if (!begin || *begin % 2 != 0) continue;
    const std::string data = fmt::format("wasmiot_fast_data_{}", *begin / 2);
    size_t end = i + 1;
    while (end < lines.size() && MarkerIn(lines[end]) != std::optional<uint64_t>(*begin + 1)) ++end;
    if (end == lines.size()) break;  // no end marker: leave the rest as it is
    std::string memory;
    for (size_t j = i + 1; j < end; ++j) {
      std::smatch w, a;
      if (!std::regex_match(lines[j], w, wrap)) continue;
      size_t at = j + 1;
      if (at < lines.size() && std::regex_match(lines[at], value)) ++at;
      if (at >= end || !std::regex_match(lines[at], a, access) || a[4].str() != w[1].str() ||
          !fast_names.count(a[2].str()) || (!memory.empty() && memory != a[3].str())) {
        continue;
      }
      memory = a[3].str();
      lines[at] = fmt::format("{}wasmiot_fast_{}({}, {}{}{});", a[1].str(), a[2].str(), data, w[2].str(),
                              a[5].str(), a[6].str());
      ++rewritten;
    }
    // The pointer, in a local from the marker on (after an empty statement: a
    // declaration may not follow a label). The loop grows no memory.
    lines[i] = memory.empty() ? ";" : fmt::format(";u8* const {} = ({})->data;", data, memory);
    lines[end] = ";";
    i = end;
  }
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(last_definition) + 1, helpers);
  c.clear();
  for (const std::string& line : lines) {
    c += line;
    c += '\n';
  }
  return rewritten;
}

}  // namespace wasmiot
