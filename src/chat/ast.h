// The parsed template: expressions and statements, each with the line and column it started at
// so that render errors point into the template.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chat/value.h"

namespace akunu::chat {

struct Location {
    int line = 0;
    int column = 0;
};

// ---- expressions ----

enum class ExprKind { Literal, Name, List, Tuple, Dict, Attribute, Item, Slice, Call, Filter, Test, Unary, Binary, Compare, Conditional };

struct Expr {
    explicit Expr(ExprKind k, Location l) : kind(k), loc(l) {}
    virtual ~Expr() = default;
    ExprKind kind;
    Location loc;
};
using ExprPtr = std::unique_ptr<Expr>;

struct LiteralExpr : Expr {
    LiteralExpr(Value v, Location l) : Expr(ExprKind::Literal, l), value(std::move(v)) {}
    Value value;
};

struct NameExpr : Expr {
    NameExpr(std::string n, Location l) : Expr(ExprKind::Name, l), name(std::move(n)) {}
    std::string name;
};

struct SequenceExpr : Expr {  // List or Tuple
    SequenceExpr(ExprKind k, Location l) : Expr(k, l) {}
    std::vector<ExprPtr> items;
};

struct DictExpr : Expr {
    explicit DictExpr(Location l) : Expr(ExprKind::Dict, l) {}
    std::vector<std::pair<ExprPtr, ExprPtr>> entries;
};

struct AttributeExpr : Expr {  // obj.name
    AttributeExpr(ExprPtr o, std::string n, Location l) : Expr(ExprKind::Attribute, l), object(std::move(o)), name(std::move(n)) {}
    ExprPtr object;
    std::string name;
};

struct ItemExpr : Expr {  // obj[key]
    ItemExpr(ExprPtr o, ExprPtr k, Location l) : Expr(ExprKind::Item, l), object(std::move(o)), key(std::move(k)) {}
    ExprPtr object;
    ExprPtr key;
};

struct SliceExpr : Expr {  // obj[start:stop:step]
    SliceExpr(ExprPtr o, Location l) : Expr(ExprKind::Slice, l), object(std::move(o)) {}
    ExprPtr object;
    ExprPtr start, stop, step;  // each may be null
};

struct Arguments {
    std::vector<ExprPtr> positional;
    std::vector<std::pair<std::string, ExprPtr>> named;
};

struct CallExpr : Expr {
    CallExpr(ExprPtr c, Location l) : Expr(ExprKind::Call, l), callee(std::move(c)) {}
    ExprPtr callee;
    Arguments args;
};

struct FilterExpr : Expr {  // operand | name(args); operand is null inside {% filter %} blocks
    FilterExpr(ExprPtr o, std::string n, Location l) : Expr(ExprKind::Filter, l), operand(std::move(o)), name(std::move(n)) {}
    ExprPtr operand;
    std::string name;
    Arguments args;
};

struct TestExpr : Expr {  // operand is [not] name(args)
    TestExpr(ExprPtr o, std::string n, Location l) : Expr(ExprKind::Test, l), operand(std::move(o)), name(std::move(n)) {}
    ExprPtr operand;
    std::string name;
    Arguments args;
    bool negated = false;
};

enum class UnaryOp { Not, Negate, Plus };

struct UnaryExpr : Expr {
    UnaryExpr(UnaryOp o, ExprPtr e, Location l) : Expr(ExprKind::Unary, l), op(o), operand(std::move(e)) {}
    UnaryOp op;
    ExprPtr operand;
};

enum class BinaryOp { And, Or, Add, Subtract, Multiply, Divide, FloorDivide, Modulo, Power, Concat };

struct BinaryExpr : Expr {
    BinaryExpr(BinaryOp o, ExprPtr a, ExprPtr b, Location l)
        : Expr(ExprKind::Binary, l), op(o), left(std::move(a)), right(std::move(b)) {}
    BinaryOp op;
    ExprPtr left, right;
};

enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };

struct CompareExpr : Expr {  // a < b <= c ... chained as Python chains them
    CompareExpr(ExprPtr first, Location l) : Expr(ExprKind::Compare, l), first(std::move(first)) {}
    ExprPtr first;
    std::vector<std::pair<CompareOp, ExprPtr>> rest;
};

struct ConditionalExpr : Expr {  // then if test else otherwise
    ConditionalExpr(ExprPtr t, ExprPtr c, Location l) : Expr(ExprKind::Conditional, l), then(std::move(t)), test(std::move(c)) {}
    ExprPtr then, test, otherwise;  // otherwise may be null: the result is then undefined
};

// ---- statements ----

enum class StmtKind { Text, Print, If, For, Set, SetBlock, Macro, CallBlock, FilterBlock, Break, Continue, Do };

struct Stmt {
    explicit Stmt(StmtKind k, Location l) : kind(k), loc(l) {}
    virtual ~Stmt() = default;
    StmtKind kind;
    Location loc;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct TextStmt : Stmt {
    TextStmt(std::string t, Location l) : Stmt(StmtKind::Text, l), text(std::move(t)) {}
    std::string text;
};

struct PrintStmt : Stmt {
    PrintStmt(ExprPtr e, Location l) : Stmt(StmtKind::Print, l), expr(std::move(e)) {}
    ExprPtr expr;
};

struct IfStmt : Stmt {
    explicit IfStmt(Location l) : Stmt(StmtKind::If, l) {}
    std::vector<std::pair<ExprPtr, Body>> branches;  // if, then each elif
    Body otherwise;
};

// What an assignment or loop binds: one name, several names unpacked from a sequence, or an
// attribute of a namespace object.
struct Target {
    std::vector<std::string> names;
    bool unpack = false;              // "a, b" or "(a, b)": unpack even a single name
    std::string namespace_attribute;  // set for "ns.attr": names[0] is the namespace
    Location loc;
};

struct ForStmt : Stmt {
    explicit ForStmt(Location l) : Stmt(StmtKind::For, l) {}
    Target target;
    ExprPtr iterable;
    ExprPtr filter;  // "for x in xs if cond"; may be null
    Body body;
    Body otherwise;  // rendered when nothing was iterated
};

struct SetStmt : Stmt {
    explicit SetStmt(Location l) : Stmt(StmtKind::Set, l) {}
    Target target;
    ExprPtr value;
};

struct SetBlockStmt : Stmt {  // {% set x | filters %}body{% endset %}
    explicit SetBlockStmt(Location l) : Stmt(StmtKind::SetBlock, l) {}
    Target target;
    ExprPtr filter;  // FilterExpr chain with a null innermost operand; may be null
    Body body;
};

struct Parameter {
    std::string name;
    ExprPtr default_value;  // may be null
};

struct MacroStmt : Stmt {
    explicit MacroStmt(Location l) : Stmt(StmtKind::Macro, l) {}
    std::string name;
    std::vector<Parameter> params;
    Body body;
};

struct CallBlockStmt : Stmt {  // {% call(params) macro(args) %}body{% endcall %}
    explicit CallBlockStmt(Location l) : Stmt(StmtKind::CallBlock, l) {}
    std::vector<Parameter> caller_params;
    ExprPtr call;
    Body body;
};

struct FilterBlockStmt : Stmt {
    explicit FilterBlockStmt(Location l) : Stmt(StmtKind::FilterBlock, l) {}
    ExprPtr filter;  // FilterExpr chain with a null innermost operand
    Body body;
};

struct LoopControlStmt : Stmt {  // Break or Continue
    LoopControlStmt(StmtKind k, Location l) : Stmt(k, l) {}
};

struct DoStmt : Stmt {
    DoStmt(ExprPtr e, Location l) : Stmt(StmtKind::Do, l), expr(std::move(e)) {}
    ExprPtr expr;
};

}  // namespace akunu::chat
