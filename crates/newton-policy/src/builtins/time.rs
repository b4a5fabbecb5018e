//! `newton.time.*`: pure date arithmetic on `YYYY-MM-DD` strings (no clock access).

use anyhow::{bail, Result};
use chrono::NaiveDate;
use regorus::Value;

use super::{args, int_arg, str_arg};

/// Parses a strict `YYYY-MM-DD` date; `what` names the value in the error.
pub(crate) fn parse_date(name: &str, what: &str, s: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(d),
        _ => bail!("{name}: {what} must be a YYYY-MM-DD date, got {s:?}"),
    }
}

/// A date argument.
fn date_arg(name: &str, what: &str, v: &Value) -> Result<NaiveDate> {
    parse_date(name, what, str_arg(name, what, v)?)
}

/// Two date arguments.
fn dates(name: &str, a: &[Value], first: &str, second: &str) -> Result<(NaiveDate, NaiveDate)> {
    let [x, y] = args(name, a)?;
    Ok((date_arg(name, first, x)?, date_arg(name, second, y)?))
}

/// `days_between(a, b)`: `|b - a|` in days.
pub(super) fn days_between(name: &str, a: &[Value]) -> Result<Value> {
    let (x, y) = dates(name, a, "date_a", "date_b")?;
    Ok(Value::from((y - x).num_days().abs()))
}

/// `days_since(past, ref)`: `ref - past` in days (negative when `past` is after `ref`).
pub(super) fn days_since(name: &str, a: &[Value]) -> Result<Value> {
    let (past, reference) = dates(name, a, "past_date", "reference_date")?;
    Ok(Value::from((reference - past).num_days()))
}

/// `is_within_days(date, ref, max)`: `|ref - date| <= max`, `max` ≥ 0.
pub(super) fn is_within_days(name: &str, a: &[Value]) -> Result<Value> {
    let [date, reference, max] = args(name, a)?;
    let max = int_arg(name, max, 0)?;
    let date = date_arg(name, "date", date)?;
    let reference = date_arg(name, "reference_date", reference)?;
    Ok(Value::from((reference - date).num_days().abs() <= max))
}

/// `is_before(a, b)`: `a < b`.
pub(super) fn is_before(name: &str, a: &[Value]) -> Result<Value> {
    let (x, y) = dates(name, a, "date_a", "date_b")?;
    Ok(Value::from(x < y))
}

/// `is_after(a, b)`: `a > b`.
pub(super) fn is_after(name: &str, a: &[Value]) -> Result<Value> {
    let (x, y) = dates(name, a, "date_a", "date_b")?;
    Ok(Value::from(x > y))
}

/// `age_years(birth, ref)`: complete years from `birth` to `ref`.
pub(super) fn age_years(name: &str, a: &[Value]) -> Result<Value> {
    let (birth, reference) = dates(name, a, "birthdate", "reference_date")?;
    Ok(Value::from(i64::from(years(name, birth, reference)?)))
}

/// Complete years from `birth` to `reference`; an error if `birth` is after `reference`.
/// A 29 February birthday completes a year on 1 March in non-leap years.
pub(super) fn years(name: &str, birth: NaiveDate, reference: NaiveDate) -> Result<u32> {
    match reference.years_since(birth) {
        Some(y) => Ok(y),
        None => bail!("{name}: birthdate {birth} is after the reference date {reference}"),
    }
}
