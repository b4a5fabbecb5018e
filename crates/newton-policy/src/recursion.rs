//! Recursion is a compile error, as in OPA (`rego_recursion_error`): builds the dependency graph
//! of the policy's rules and functions from regorus's AST and refuses any cycle, naming each
//! member with its file and line. Everything here is iterative, so a hostile AST cannot exhaust
//! the stack.

use crate::ast::{self, Node};
use newton_core::{Error, ErrorCode, Result};
use petgraph::{algo::kosaraju_scc, graph::DiGraph};
use regorus::unstable::{AssignOp, Expr, Literal, Module, Ref, Rule, RuleHead, Span};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// A rule (all definitions of one path) and where it is first defined.
struct RuleNode {
    path: Vec<String>,
    file: String,
    line: u32,
}

/// Fails with `NEWTON_ERR_POLICY_RECURSION` when rules or functions depend on themselves.
pub fn check(modules: &[Ref<Module>]) -> Result<()> {
    let mut nodes: Vec<RuleNode> = Vec::new();
    let mut index: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut rules: Vec<(usize, &Module, Vec<String>, &Rule)> = Vec::new();
    for module in modules {
        let Some((root, rest)) = ref_path(&module.package.refr) else { continue };
        let package = [vec![root], rest].concat();
        for rule in &module.policy {
            let Some((head, span)) = head_path(rule) else { continue };
            let path = [package.clone(), head].concat();
            let id = *index.entry(path.clone()).or_insert_with(|| {
                let file = span.source.get_path().clone();
                nodes.push(RuleNode { path, file, line: span.line });
                nodes.len() - 1
            });
            rules.push((id, module, package.clone(), rule));
        }
    }

    let mut graph = DiGraph::<usize, ()>::with_capacity(nodes.len(), nodes.len());
    let ids: Vec<_> = (0..nodes.len()).map(|i| graph.add_node(i)).collect();
    for (id, module, package, rule) in rules {
        for target in references(module, &package, rule) {
            // Rules at, above or below the path read: those sharing its first component.
            let start = target.first().map(|first| vec![first.clone()]).unwrap_or_default();
            for (candidate, &other) in index.range(start..) {
                if target.first().is_some_and(|first| candidate.first() != Some(first)) {
                    break;
                }
                if candidate.iter().zip(&target).all(|(a, b)| a == b) {
                    graph.update_edge(ids[id], ids[other], ());
                }
            }
        }
    }

    let mut cycles: Vec<Vec<usize>> = kosaraju_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
        .map(|scc| {
            let mut members: Vec<usize> = scc.into_iter().map(|n| graph[n]).collect();
            members.sort_by_key(|&m| (&nodes[m].file, nodes[m].line));
            members
        })
        .collect();
    cycles.sort_by_key(|c| (&nodes[c[0]].file, nodes[c[0]].line));
    let Some(cycle) = cycles.first() else { return Ok(()) };
    let name = |m: usize| format!("data.{}", nodes[m].path.join("."));
    let chain: Vec<String> = cycle
        .iter()
        .chain(cycle.first())
        .map(|&m| format!("{} ({}:{})", name(m), nodes[m].file, nodes[m].line))
        .collect();
    let first = &nodes[cycle[0]];
    let message = format!(
        "{}:{}: rego_recursion_error: {} depends on itself: {}{}",
        first.file,
        first.line,
        name(cycle[0]),
        chain.join(" → "),
        match cycles.len() {
            1 => String::new(),
            n => format!(" ({} more cycle(s) found)", n - 1),
        }
    );
    let members: Vec<_> =
        cycle.iter().map(|&m| json!({"rule": name(m), "file": nodes[m].file, "line": nodes[m].line})).collect();
    Err(Error::new(ErrorCode::PolicyRecursion, message)
        .with_details(json!({"file": first.file, "line": first.line, "cycle": members})))
}

/// The path a rule defines below its package (`allow`, `a.b` for `a.b[x] := …`).
pub(crate) fn head_path(rule: &Rule) -> Option<(Vec<String>, &Span)> {
    // `a.b[x]` defines `a.b`: a dynamic key ends the path.
    let refr = ast::head_ref(rule);
    let (root, rest) = ref_path(refr)?;
    Some(([vec![root], rest].concat(), refr.span()))
}

/// Splits a reference chain into its root variable and the literal components after it; the
/// components stop at the first dynamic index (`a.b[x].c` → `a`, `[b]`).
pub(crate) fn ref_path(expr: &Expr) -> Option<(String, Vec<String>)> {
    let mut rest = Vec::new();
    let mut e = expr;
    loop {
        match e {
            Expr::Var { span, .. } => {
                rest.reverse();
                return Some((span.text().to_string(), rest));
            }
            Expr::RefDot { refr, field, .. } => {
                rest.push(field.0.text().to_string());
                e = refr;
            }
            Expr::RefBrack { refr, index, .. } => {
                match index.as_ref() {
                    Expr::String { value, .. } | Expr::RawString { value, .. } => {
                        rest.push(value.as_string().map(|s| s.to_string()).unwrap_or_default())
                    }
                    _ => rest.clear(),
                }
                e = refr;
            }
            _ => return None,
        }
    }
}

/// Every data path `rule` reads: `data.…` references, references through imports, and names of
/// rules of its own package that are not local variables of the rule.
fn references(module: &Module, package: &[String], rule: &Rule) -> Vec<Vec<String>> {
    let imports = data_imports(module);
    let mut locals: HashSet<String> = HashSet::new();
    if let Rule::Spec { head: RuleHead::Func { args, .. }, .. } = rule {
        args.iter().for_each(|a| vars_in(a, &mut locals));
    }
    let mut refs: Vec<(String, Vec<String>)> = Vec::new();
    ast::visit(rule, |node| match node {
        Node::Literal(Literal::SomeVars { vars, .. }) => locals.extend(vars.iter().map(|v| v.text().to_string())),
        Node::Literal(Literal::SomeIn { key, value, .. }) => {
            key.iter().for_each(|k| vars_in(k, &mut locals));
            vars_in(value, &mut locals);
        }
        Node::Literal(Literal::Every { key, value, .. }) => {
            locals.extend(key.iter().chain([value]).map(|s| s.text().to_string()))
        }
        Node::Literal(_) | Node::With => {}
        Node::Expr(e @ (Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. })) => refs.extend(ref_path(e)),
        Node::Expr(Expr::Call { fcn, .. }) => refs.extend(ref_path(fcn)),
        Node::Expr(Expr::AssignExpr { op: AssignOp::ColEq, lhs, .. }) => vars_in(lhs, &mut locals),
        Node::Expr(_) => {}
    });

    refs.into_iter()
        .filter_map(|(root, rest)| match root.as_str() {
            // Bare `data` (e.g. `object.get(data, "wasm", {})`) reads the documents, not the rules.
            "data" if rest.is_empty() => None,
            "data" => Some(rest),
            "input" | "_" => None,
            _ if locals.contains(&root) => None,
            _ => match imports.get(&root) {
                Some(import) => Some([import.clone(), rest].concat()),
                None => Some([package.to_vec(), vec![root], rest].concat()),
            },
        })
        .collect()
}

/// The module's `data` imports: alias → path below `data`.
pub(crate) fn data_imports(module: &Module) -> BTreeMap<String, Vec<String>> {
    module
        .imports
        .iter()
        .filter_map(|i| {
            let (root, rest) = ref_path(&i.refr)?;
            let alias = i.r#as.as_ref().map(|s| s.text().to_string()).or_else(|| rest.last().cloned())?;
            (root == "data").then_some((alias, rest))
        })
        .collect()
}

/// Adds the variables an assignment pattern binds.
pub(crate) fn vars_in(pattern: &Expr, out: &mut HashSet<String>) {
    let mut stack = vec![pattern];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Var { span, .. } => {
                out.insert(span.text().to_string());
            }
            Expr::Array { items, .. } => stack.extend(items.iter().map(|i| i.as_ref())),
            Expr::Object { fields, .. } => stack.extend(fields.iter().map(|(_, _, v)| v.as_ref())),
            _ => {}
        }
    }
}
