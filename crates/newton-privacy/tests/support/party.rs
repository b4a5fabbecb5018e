//! A party of the registries (identity owner, provider, policy client owner) with a fixed
//! secp256k1 key, signing their EIP-712 authorizations as a wallet would.

use alloy_primitives::Address;
use alloy_sol_types::SolStruct;
use k256::ecdsa::SigningKey;
use newton_privacy::{Authorization, PrivacyStore};

/// A deadline far ahead (2096).
pub const DEADLINE: u64 = 4_000_000_000;

pub struct Party(SigningKey);

impl Party {
    pub fn new(seed: u8) -> Self {
        Self(SigningKey::from_slice(&[seed; 32]).expect("key"))
    }

    pub fn address(&self) -> Address {
        Address::from_public_key(self.0.verifying_key())
    }

    /// `message` signed in `store`'s EIP-712 domain, as an authorization with `nonce`.
    pub fn sign<S: SolStruct>(&self, store: &PrivacyStore, message: &S, nonce: u64) -> Authorization {
        let digest = message.eip712_signing_hash(store.eip712_domain());
        let (sig, recid) = self.0.sign_prehash_recoverable(digest.as_slice()).expect("sign");
        let mut signature = sig.to_bytes().to_vec();
        signature.push(27 + recid.to_byte());
        Authorization { signer: self.address(), nonce, deadline: DEADLINE, signature }
    }
}
