//! Rules whose value depends on `data.params` alone, found from regorus's AST at compile time.
//! Their values are computed once per params and reused (see `params_cache`), so a blocklist
//! comprehension over `data.params` is not rebuilt per evaluation.
//!
//! The analysis is conservative: a rule qualifies only when every definition reads nothing but
//! `data.params`, its own locals, constants, builtins other than `newton.*`, and rules that
//! qualify too. `input`, `data.wasm`/`data.data`/`data.privacy`, static data, bare `data`,
//! imports of anything but rules or params, user functions, and names it cannot resolve all
//! disqualify. A policy with any `with` modifier gets no cached rules at all, because an inner
//! `with data.params …` must recompute the rules that read params.

use crate::ast::{self, Node};
use crate::recursion::{data_imports, head_path, ref_path, vars_in};
use regorus::unstable::{AssignOp, Expr, Literal, Module, Ref, Rule, RuleHead};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Every definition of each rule path: its module, package path and rule.
type Definitions<'a> = BTreeMap<Vec<String>, Vec<(&'a Module, Vec<String>, &'a Rule)>>;

/// What one rule path needs, over all its definitions.
#[derive(Default)]
struct Facts {
    /// Every definition reads only params, locals, constants, builtins and other rules.
    local_ok: bool,
    /// Reads `data.params` directly.
    reads_params: bool,
    /// Iterates (comprehension, `some … in`, `every`, partial set rule): worth caching.
    iterates: bool,
    /// Rule paths it reads.
    deps: BTreeSet<Vec<String>>,
}

/// Paths (`data.pkg.rule`) to cache for `entrypoint`: rules that qualify, read params, iterate
/// (themselves or through a rule they read) and are read by a rule that does not qualify, or
/// are the entrypoint. Sorted.
pub(crate) fn params_only(modules: &[Ref<Module>], entrypoint: &str) -> Vec<String> {
    let mut defs: Definitions = BTreeMap::new();
    let mut functions: HashSet<String> = HashSet::new();
    for module in modules.iter().map(|m| m.as_ref()) {
        let Some((root, rest)) = ref_path(&module.package.refr) else { return Vec::new() };
        let package = [vec![root], rest].concat();
        for rule in &module.policy {
            let Some((head, _)) = head_path(rule) else { return Vec::new() };
            if let Some(last) = head.last().filter(|_| is_function(rule)) {
                functions.insert(last.clone());
            }
            defs.entry([package.clone(), head].concat()).or_default().push((module, package.clone(), rule));
        }
    }
    let mut facts: BTreeMap<Vec<String>, Facts> = BTreeMap::new();
    for (path, rules) in &defs {
        let mut f = Facts { local_ok: true, ..Facts::default() };
        for &(module, ref package, rule) in rules {
            if is_function(rule) || !analyze(module, package, rule, &defs, &functions, &mut f) {
                f.local_ok = false;
            }
        }
        facts.insert(path.clone(), f);
    }
    // (No package is under `data.params`: `compile::load` refuses one.)
    if defs.values().flatten().any(|(_, _, rule)| has_with(rule)) {
        return Vec::new();
    }

    // Qualifying rules: local_ok and every dependency qualifies (a fixed point; no cycles exist,
    // recursion is refused before this runs).
    let mut ok: BTreeSet<Vec<String>> = facts.iter().filter(|(_, f)| f.local_ok).map(|(p, _)| p.clone()).collect();
    loop {
        let before = ok.len();
        ok = ok.iter().filter(|p| facts[*p].deps.iter().all(|d| ok.contains(d))).cloned().collect();
        if ok.len() == before {
            break;
        }
    }
    let closure = |p: &Vec<String>, pick: fn(&Facts) -> bool| {
        let (mut stack, mut seen) = (vec![p.clone()], HashSet::new());
        while let Some(q) = stack.pop() {
            if pick(&facts[&q]) {
                return true;
            }
            stack.extend(facts[&q].deps.iter().filter(|d| seen.insert((*d).clone())).cloned());
        }
        false
    };
    let entry: Vec<String> = entrypoint.split('.').skip(1).map(str::to_string).collect();
    let read_by_others: BTreeSet<&Vec<String>> =
        facts.iter().filter(|(p, _)| !ok.contains(*p)).flat_map(|(_, f)| f.deps.iter()).collect();
    ok.iter()
        .filter(|p| read_by_others.contains(p) || **p == entry)
        .filter(|p| closure(p, |f| f.reads_params) && closure(p, |f| f.iterates))
        .map(|p| format!("data.{}", p.join(".")))
        .collect()
}

fn is_function(rule: &Rule) -> bool {
    matches!(rule, Rule::Spec { head: RuleHead::Func { .. }, .. })
}

/// Whether `rule` has a `with` modifier anywhere.
fn has_with(rule: &Rule) -> bool {
    let mut found = false;
    ast::visit(rule, |node| found |= matches!(node, Node::With));
    found
}

/// Adds one definition's reads to `f`; false when the definition cannot qualify.
fn analyze(
    module: &Module,
    package: &[String],
    rule: &Rule,
    defs: &Definitions,
    functions: &HashSet<String>,
    f: &mut Facts,
) -> bool {
    let imports = data_imports(module);
    let mut locals: HashSet<String> = HashSet::new();
    let mut refs: Vec<(String, Vec<String>)> = Vec::new();
    let mut ok = true;
    f.iterates |= matches!(rule, Rule::Spec { head: RuleHead::Set { .. }, .. });
    ast::visit(rule, |node| match node {
        Node::Literal(Literal::SomeVars { vars, .. }) => locals.extend(vars.iter().map(|v| v.text().to_string())),
        Node::Literal(Literal::SomeIn { key, value, .. }) => {
            f.iterates = true;
            key.iter().for_each(|k| vars_in(k, &mut locals));
            vars_in(value, &mut locals);
        }
        Node::Literal(Literal::Every { key, value, .. }) => {
            f.iterates = true;
            locals.extend(key.iter().chain([value]).map(|s| s.text().to_string()))
        }
        // A `with` anywhere already turned the cache off for the whole policy (`has_with`).
        Node::Literal(_) | Node::With => {}
        Node::Expr(e @ (Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. })) => match ref_path(e) {
            Some(r) => refs.push(r),
            None => ok = false,
        },
        Node::Expr(Expr::Call { fcn, .. }) => {
            let name = fcn.span().text();
            let last = name.rsplit('.').next().unwrap_or_default();
            ok &= !name.starts_with("newton.") && !functions.contains(last);
        }
        Node::Expr(Expr::AssignExpr { op: AssignOp::ColEq, lhs, .. }) => vars_in(lhs, &mut locals),
        Node::Expr(Expr::ArrayCompr { .. } | Expr::SetCompr { .. } | Expr::ObjectCompr { .. }) => f.iterates = true,
        Node::Expr(_) => {}
    });
    for (root, rest) in refs {
        let path = match root.as_str() {
            "_" => continue,
            "data" => rest,
            _ if locals.contains(&root) => continue,
            _ => match imports.get(&root) {
                Some(import) => [import.clone(), rest].concat(),
                None => [package.to_vec(), vec![root], rest].concat(),
            },
        };
        if path.first().is_some_and(|p| p == "params") {
            f.reads_params = true;
            continue;
        }
        // The rule whose path prefixes this reference; anything else (input, wasm, static
        // data, a whole package, an unbound name) disqualifies.
        match defs.keys().find(|p| !p.is_empty() && path.starts_with(p)) {
            Some(p) => {
                f.deps.insert(p.clone());
            }
            None => ok = false,
        }
    }
    ok
}
