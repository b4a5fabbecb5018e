//! `newton.identity.*`: the generic field accessor and the KYC checks.
//!
//! Data comes from [`EvalContext::identity`]. The `kyc.*` checks read the `kyc` domain; a
//! missing domain or field reads as an empty string (so `check_approved()` is false and the
//! other checks fail with an error naming the missing field).

use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use regorus::Value;
use serde_json::{Map, Value as Json};

use super::context::{self, EvalContext};
use super::time::{parse_date, years};
use super::{args, int_arg, str_arg};

const KYC: &str = "kyc";

/// `get(field)`: the raw field from the merged map of every identity domain, or undefined.
/// Domains are merged in `serde_json::Map` iteration order (sorted by domain name, as
/// `preserve_order` is off), so on a clash the alphabetically last domain wins.
pub(super) fn get(name: &str, a: &[Value]) -> Result<Value> {
    let [field] = args(name, a)?;
    let field = str_arg(name, "field", field)?;
    let ctx = context::identity()?;
    let mut found = None;
    for (domain, data) in &ctx.identity {
        if let Some(v) = domain_fields(name, domain, data)?.get(field) {
            found = Some(v);
        }
    }
    Ok(found.map_or(Value::Undefined, |v| Value::from(v.clone())))
}

/// `kyc.check_approved()`: `status == "approved"`.
pub(super) fn check_approved(name: &str, a: &[Value]) -> Result<Value> {
    args::<0>(name, a)?;
    let ctx = context::identity()?;
    Ok(Value::from(kyc_str(name, &ctx, "status")? == "approved"))
}

/// `kyc.address_in_countries(codes)`: the 2-letter `address_country_code` is in `codes`.
pub(super) fn address_in_countries(name: &str, a: &[Value]) -> Result<Value> {
    let [codes] = args(name, a)?;
    let codes = string_list(name, codes)?;
    let ctx = context::identity()?;
    let code = kyc_required(name, &ctx, "address_country_code")?;
    Ok(Value::from(code.len() == 2 && codes.contains(&code)))
}

/// `kyc.address_in_subdivision(codes)`: `"{country}-{subdivision}"` is in `codes`.
pub(super) fn address_in_subdivision(name: &str, a: &[Value]) -> Result<Value> {
    subdivision_in(name, a).map(Value::from)
}

/// `kyc.address_not_in_subdivision(codes)`: `"{country}-{subdivision}"` is not in `codes`.
pub(super) fn address_not_in_subdivision(name: &str, a: &[Value]) -> Result<Value> {
    subdivision_in(name, a).map(|found| Value::from(!found))
}

/// `kyc.age_gte(n)`: complete years from `birthdate` to the reference date ≥ `n` (`n` > 0).
pub(super) fn age_gte(name: &str, a: &[Value]) -> Result<Value> {
    let [n] = args(name, a)?;
    let n = int_arg(name, n, 1)?;
    let ctx = context::identity()?;
    let today = reference_date(name, &ctx)?;
    let age = years(name, kyc_date(name, &ctx, "birthdate")?, today)?;
    Ok(Value::from(i64::from(age) >= n))
}

/// `kyc.not_expired()`: reference date ≤ `expiration_date`.
pub(super) fn not_expired(name: &str, a: &[Value]) -> Result<Value> {
    args::<0>(name, a)?;
    let ctx = context::identity()?;
    let today = reference_date(name, &ctx)?;
    Ok(Value::from(
        today <= kyc_date(name, &ctx, "expiration_date")?,
    ))
}

/// `kyc.valid_for(days)`: `expiration_date - reference date` ≥ `days` (`days` > 0).
pub(super) fn valid_for(name: &str, a: &[Value]) -> Result<Value> {
    let [days] = args(name, a)?;
    let days = int_arg(name, days, 1)?;
    let ctx = context::identity()?;
    let today = reference_date(name, &ctx)?;
    let expiration = kyc_date(name, &ctx, "expiration_date")?;
    Ok(Value::from((expiration - today).num_days() >= days))
}

/// `kyc.issued_since(days)`: `reference date - issue_date` ≥ `days` (`days` > 0).
pub(super) fn issued_since(name: &str, a: &[Value]) -> Result<Value> {
    let [days] = args(name, a)?;
    let days = int_arg(name, days, 1)?;
    let ctx = context::identity()?;
    let today = reference_date(name, &ctx)?;
    let issued = kyc_date(name, &ctx, "issue_date")?;
    Ok(Value::from((today - issued).num_days() >= days))
}

fn subdivision_in(name: &str, a: &[Value]) -> Result<bool> {
    let [codes] = args(name, a)?;
    let codes = string_list(name, codes)?;
    let ctx = context::identity()?;
    let country = kyc_required(name, &ctx, "address_country_code")?;
    let subdivision = kyc_required(name, &ctx, "address_subdivision")?;
    let key = format!("{country}-{subdivision}");
    Ok(codes.contains(&key.as_str()))
}

/// A non-empty array (or set) of strings.
fn string_list<'a>(name: &str, v: &'a Value) -> Result<Vec<&'a str>> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Set(s) => s.iter().collect(),
        _ => bail!("{name}: expected a non-empty array of strings, got {v}"),
    };
    if items.is_empty() {
        bail!("{name}: expected a non-empty array of strings, got an empty one");
    }
    items
        .into_iter()
        .map(|item| str_arg(name, "every array element", item))
        .collect()
}

/// The fields of one identity domain, which must be an object.
fn domain_fields<'a>(name: &str, domain: &str, data: &'a Json) -> Result<&'a Map<String, Json>> {
    data.as_object()
        .ok_or_else(|| anyhow!("{name}: identity domain `{domain}` must be an object"))
}

/// A `kyc` string field; `""` when the domain or field is absent.
fn kyc_str<'a>(name: &str, ctx: &'a EvalContext, field: &str) -> Result<&'a str> {
    let Some(data) = ctx.identity.get(KYC) else {
        return Ok("");
    };
    match domain_fields(name, KYC, data)?.get(field) {
        None | Some(Json::Null) => Ok(""),
        Some(Json::String(s)) => Ok(s),
        Some(other) => bail!("{name}: kyc field `{field}` must be a string, got {other}"),
    }
}

/// A `kyc` string field that must be present and non-empty.
fn kyc_required<'a>(name: &str, ctx: &'a EvalContext, field: &str) -> Result<&'a str> {
    match kyc_str(name, ctx, field)? {
        "" => bail!("{name}: kyc field `{field}` is missing or empty"),
        s => Ok(s),
    }
}

/// A `kyc` date field (YYYY-MM-DD) that must be present.
fn kyc_date(name: &str, ctx: &EvalContext, field: &str) -> Result<NaiveDate> {
    parse_date(
        name,
        &format!("kyc field `{field}`"),
        kyc_required(name, ctx, field)?,
    )
}

/// The evaluation's "today": the context's reference date, else the `kyc.reference_date` field.
fn reference_date(name: &str, ctx: &EvalContext) -> Result<NaiveDate> {
    if let Some(d) = ctx.reference_date {
        return Ok(d);
    }
    match kyc_str(name, ctx, "reference_date")? {
        "" => bail!(
            "{name}: no reference date: pass one (--reference-date) or set the kyc domain's \
             reference_date field; the wall clock is never used"
        ),
        s => parse_date(name, "kyc field `reference_date`", s),
    }
}
