//! A minimal unsigned big integer: what `units.parse_bytes` needs to round like Go's
//! `big.Float` (64-bit mantissa, ties to even).

/// A non-negative integer as little-endian base-2^32 limbs, without high zero limbs.
#[derive(Clone, Default)]
pub(super) struct Nat(Vec<u32>);

impl Nat {
    pub(super) fn from_u128(v: u128) -> Self {
        let mut n = Nat((0..4).map(|i| (v >> (32 * i)) as u32).collect());
        n.trim();
        n
    }

    /// The integer whose decimal digits (values 0–9, most significant first) are `digits`.
    pub(super) fn from_digits(digits: &[u8]) -> Self {
        let mut n = Nat::default();
        for chunk in digits.chunks(9) {
            let (scale, add) = chunk
                .iter()
                .fold((1, 0), |(s, a), d| (s * 10, a * 10 + u32::from(*d)));
            n.mul_add(scale, add);
        }
        n
    }

    /// `self = self * m + a`.
    pub(super) fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let t = u64::from(*limb) * u64::from(m) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    /// `self = self / d` (`d` > 0); returns the remainder.
    pub(super) fn div_rem(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.0.iter_mut().rev() {
            let t = (rem << 32) | u64::from(*limb);
            *limb = (t / u64::from(d)) as u32;
            rem = t % u64::from(d);
        }
        self.trim();
        rem as u32
    }

    /// `self = self << bits`.
    pub(super) fn shl(&mut self, bits: u64) {
        let (limbs, bits) = ((bits / 32) as usize, (bits % 32) as u32);
        if bits > 0 {
            self.mul_add(1 << bits, 0);
        }
        if !self.0.is_empty() {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    /// The number of significant bits (0 for zero).
    pub(super) fn bits(&self) -> u64 {
        self.0.last().map_or(0, |top| {
            32 * (self.0.len() as u64 - 1) + u64::from(32 - top.leading_zeros())
        })
    }

    fn bit(&self, i: u64) -> bool {
        let limb = self.0.get((i / 32) as usize).copied().unwrap_or(0);
        limb >> (i % 32) & 1 == 1
    }

    /// Rounds to 64 significant bits, ties to even: `(m, e)` with `m * 2^e` nearest to the
    /// value. `sticky` says the true value exceeds `self` by less than one; it then needs at
    /// least 66 bits so that the excess lies below the rounding bit.
    pub(super) fn round64(&self, sticky: bool) -> (u64, i64) {
        let shift = self.bits().saturating_sub(64);
        let mut m = (0..64).fold(0u64, |m, i| m | u64::from(self.bit(shift + i)) << i);
        let mut e = shift as i64;
        if shift > 0 && self.bit(shift - 1) {
            let rest = sticky || (0..shift - 1).any(|i| self.bit(i));
            if rest || m & 1 == 1 {
                (m, e) = match m.checked_add(1) {
                    Some(m) => (m, e),
                    None => (1 << 63, e + 1),
                };
            }
        }
        (m, e)
    }

    /// Decimal digits, without leading zeros ("0" for zero).
    pub(super) fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.0.is_empty() {
            chunks.push(n.div_rem(1_000_000_000));
        }
        let mut out = chunks.pop().unwrap_or(0).to_string();
        for c in chunks.iter().rev() {
            out.push_str(&format!("{c:09}"));
        }
        out
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}
