//! Secret and public keys.

use crate::dst::{raw, AUG, POP_DST, PUBLIC_KEY_LEN, SECRET_KEY_LEN, SIG_DST};
use crate::error::{bad_length, from_blst};
use crate::{fill_random, fmt_hex, Signature};
use blst::BLST_ERROR;
use newton_core::{Error, ErrorCode, Result};
use std::hash::{Hash, Hasher};
use zeroize::Zeroizing;

/// A BLS secret key. The scalar is wiped on drop and never printed.
pub struct SecretKey {
    inner: raw::SecretKey,
}

impl SecretKey {
    /// A fresh key from 32 bytes of OS randomness (IETF KeyGen over the random IKM).
    ///
    /// # Panics
    /// If the OS random number generator fails.
    pub fn generate() -> SecretKey {
        let mut ikm = Zeroizing::new([0u8; 32]);
        fill_random(ikm.as_mut_slice());
        match raw::SecretKey::key_gen(ikm.as_slice(), &[]) {
            Ok(inner) => SecretKey { inner },
            Err(_) => unreachable!("blst KeyGen accepts 32 bytes of IKM"),
        }
    }

    /// Derives a key from input keying material (IETF KeyGen, empty key_info); at least 32 bytes.
    pub fn from_ikm(ikm: &[u8]) -> Result<SecretKey> {
        if ikm.len() < 32 {
            return Err(Error::invalid_argument(format!(
                "BLS key material must be at least 32 bytes, got {}",
                ikm.len()
            )));
        }
        raw::SecretKey::key_gen(ikm, &[])
            .map(|inner| SecretKey { inner })
            .map_err(|e| from_blst(e, "key material"))
    }

    /// Parses a 32-byte big-endian scalar; zero or ≥ the group order is `BlsKeyInvalid`.
    pub fn from_bytes(bytes: &[u8]) -> Result<SecretKey> {
        if bytes.len() != SECRET_KEY_LEN {
            return Err(bad_length("secret key", SECRET_KEY_LEN, bytes));
        }
        // With the length right, blst's only failure is the range check.
        raw::SecretKey::from_bytes(bytes)
            .map(|inner| SecretKey { inner })
            .map_err(|_| from_blst(BLST_ERROR::BLST_BAD_SCALAR, "secret key"))
    }

    /// The 32-byte big-endian scalar. Callers own the copy and should wipe it.
    pub fn to_bytes(&self) -> [u8; SECRET_KEY_LEN] {
        self.inner.to_bytes()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_point(self.inner.sk_to_pk())
    }

    /// Signs `msg` under the ciphersuite DST.
    pub fn sign(&self, msg: &[u8]) -> Signature {
        Signature {
            point: self.inner.sign(msg, SIG_DST, AUG),
        }
    }

    /// PopProve: signs the compressed public key under the PoP DST.
    pub fn prove_possession(&self) -> Signature {
        Signature {
            point: self.inner.sign(&self.public_key().bytes, POP_DST, AUG),
        }
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A validated BLS public key: on the curve, in G1 and not the point at infinity.
/// Equality and hashing use the compressed bytes.
#[derive(Clone, Copy)]
pub struct PublicKey {
    pub(crate) point: raw::PublicKey,
    bytes: [u8; PUBLIC_KEY_LEN],
}

impl PublicKey {
    /// Parses and validates (KeyValidate) a 48-byte compressed key, once.
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey> {
        if bytes.len() != PUBLIC_KEY_LEN {
            return Err(bad_length("public key", PUBLIC_KEY_LEN, bytes));
        }
        raw::PublicKey::key_validate(bytes)
            .map(PublicKey::from_point)
            .map_err(|e| from_blst(e, "public key"))
    }

    /// Wraps a point already known to be valid (or checked by the caller).
    pub(crate) fn from_point(point: raw::PublicKey) -> PublicKey {
        PublicKey {
            point,
            bytes: point.compress(),
        }
    }

    /// Whether this is the point at infinity (only a sum of keys can be; see aggregation).
    pub(crate) fn is_infinity(&self) -> bool {
        self.bytes[0] & 0x40 != 0
    }

    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.bytes
    }

    /// PopVerify: `BlsPopInvalid` unless `pop` signs this key under the PoP DST.
    pub fn verify_possession(&self, pop: &Signature) -> Result<()> {
        if crate::pairing::verify(&self.point, &pop.point, &self.bytes, POP_DST) {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::BlsPopInvalid,
            "the proof of possession does not verify for this BLS public key",
        ))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fmt_hex(f, "PublicKey", &self.bytes)
    }
}
