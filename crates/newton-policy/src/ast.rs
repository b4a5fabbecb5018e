//! Read-only views over regorus's AST JSON: the builtin calls a module makes and the rules it
//! declares. Used at compile time only (determinism check, test discovery).

use serde_json::Value;

/// A source location (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub column: u64,
}

/// One parsed module as regorus reports it.
pub struct ModuleAst<'a> {
    pub file: &'a str,
    contents: &'a str,
    ast: &'a Value,
}

/// Splits regorus's `get_ast_as_json` output into modules.
pub fn modules(ast_json: &Value) -> Vec<ModuleAst<'_>> {
    ast_json
        .as_array()
        .map(|mods| {
            mods.iter()
                .filter_map(|m| {
                    Some(ModuleAst {
                        file: m.pointer("/source/file")?.as_str()?,
                        contents: m.pointer("/source/contents")?.as_str()?,
                        ast: m.get("ast")?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

impl ModuleAst<'_> {
    /// The package path, e.g. `a.b` for `package a.b`.
    pub fn package(&self) -> Option<&str> {
        self.text(self.ast.pointer("/package/refr")?)
    }

    /// Every function call: the callee as written (e.g. `http.send`) and where it is.
    pub fn calls(&self) -> Vec<(&str, Location)> {
        let mut out = Vec::new();
        self.walk(self.ast, &mut |node| {
            if let Some(fcn) = node.get("Call").and_then(|c| c.get("fcn")) {
                if let (Some(name), Some(loc)) = (self.text(fcn), self.location(fcn)) {
                    out.push((name, loc));
                }
            }
        });
        out
    }

    /// Names of the rules this module declares (ref heads as written, e.g. `allow`, `a.b`).
    pub fn rule_names(&self) -> Vec<(&str, Location)> {
        let mut out = Vec::new();
        let rules = self.ast.get("rules").and_then(Value::as_array);
        for rule in rules.into_iter().flatten() {
            let head_ref = rule
                .pointer("/Default/refr")
                .or_else(|| rule.pointer("/Spec/head").and_then(head_refr));
            if let Some(refr) = head_ref {
                if let (Some(name), Some(loc)) = (self.text(refr), self.location(refr)) {
                    out.push((name, loc));
                }
            }
        }
        out
    }

    fn walk<'v>(&self, node: &'v Value, visit: &mut impl FnMut(&'v Value)) {
        match node {
            Value::Object(map) => {
                visit(node);
                map.values().for_each(|v| self.walk(v, visit));
            }
            Value::Array(items) => items.iter().for_each(|v| self.walk(v, visit)),
            _ => {}
        }
    }

    fn span(expr: &Value) -> Option<&Value> {
        expr.as_object()?.values().next()?.get("span")
    }

    fn text(&self, expr: &Value) -> Option<&str> {
        let span = Self::span(expr)?;
        let start = usize::try_from(span.get("start")?.as_u64()?).ok()?;
        let end = usize::try_from(span.get("end")?.as_u64()?).ok()?;
        self.contents.get(start..end)
    }

    /// Where an expression starts. Derived from the byte offset: regorus's `col` for a dotted
    /// reference points at the last dot, not at the start of the name.
    fn location(&self, expr: &Value) -> Option<Location> {
        let start = usize::try_from(Self::span(expr)?.get("start")?.as_u64()?).ok()?;
        let before = self.contents.get(..start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some(Location {
            file: self.file.to_string(),
            line: before.matches('\n').count() as u64 + 1,
            column: before[line_start..].chars().count() as u64 + 1,
        })
    }
}

/// The reference a rule head defines, whatever the head's kind.
fn head_refr(head: &Value) -> Option<&Value> {
    head.as_object()?.values().next()?.get("refr")
}
