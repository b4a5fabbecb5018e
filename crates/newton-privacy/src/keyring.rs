//! Recipient key rotation: one current key (new envelopes are sealed to it), older keys kept
//! so envelopes sealed to them still open, and retired keys whose secrets are gone.

use crate::envelope::wrong_recipient;
use crate::suite::KEY_LEN;
use crate::{RecipientKeyPair, SecureEnvelope};
use newton_core::{Error, ErrorCode, Result};
use std::sync::{Arc, PoisonError, RwLock};

/// The keys this node decrypts with.
#[derive(Clone, Debug)]
pub struct Keyring {
    current: RecipientKeyPair,
    previous: Vec<RecipientKeyPair>,
    retired: Vec<[u8; KEY_LEN]>,
}

impl Keyring {
    /// A keyring whose only key is `current`.
    pub fn new(current: RecipientKeyPair) -> Self {
        Self {
            current,
            previous: Vec::new(),
            retired: Vec::new(),
        }
    }

    /// A keyring whose current key is `current`, with `previous` keys still open.
    pub fn with_previous(current: RecipientKeyPair, previous: Vec<RecipientKeyPair>) -> Self {
        Self { current, previous, retired: Vec::new() }
    }

    /// The key new envelopes should be sealed to.
    pub fn current(&self) -> &RecipientKeyPair {
        &self.current
    }

    /// Makes `next` current; the old current key stays usable until retired.
    pub fn rotate(&mut self, next: RecipientKeyPair) {
        let old = std::mem::replace(&mut self.current, next);
        self.previous.push(old);
    }

    /// Drops an older key's secret; envelopes sealed to it then fail with
    /// `NEWTON_ERR_PRIVACY_KEY_RETIRED`. The current key cannot be retired.
    pub fn retire(&mut self, pubkey: &[u8; KEY_LEN]) -> Result<()> {
        if self.current.public_key_bytes() == *pubkey {
            return Err(Error::invalid_argument(
                "the current privacy key cannot be retired; rotate first",
            ));
        }
        let index = self
            .previous
            .iter()
            .position(|k| k.public_key_bytes() == *pubkey)
            .ok_or_else(|| {
                Error::invalid_argument(format!("{} is not an older key of this keyring", hex::encode(pubkey)))
            })?;
        self.previous.remove(index);
        self.retired.push(*pubkey);
        Ok(())
    }

    /// Opens `envelope` with the key its `recipient_pubkey` names.
    pub fn open(&self, envelope: &SecureEnvelope) -> Result<Vec<u8>> {
        let target = envelope.recipient_pubkey();
        if let Some(key) = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.public_key_bytes() == target)
        {
            return envelope.open(key);
        }
        if self.retired.contains(&target) {
            return Err(Error::new(
                ErrorCode::PrivacyKeyRetired,
                format!("envelope is sealed to retired key {}", hex::encode(target)),
            ));
        }
        Err(wrong_recipient(&target))
    }
}

/// A keyring that rotates while evaluations are in flight: each takes the [`Keyring`] current
/// when it starts, and an update installs a changed copy (copy-on-write).
#[derive(Debug)]
pub struct SharedKeyring(RwLock<Arc<Keyring>>);

impl SharedKeyring {
    pub fn new(keyring: Keyring) -> Self {
        Self(RwLock::new(Arc::new(keyring)))
    }

    /// The keyring as it is now.
    pub fn current(&self) -> Arc<Keyring> {
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Applies `f` to a copy and installs it; on error nothing changes.
    pub fn update(&self, f: impl FnOnce(&mut Keyring) -> Result<()>) -> Result<()> {
        let mut slot = self.0.write().unwrap_or_else(PoisonError::into_inner);
        let mut next = Keyring::clone(&slot);
        f(&mut next)?;
        *slot = Arc::new(next);
        Ok(())
    }
}
