//! Recipient key rotation: one current key (new envelopes are sealed to it), older keys kept
//! so envelopes sealed to them still open, and retired keys whose secrets are gone.

use crate::envelope::wrong_recipient;
use crate::suite::KEY_LEN;
use crate::{RecipientKeyPair, SecureEnvelope};
use newton_core::{Error, ErrorCode, Result};

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
