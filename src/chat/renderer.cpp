#include "chat/renderer.h"

#include "chat/builtins.h"
#include "chat/globals.h"
#include "chat/template_error.h"
#include "chat/value_format.h"
#include "chat/value_ops.h"

namespace akunu::chat {

namespace {

struct Frame {
    explicit Frame(std::shared_ptr<Frame> p) : parent(std::move(p)) {}
    std::unordered_map<std::string, Value> vars;
    std::shared_ptr<Frame> parent;

    const Value* lookup(const std::string& name) const {
        for (const Frame* f = this; f; f = f->parent.get()) {
            auto it = f->vars.find(name);
            if (it != f->vars.end()) return &it->second;
        }
        return nullptr;
    }
};
using FramePtr = std::shared_ptr<Frame>;

enum class Flow { Normal, Break, Continue };

class Renderer {
public:
    Renderer(const RenderLimits& limits, std::function<std::time_t()> now) : limits_(limits) {
        builtins_.filter = [this](const std::string& name, const Value& operand, CallArgs& args) {
            step();
            return apply_filter(name, operand, args, builtins_);
        };
        builtins_.test = [this](const std::string& name, const Value& operand, CallArgs& args) {
            step();
            return apply_test(name, operand, args, builtins_);
        };
        GlobalsHooks hooks;
        hooks.now = std::move(now);
        hooks.track_namespace = [this](const std::shared_ptr<ObjectData>& ns) { namespaces_.push_back(ns); };
        globals_ = std::make_shared<Frame>(nullptr);
        globals_->vars = make_globals(hooks);
    }

    // Values may reference each other in cycles only through namespaces (the one mutable kind),
    // closures over frames (macros, callers) and loop.changed's memory; emptying those frees
    // every cycle.
    ~Renderer() {
        for (auto& ns : namespaces_) ns->entries.clear();
        for (auto& f : closure_frames_) f->vars.clear();
        for (auto& c : changed_states_) *c = Value();
    }

    std::string run(const Body& body, std::unordered_map<std::string, Value> variables) {
        auto root = std::make_shared<Frame>(globals_);
        root->vars = std::move(variables);
        std::string out;
        exec_body(body, root, out);
        return out;
    }

private:
    const RenderLimits& limits_;
    BuiltinContext builtins_;
    FramePtr globals_;
    uint64_t steps_ = 0;
    int call_depth_ = 0;
    std::vector<std::shared_ptr<ObjectData>> namespaces_;
    std::vector<FramePtr> closure_frames_;
    std::vector<std::shared_ptr<Value>> changed_states_;  // loop.changed(loop) holds the loop through itself

    void step() {
        if (++steps_ > limits_.max_steps)
            throw TemplateError(TemplateErrorKind::Limit, "render exceeded " + std::to_string(limits_.max_steps) + " steps");
    }

    void append(std::string& out, const std::string& s) {
        if (out.size() + s.size() > limits_.max_output_bytes)
            throw TemplateError(TemplateErrorKind::Limit,
                                "render output exceeded " + std::to_string(limits_.max_output_bytes) + " bytes");
        out += s;
    }

    // ---- statements ----

    Flow exec_body(const Body& body, const FramePtr& frame, std::string& out) {
        for (const auto& stmt : body) {
            Flow flow = exec(*stmt, frame, out);
            if (flow != Flow::Normal) return flow;
        }
        return Flow::Normal;
    }

    Flow exec(const Stmt& s, const FramePtr& frame, std::string& out) {
        try {
            step();
            return exec_inner(s, frame, out);
        } catch (const TemplateError& err) {
            if (err.has_location()) throw;
            throw err.located(s.loc.line, s.loc.column);
        }
    }

    Flow exec_inner(const Stmt& s, const FramePtr& frame, std::string& out) {
        switch (s.kind) {
            case StmtKind::Text: append(out, static_cast<const TextStmt&>(s).text); return Flow::Normal;
            case StmtKind::Print: append(out, to_str(eval(*static_cast<const PrintStmt&>(s).expr, frame))); return Flow::Normal;
            case StmtKind::If: {
                const auto& node = static_cast<const IfStmt&>(s);
                for (const auto& [cond, body] : node.branches)
                    if (eval(*cond, frame).truthy()) return exec_body(body, frame, out);
                return exec_body(node.otherwise, frame, out);
            }
            case StmtKind::For: return exec_for(static_cast<const ForStmt&>(s), frame, out);
            case StmtKind::Set: {
                const auto& node = static_cast<const SetStmt&>(s);
                assign(node.target, eval(*node.value, frame), frame);
                return Flow::Normal;
            }
            case StmtKind::SetBlock: {
                const auto& node = static_cast<const SetBlockStmt&>(s);
                Value captured(render_scoped(node.body, frame));
                if (node.filter) captured = apply_filter_chain(*node.filter, captured, frame);
                assign(node.target, captured, frame);
                return Flow::Normal;
            }
            case StmtKind::Macro: {
                const auto& node = static_cast<const MacroStmt&>(s);
                frame->vars[node.name] = make_macro(node, frame);
                return Flow::Normal;
            }
            case StmtKind::CallBlock: return exec_call_block(static_cast<const CallBlockStmt&>(s), frame, out);
            case StmtKind::FilterBlock: {
                const auto& node = static_cast<const FilterBlockStmt&>(s);
                Value body(render_scoped(node.body, frame));
                append(out, to_str(apply_filter_chain(*node.filter, body, frame)));
                return Flow::Normal;
            }
            case StmtKind::Break: return Flow::Break;
            case StmtKind::Continue: return Flow::Continue;
            case StmtKind::Do: eval(*static_cast<const DoStmt&>(s).expr, frame); return Flow::Normal;
        }
        return Flow::Normal;
    }

    std::string render_scoped(const Body& body, const FramePtr& frame) {
        std::string captured;
        exec_body(body, std::make_shared<Frame>(frame), captured);
        return captured;
    }

    void assign(const Target& t, const Value& v, const FramePtr& frame) {
        if (!t.namespace_attribute.empty()) {
            const Value* ns = frame->lookup(t.names[0]);
            if (!ns || !ns->is_namespace()) throw_runtime("cannot assign attribute on non-namespace object");
            ns->object_ptr()->set(t.namespace_attribute, v);
            return;
        }
        if (!t.unpack) {
            frame->vars[t.names[0]] = v;
            return;
        }
        std::vector<Value> items = ops::iterate(v);
        if (items.size() < t.names.size())
            throw_runtime("not enough values to unpack (expected " + std::to_string(t.names.size()) + ", got " +
                          std::to_string(items.size()) + ")");
        if (items.size() > t.names.size())
            throw_runtime("too many values to unpack (expected " + std::to_string(t.names.size()) + ")");
        for (size_t i = 0; i < items.size(); ++i) frame->vars[t.names[i]] = items[i];
    }

    Value make_loop(size_t i, const std::vector<Value>& items, const std::shared_ptr<Value>& last_changed) {
        auto loop = std::make_shared<ObjectData>();
        int64_t n = (int64_t)items.size(), idx = (int64_t)i;
        loop->entries.reserve(14);
        loop->entries.emplace_back("index", Value(idx + 1));
        loop->entries.emplace_back("index0", Value(idx));
        loop->entries.emplace_back("revindex", Value(n - idx));
        loop->entries.emplace_back("revindex0", Value(n - idx - 1));
        loop->entries.emplace_back("first", Value(idx == 0));
        loop->entries.emplace_back("last", Value(idx == n - 1));
        loop->entries.emplace_back("length", Value(n));
        loop->entries.emplace_back("depth", Value((int64_t)1));
        loop->entries.emplace_back("depth0", Value((int64_t)0));
        loop->entries.emplace_back("previtem", i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
        loop->entries.emplace_back("nextitem", i + 1 < items.size() ? items[i + 1] : Value::undefined("there is no next item"));
        loop->entries.emplace_back("cycle", Value::function("cycle", [idx](CallArgs& args) {
            if (args.positional.empty()) throw_runtime("no items for cycling given");
            return args.positional[(size_t)idx % args.positional.size()];
        }));
        loop->entries.emplace_back("changed", Value::function("changed", [last_changed](CallArgs& args) {
            Value current = Value::array(args.positional, true);
            if (!last_changed->is_undefined() && ops::equals(*last_changed, current)) return Value(false);
            *last_changed = current;
            return Value(true);
        }));
        return Value::object(std::move(loop));
    }

    Flow exec_for(const ForStmt& node, const FramePtr& frame, std::string& out) {
        std::vector<Value> items = ops::iterate(eval(*node.iterable, frame));
        if (node.filter) {
            std::vector<Value> kept;
            for (const Value& item : items) {
                step();
                auto scope = std::make_shared<Frame>(frame);
                assign(node.target, item, scope);
                if (eval(*node.filter, scope).truthy()) kept.push_back(item);
            }
            items = std::move(kept);
        }
        auto last_changed = std::make_shared<Value>();
        changed_states_.push_back(last_changed);
        for (size_t i = 0; i < items.size(); ++i) {
            step();
            auto scope = std::make_shared<Frame>(frame);
            assign(node.target, items[i], scope);
            scope->vars["loop"] = make_loop(i, items, last_changed);
            if (exec_body(node.body, scope, out) == Flow::Break) break;
        }
        if (items.empty()) exec_body(node.otherwise, std::make_shared<Frame>(frame), out);
        return Flow::Normal;
    }

    struct CallDepth {
        Renderer& r;
        explicit CallDepth(Renderer& renderer) : r(renderer) {
            if (++r.call_depth_ > r.limits_.max_call_depth) {
                --r.call_depth_;
                throw TemplateError(TemplateErrorKind::Limit,
                                    "macro calls nested deeper than " + std::to_string(r.limits_.max_call_depth));
            }
        }
        ~CallDepth() { --r.call_depth_; }
    };

    // Binds a call's arguments to parameters the way jinja2 macros do: missing ones take their
    // default (evaluated in the call's scope) or are undefined; extra ones land in varargs/kwargs.
    FramePtr bind_parameters(const std::string& name, const std::vector<Parameter>& params, const FramePtr& parent,
                             CallArgs& args) {
        auto scope = std::make_shared<Frame>(parent);
        std::vector<bool> bound(params.size(), false);
        std::vector<Value> varargs;
        for (size_t i = 0; i < args.positional.size(); ++i) {
            if (i < params.size()) {
                scope->vars[params[i].name] = args.positional[i];
                bound[i] = true;
            } else {
                varargs.push_back(args.positional[i]);
            }
        }
        auto kwargs = std::make_shared<ObjectData>();
        for (auto& [key, value] : args.named) {
            size_t i = 0;
            while (i < params.size() && params[i].name != key) ++i;
            if (i < params.size()) {
                if (bound[i]) throw_runtime("macro '" + name + "' got multiple values for argument '" + key + "'");
                scope->vars[key] = value;
                bound[i] = true;
            } else if (key == "caller") {
                scope->vars["caller"] = value;
            } else {
                kwargs->set(key, value);
            }
        }
        for (size_t i = 0; i < params.size(); ++i) {
            if (bound[i]) continue;
            scope->vars[params[i].name] = params[i].default_value
                                              ? eval(*params[i].default_value, scope)
                                              : Value::undefined("parameter '" + params[i].name + "' was not provided");
        }
        scope->vars["varargs"] = Value::array(std::move(varargs), true);
        scope->vars["kwargs"] = Value::object(std::move(kwargs));
        return scope;
    }

    Value make_macro(const MacroStmt& node, const FramePtr& frame) {
        closure_frames_.push_back(frame);
        const MacroStmt* m = &node;
        FramePtr defining = frame;
        return Value::function(node.name, [this, m, defining](CallArgs& args) {
            CallDepth depth(*this);
            FramePtr scope = bind_parameters(m->name, m->params, defining, args);
            std::string out;
            exec_body(m->body, scope, out);
            return Value(std::move(out));
        });
    }

    Flow exec_call_block(const CallBlockStmt& node, const FramePtr& frame, std::string& out) {
        const auto& call = static_cast<const CallExpr&>(*node.call);
        Value callee = eval(*call.callee, frame);
        CallArgs args = eval_arguments(call.args, frame);
        closure_frames_.push_back(frame);
        const CallBlockStmt* block = &node;
        FramePtr defining = frame;
        args.named.emplace_back("caller", Value::function("caller", [this, block, defining](CallArgs& a) {
            CallDepth depth(*this);
            FramePtr scope = bind_parameters("caller", block->caller_params, defining, a);
            std::string captured;
            exec_body(block->body, scope, captured);
            return Value(std::move(captured));
        }));
        append(out, to_str(call_value(callee, args)));
        return Flow::Normal;
    }

    // ---- expressions ----

    Value eval(const Expr& e, const FramePtr& frame) {
        try {
            return eval_inner(e, frame);
        } catch (const TemplateError& err) {
            if (err.has_location()) throw;
            throw err.located(e.loc.line, e.loc.column);
        }
    }

    CallArgs eval_arguments(const Arguments& a, const FramePtr& frame) {
        CallArgs args;
        args.positional.reserve(a.positional.size());
        for (const auto& p : a.positional) args.positional.push_back(eval(*p, frame));
        for (const auto& [name, expr] : a.named) args.named.emplace_back(name, eval(*expr, frame));
        return args;
    }

    Value call_value(const Value& callee, CallArgs& args) {
        step();
        if (callee.is_function()) return callee.function().call(args);
        if (callee.is_undefined()) ops::fail_undefined(callee);
        throw_runtime(std::string("'") + callee.type_name() + "' object is not callable");
    }

    // A FilterExpr chain whose innermost operand is null, applied to `input`.
    Value apply_filter_chain(const Expr& chain, const Value& input, const FramePtr& frame) {
        const auto& f = static_cast<const FilterExpr&>(chain);
        Value operand = f.operand ? apply_filter_chain(*f.operand, input, frame) : input;
        CallArgs args = eval_arguments(f.args, frame);
        return builtins_.filter(f.name, operand, args);
    }

    static std::optional<int64_t> slice_bound(const Value& v) {
        if (v.is_none()) return std::nullopt;
        if (!v.is_integral()) throw_runtime("slice indices must be integers or None");
        return v.as_int();
    }

    Value eval_inner(const Expr& e, const FramePtr& frame) {
        switch (e.kind) {
            case ExprKind::Literal: return static_cast<const LiteralExpr&>(e).value;
            case ExprKind::Name: {
                const auto& name = static_cast<const NameExpr&>(e).name;
                if (const Value* v = frame->lookup(name)) return *v;
                return Value::undefined("'" + name + "' is undefined");
            }
            case ExprKind::List:
            case ExprKind::Tuple: {
                const auto& seq = static_cast<const SequenceExpr&>(e);
                std::vector<Value> items;
                items.reserve(seq.items.size());
                for (const auto& item : seq.items) items.push_back(eval(*item, frame));
                return Value::array(std::move(items), e.kind == ExprKind::Tuple);
            }
            case ExprKind::Dict: {
                auto data = std::make_shared<ObjectData>();
                for (const auto& [k, v] : static_cast<const DictExpr&>(e).entries) {
                    Value key = eval(*k, frame);
                    if (!key.is_string()) throw_unsupported("dict keys other than strings");
                    data->set(key.as_string(), eval(*v, frame));
                }
                return Value::object(std::move(data));
            }
            case ExprKind::Attribute: {
                const auto& a = static_cast<const AttributeExpr&>(e);
                return ops::get_attribute(eval(*a.object, frame), a.name);
            }
            case ExprKind::Item: {
                const auto& a = static_cast<const ItemExpr&>(e);
                Value obj = eval(*a.object, frame);
                return ops::get_item(obj, eval(*a.key, frame));
            }
            case ExprKind::Slice: {
                const auto& sl = static_cast<const SliceExpr&>(e);
                Value obj = eval(*sl.object, frame);
                std::optional<int64_t> start, stop, stride;
                if (sl.start) start = slice_bound(eval(*sl.start, frame));
                if (sl.stop) stop = slice_bound(eval(*sl.stop, frame));
                if (sl.step) stride = slice_bound(eval(*sl.step, frame));
                return ops::slice(obj, start, stop, stride);
            }
            case ExprKind::Call: {
                const auto& c = static_cast<const CallExpr&>(e);
                Value callee = eval(*c.callee, frame);
                CallArgs args = eval_arguments(c.args, frame);
                return call_value(callee, args);
            }
            case ExprKind::Filter: {
                const auto& f = static_cast<const FilterExpr&>(e);
                Value operand = eval(*f.operand, frame);
                CallArgs args = eval_arguments(f.args, frame);
                return builtins_.filter(f.name, operand, args);
            }
            case ExprKind::Test: {
                const auto& t = static_cast<const TestExpr&>(e);
                Value operand = eval(*t.operand, frame);
                CallArgs args = eval_arguments(t.args, frame);
                return Value(builtins_.test(t.name, operand, args) != t.negated);
            }
            case ExprKind::Unary: {
                const auto& u = static_cast<const UnaryExpr&>(e);
                Value v = eval(*u.operand, frame);
                if (u.op == UnaryOp::Not) return Value(!v.truthy());
                return u.op == UnaryOp::Negate ? ops::negate(v) : ops::positive(v);
            }
            case ExprKind::Binary: return eval_binary(static_cast<const BinaryExpr&>(e), frame);
            case ExprKind::Compare: {
                const auto& c = static_cast<const CompareExpr&>(e);
                Value left = eval(*c.first, frame);
                for (const auto& [op, expr] : c.rest) {
                    Value right = eval(*expr, frame);
                    if (!compare_once(op, left, right)) return Value(false);
                    left = std::move(right);
                }
                return Value(true);
            }
            case ExprKind::Conditional: {
                const auto& c = static_cast<const ConditionalExpr&>(e);
                if (eval(*c.test, frame).truthy()) return eval(*c.then, frame);
                if (c.otherwise) return eval(*c.otherwise, frame);
                return Value::undefined("the inline if-expression on line " + std::to_string(e.loc.line) +
                                        " evaluated to false and no else section was defined.");
            }
        }
        return Value();
    }

    static bool compare_once(CompareOp op, const Value& a, const Value& b) {
        switch (op) {
            case CompareOp::Eq: return ops::equals(a, b);
            case CompareOp::Ne: return !ops::equals(a, b);
            case CompareOp::Lt: return ops::compare(a, b, "<");
            case CompareOp::Le: return ops::compare(a, b, "<=");
            case CompareOp::Gt: return ops::compare(a, b, ">");
            case CompareOp::Ge: return ops::compare(a, b, ">=");
            case CompareOp::In: return ops::contains(b, a);
            case CompareOp::NotIn: return !ops::contains(b, a);
        }
        return false;
    }

    Value eval_binary(const BinaryExpr& b, const FramePtr& frame) {
        if (b.op == BinaryOp::And) {
            Value left = eval(*b.left, frame);
            return left.truthy() ? eval(*b.right, frame) : left;
        }
        if (b.op == BinaryOp::Or) {
            Value left = eval(*b.left, frame);
            return left.truthy() ? left : eval(*b.right, frame);
        }
        Value left = eval(*b.left, frame);
        Value right = eval(*b.right, frame);
        switch (b.op) {
            case BinaryOp::Add: return ops::add(left, right);
            case BinaryOp::Subtract: return ops::subtract(left, right);
            case BinaryOp::Multiply: return ops::multiply(left, right);
            case BinaryOp::Divide: return ops::divide(left, right);
            case BinaryOp::FloorDivide: return ops::floor_divide(left, right);
            case BinaryOp::Modulo: return ops::modulo(left, right);
            case BinaryOp::Power: return ops::power(left, right);
            case BinaryOp::Concat: {
                std::string l = left.is_string() ? std::string() : to_str(left);
                std::string r = right.is_string() ? std::string() : to_str(right);
                const std::string& a = left.is_string() ? left.as_string() : l;
                const std::string& c = right.is_string() ? right.as_string() : r;
                if (a.size() + c.size() > limits_.max_output_bytes)
                    throw TemplateError(TemplateErrorKind::Limit, "string too long");
                std::string joined;
                joined.reserve(a.size() + c.size());
                joined += a;
                joined += c;
                return Value(std::move(joined));
            }
            default: return Value();
        }
    }
};

}  // namespace

std::string render_body(const Body& body, std::unordered_map<std::string, Value> variables, const RenderLimits& limits,
                        std::function<std::time_t()> now) {
    Renderer renderer(limits, std::move(now));
    return renderer.run(body, std::move(variables));
}

}  // namespace akunu::chat
