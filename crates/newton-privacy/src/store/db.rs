//! The statements the privacy store runs, one method each, written once per backend
//! (`sqlite.rs`, `postgres.rs`). The lifecycles (identity.rs, confidential.rs) call these inside
//! [`PrivacyStore::authorized`](super::PrivacyStore::authorized) or
//! [`PrivacyStore::read`](super::PrivacyStore::read); the checks and the order of statements
//! stay in one place, above the backends.

use super::{DataKind, StoredEnvelope};
use crate::{Grant, GrantStep, LinkedIdentity};
use alloy_primitives::{Address, B256};
use newton_core::Result;

/// One connection (in a transaction or not). Failures are `Store` errors naming the database.
pub(crate) trait Db {
    /// `signer`'s next nonce, held for the rest of the transaction: SQLite's IMMEDIATE
    /// transaction already excludes every other writer; PostgreSQL locks the signer's nonce row
    /// (creating it at 0 when missing, rolled back with the transaction).
    fn lock_nonce(&mut self, signer: Address) -> Result<u64>;
    /// `signer`'s next nonce (0 for a signer never seen), without locking.
    fn nonce(&mut self, signer: Address) -> Result<u64>;
    fn set_nonce(&mut self, signer: Address, next: u64) -> Result<()>;

    /// Inserts an envelope unless one is stored under `data_ref_id` already (same bytes).
    fn insert_envelope(&mut self, data_ref_id: B256, kind: DataKind, owner: Address, json: &str, at: u64)
        -> Result<()>;
    fn envelope(&mut self, data_ref_id: B256) -> Result<Option<StoredEnvelope>>;

    /// Upserts the owner of `policy_client`.
    fn set_policy_client_owner(&mut self, policy_client: Address, owner: Address) -> Result<()>;
    fn policy_client_owner(&mut self, policy_client: Address) -> Result<Option<Address>>;

    /// Upserts `owner`'s current envelope for an identity domain.
    fn set_identity(&mut self, owner: Address, domain: B256, domain_name: &str, data_ref_id: B256) -> Result<()>;
    fn has_identity(&mut self, owner: Address, domain: B256) -> Result<bool>;
    /// Upserts the link of `user` of `policy_client` for `domain` to `owner`.
    fn set_link(&mut self, policy_client: Address, user: Address, domain: B256, owner: Address) -> Result<()>;
    /// Removes that link if it is to `owner`.
    fn delete_link(&mut self, policy_client: Address, user: Address, domain: B256, owner: Address) -> Result<()>;
    /// The linked domains with each owner's current envelope, by domain name (bytewise).
    fn linked_identity(&mut self, policy_client: Address, user: Address) -> Result<Vec<LinkedIdentity>>;

    fn latest_version(&mut self, provider: Address, domain: B256) -> Result<Option<u64>>;
    fn insert_version(
        &mut self,
        provider: Address,
        domain: B256,
        version: u64,
        domain_name: &str,
        data_ref_id: B256,
        at: u64,
    ) -> Result<()>;
    /// `(version, data_ref_id)`, oldest first.
    fn versions(&mut self, provider: Address, domain: B256) -> Result<Vec<(u64, B256)>>;

    /// The grant's state, its row held for the rest of the transaction on PostgreSQL.
    fn grant_state(
        &mut self,
        provider: Address,
        domain: B256,
        policy_client: Address,
    ) -> Result<Option<crate::GrantState>>;
    /// Applies a grant step: `Propose` → pending (unless active), `Accept` → active (only from
    /// pending), `Revoke` → revoked; a missing row is inserted in the step's state.
    fn set_grant(
        &mut self,
        step: GrantStep,
        provider: Address,
        domain: B256,
        policy_client: Address,
        at: u64,
    ) -> Result<()>;
    /// Every grant to `policy_client` with its dataset's latest version, by domain name
    /// (bytewise) then provider.
    fn grants(&mut self, policy_client: Address) -> Result<Vec<Grant>>;
}

/// A grant step's new state, and the condition on an existing row's state for the step to
/// apply (SQL after `state`; none: always).
pub(crate) fn grant_update(step: GrantStep) -> (&'static str, Option<&'static str>) {
    match step {
        GrantStep::Propose => ("pending", Some("<> 'active'")),
        GrantStep::Accept => ("active", Some("= 'pending'")),
        GrantStep::Revoke => ("revoked", None),
    }
}
