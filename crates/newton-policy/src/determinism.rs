//! Rejects policies that call non-deterministic builtins. Every operator must reach the same
//! decision from the same inputs, so anything that reads the network, the clock, randomness or
//! the host is refused when the policy is compiled, naming the builtin and where it is called.

use crate::ast::ModuleAst;
use newton_core::{Error, ErrorCode, Result};
use serde_json::json;

/// Builtins refused at compile time. An entry ending in `.` refuses the whole family.
pub const NONDETERMINISTIC_BUILTINS: &[&str] = &[
    "http.send",
    "time.now_ns",
    "rand.",
    "uuid.",
    "crypto.x509.",
    "net.",
    "opa.runtime",
    "io.jwt.decode_verify",
    "providers.aws.",
];

fn is_nondeterministic(name: &str) -> bool {
    NONDETERMINISTIC_BUILTINS
        .iter()
        .any(|b| if b.ends_with('.') { name.starts_with(b) } else { name == *b })
}

/// Fails with `NEWTON_ERR_POLICY_NONDETERMINISTIC` listing every offending call.
pub fn check(modules: &[ModuleAst]) -> Result<()> {
    let offenders: Vec<_> = modules
        .iter()
        .flat_map(|m| m.calls())
        .filter(|(name, _)| is_nondeterministic(name))
        .collect();
    let Some((name, loc)) = offenders.first() else { return Ok(()) };
    let message = format!(
        "{}:{}:{}: `{name}` is non-deterministic and not allowed in Newton policies{}",
        loc.file,
        loc.line,
        loc.column,
        match offenders.len() {
            1 => String::new(),
            n => format!(" ({} more call(s) found)", n - 1),
        }
    );
    let calls: Vec<_> = offenders
        .iter()
        .map(|(b, l)| json!({"builtin": b, "file": l.file, "line": l.line, "column": l.column}))
        .collect();
    Err(Error::new(ErrorCode::PolicyNondeterministic, message).with_details(json!({ "calls": calls })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_exact_names() {
        assert!(is_nondeterministic("http.send"));
        assert!(is_nondeterministic("rand.intn"));
        assert!(is_nondeterministic("net.lookup_ip_addr"));
        assert!(!is_nondeterministic("time.parse_rfc3339_ns"));
        assert!(!is_nondeterministic("http.sender"));
        assert!(!is_nondeterministic("randx.y"));
    }
}
