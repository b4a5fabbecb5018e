//! `newton.confidential.*` (also registered as `newton.privacy.*`): blacklist / allowlist checks.
//!
//! Data comes from [`EvalContext::confidential`]: domain → `{"addresses": [string, …]}`. A list
//! is the concatenation of its domains in the fixed order `blacklist`,
//! `newton.confidential.blacklist`, `newton.privacy.blacklist` (likewise for `allowlist`).
//! `contains` and `count` on a list with no domain at all are errors (fail closed), while an
//! empty `addresses` array is a real, empty list.

use anyhow::{bail, Result};
use regorus::Value;
use serde_json::Value as Json;

use super::context::{self, EvalContext};
use super::{args, str_arg};

/// Which list a builtin reads.
#[derive(Clone, Copy)]
enum List {
    Blacklist,
    Allowlist,
}

impl List {
    fn label(self) -> &'static str {
        match self {
            List::Blacklist => "blacklist",
            List::Allowlist => "allowlist",
        }
    }

    /// The confidential domain names that hold this list.
    fn domains(self) -> [&'static str; 3] {
        match self {
            List::Blacklist => [
                "blacklist",
                "newton.confidential.blacklist",
                "newton.privacy.blacklist",
            ],
            List::Allowlist => [
                "allowlist",
                "newton.confidential.allowlist",
                "newton.privacy.allowlist",
            ],
        }
    }

    /// The list's addresses as given, or `None` when no domain holds it.
    fn addresses<'a>(self, name: &str, ctx: &'a EvalContext) -> Result<Option<Vec<&'a str>>> {
        let mut found: Option<Vec<&str>> = None;
        for domain in self.domains() {
            let Some(data) = ctx.confidential.get(domain) else {
                continue;
            };
            let Some(items) = data.get("addresses").and_then(Json::as_array) else {
                bail!(
                    "{name}: confidential domain `{domain}` must be {{\"addresses\": [string, …]}}"
                );
            };
            let list = found.get_or_insert_with(Vec::new);
            for item in items {
                match item.as_str() {
                    Some(s) => list.push(s),
                    None => bail!(
                        "{name}: confidential domain `{domain}` has a non-string address {item}"
                    ),
                }
            }
        }
        Ok(found)
    }

    /// The list, which must be present.
    fn required<'a>(self, name: &str, ctx: &'a EvalContext) -> Result<Vec<&'a str>> {
        match self.addresses(name, ctx)? {
            Some(list) => Ok(list),
            None => bail!(
                "{name}: no {} data was provided for this evaluation",
                self.label()
            ),
        }
    }
}

/// `get(field)`: `blacklist_addresses`, `blacklist_count`, `allowlist_addresses` or
/// `allowlist_count`; undefined for any other field or an absent list.
pub(super) fn get(name: &str, a: &[Value]) -> Result<Value> {
    let [field] = args(name, a)?;
    let field = str_arg(name, "field", field)?;
    let (list, count) = match field {
        "blacklist_addresses" => (List::Blacklist, false),
        "blacklist_count" => (List::Blacklist, true),
        "allowlist_addresses" => (List::Allowlist, false),
        "allowlist_count" => (List::Allowlist, true),
        _ => return Ok(Value::Undefined),
    };
    let ctx = context::confidential()?;
    Ok(match list.addresses(name, &ctx)? {
        None => Value::Undefined,
        Some(l) if count => Value::from(l.len()),
        Some(l) => Value::from(l.into_iter().map(Value::from).collect::<Vec<_>>()),
    })
}

pub(super) fn blacklist_contains(name: &str, a: &[Value]) -> Result<Value> {
    contains(name, a, List::Blacklist)
}

pub(super) fn blacklist_count(name: &str, a: &[Value]) -> Result<Value> {
    count(name, a, List::Blacklist)
}

pub(super) fn allowlist_contains(name: &str, a: &[Value]) -> Result<Value> {
    contains(name, a, List::Allowlist)
}

pub(super) fn allowlist_count(name: &str, a: &[Value]) -> Result<Value> {
    count(name, a, List::Allowlist)
}

/// `<list>.contains(addr)`: case-insensitive comparison with any `0x` prefix stripped.
fn contains(name: &str, a: &[Value], list: List) -> Result<Value> {
    let [addr] = args(name, a)?;
    let addr = str_arg(name, "address", addr)?;
    if addr.is_empty() {
        bail!("{name}: expected a non-empty address");
    }
    let wanted = normalize(addr);
    let ctx = context::confidential()?;
    let found = list
        .required(name, &ctx)?
        .into_iter()
        .any(|a| normalize(a) == wanted);
    Ok(Value::from(found))
}

/// `<list>.count()`: the number of entries.
fn count(name: &str, a: &[Value], list: List) -> Result<Value> {
    args::<0>(name, a)?;
    let ctx = context::confidential()?;
    Ok(Value::from(list.required(name, &ctx)?.len()))
}

/// Lower-case hex without a `0x` / `0X` prefix.
pub(super) fn normalize(addr: &str) -> String {
    let lower = addr.to_ascii_lowercase();
    match lower.strip_prefix("0x") {
        Some(rest) => rest.to_string(),
        None => lower,
    }
}
