//! RFC 4648 base32, lowercase alphabet, no padding (multibase `b`).

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Encodes `bytes` 5 bits at a time, most significant first; the last group is zero-filled.
pub(crate) fn encode_lower_nopad(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for &byte in bytes {
        buffer = (buffer << 8 | u32::from(byte)) & 0xfff;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[(buffer >> bits & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[(buffer << (5 - bits) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10, lowercased and without `=` padding.
    #[test]
    fn rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(encode_lower_nopad(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn all_ones_and_all_zeros() {
        assert_eq!(encode_lower_nopad(&[0xff; 5]), "77777777");
        assert_eq!(encode_lower_nopad(&[0; 6]), "aaaaaaaaaa");
    }
}
