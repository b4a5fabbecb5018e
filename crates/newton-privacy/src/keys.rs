//! A recipient's X25519 key pair. The secret is zeroized on drop and never printed.

use crate::suite::{Kem, PrivateKey, PublicKey, KEY_LEN};
use hpke::{Deserializable, Kem as _, Serializable};
use newton_core::{Error, Result};
use std::fmt;
use zeroize::Zeroizing;

/// An X25519 key pair envelopes are sealed to.
#[derive(Clone)]
pub struct RecipientKeyPair {
    secret: PrivateKey,
    public: [u8; KEY_LEN],
}

impl RecipientKeyPair {
    /// A fresh key pair from the OS RNG.
    pub fn generate() -> Self {
        let (secret, public) = Kem::gen_keypair();
        Self::from_parts(secret, &public)
    }

    /// The key pair of a stored 32-byte X25519 secret (clamped as RFC 7748 requires).
    pub fn from_secret_bytes(secret: &[u8; KEY_LEN]) -> Result<Self> {
        let secret = PrivateKey::from_bytes(secret)
            .map_err(|e| Error::invalid_argument(format!("X25519 secret key: {e}")))?;
        let public = Kem::sk_to_pk(&secret);
        Ok(Self::from_parts(secret, &public))
    }

    fn from_parts(secret: PrivateKey, public: &PublicKey) -> Self {
        let mut bytes = [0u8; KEY_LEN];
        public.write_exact(&mut bytes);
        Self {
            secret,
            public: bytes,
        }
    }

    /// The public key, as carried in `recipient_pubkey`.
    pub fn public_key_bytes(&self) -> [u8; KEY_LEN] {
        self.public
    }

    /// The (clamped) secret, for persisting the key; zeroized when dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        self.secret.write_exact(out.as_mut_slice());
        out
    }

    pub(crate) fn secret(&self) -> &PrivateKey {
        &self.secret
    }
}

impl fmt::Debug for RecipientKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecipientKeyPair")
            .field("public", &hex::encode(self.public))
            .finish_non_exhaustive()
    }
}
