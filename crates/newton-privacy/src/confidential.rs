//! Confidential data (provider-owned, versioned, granted): a provider publishes envelopes bound
//! to its own address per domain (each publish is a new version; the latest wins, older ones stay
//! addressable by `data_ref_id`), proposes a grant to a policy client, the client's owner accepts,
//! and the provider can revoke.

use crate::authorization::{refused, AcceptGrant, Authorization, ProposeGrant, PublishData, RevokeGrant};
use crate::identity::domain_name;
use crate::store::{address, b256, from_sql_int, sql_int, store_error, unix_seconds, DataKind, PrivacyStore};
use alloy_primitives::{Address, B256};
use newton_core::{Error, ErrorCode, Result};
use newton_types::hash::domain_id;
use rusqlite::{params, OptionalExtension, Transaction};
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
    fn parse(text: &str) -> Self {
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
        self.authorized("publish confidential data", &[auth], |tx| {
            self.put_envelope(tx, DataKind::Confidential, provider, envelope_json)?;
            let version = latest_version(tx, provider, domain_id(domain))?.map_or(1, |v| v + 1);
            tx.execute(
                "INSERT INTO confidential_versions (provider, domain, version, domain_name, data_ref_id, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![provider.as_slice(), domain_id(domain).as_slice(), sql_int(version), domain, data_ref_id.as_slice(), sql_int(unix_seconds())],
            )
            .map_err(|e| store_error("publish confidential data", e))?;
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
        self.authorized("propose grant", &[auth], |tx| {
            if latest_version(tx, provider, id)?.is_none() {
                return Err(Error::invalid_argument(format!("{provider} has published nothing for domain `{domain}`")));
            }
            set_grant(tx, provider, id, policy_client, "pending", "state <> 'active'")
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
        self.authorized("accept grant", &[auth], |tx| {
            match grant_state(tx, provider, id, policy_client)? {
                Some(GrantState::Pending) => set_grant(tx, provider, id, policy_client, "active", "state = 'pending'"),
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
        self.authorized("revoke grant", &[auth], |tx| {
            if grant_state(tx, provider, id, policy_client)?.is_none() {
                return Err(Error::new(
                    ErrorCode::PrivacyNoGrant,
                    format!("{provider} has no grant of `{domain}` to {policy_client}"),
                ));
            }
            set_grant(tx, provider, id, policy_client, "revoked", "1")
        })
    }

    /// Every grant `policy_client` has been given, each with its dataset's latest version.
    pub fn grants(&self, policy_client: Address) -> Result<Vec<Grant>> {
        let rows = self.read("read grants", |c| {
            let mut statement = c.prepare_cached(
                "SELECT g.provider, g.state, v.domain_name, v.version, v.data_ref_id
                 FROM grants g JOIN confidential_versions v ON v.provider = g.provider AND v.domain = g.domain
                 WHERE g.policy_client = ?1 AND v.version =
                   (SELECT max(version) FROM confidential_versions w WHERE w.provider = g.provider AND w.domain = g.domain)
                 ORDER BY v.domain_name, g.provider",
            )?;
            let rows = statement.query_map([policy_client.as_slice()], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, from_sql_int(r.get(3)?), r.get::<_, Vec<u8>>(4)?))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Ok(rows
            .into_iter()
            .map(|(provider, state, domain, version, data_ref_id)| {
                let provider = address(&provider);
                let data_ref_id = b256(&data_ref_id);
                Grant {
                    provider,
                    domain: domain.clone(),
                    state: GrantState::parse(&state),
                    latest: Some(DataVersion { domain, provider, version, data_ref_id }),
                }
            })
            .collect())
    }

    /// Every published version of `provider`'s dataset for `domain`, oldest first.
    pub fn versions(&self, provider: Address, domain: &str) -> Result<Vec<DataVersion>> {
        let id = domain_id(domain_name(domain)?);
        self.read("read versions", |c| {
            let mut statement = c.prepare_cached(
                "SELECT version, data_ref_id FROM confidential_versions WHERE provider = ?1 AND domain = ?2 ORDER BY version",
            )?;
            let rows = statement.query_map(params![provider.as_slice(), id.as_slice()], |r| {
                Ok(DataVersion {
                    domain: domain.to_owned(),
                    provider,
                    version: from_sql_int(r.get(0)?),
                    data_ref_id: b256(&r.get::<_, Vec<u8>>(1)?),
                })
            })?;
            rows.collect()
        })
    }

    fn policy_client_owner(&self, policy_client: Address) -> Result<Address> {
        let owner = self.read("read policy client owner", |c| {
            c.query_row("SELECT owner FROM policy_client_owners WHERE policy_client = ?1", [policy_client.as_slice()], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .optional()
        })?;
        owner.map(|o| address(&o)).ok_or_else(|| {
            refused(format!("policy client {policy_client} has no owner on record, so nobody can accept grants for it"))
        })
    }
}

fn latest_version(tx: &Transaction<'_>, provider: Address, domain: B256) -> Result<Option<u64>> {
    tx.query_row(
        "SELECT max(version) FROM confidential_versions WHERE provider = ?1 AND domain = ?2",
        params![provider.as_slice(), domain.as_slice()],
        |r| r.get::<_, Option<i64>>(0),
    )
    .map(|v| v.map(from_sql_int))
    .map_err(|e| store_error("read latest version", e))
}

fn grant_state(tx: &Transaction<'_>, provider: Address, domain: B256, policy_client: Address) -> Result<Option<GrantState>> {
    tx.query_row(
        "SELECT state FROM grants WHERE provider = ?1 AND domain = ?2 AND policy_client = ?3",
        params![provider.as_slice(), domain.as_slice(), policy_client.as_slice()],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map(|s| s.as_deref().map(GrantState::parse))
    .map_err(|e| store_error("read grant", e))
}

/// Upserts a grant to `state` when the existing row satisfies `when` (SQL over `state`).
fn set_grant(tx: &Transaction<'_>, provider: Address, domain: B256, policy_client: Address, state: &str, when: &str) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO grants (provider, domain, policy_client, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (provider, domain, policy_client) DO UPDATE SET state = excluded.state,
             updated_at = excluded.updated_at WHERE {when}"
        ),
        params![provider.as_slice(), domain.as_slice(), policy_client.as_slice(), state, sql_int(unix_seconds())],
    )
    .map_err(|e| store_error("write grant", e))?;
    Ok(())
}
