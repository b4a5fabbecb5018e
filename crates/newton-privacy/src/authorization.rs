//! EIP-712 authorizations for the registries' writes: every change to who owns, links, publishes
//! or may read private data is signed by the party it belongs to, with a per-signer sequential
//! nonce and a deadline (as Newton's IdentityRegistry does).
//!
//! All messages share the domain `{name: "NewtonPrivacyRegistry", version: "1", chainId,
//! verifyingContract}`; the local store uses the zero address as its verifying contract.

use alloy_primitives::{Address, Signature, B256, U256};
use alloy_sol_types::{eip712_domain, Eip712Domain, SolStruct};
use newton_core::{Error, ErrorCode, Result};
use serde::Deserialize;

alloy_sol_types::sol! {
    /// The owner stores an identity envelope for one of their domains.
    struct UploadIdentity { address identityOwner; bytes32 identityDomain; bytes32 dataRefId; uint256 nonce; uint256 deadline; }
    /// Links the owner's identity domains to `clientUser` of `policyClient`.
    struct LinkIdentity { address identityOwner; address policyClient; address clientUser; bytes32[] identityDomains; uint256 nonce; uint256 deadline; }
    /// Removes such links (signed by the owner or by the client user).
    struct UnlinkIdentity { address identityOwner; address policyClient; address clientUser; bytes32[] identityDomains; uint256 nonce; uint256 deadline; }
    /// A provider publishes a new version of a confidential dataset.
    struct PublishData { address provider; bytes32 domain; bytes32 dataRefId; uint256 nonce; uint256 deadline; }
    /// Step one of a grant: the provider proposes access for a policy client.
    struct ProposeGrant { address provider; bytes32 domain; address policyClient; uint256 nonce; uint256 deadline; }
    /// Step two: the policy client's owner accepts.
    struct AcceptGrant { address policyClientOwner; address provider; bytes32 domain; address policyClient; uint256 nonce; uint256 deadline; }
    /// The provider revokes a (pending or accepted) grant.
    struct RevokeGrant { address provider; bytes32 domain; address policyClient; uint256 nonce; uint256 deadline; }
}

/// A signature by `signer` over one of the messages above.
///
/// JSON: `{"signer", "nonce", "deadline", "signature": "0x…65 bytes"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    /// Who signed; must be the party the operation belongs to.
    pub signer: Address,
    /// The signer's next nonce in the store.
    pub nonce: u64,
    /// Unix seconds after which the signature is refused.
    pub deadline: u64,
    /// 65-byte `r ‖ s ‖ v` ECDSA signature over the EIP-712 digest.
    #[serde(deserialize_with = "hex_bytes")]
    pub signature: Vec<u8>,
}

impl Authorization {
    pub fn from_json(text: &str) -> Result<Self> {
        Error::parse_json("authorization", text)
    }
}

fn hex_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<u8>, D::Error> {
    alloy_primitives::Bytes::deserialize(d).map(Vec::from)
}

/// The EIP-712 domain of the registries on `chain_id` at `verifying_contract`.
pub fn registry_domain(chain_id: u64, verifying_contract: Address) -> Eip712Domain {
    eip712_domain! {
        name: "NewtonPrivacyRegistry",
        version: "1",
        chain_id: chain_id,
        verifying_contract: verifying_contract,
    }
}

impl Authorization {
    /// The nonce as the messages' `uint256 nonce` field.
    pub fn nonce_u256(&self) -> U256 {
        U256::from(self.nonce)
    }

    /// The deadline as the messages' `uint256 deadline` field.
    pub fn deadline_u256(&self) -> U256 {
        U256::from(self.deadline)
    }

    /// Checks that `self.signature` over `message` recovers to `expected`, and that the deadline
    /// has not passed at `now`. Nonces are checked by the store, inside its transaction.
    pub fn verify<S: SolStruct>(&self, message: &S, domain: &Eip712Domain, expected: Address, now: u64) -> Result<()> {
        if self.signer != expected {
            return Err(refused(format!(
                "{} must be signed by {expected}, not {}",
                S::NAME,
                self.signer
            )));
        }
        if self.deadline < now {
            return Err(refused(format!("{} authorization expired at {} (now {now})", S::NAME, self.deadline)));
        }
        let digest: B256 = message.eip712_signing_hash(domain);
        let signature = Signature::from_raw(&self.signature)
            .map_err(|e| refused(format!("{} signature is malformed: {e}", S::NAME)))?;
        let recovered = signature
            .recover_address_from_prehash(&digest)
            .map_err(|e| refused(format!("{} signature does not recover: {e}", S::NAME)))?;
        if recovered != expected {
            return Err(refused(format!("{} signature is by {recovered}, not {expected}", S::NAME)));
        }
        Ok(())
    }
}

pub(crate) fn refused(message: String) -> Error {
    Error::new(ErrorCode::PrivacyUnauthorized, message)
}
