//! `strings.count`, `strings.split_n` and `array.flatten`.

use anyhow::{anyhow, Result};
use regorus::Value;

use super::super::args;
use super::{operand_error, string};

/// `strings.count(s, sub)`: non-overlapping occurrences of `sub` (Go's `strings.Count`); an
/// empty `sub` counts the code points of `s` plus one.
pub(super) fn strings_count(name: &str, a: &[Value]) -> Result<Value> {
    let [s, sub] = args(name, a)?;
    let (s, sub) = (string(name, 1, s)?, string(name, 2, sub)?);
    let n = match sub {
        "" => s.chars().count() + 1,
        _ => s.matches(sub).count(),
    };
    Ok(Value::from(n))
}

/// `strings.split_n(s, delim, n)`: the first `n` parts of `split(s, delim)`, or the last `-n`
/// when `n` is negative. An empty `delim` splits into code points, as Go's `strings.Split`.
pub(super) fn split_n(name: &str, a: &[Value]) -> Result<Value> {
    let [s, delim, n] = args(name, a)?;
    let (s, delim) = (string(name, 1, s)?, string(name, 2, delim)?);
    let Value::Number(_) = n else {
        return Err(operand_error(name, 3, "number", n));
    };
    let n = n.as_i64().map_err(|_| {
        anyhow!("{name}: operand 3 must be integer number but got floating-point number")
    })?;
    let parts: Vec<&str> = match delim {
        "" => s.matches(|_: char| true).collect(),
        _ => s.split(delim).collect(),
    };
    let keep = usize::try_from(n.unsigned_abs()).map_or(parts.len(), |k| k.min(parts.len()));
    let skip = if n >= 0 { 0 } else { parts.len() - keep };
    let kept = parts.iter().skip(skip).take(keep).map(|p| Value::from(*p));
    Ok(Value::from(kept.collect::<Vec<_>>()))
}

/// `array.flatten(arr)`: `arr` with its array elements spliced in, one level deep.
pub(super) fn array_flatten(name: &str, a: &[Value]) -> Result<Value> {
    let [arr] = args(name, a)?;
    let Value::Array(items) = arr else {
        return Err(operand_error(name, 1, "array", arr));
    };
    let mut flat = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item {
            Value::Array(inner) => flat.extend(inner.iter().cloned()),
            other => flat.push(other.clone()),
        }
    }
    Ok(Value::from(flat))
}
