//! Read-only views over regorus's parsed modules: packages, the rules they declare, the builtin
//! calls they make, and an iterative visitor over every expression (so no policy shape can
//! exhaust the stack here). Used at compile time only (determinism and recursion checks, test
//! discovery, params-only rules).

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead, Span};

/// A source location (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub column: u64,
}

impl Location {
    /// Where a span starts. Derived from the byte offset: regorus's `col` for a dotted reference
    /// points at the last dot, not at the start of the name.
    pub fn of(span: &Span) -> Self {
        let contents = span.source.get_contents();
        let before = contents.get(..span.start as usize).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            file: span.source.get_path().clone(),
            line: before.matches('\n').count() as u64 + 1,
            column: before[line_start..].chars().count() as u64 + 1,
        }
    }
}

/// One node the visitor reaches.
pub enum Node<'a> {
    Expr(&'a Expr),
    Literal(&'a Literal),
    /// A `with` modifier (its `as` expression is visited as an `Expr`).
    With,
}

/// One parsed module.
#[derive(Clone)]
pub struct ModuleAst(pub Ref<Module>);

/// The modules of `engine`, in the order they were added.
pub fn modules(engine: &mut regorus::Engine) -> Vec<ModuleAst> {
    engine.get_modules().iter().cloned().map(ModuleAst).collect()
}

impl ModuleAst {
    pub fn file(&self) -> String {
        self.0.package.span.source.get_path().clone()
    }

    /// The package path, e.g. `a.b` for `package a.b`.
    pub fn package(&self) -> String {
        self.0.package.refr.span().text().to_string()
    }

    /// Every function call: the callee as written (e.g. `http.send`) and where it is, in source order.
    pub fn calls(&self) -> Vec<(String, Location)> {
        let mut out = Vec::new();
        for rule in &self.0.policy {
            visit(rule, |node| {
                if let Node::Expr(Expr::Call { fcn, .. }) = node {
                    out.push((fcn.span().start, fcn.span().text().to_string(), Location::of(fcn.span())));
                }
            });
        }
        out.sort_by_key(|(start, ..)| *start);
        out.into_iter().map(|(_, name, loc)| (name, loc)).collect()
    }

    /// Names of the rules this module declares (ref heads as written, e.g. `allow`, `a.b`).
    pub fn rule_names(&self) -> Vec<(String, Location)> {
        self.0
            .policy
            .iter()
            .map(|r| (head_ref(r).span().text().to_string(), Location::of(head_ref(r).span())))
            .collect()
    }
}

/// The reference a rule head defines, whatever the head's kind.
pub fn head_ref(rule: &Rule) -> &Ref<Expr> {
    match rule {
        Rule::Default { refr, .. } => refr,
        Rule::Spec {
            head: RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } | RuleHead::Func { refr, .. },
            ..
        } => refr,
    }
}

enum Item<'a> {
    Expr(&'a Expr),
    Query(&'a Query),
}

/// Calls `f` on every expression and literal of `rule` (head and bodies). A reference chain
/// (`a.b[x].c`) is one node: the visitor goes on into its dynamic indexes, not into its prefixes.
pub fn visit<'a>(rule: &'a Rule, mut f: impl FnMut(Node<'a>)) {
    let mut stack: Vec<Item<'a>> = Vec::new();
    match rule {
        Rule::Default { value, .. } => stack.push(Item::Expr(value)),
        Rule::Spec { head, bodies, .. } => {
            match head {
                RuleHead::Compr { assign, .. } => stack.extend(assign.iter().map(|a| Item::Expr(&a.value))),
                RuleHead::Set { key, .. } => stack.extend(key.iter().map(|k| Item::Expr(k))),
                RuleHead::Func { args, assign, .. } => {
                    stack.extend(args.iter().map(|a| Item::Expr(a)));
                    stack.extend(assign.iter().map(|a| Item::Expr(&a.value)));
                }
            }
            for body in bodies {
                stack.extend(body.assign.iter().map(|a| Item::Expr(&a.value)));
                stack.push(Item::Query(&body.query));
            }
        }
    }
    while let Some(item) = stack.pop() {
        let expr = match item {
            Item::Query(q) => {
                for stmt in &q.stmts {
                    stack.extend(stmt.with_mods.iter().map(|w| Item::Expr(&w.r#as)));
                    stmt.with_mods.iter().for_each(|_| f(Node::With));
                    f(Node::Literal(&stmt.literal));
                    match &stmt.literal {
                        Literal::SomeVars { .. } => {}
                        Literal::SomeIn { key, value, collection, .. } => {
                            stack.extend(key.iter().map(|k| Item::Expr(k)));
                            stack.push(Item::Expr(value));
                            stack.push(Item::Expr(collection));
                        }
                        Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => stack.push(Item::Expr(expr)),
                        Literal::Every { domain, query, .. } => {
                            stack.push(Item::Expr(domain));
                            stack.push(Item::Query(query));
                        }
                    }
                }
                continue;
            }
            Item::Expr(e) => e,
        };
        f(Node::Expr(expr));
        match expr {
            Expr::RefDot { .. } | Expr::RefBrack { .. } => {
                let mut e = expr;
                while let Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } = e {
                    if let Expr::RefBrack { index, .. } = e {
                        stack.push(Item::Expr(index));
                    }
                    e = refr;
                }
                // A chain rooted in a call (`f(x).y`) still visits the call.
                if !matches!(e, Expr::Var { .. }) {
                    stack.push(Item::Expr(e));
                }
            }
            Expr::Call { params, .. } => stack.extend(params.iter().map(|p| Item::Expr(p))),
            Expr::Array { items, .. } | Expr::Set { items, .. } => stack.extend(items.iter().map(|i| Item::Expr(i))),
            Expr::Object { fields, .. } => {
                for (_, k, v) in fields {
                    stack.push(Item::Expr(k));
                    stack.push(Item::Expr(v));
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                stack.push(Item::Expr(term));
                stack.push(Item::Query(query));
            }
            Expr::ObjectCompr { key, value, query, .. } => {
                stack.push(Item::Expr(key));
                stack.push(Item::Expr(value));
                stack.push(Item::Query(query));
            }
            Expr::UnaryExpr { expr, .. } => stack.push(Item::Expr(expr)),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                stack.push(Item::Expr(lhs));
                stack.push(Item::Expr(rhs));
            }
            Expr::Membership { key, value, collection, .. } => {
                stack.extend(key.iter().map(|k| Item::Expr(k)));
                stack.push(Item::Expr(value));
                stack.push(Item::Expr(collection));
            }
            _ => {}
        }
    }
}
