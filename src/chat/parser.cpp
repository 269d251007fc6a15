#include "chat/parser.h"

#include <initializer_list>

#include "chat/builtins.h"
#include "chat/lexer.h"
#include "chat/template_error.h"

namespace akunu::chat {

namespace {

// Nesting beyond this is refused instead of recursing until the stack runs out; jinja2 itself
// fails on much less (Python's recursion limit).
constexpr int kMaxNesting = 200;

// jinja2 tags this interpreter does not implement; chat templates do not use them.
const char* const kUnsupportedTags[] = {"extends", "block", "include", "import", "from", "with", "autoescape", "trans"};

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

    Body parse() {
        Body body = subparse({}, nullptr);
        return body;
    }

private:
    std::vector<Token> toks_;
    size_t i_ = 0;
    int depth_ = 0;
    int loop_depth_ = 0;

    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& parser) : p(parser) {
            if (++p.depth_ > kMaxNesting) p.fail("template nested too deeply (more than 200 levels)");
        }
        ~DepthGuard() { --p.depth_; }
    };

    const Token& cur() const { return toks_[i_]; }
    const Token& peek(size_t ahead = 1) const { return toks_[std::min(i_ + ahead, toks_.size() - 1)]; }
    Location loc() const { return {cur().line, cur().column}; }
    void next() {
        if (i_ + 1 < toks_.size()) ++i_;
    }

    [[noreturn]] void fail(const std::string& msg) const {
        throw TemplateError(TemplateErrorKind::Syntax, msg, cur().line, cur().column);
    }
    [[noreturn]] void unsupported(const std::string& msg) const {
        throw TemplateError(TemplateErrorKind::Unsupported, msg, cur().line, cur().column);
    }

    static std::string describe(const Token& t) {
        switch (t.type) {
            case TokenType::Text: return "template text";
            case TokenType::PrintBegin: return "'{{'";
            case TokenType::PrintEnd: return "end of print statement '}}'";
            case TokenType::BlockBegin: return "'{%'";
            case TokenType::BlockEnd: return "end of statement block '%}'";
            case TokenType::String: return "string literal";
            case TokenType::Integer:
            case TokenType::Float: return "number " + t.text;
            case TokenType::End: return "end of template";
            default: return "'" + t.text + "'";
        }
    }

    bool is_op(const char* op) const { return cur().type == TokenType::Operator && cur().text == op; }
    bool is_name(const char* name) const { return cur().type == TokenType::Name && cur().text == name; }
    bool skip_op(const char* op) {
        if (!is_op(op)) return false;
        next();
        return true;
    }
    bool skip_name(const char* name) {
        if (!is_name(name)) return false;
        next();
        return true;
    }
    void expect_op(const char* op) {
        if (!skip_op(op)) fail(std::string("expected '") + op + "', got " + describe(cur()));
    }
    std::string expect_name() {
        if (cur().type != TokenType::Name) fail("expected a name, got " + describe(cur()));
        std::string n = cur().text;
        next();
        return n;
    }
    void expect_block_end() {
        if (cur().type != TokenType::BlockEnd) fail("expected end of statement block '%}', got " + describe(cur()));
        next();
    }

    // ---- statements ----

    // Parses until "{% name" for a name in `ends`, consuming "{%" and leaving the name current;
    // `ended_by` receives that name. With no `ends`, parses to the end of the template.
    Body subparse(std::initializer_list<const char*> ends, std::string* ended_by, const char* block = nullptr,
                  Location opened = {}) {
        DepthGuard guard(*this);
        Body body;
        while (true) {
            const Token& t = cur();
            switch (t.type) {
                case TokenType::Text:
                    body.push_back(std::make_unique<TextStmt>(t.text, loc()));
                    next();
                    break;
                case TokenType::PrintBegin: {
                    Location l = loc();
                    next();
                    ExprPtr e = parse_tuple(true, {}, false);
                    if (cur().type != TokenType::PrintEnd) fail("expected end of print statement '}}', got " + describe(cur()));
                    next();
                    body.push_back(std::make_unique<PrintStmt>(std::move(e), l));
                    break;
                }
                case TokenType::BlockBegin: {
                    next();
                    if (cur().type == TokenType::Name) {
                        for (const char* end : ends) {
                            if (cur().text == end) {
                                if (ended_by) *ended_by = end;
                                return body;
                            }
                        }
                    }
                    parse_statement(body);
                    break;
                }
                case TokenType::End:
                    if (ends.size()) {
                        std::string wanted;
                        for (const char* e : ends) wanted += std::string(wanted.empty() ? "" : " or ") + "{% " + e + " %}";
                        fail("unexpected end of template: the '" + std::string(block) + "' block opened at line " +
                             std::to_string(opened.line) + " needs " + wanted);
                    }
                    return body;
                default: fail("unexpected " + describe(t));
            }
        }
    }

    void parse_statement(Body& out) {
        if (cur().type != TokenType::Name) fail("expected a tag name after '{%', got " + describe(cur()));
        std::string tag = cur().text;
        Location l = loc();
        next();
        if (tag == "if") return out.push_back(parse_if(l));
        if (tag == "for") return out.push_back(parse_for(l));
        if (tag == "set") return out.push_back(parse_set(l));
        if (tag == "macro") return out.push_back(parse_macro(l));
        if (tag == "call") return out.push_back(parse_call_block(l));
        if (tag == "filter") return out.push_back(parse_filter_block(l));
        if (tag == "break" || tag == "continue") {
            if (loop_depth_ == 0) {
                i_--;
                fail("'" + tag + "' outside of a for loop");
            }
            expect_block_end();
            return out.push_back(std::make_unique<LoopControlStmt>(tag == "break" ? StmtKind::Break : StmtKind::Continue, l));
        }
        if (tag == "do") {
            ExprPtr e = parse_tuple(true, {}, false);
            expect_block_end();
            return out.push_back(std::make_unique<DoStmt>(std::move(e), l));
        }
        if (tag == "generation") {  // transformers' assistant-mask marker: renders its body as is
            expect_block_end();
            std::string end;
            Body body = subparse({"endgeneration"}, &end, "generation", l);
            next();
            expect_block_end();
            for (auto& s : body) out.push_back(std::move(s));
            return;
        }
        i_--;
        for (const char* u : kUnsupportedTags)
            if (tag == u) unsupported("the {% " + tag + " %} tag is not supported");
        if (tag == "raw") fail("malformed {% raw %} tag");
        fail("unknown or misplaced tag '" + tag + "'");
    }

    StmtPtr parse_if(Location l) {
        auto node = std::make_unique<IfStmt>(l);
        ExprPtr cond = parse_tuple(false, {}, false);
        expect_block_end();
        while (true) {
            std::string end;
            Body body = subparse({"elif", "else", "endif"}, &end, "if", l);
            node->branches.emplace_back(std::move(cond), std::move(body));
            next();
            if (end == "elif") {
                cond = parse_tuple(false, {}, false);
                expect_block_end();
                continue;
            }
            expect_block_end();
            if (end == "else") {
                node->otherwise = subparse({"endif"}, &end, "if", l);
                next();
                expect_block_end();
            }
            return node;
        }
    }

    Target parse_target(std::initializer_list<const char*> end_names) {
        Target t;
        t.loc = loc();
        auto at_end = [&] {
            if (cur().type == TokenType::BlockEnd || is_op("=") || is_op("|")) return true;
            for (const char* n : end_names)
                if (is_name(n)) return true;
            return false;
        };
        if (skip_op("(")) {
            t.unpack = true;
            while (!is_op(")")) {
                t.names.push_back(expect_name());
                if (!skip_op(",")) break;
            }
            expect_op(")");
            if (t.names.empty()) fail("cannot assign to an empty tuple");
            return t;
        }
        t.names.push_back(expect_name());
        while (skip_op(",")) {
            t.unpack = true;
            if (at_end()) break;
            t.names.push_back(expect_name());
        }
        for (const auto& n : t.names)
            if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" || n == "None")
                fail("cannot assign to '" + n + "'");
        return t;
    }

    StmtPtr parse_for(Location l) {
        auto node = std::make_unique<ForStmt>(l);
        node->target = parse_target({"in"});
        if (!skip_name("in")) fail("expected 'in' in for loop, got " + describe(cur()));
        node->iterable = parse_tuple(false, {"recursive"}, false);
        if (skip_name("if")) node->filter = parse_expression(true);
        if (is_name("recursive")) unsupported("recursive for loops are not supported");
        expect_block_end();
        std::string end;
        ++loop_depth_;
        node->body = subparse({"endfor", "else"}, &end, "for", l);
        --loop_depth_;
        next();
        expect_block_end();
        if (end == "else") {
            node->otherwise = subparse({"endfor"}, &end, "for", l);
            next();
            expect_block_end();
        }
        return node;
    }

    StmtPtr parse_set(Location l) {
        Target target;
        if (cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().text == ".") {
            target.loc = loc();
            target.names.push_back(expect_name());
            next();
            target.namespace_attribute = expect_name();
        } else {
            target = parse_target({});
        }
        if (skip_op("=")) {
            auto node = std::make_unique<SetStmt>(l);
            node->target = std::move(target);
            node->value = parse_tuple(true, {}, false);
            expect_block_end();
            return node;
        }
        if (target.unpack) fail("a {% set %} block assigns one name");
        auto node = std::make_unique<SetBlockStmt>(l);
        node->target = std::move(target);
        if (is_op("|")) node->filter = parse_filter(nullptr, false);
        expect_block_end();
        std::string end;
        int saved = loop_depth_;
        loop_depth_ = 0;
        node->body = subparse({"endset"}, &end, "set", l);
        loop_depth_ = saved;
        next();
        expect_block_end();
        return node;
    }

    std::vector<Parameter> parse_parameters() {
        std::vector<Parameter> params;
        expect_op("(");
        while (!is_op(")")) {
            if (!params.empty()) expect_op(",");
            if (is_op(")")) break;
            Parameter p;
            p.name = expect_name();
            if (skip_op("="))
                p.default_value = parse_expression(true);
            else if (!params.empty() && params.back().default_value)
                fail("non-default argument follows default argument");
            params.push_back(std::move(p));
        }
        expect_op(")");
        return params;
    }

    StmtPtr parse_macro(Location l) {
        auto node = std::make_unique<MacroStmt>(l);
        node->name = expect_name();
        node->params = parse_parameters();
        expect_block_end();
        std::string end;
        int saved = loop_depth_;
        loop_depth_ = 0;
        node->body = subparse({"endmacro"}, &end, "macro", l);
        loop_depth_ = saved;
        next();
        expect_block_end();
        return node;
    }

    StmtPtr parse_call_block(Location l) {
        auto node = std::make_unique<CallBlockStmt>(l);
        if (is_op("(")) node->caller_params = parse_parameters();
        node->call = parse_expression(true);
        if (node->call->kind != ExprKind::Call) fail("expected a macro call after {% call %}");
        expect_block_end();
        std::string end;
        int saved = loop_depth_;
        loop_depth_ = 0;
        node->body = subparse({"endcall"}, &end, "call", l);
        loop_depth_ = saved;
        next();
        expect_block_end();
        return node;
    }

    StmtPtr parse_filter_block(Location l) {
        auto node = std::make_unique<FilterBlockStmt>(l);
        node->filter = parse_filter(nullptr, true);
        expect_block_end();
        std::string end;
        node->body = subparse({"endfilter"}, &end, "filter", l);
        next();
        expect_block_end();
        return node;
    }

    // ---- expressions ----

    bool at_tuple_end(std::initializer_list<const char*> extra_end_names) const {
        TokenType t = cur().type;
        if (t == TokenType::PrintEnd || t == TokenType::BlockEnd || t == TokenType::End) return true;
        if (is_op(")")) return true;
        for (const char* n : extra_end_names)
            if (is_name(n)) return true;
        return false;
    }

    ExprPtr parse_tuple(bool with_condexpr, std::initializer_list<const char*> extra_end_names, bool explicit_parens) {
        Location l = loc();
        std::vector<ExprPtr> items;
        bool is_tuple = false;
        while (true) {
            if (!items.empty()) expect_op(",");
            if (at_tuple_end(extra_end_names)) break;
            items.push_back(parse_expression(with_condexpr));
            if (is_op(","))
                is_tuple = true;
            else
                break;
        }
        if (!is_tuple) {
            if (!items.empty()) return std::move(items[0]);
            if (!explicit_parens) fail("expected an expression, got " + describe(cur()));
        }
        auto t = std::make_unique<SequenceExpr>(ExprKind::Tuple, l);
        t->items = std::move(items);
        return t;
    }

    ExprPtr parse_expression(bool with_condexpr) {
        DepthGuard guard(*this);
        if (!with_condexpr) return parse_or();
        Location l = loc();
        ExprPtr expr = parse_or();
        while (skip_name("if")) {
            ExprPtr test = parse_or();
            auto c = std::make_unique<ConditionalExpr>(std::move(expr), std::move(test), l);
            if (skip_name("else")) c->otherwise = parse_expression(true);
            expr = std::move(c);
            l = loc();
        }
        return expr;
    }

    ExprPtr parse_or() {
        ExprPtr left = parse_and();
        while (is_name("or")) {
            Location l = loc();
            next();
            left = std::make_unique<BinaryExpr>(BinaryOp::Or, std::move(left), parse_and(), l);
        }
        return left;
    }

    ExprPtr parse_and() {
        ExprPtr left = parse_not();
        while (is_name("and")) {
            Location l = loc();
            next();
            left = std::make_unique<BinaryExpr>(BinaryOp::And, std::move(left), parse_not(), l);
        }
        return left;
    }

    ExprPtr parse_not() {
        if (is_name("not")) {
            DepthGuard guard(*this);
            Location l = loc();
            next();
            return std::make_unique<UnaryExpr>(UnaryOp::Not, parse_not(), l);
        }
        return parse_compare();
    }

    ExprPtr parse_compare() {
        Location l = loc();
        ExprPtr first = parse_math1();
        std::unique_ptr<CompareExpr> cmp;
        while (true) {
            std::optional<CompareOp> op;
            if (cur().type == TokenType::Operator) {
                const std::string& t = cur().text;
                if (t == "==") op = CompareOp::Eq;
                else if (t == "!=") op = CompareOp::Ne;
                else if (t == "<") op = CompareOp::Lt;
                else if (t == "<=") op = CompareOp::Le;
                else if (t == ">") op = CompareOp::Gt;
                else if (t == ">=") op = CompareOp::Ge;
                if (op) next();
            } else if (is_name("in")) {
                op = CompareOp::In;
                next();
            } else if (is_name("not") && peek().type == TokenType::Name && peek().text == "in") {
                op = CompareOp::NotIn;
                next();
                next();
            }
            if (!op) break;
            if (!cmp) cmp = std::make_unique<CompareExpr>(std::move(first), l);
            cmp->rest.emplace_back(*op, parse_math1());
        }
        if (cmp) return cmp;
        return first;
    }

    ExprPtr parse_math1() {
        ExprPtr left = parse_concat();
        while (is_op("+") || is_op("-")) {
            BinaryOp op = is_op("+") ? BinaryOp::Add : BinaryOp::Subtract;
            Location l = loc();
            next();
            left = std::make_unique<BinaryExpr>(op, std::move(left), parse_concat(), l);
        }
        return left;
    }

    ExprPtr parse_concat() {
        ExprPtr left = parse_math2();
        while (is_op("~")) {
            Location l = loc();
            next();
            left = std::make_unique<BinaryExpr>(BinaryOp::Concat, std::move(left), parse_math2(), l);
        }
        return left;
    }

    ExprPtr parse_math2() {
        ExprPtr left = parse_pow();
        while (true) {
            BinaryOp op;
            if (is_op("*")) op = BinaryOp::Multiply;
            else if (is_op("/")) op = BinaryOp::Divide;
            else if (is_op("//")) op = BinaryOp::FloorDivide;
            else if (is_op("%")) op = BinaryOp::Modulo;
            else break;
            Location l = loc();
            next();
            left = std::make_unique<BinaryExpr>(op, std::move(left), parse_pow(), l);
        }
        return left;
    }

    ExprPtr parse_pow() {
        ExprPtr left = parse_unary(true);
        while (is_op("**")) {
            Location l = loc();
            next();
            left = std::make_unique<BinaryExpr>(BinaryOp::Power, std::move(left), parse_unary(true), l);
        }
        return left;
    }

    ExprPtr parse_unary(bool with_filter) {
        DepthGuard guard(*this);
        Location l = loc();
        ExprPtr node;
        if (skip_op("-"))
            node = std::make_unique<UnaryExpr>(UnaryOp::Negate, parse_unary(false), l);
        else if (skip_op("+"))
            node = std::make_unique<UnaryExpr>(UnaryOp::Plus, parse_unary(false), l);
        else
            node = parse_primary();
        node = parse_postfix(std::move(node));
        if (with_filter) node = parse_filter_expr(std::move(node));
        return node;
    }

    ExprPtr parse_primary() {
        const Token& t = cur();
        Location l = loc();
        switch (t.type) {
            case TokenType::Name: {
                std::string n = t.text;
                next();
                if (n == "true" || n == "True") return std::make_unique<LiteralExpr>(Value(true), l);
                if (n == "false" || n == "False") return std::make_unique<LiteralExpr>(Value(false), l);
                if (n == "none" || n == "None") return std::make_unique<LiteralExpr>(Value::none(), l);
                return std::make_unique<NameExpr>(n, l);
            }
            case TokenType::String: {
                std::string s;
                while (cur().type == TokenType::String) {
                    s += cur().text;
                    next();
                }
                return std::make_unique<LiteralExpr>(Value(s), l);
            }
            case TokenType::Integer: {
                int64_t v = t.int_value;
                next();
                return std::make_unique<LiteralExpr>(Value(v), l);
            }
            case TokenType::Float: {
                double v = t.float_value;
                next();
                return std::make_unique<LiteralExpr>(Value(v), l);
            }
            case TokenType::Operator:
                if (t.text == "(") {
                    next();
                    ExprPtr e = parse_tuple(true, {}, true);
                    expect_op(")");
                    return e;
                }
                if (t.text == "[") return parse_list();
                if (t.text == "{") return parse_dict();
                break;
            default: break;
        }
        fail("unexpected " + describe(t));
    }

    ExprPtr parse_list() {
        auto node = std::make_unique<SequenceExpr>(ExprKind::List, loc());
        expect_op("[");
        while (!is_op("]")) {
            if (!node->items.empty()) expect_op(",");
            if (is_op("]")) break;
            node->items.push_back(parse_expression(true));
        }
        expect_op("]");
        return node;
    }

    ExprPtr parse_dict() {
        auto node = std::make_unique<DictExpr>(loc());
        expect_op("{");
        while (!is_op("}")) {
            if (!node->entries.empty()) expect_op(",");
            if (is_op("}")) break;
            ExprPtr key = parse_expression(true);
            expect_op(":");
            node->entries.emplace_back(std::move(key), parse_expression(true));
        }
        expect_op("}");
        return node;
    }

    ExprPtr parse_postfix(ExprPtr node) {
        while (true) {
            if (is_op(".")) {
                Location l = loc();
                next();
                if (cur().type == TokenType::Name) {
                    node = std::make_unique<AttributeExpr>(std::move(node), cur().text, l);
                    next();
                } else if (cur().type == TokenType::Integer) {
                    auto key = std::make_unique<LiteralExpr>(Value(cur().int_value), loc());
                    next();
                    node = std::make_unique<ItemExpr>(std::move(node), std::move(key), l);
                } else {
                    fail("expected an attribute name after '.', got " + describe(cur()));
                }
            } else if (is_op("[")) {
                node = parse_subscript(std::move(node));
            } else if (is_op("(")) {
                node = parse_call(std::move(node));
            } else {
                return node;
            }
        }
    }

    ExprPtr parse_filter_expr(ExprPtr node) {
        while (true) {
            if (is_op("|"))
                node = parse_filter(std::move(node), false);
            else if (is_name("is"))
                node = parse_test(std::move(node));
            else if (is_op("("))
                node = parse_call(std::move(node));
            else
                return node;
        }
    }

    ExprPtr parse_subscript(ExprPtr node) {
        Location l = loc();
        expect_op("[");
        ExprPtr start;
        if (!is_op(":")) {
            start = parse_expression(true);
            if (!is_op(":")) {
                if (is_op(",")) unsupported("tuple subscripts (a[x, y]) are not supported");
                expect_op("]");
                return std::make_unique<ItemExpr>(std::move(node), std::move(start), l);
            }
        }
        auto s = std::make_unique<SliceExpr>(std::move(node), l);
        s->start = std::move(start);
        next();  // the first ':'
        if (!is_op(":") && !is_op("]")) s->stop = parse_expression(true);
        if (skip_op(":")) {
            if (!is_op("]")) s->step = parse_expression(true);
        }
        expect_op("]");
        return s;
    }

    void parse_arguments(Arguments& args) {
        expect_op("(");
        while (!is_op(")")) {
            if (!args.positional.empty() || !args.named.empty()) expect_op(",");
            if (is_op(")")) break;
            if (is_op("*") || is_op("**")) unsupported("*args / **kwargs in calls are not supported");
            if (cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().text == "=") {
                std::string name = cur().text;
                next();
                next();
                args.named.emplace_back(name, parse_expression(true));
            } else {
                if (!args.named.empty()) fail("positional argument follows keyword argument");
                args.positional.push_back(parse_expression(true));
            }
        }
        expect_op(")");
    }

    ExprPtr parse_call(ExprPtr callee) {
        auto node = std::make_unique<CallExpr>(std::move(callee), loc());
        parse_arguments(node->args);
        return node;
    }

    std::string dotted_name() {
        std::string name = expect_name();
        while (is_op(".")) {
            next();
            name += '.';
            name += expect_name();
        }
        return name;
    }

    // "| name(args) | ..." applied to `node`; with `start_inline` the first "|" is implied.
    ExprPtr parse_filter(ExprPtr node, bool start_inline) {
        while (is_op("|") || start_inline) {
            if (!start_inline) next();
            start_inline = false;
            Location l = loc();
            std::string name = dotted_name();
            BuiltinStatus st = filter_status(name);
            if (st == BuiltinStatus::Unsupported)
                throw TemplateError(TemplateErrorKind::Unsupported, "the filter '" + name + "' is not supported", l.line, l.column);
            if (st == BuiltinStatus::Unknown)
                throw TemplateError(TemplateErrorKind::Syntax, "no filter named '" + name + "'", l.line, l.column);
            auto f = std::make_unique<FilterExpr>(std::move(node), name, l);
            if (is_op("(")) parse_arguments(f->args);
            node = std::move(f);
        }
        return node;
    }

    ExprPtr parse_test(ExprPtr node) {
        next();  // 'is'
        bool negated = skip_name("not");
        Location l = loc();
        std::string name = dotted_name();
        BuiltinStatus st = test_status(name);
        if (st == BuiltinStatus::Unsupported)
            throw TemplateError(TemplateErrorKind::Unsupported, "the test '" + name + "' is not supported", l.line, l.column);
        if (st == BuiltinStatus::Unknown)
            throw TemplateError(TemplateErrorKind::Syntax, "no test named '" + name + "'", l.line, l.column);
        auto t = std::make_unique<TestExpr>(std::move(node), name, l);
        t->negated = negated;
        TokenType tt = cur().type;
        if (is_op("(")) {
            parse_arguments(t->args);
        } else if ((tt == TokenType::Name || tt == TokenType::String || tt == TokenType::Integer ||
                    tt == TokenType::Float || is_op("[") || is_op("{")) &&
                   !is_name("else") && !is_name("or") && !is_name("and")) {
            if (is_name("is")) fail("you cannot chain multiple tests with 'is'");
            t->args.positional.push_back(parse_postfix(parse_primary()));
        }
        return t;
    }
};

}  // namespace

Body parse_template(std::string_view source) { return Parser(tokenize(source)).parse(); }

}  // namespace akunu::chat
