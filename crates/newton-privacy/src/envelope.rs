//! `SecureEnvelope`: HPKE-sealed data bound to `(policy_client, chain_id)` through the AAD.

use crate::suite::{Aead, EncappedKey, Kdf, Kem, PublicKey, INFO, KEY_LEN, TAG_LEN};
use crate::RecipientKeyPair;
use alloy_primitives::{keccak256, Address, B256};
use hpke::{Deserializable, HpkeError, OpModeR, OpModeS, Serializable};
use newton_core::{Error, ErrorCode, Result};
use newton_types::hash::privacy_aad;
use serde::{Deserialize, Serialize};

/// An envelope as it crosses the wire. JSON fields, in this order: `enc`, `ciphertext` (hex,
/// no `0x`), `policy_client` (`0x` address, EIP-55 when produced here), `chain_id` (number),
/// `recipient_pubkey` (hex, no `0x`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Wire", into = "Wire")]
pub struct SecureEnvelope {
    enc: [u8; KEY_LEN],
    ciphertext: Vec<u8>,
    policy_client: Address,
    chain_id: u64,
    recipient_pubkey: [u8; KEY_LEN],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    enc: String,
    ciphertext: String,
    policy_client: String,
    chain_id: u64,
    recipient_pubkey: String,
}

impl SecureEnvelope {
    /// Seals `plaintext` to `recipient_pk` with AAD `privacy_aad(policy_client, chain_id)`.
    pub fn seal(
        plaintext: &[u8],
        recipient_pk: &[u8; KEY_LEN],
        policy_client: Address,
        chain_id: u64,
    ) -> Result<Self> {
        let pk = PublicKey::from_bytes(recipient_pk)
            .map_err(|e| Error::invalid_argument(format!("recipient public key: {e}")))?;
        let aad = privacy_aad(policy_client, chain_id);
        let (enc, ciphertext) = hpke::single_shot_seal::<Aead, Kdf, Kem>(
            &OpModeS::Base,
            &pk,
            INFO,
            plaintext,
            aad.as_slice(),
        )
        .map_err(|e| Error::invalid_argument(format!("HPKE seal to the recipient key: {e}")))?;
        let mut enc_bytes = [0u8; KEY_LEN];
        enc.write_exact(&mut enc_bytes);
        Ok(Self {
            enc: enc_bytes,
            ciphertext,
            policy_client,
            chain_id,
            recipient_pubkey: *recipient_pk,
        })
    }

    /// Opens the envelope with `keypair`, which must be the one named by `recipient_pubkey`.
    pub fn open(&self, keypair: &RecipientKeyPair) -> Result<Vec<u8>> {
        if keypair.public_key_bytes() != self.recipient_pubkey {
            return Err(wrong_recipient(&self.recipient_pubkey));
        }
        let enc = EncappedKey::from_bytes(&self.enc).map_err(|e| invalid(format!("enc: {e}")))?;
        let aad = privacy_aad(self.policy_client, self.chain_id);
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            keypair.secret(),
            &enc,
            INFO,
            &self.ciphertext,
            aad.as_slice(),
        )
        .map_err(|e| match e {
            HpkeError::OpenError | HpkeError::DecapError => Error::new(
                ErrorCode::PrivacyDecrypt,
                "privacy envelope does not decrypt: tampered ciphertext or wrong policy_client/chain_id",
            ),
            other => Error::internal(format!("HPKE open: {other}")),
        })
    }

    /// Fails unless the envelope is bound to this task's policy client and chain.
    pub fn check_context(&self, policy_client: Address, chain_id: u64) -> Result<()> {
        if self.policy_client != policy_client {
            return Err(Error::new(
                ErrorCode::PrivacyPolicyClientMismatch,
                format!(
                    "envelope is for policy client {}, not {policy_client}",
                    self.policy_client
                ),
            ));
        }
        if self.chain_id != chain_id {
            return Err(Error::new(
                ErrorCode::PrivacyAadMismatch,
                format!("envelope is bound to chain {}, not {chain_id}", self.chain_id),
            ));
        }
        Ok(())
    }

    /// The compact JSON form, fields in wire order.
    pub fn to_json(&self) -> String {
        let wire = Wire::from(self.clone());
        // A struct of strings and a u64 always serializes.
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// Parses and validates an envelope (hex, lengths, address); any defect is
    /// `NEWTON_ERR_PRIVACY_ENVELOPE_INVALID`.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| invalid(format!("{e}")))
    }

    /// `keccak256` of the envelope's JSON bytes ([`Self::to_json`]): the identity/confidential
    /// store's `data_ref_id`.
    pub fn data_ref_id(&self) -> B256 {
        keccak256(self.to_json().as_bytes())
    }

    /// The policy client the envelope is bound to.
    pub fn policy_client(&self) -> Address {
        self.policy_client
    }

    /// The chain id the envelope is bound to.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The public key the envelope is sealed to.
    pub fn recipient_pubkey(&self) -> [u8; KEY_LEN] {
        self.recipient_pubkey
    }
}

pub(crate) fn wrong_recipient(pubkey: &[u8; KEY_LEN]) -> Error {
    Error::new(
        ErrorCode::PrivacyWrongRecipient,
        format!(
            "envelope is sealed to {}, which is not one of our keys",
            hex::encode(pubkey)
        ),
    )
}

fn invalid(message: String) -> Error {
    Error::new(
        ErrorCode::PrivacyEnvelopeInvalid,
        format!("invalid privacy envelope: {message}"),
    )
}

fn key_from_hex(field: &str, text: &str) -> Result<[u8; KEY_LEN], String> {
    let bytes = hex::decode(text).map_err(|e| format!("{field}: {e}"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("{field}: {} bytes, expected {KEY_LEN}", b.len()))
}

impl TryFrom<Wire> for SecureEnvelope {
    type Error = String;

    fn try_from(w: Wire) -> Result<Self, String> {
        let ciphertext = hex::decode(&w.ciphertext).map_err(|e| format!("ciphertext: {e}"))?;
        if ciphertext.len() < TAG_LEN {
            return Err(format!(
                "ciphertext: {} bytes, shorter than the {TAG_LEN}-byte tag",
                ciphertext.len()
            ));
        }
        let policy_client = w
            .policy_client
            .strip_prefix("0x")
            .filter(|h| h.len() == 40)
            .and_then(|h| h.parse::<Address>().ok())
            .ok_or_else(|| {
                format!(
                    "policy_client: {:?} is not a 0x-prefixed 20-byte address",
                    w.policy_client
                )
            })?;
        Ok(Self {
            enc: key_from_hex("enc", &w.enc)?,
            ciphertext,
            policy_client,
            chain_id: w.chain_id,
            recipient_pubkey: key_from_hex("recipient_pubkey", &w.recipient_pubkey)?,
        })
    }
}

impl From<SecureEnvelope> for Wire {
    fn from(e: SecureEnvelope) -> Self {
        Self {
            enc: hex::encode(e.enc),
            ciphertext: hex::encode(&e.ciphertext),
            policy_client: e.policy_client.to_checksum(None),
            chain_id: e.chain_id,
            recipient_pubkey: hex::encode(e.recipient_pubkey),
        }
    }
}
