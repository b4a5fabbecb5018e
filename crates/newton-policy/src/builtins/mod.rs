//! The Newton Rego builtins (spec §7), registered as regorus extensions.
//!
//! Every builtin reports failures as an error whose message starts with the builtin's name,
//! e.g. `newton.identity.kyc.age_gte: expected a positive integer, got -1`. regorus turns an
//! extension error into an evaluation error (prefixed with the call's source location); the
//! engine maps that to deny.
//!
//! [`register`] also installs the `opa` overrides: OPA builtins that regorus lacks or gets wrong.

mod confidential;
pub mod context;
mod crypto;
mod identity;
mod opa;
#[cfg(test)]
mod tests;
mod time;

use anyhow::{anyhow, bail, Context as _, Result};
use regorus::{Engine, Value};

pub use context::{with_context, EvalContext, PrivateData};
pub(crate) use time::parse_date;

/// A builtin body: receives the name it was called under and the evaluated arguments.
type Builtin = fn(&str, &[Value]) -> Result<Value>;

macro_rules! builtins {
    ($(($name:literal, $arity:literal, $imp:path),)*) => {
        /// Every Newton builtin as `(name, arity)`, in registration order.
        pub const NEWTON_BUILTINS: &[(&str, u8)] = &[$(($name, $arity)),*];
        /// The bodies of [`NEWTON_BUILTINS`], index for index.
        const BODIES: &[Builtin] = &[$($imp),*];
    };
}

builtins! {
    ("newton.crypto.ecdsa_recover_signer", 2, crypto::ecdsa_recover_signer),
    ("newton.crypto.ecdsa_recover_signer_personal", 2, crypto::ecdsa_recover_signer_personal),
    ("newton.crypto.tlsn_verify", 2, crypto::tlsn_verify),
    ("newton.identity.get", 1, identity::get),
    ("newton.identity.kyc.check_approved", 0, identity::check_approved),
    ("newton.identity.kyc.address_in_countries", 1, identity::address_in_countries),
    ("newton.identity.kyc.address_in_subdivision", 1, identity::address_in_subdivision),
    ("newton.identity.kyc.address_not_in_subdivision", 1, identity::address_not_in_subdivision),
    ("newton.identity.kyc.age_gte", 1, identity::age_gte),
    ("newton.identity.kyc.not_expired", 0, identity::not_expired),
    ("newton.identity.kyc.valid_for", 1, identity::valid_for),
    ("newton.identity.kyc.issued_since", 1, identity::issued_since),
    ("newton.confidential.get", 1, confidential::get),
    ("newton.confidential.blacklist.contains", 1, confidential::blacklist_contains),
    ("newton.confidential.blacklist.count", 0, confidential::blacklist_count),
    ("newton.confidential.allowlist.contains", 1, confidential::allowlist_contains),
    ("newton.confidential.allowlist.count", 0, confidential::allowlist_count),
    ("newton.privacy.get", 1, confidential::get),
    ("newton.privacy.blacklist.contains", 1, confidential::blacklist_contains),
    ("newton.privacy.blacklist.count", 0, confidential::blacklist_count),
    ("newton.privacy.allowlist.contains", 1, confidential::allowlist_contains),
    ("newton.privacy.allowlist.count", 0, confidential::allowlist_count),
    ("newton.time.days_between", 2, time::days_between),
    ("newton.time.days_since", 2, time::days_since),
    ("newton.time.is_within_days", 3, time::is_within_days),
    ("newton.time.is_before", 2, time::is_before),
    ("newton.time.is_after", 2, time::is_after),
    ("newton.time.age_years", 2, time::age_years),
}

/// Registers every builtin in [`NEWTON_BUILTINS`] and the OPA builtin overrides on `engine`.
/// `strict` is the engine's strict-builtin-errors setting, which the overrides follow. Identity
/// and confidential data are read per evaluation from the context installed with [`with_context`].
pub fn register(engine: &mut Engine, strict: bool) -> Result<()> {
    for (&(name, arity), &body) in NEWTON_BUILTINS.iter().zip(BODIES) {
        engine
            .add_extension(
                name.to_string(),
                arity,
                Box::new(move |args: Vec<Value>| body(name, &args)),
            )
            .with_context(|| format!("registering {name}"))?;
    }
    opa::register(engine, strict)
}

/// The arguments as a fixed-size array (regorus already checked the count).
fn args<'a, const N: usize>(name: &str, args: &'a [Value]) -> Result<&'a [Value; N]> {
    args.try_into()
        .map_err(|_| anyhow!("{name}: expected {N} argument(s), got {}", args.len()))
}

/// A string argument; `what` names it in the error.
fn str_arg<'a>(name: &str, what: &str, v: &'a Value) -> Result<&'a str> {
    match v {
        Value::String(s) => Ok(s),
        _ => bail!("{name}: {what} must be a string, got {v}"),
    }
}

/// An integer argument that must be at least `min`.
fn int_arg(name: &str, v: &Value, min: i64) -> Result<i64> {
    let kind = if min > 0 {
        "a positive"
    } else {
        "a non-negative"
    };
    match v.as_i64() {
        Ok(n) if n >= min => Ok(n),
        _ => bail!("{name}: expected {kind} integer, got {v}"),
    }
}
