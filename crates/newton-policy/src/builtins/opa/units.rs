//! `units.parse` and `units.parse_bytes`, following OPA's `parse_units.go` and `parse_bytes.go`.
//!
//! regorus 0.14 builds `10^exponent` for any written exponent, so `units.parse("1e100000000")`
//! runs for many seconds, ignoring the evaluation time limit. OPA refuses exponents of more than
//! 6 digits; this module does too, and also refuses amounts of 1e309 or more (OPA would compute
//! them, up to a million digits), so every call costs microseconds.
//!
//! `units.parse` is exact like OPA's `big.Rat`: an integer result stays an integer, any other
//! is rounded to 10 decimals. `units.parse_bytes` rounds like OPA's 64-bit `big.Float` (amount,
//! then amount × unit) and truncates to an integer.

use anyhow::{anyhow, bail, Result};
use regorus::Value;

use super::super::args;
use super::nat::Nat;
use super::string;

/// OPA's limit on the digits of a written exponent.
const MAX_EXPONENT_DIGITS: usize = 6;
/// Amounts must be below `10^(MAX_SCALE + 1)`.
const MAX_SCALE: i64 = 308;
/// `units.parse_bytes` keeps this many significant digits (then a sticky nonzero digit): more
/// than any amount that Go's `big.Float` parses exactly can have below the scale limit.
const MAX_BYTES_DIGITS: usize = 400;
/// Fractional digits of a non-integer `units.parse` result (`big.Rat.FloatString(10)`).
const DECIMALS: usize = 10;

/// A `units.parse` unit's factor. `Milli` is the float64 `0.001` that OPA multiplies by (`big.Rat`'s
/// `SetFloat64`): exactly `1152921504606847 / 2^60`.
#[derive(Clone, Copy)]
enum Factor {
    Pow10(u32),
    Pow2(u32),
    Milli,
}

/// `units.parse(x)`: SI (`K`/`k`, `M`, `G`, …, `E`; `m` is milli) and binary (`Ki`, …, `Ei`)
/// units; the first letter is case-sensitive, the rest is not.
pub(super) fn parse(name: &str, a: &[Value]) -> Result<Value> {
    let [x] = args(name, a)?;
    let s = string(name, 1, x)?.replace('"', "");
    let (num, unit) = split(name, &s)?;
    if num.is_empty() {
        bail!("{name}: no amount provided");
    }
    let unit = match unit.split_at_checked(1) {
        Some((first, rest)) if !rest.is_empty() => format!("{first}{}", go_lower(rest)),
        _ => unit.to_string(),
    };
    let factor = match unit.as_str() {
        "m" => Factor::Milli,
        "" => Factor::Pow10(0),
        "k" | "K" => Factor::Pow10(3),
        "M" => Factor::Pow10(6),
        "g" | "G" => Factor::Pow10(9),
        "t" | "T" => Factor::Pow10(12),
        "p" | "P" => Factor::Pow10(15),
        "e" | "E" => Factor::Pow10(18),
        _ => Factor::Pow2(
            binary_exponent(&unit.to_ascii_lowercase(), "i")
                .ok_or_else(|| anyhow!("{name}: unit {unit} not recognized"))?,
        ),
    };
    let amount = Decimal::parse(num)
        .filter(|d| d.digits.is_empty() || d.written_exp.abs() <= 1_000_000)
        .ok_or_else(|| anyhow!("{name}: could not parse amount to a number"))?;
    amount.check_scale(name)?;
    Value::from_numeric_string(&amount.exact(factor))
}

/// `units.parse_bytes(x)`: a whole number of bytes; units are case-insensitive (`kb` or `k`,
/// `kib` or `ki`, …, `eib`), quotes are ignored.
pub(super) fn parse_bytes(name: &str, a: &[Value]) -> Result<Value> {
    let [x] = args(name, a)?;
    let s = go_lower(string(name, 1, x)?).replace('"', "");
    let (num, unit) = split(name, &s)?;
    if num.is_empty() {
        bail!("{name}: no byte amount provided");
    }
    // The unit as `10^pow10 × 2^pow2`.
    let (pow10, pow2) = match unit.strip_suffix('b').unwrap_or(unit) {
        "" if unit.is_empty() => (0, 0),
        "k" => (3, 0),
        "m" => (6, 0),
        "g" => (9, 0),
        "t" => (12, 0),
        "p" => (15, 0),
        "e" => (18, 0),
        _ => (
            0,
            binary_exponent(unit, "ib")
                .or_else(|| binary_exponent(unit, "i"))
                .ok_or_else(|| anyhow!("{name}: byte unit {unit} not recognized"))?,
        ),
    };
    let amount = Decimal::parse(num)
        .ok_or_else(|| anyhow!("{name}: could not parse byte amount to a number"))?;
    amount.check_scale(name)?;
    Value::from_numeric_string(&amount.bytes(pow10, pow2))
}

/// Go's `strings.ToLower`: each character mapped on its own (`İ` becomes `i`, `Σ` always `σ`).
fn go_lower(s: &str) -> String {
    s.chars().filter_map(|c| c.to_lowercase().next()).collect()
}

/// `ki`, `mi`, … `ei` (with `suffix` in place of `i`) → 10, 20, … 60.
fn binary_exponent(unit: &str, suffix: &str) -> Option<u32> {
    let prefix = unit.strip_suffix(suffix)?;
    let i = ["k", "m", "g", "t", "p", "e"]
        .iter()
        .position(|p| *p == prefix)?;
    Some(10 * (i as u32 + 1))
}

/// Splits at the first character that cannot continue the number, as OPA's
/// `extractNumAndUnit`: digits, `.`, signs, and `e`/`E` when a digit or sign follows. Spaces
/// and exponents of more than 6 digits are errors.
fn split<'a>(name: &str, s: &'a str) -> Result<(&'a str, &'a str)> {
    if s.contains(' ') {
        bail!("{name}: spaces not allowed in resource strings");
    }
    let b = s.as_bytes();
    let numeric = |c: u8| c.is_ascii_digit() || matches!(c, b'.' | b'+' | b'-');
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if matches!(c, b'e' | b'E') {
            match b.get(i + 1) {
                Some(&n) if numeric(n) && n != b'.' => {}
                _ => break,
            }
            if matches!(b.get(i + 1), Some(b'+' | b'-')) {
                i += 1;
            }
            let exponent = b.get(i + 1..).unwrap_or_default();
            let digits = exponent.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > MAX_EXPONENT_DIGITS {
                bail!("{name}: exponent too large");
            }
        } else if !numeric(c) {
            break;
        }
        i += 1;
    }
    // Every byte before `i` is ASCII, so `i` is a character boundary.
    Ok(s.split_at(i))
}

/// A decimal number `±digits × 10^exp` as Go's `big.Rat`/`big.Float` `SetString` accept it:
/// `[+-]digits[.digits][e[+-]digits]`. `digits` has no leading or trailing zeros (none: zero).
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
    /// The exponent with the point moved to the end of the written digits (Go's `exp5`).
    written_exp: i64,
}

impl Decimal {
    fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let (neg, mut i) = match b.first() {
            Some(b'-') => (true, 1),
            Some(b'+') => (false, 1),
            _ => (false, 0),
        };
        let (mut digits, mut fraction, mut dot, mut any) = (Vec::new(), 0i64, false, false);
        while let Some(&c) = b.get(i) {
            match c {
                b'0'..=b'9' => {
                    any = true;
                    fraction += i64::from(dot);
                    if c != b'0' || !digits.is_empty() {
                        digits.push(c - b'0');
                    }
                }
                b'.' if !dot => dot = true,
                _ => break,
            }
            i += 1;
        }
        let mut exp = 0i64;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let sign = match b.get(i + 1) {
                Some(b'-') => -1,
                _ => 1,
            };
            i += 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
            let start = i;
            while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
                exp = exp.saturating_mul(10).saturating_add(i64::from(d - b'0'));
                i += 1;
            }
            any &= i > start;
            exp *= sign;
        }
        if !any || i != b.len() {
            return None;
        }
        let written_exp = exp.saturating_sub(fraction);
        let zeros = digits.iter().rev().take_while(|d| **d == 0).count();
        digits.truncate(digits.len() - zeros);
        let exp = written_exp.saturating_add(zeros as i64);
        Some(Decimal {
            neg,
            digits,
            exp,
            written_exp,
        })
    }

    /// The power of ten of the leading digit (`i64::MIN` for zero).
    fn scale(&self) -> i64 {
        match self.digits.len() {
            0 => i64::MIN,
            n => self.exp.saturating_add(n as i64 - 1),
        }
    }

    fn check_scale(&self, name: &str) -> Result<()> {
        match self.scale() > MAX_SCALE {
            true => bail!("{name}: exponent too large"),
            false => Ok(()),
        }
    }

    /// `self × factor` exactly, rendered as OPA does: an integer, or rounded to 10 decimals.
    fn exact(&self, factor: Factor) -> String {
        // Little-endian digits of `self.digits × factor`, and the power of ten they carry.
        let mut le: Vec<u8> = self.digits.iter().rev().copied().collect();
        let mut exp = self.exp;
        match factor {
            Factor::Pow10(k) => exp += i64::from(k),
            Factor::Pow2(k) => mul(&mut le, 1 << k),
            // 0.001 as float64 = 1152921504606847 / 2^60 = 1152921504606847 × 5^60 / 10^60.
            Factor::Milli => {
                for f in [
                    1_152_921_504_606_847,
                    5u64.pow(27),
                    5u64.pow(27),
                    5u64.pow(6),
                ] {
                    mul(&mut le, f);
                }
                exp -= 60;
            }
        }
        let sign = if self.neg { "-" } else { "" };
        while le.last() == Some(&0) {
            le.pop();
        }
        let ms: String = le.iter().rev().map(|d| char::from(b'0' + d)).collect();
        if ms.is_empty() {
            return "0".into();
        }
        if exp >= 0 {
            return format!("{sign}{ms}{}", "0".repeat(exp as usize));
        }
        let point = exp.unsigned_abs();
        let (int, frac) = match usize::try_from(point).ok().filter(|p| *p <= ms.len()) {
            Some(p) => ms.split_at(ms.len() - p),
            // The digits start `point - len` zeros after the point; past 11, they round away.
            None if point - ms.len() as u64 > DECIMALS as u64 + 1 => ("", ""),
            None => {
                return render(
                    sign,
                    "",
                    &format!("{}{ms}", "0".repeat((point - ms.len() as u64) as usize)),
                )
            }
        };
        if !frac.is_empty() && frac.bytes().all(|d| d == b'0') {
            return format!("{sign}{int}");
        }
        render(sign, int, frac)
    }

    /// `units.parse_bytes`: round the amount, then amount × `10^pow10`, to 64 bits; scale by
    /// `2^pow2` and truncate.
    fn bytes(&self, pow10: u32, pow2: u32) -> String {
        let mut digits = self.digits.clone();
        let mut exp = self.exp;
        if digits.len() > MAX_BYTES_DIGITS {
            exp += (digits.len() - MAX_BYTES_DIGITS) as i64;
            digits.truncate(MAX_BYTES_DIGITS);
            digits.push(1);
            exp -= 1;
        }
        // Below 10^-40 even 2^60 times the amount rounds to less than one.
        if digits.is_empty() || self.scale() < -40 {
            return "0".into();
        }
        let mut n = Nat::from_digits(&digits);
        let (m, e) = match u32::try_from(exp) {
            Ok(k) => {
                (0..k).for_each(|_| n.mul_add(10, 0));
                n.round64(false)
            }
            Err(_) => {
                // Scale up so the quotient keeps at least 66 bits (10^k < 2^(4k)).
                let k = exp.unsigned_abs();
                let up = (66 + 4 * k).saturating_sub(n.bits());
                n.shl(up);
                let sticky = (0..k).fold(false, |s, _| n.div_rem(10) != 0 || s);
                let (m, e) = n.round64(sticky);
                (m, e - up as i64)
            }
        };
        let (m, up) = Nat::from_u128(u128::from(m) * 10u128.pow(pow10)).round64(false);
        let e = e + up + i64::from(pow2);
        let int = match u64::try_from(e) {
            Ok(up) => {
                let mut n = Nat::from_u128(u128::from(m));
                n.shl(up);
                n.to_decimal()
            }
            Err(_) => m
                .checked_shr(e.unsigned_abs().try_into().unwrap_or(u32::MAX))
                .unwrap_or(0)
                .to_string(),
        };
        match (self.neg, int.as_str()) {
            (true, i) if i != "0" => format!("-{i}"),
            _ => int,
        }
    }
}

/// `le = le × f` on little-endian decimal digits.
fn mul(le: &mut Vec<u8>, f: u64) {
    let mut carry = 0u128;
    for d in le.iter_mut() {
        let t = u128::from(*d) * u128::from(f) + carry;
        *d = (t % 10) as u8;
        carry = t / 10;
    }
    while carry > 0 {
        le.push((carry % 10) as u8);
        carry /= 10;
    }
}

/// `big.Rat.FloatString(10)` of `±int.frac`: ten decimals, half away from zero.
fn render(sign: &str, int: &str, frac: &str) -> String {
    let mut digits: Vec<u8> = format!("0{int}").bytes().map(|c| c - b'0').collect();
    let kept = frac.bytes().chain(std::iter::repeat(b'0')).take(DECIMALS);
    digits.extend(kept.map(|c| c - b'0'));
    if frac.as_bytes().get(DECIMALS).is_some_and(|d| *d >= b'5') {
        for d in digits.iter_mut().rev() {
            *d = (*d + 1) % 10;
            if *d != 0 {
                break;
            }
        }
    }
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let (int, frac) = text.split_at(text.len() - DECIMALS);
    let int = int.trim_start_matches('0');
    format!("{sign}{}.{frac}", if int.is_empty() { "0" } else { int })
}
