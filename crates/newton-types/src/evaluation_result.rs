//! `TaskResponse.evaluationResult`: how operators encode a decision and how `TaskLib` reads it.

use alloy_primitives::U256;
use alloy_sol_types::{sol_data, SolType};

/// `abi.encode(allow)`: one 32-byte word, 1 for allow and 0 for deny.
pub fn encode_evaluation_result(allow: bool) -> [u8; 32] {
    sol_data::Bool::tokenize(&allow).0 .0
}

/// `TaskLib.evaluateResult`: allowed iff `bytes` is `abi.encode(true)` (32 bytes, word 1) or at
/// least 96 bytes whose length word (offset 32) is 4 and whose next word is `"true"`
/// zero-padded, i.e. `abi.encode("true")`. Anything else — including a bare `0x01` — is not.
pub fn is_allowed(bytes: &[u8]) -> bool {
    let word = |offset: usize| bytes.get(offset..offset + 32);
    match bytes.len() {
        32 => word(0).is_some_and(|w| U256::from_be_slice(w) == U256::from(1u8)),
        len if len >= 96 => {
            word(32).is_some_and(|w| U256::from_be_slice(w) == U256::from(4u8))
                && word(64).is_some_and(|w| w[..4] == *b"true" && w[4..].iter().all(|&b| b == 0))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_one_word_and_reads_it_back() {
        let allow = encode_evaluation_result(true);
        let deny = encode_evaluation_result(false);
        assert_eq!(allow[31], 1);
        assert!(allow[..31].iter().chain(deny.iter()).all(|&b| b == 0));
        assert!(is_allowed(&allow));
        assert!(!is_allowed(&deny));
    }

    #[test]
    fn string_true_is_read_from_the_length_and_data_words() {
        use alloy_sol_types::SolValue;
        assert!(is_allowed(&"true".abi_encode()));
        assert!(!is_allowed(&"True".abi_encode()));
        assert!(!is_allowed(&"truex".abi_encode()));
        assert!(!is_allowed(&"false".abi_encode()));
        assert!(!is_allowed(&[]));
        assert!(!is_allowed(&[0u8; 64]));
        let mut two_words = [0u8; 64];
        two_words[31] = 1;
        assert!(!is_allowed(&two_words));
    }
}
