//! Confidential data (provider-owned, versioned, granted): a provider publishes envelopes bound
//! to its own address per domain (each publish is a new version; the latest wins, older ones stay
//! addressable by `data_ref_id`), proposes a grant to a policy client, the client's owner accepts,
//! and the provider can revoke.

use crate::authorization::{refused, AcceptGrant, Authorization, ProposeGrant, PublishData, RevokeGrant};
use crate::identity::domain_name;
use crate::store::{unix_seconds, DataKind, PrivacyStore};
use alloy_primitives::{Address, B256};
use newton_core::{Error, ErrorCode, Result};
use newton_types::hash::domain_id;
use serde::Serialize;

/// One published version of a dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataVersion {
    /// The domain name, e.g. `newton.privacy.blacklist`.
    pub domain: String,
    /// The provider.
    pub provider: Address,
    /// 1 for the first publish, +1 for each later one.
    pub version: u64,
    /// The envelope of this version.
    pub data_ref_id: B256,
}

/// A grant's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GrantState {
    /// Proposed by the provider, not yet accepted.
    Pending,
    /// Accepted: the policy client reads the latest version.
    Active,
    /// Revoked by the provider.
    Revoked,
}

impl GrantState {
    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "active" => GrantState::Active,
            "revoked" => GrantState::Revoked,
            _ => GrantState::Pending,
        }
    }
}

/// A step of the two-step grant (`propose`, `accept`, `revoke`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantStep {
    Propose,
    Accept,
    Revoke,
}

impl std::str::FromStr for GrantStep {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "propose" => Ok(GrantStep::Propose),
            "accept" => Ok(GrantStep::Accept),
            "revoke" => Ok(GrantStep::Revoke),
            other => {
                Err(Error::invalid_argument(format!("unknown grant step {other:?}; use propose, accept or revoke")))
            }
        }
    }
}

/// A grant of one provider's domain to one policy client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The provider.
    pub provider: Address,
    /// The domain name.
    pub domain: String,
    /// Its state.
    pub state: GrantState,
    /// The latest version (for every state; only an active grant lets the client read it).
    pub latest: Option<DataVersion>,
}

impl PrivacyStore {
    /// Publishes a new version of `provider`'s dataset for `domain` and returns it. The envelope
    /// must be bound to `provider` on this chain; `auth` is the provider's `PublishData`.
    pub fn publish_confidential(&self, provider: Address, domain: &str, envelope_json: &str, auth: &Authorization) -> Result<DataVersion> {
        let domain = domain_name(domain)?;
        let data_ref_id = self.check_upload(envelope_json, provider)?;
        let message = PublishData {
            provider,
            domain: domain_id(domain),
            dataRefId: data_ref_id,
            nonce: auth.nonce_u256(),
            deadline: auth.deadline_u256(),
        };
        self.verify(&message, auth, provider)?;
        self.authorized("publish confidential data", &[auth], |db| {
            self.put_envelope(db, DataKind::Confidential, provider, envelope_json)?;
            let version = db.latest_version(provider, domain_id(domain))?.map_or(1, |v| v + 1);
            db.insert_version(provider, domain_id(domain), version, domain, data_ref_id, unix_seconds())?;
            Ok(DataVersion { domain: domain.to_owned(), provider, version, data_ref_id })
        })
    }

    /// One grant step: [`propose_grant`](Self::propose_grant),
    /// [`accept_grant`](Self::accept_grant) or [`revoke_grant`](Self::revoke_grant).
    pub fn grant(
        &self,
        step: GrantStep,
        provider: Address,
        domain: &str,
        policy_client: Address,
        auth: &Authorization,
    ) -> Result<()> {
        match step {
            GrantStep::Propose => self.propose_grant(provider, domain, policy_client, auth),
            GrantStep::Accept => self.accept_grant(provider, domain, policy_client, auth),
            GrantStep::Revoke => self.revoke_grant(provider, domain, policy_client, auth),
        }
    }

    /// Step one of a grant: the provider proposes access to `domain` for `policy_client`
    /// (re-proposing a revoked grant makes it pending again).
    pub fn propose_grant(&self, provider: Address, domain: &str, policy_client: Address, auth: &Authorization) -> Result<()> {
        let id = domain_id(domain_name(domain)?);
        let message = ProposeGrant { provider, domain: id, policyClient: policy_client, nonce: auth.nonce_u256(), deadline: auth.deadline_u256() };
        self.verify(&message, auth, provider)?;
        self.authorized("propose grant", &[auth], |db| {
            if db.latest_version(provider, id)?.is_none() {
                return Err(Error::invalid_argument(format!("{provider} has published nothing for domain `{domain}`")));
            }
            db.set_grant(GrantStep::Propose, provider, id, policy_client, unix_seconds())
        })
    }

    /// Step two: the policy client's owner (see [`PrivacyStore::set_policy_client_owner`])
    /// accepts a pending grant.
    pub fn accept_grant(&self, provider: Address, domain: &str, policy_client: Address, auth: &Authorization) -> Result<()> {
        let id = domain_id(domain_name(domain)?);
        let owner = self.policy_client_owner(policy_client)?;
        let message = AcceptGrant {
            policyClientOwner: owner,
            provider,
            domain: id,
            policyClient: policy_client,
            nonce: auth.nonce_u256(),
            deadline: auth.deadline_u256(),
        };
        self.verify(&message, auth, owner)?;
        self.authorized("accept grant", &[auth], |db| {
            match db.grant_state(provider, id, policy_client)? {
                Some(GrantState::Pending) => db.set_grant(GrantStep::Accept, provider, id, policy_client, unix_seconds()),
                Some(GrantState::Active) => Ok(()),
                Some(GrantState::Revoked) | None => Err(Error::new(
                    ErrorCode::PrivacyNoGrant,
                    format!("{provider} has not proposed a grant of `{domain}` to {policy_client}"),
                )),
            }
        })
    }

    /// The provider revokes a pending or active grant.
    pub fn revoke_grant(&self, provider: Address, domain: &str, policy_client: Address, auth: &Authorization) -> Result<()> {
        let id = domain_id(domain_name(domain)?);
        let message = RevokeGrant { provider, domain: id, policyClient: policy_client, nonce: auth.nonce_u256(), deadline: auth.deadline_u256() };
        self.verify(&message, auth, provider)?;
        self.authorized("revoke grant", &[auth], |db| {
            if db.grant_state(provider, id, policy_client)?.is_none() {
                return Err(Error::new(
                    ErrorCode::PrivacyNoGrant,
                    format!("{provider} has no grant of `{domain}` to {policy_client}"),
                ));
            }
            db.set_grant(GrantStep::Revoke, provider, id, policy_client, unix_seconds())
        })
    }

    /// Every grant `policy_client` has been given, each with its dataset's latest version.
    pub fn grants(&self, policy_client: Address) -> Result<Vec<Grant>> {
        self.read(|db| db.grants(policy_client))
    }

    /// Every published version of `provider`'s dataset for `domain`, oldest first.
    pub fn versions(&self, provider: Address, domain: &str) -> Result<Vec<DataVersion>> {
        let id = domain_id(domain_name(domain)?);
        let versions = self.read(|db| db.versions(provider, id))?;
        Ok(versions
            .into_iter()
            .map(|(version, data_ref_id)| DataVersion { domain: domain.to_owned(), provider, version, data_ref_id })
            .collect())
    }

    fn policy_client_owner(&self, policy_client: Address) -> Result<Address> {
        let owner = self.read(|db| db.policy_client_owner(policy_client))?;
        owner.ok_or_else(|| {
            refused(format!("policy client {policy_client} has no owner on record, so nobody can accept grants for it"))
        })
    }
}
