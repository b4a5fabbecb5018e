//! The [`Db`] statements on PostgreSQL: the SQLite ones (`../sqlite.rs`) on the `privacy_*`
//! tables, with the nonce and grant rows locked where SQLite's file lock serialized the writers,
//! and text ordered bytewise (`COLLATE "C"`) as SQLite orders it.

use super::Statements;
use crate::confidential::GrantState;
use crate::store::db::{grant_update, Db};
use crate::store::{address, b256, from_sql_int, sql_int, DataKind, StoredEnvelope};
use crate::{DataVersion, Grant, GrantStep, LinkedIdentity};
use alloy_primitives::{Address, B256};
use newton_core::Result;
use postgres::GenericClient;

impl<C: GenericClient> Db for Statements<'_, C> {
    fn lock_nonce(&mut self, signer: Address) -> Result<u64> {
        // The upsert takes the row lock (waiting for another holder to commit) and returns the
        // value that holder committed.
        self.run("lock nonce", |c| {
            let row = c.query_one(
                "INSERT INTO privacy_nonces (signer, next) VALUES ($1, 0)
                 ON CONFLICT (signer) DO UPDATE SET next = privacy_nonces.next RETURNING next",
                &[&signer.as_slice()],
            )?;
            row.try_get(0).map(from_sql_int)
        })
    }

    fn nonce(&mut self, signer: Address) -> Result<u64> {
        self.run("read nonce", |c| {
            let row = c.query_opt("SELECT next FROM privacy_nonces WHERE signer = $1", &[&signer.as_slice()])?;
            Ok(row.map(|r| r.try_get(0)).transpose()?.map_or(0, from_sql_int))
        })
    }

    fn set_nonce(&mut self, signer: Address, next: u64) -> Result<()> {
        self.run("write nonce", |c| {
            c.execute(
                "INSERT INTO privacy_nonces (signer, next) VALUES ($1, $2) ON CONFLICT (signer) DO UPDATE SET next = excluded.next",
                &[&signer.as_slice(), &sql_int(next)],
            )
            .map(drop)
        })
    }

    fn insert_envelope(
        &mut self,
        data_ref_id: B256,
        kind: DataKind,
        owner: Address,
        json: &str,
        at: u64,
    ) -> Result<()> {
        self.run("store envelope", |c| {
            c.execute(
                "INSERT INTO privacy_envelopes (data_ref_id, kind, owner, envelope, stored_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (data_ref_id) DO NOTHING",
                &[&data_ref_id.as_slice(), &kind.as_str(), &owner.as_slice(), &json, &sql_int(at)],
            )
            .map(drop)
        })
    }

    fn envelope(&mut self, data_ref_id: B256) -> Result<Option<StoredEnvelope>> {
        self.run("read envelope", |c| {
            let row = c.query_opt(
                "SELECT kind, owner, envelope FROM privacy_envelopes WHERE data_ref_id = $1",
                &[&data_ref_id.as_slice()],
            )?;
            row.map(|r| {
                Ok(StoredEnvelope {
                    kind: DataKind::parse(r.try_get(0)?),
                    owner: address(r.try_get(1)?),
                    json: r.try_get(2)?,
                })
            })
            .transpose()
        })
    }

    fn set_policy_client_owner(&mut self, policy_client: Address, owner: Address) -> Result<()> {
        self.run("set policy client owner", |c| {
            c.execute(
                "INSERT INTO privacy_policy_client_owners (policy_client, owner) VALUES ($1, $2)
                 ON CONFLICT (policy_client) DO UPDATE SET owner = excluded.owner",
                &[&policy_client.as_slice(), &owner.as_slice()],
            )
            .map(drop)
        })
    }

    fn policy_client_owner(&mut self, policy_client: Address) -> Result<Option<Address>> {
        self.run("read policy client owner", |c| {
            let row = c.query_opt(
                "SELECT owner FROM privacy_policy_client_owners WHERE policy_client = $1",
                &[&policy_client.as_slice()],
            )?;
            row.map(|r| r.try_get(0).map(address)).transpose()
        })
    }

    fn set_identity(&mut self, owner: Address, domain: B256, domain_name: &str, data_ref_id: B256) -> Result<()> {
        self.run("register identity", |c| {
            c.execute(
                "INSERT INTO privacy_identity_data (owner, domain, domain_name, data_ref_id) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (owner, domain) DO UPDATE SET data_ref_id = excluded.data_ref_id",
                &[&owner.as_slice(), &domain.as_slice(), &domain_name, &data_ref_id.as_slice()],
            )
            .map(drop)
        })
    }

    fn has_identity(&mut self, owner: Address, domain: B256) -> Result<bool> {
        self.run("read identity", |c| {
            let row = c.query_opt(
                "SELECT 1 FROM privacy_identity_data WHERE owner = $1 AND domain = $2",
                &[&owner.as_slice(), &domain.as_slice()],
            )?;
            Ok(row.is_some())
        })
    }

    fn set_link(&mut self, policy_client: Address, user: Address, domain: B256, owner: Address) -> Result<()> {
        self.run("link identity", |c| {
            c.execute(
                "INSERT INTO privacy_identity_links (policy_client, client_user, domain, owner) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (policy_client, client_user, domain) DO UPDATE SET owner = excluded.owner",
                &[&policy_client.as_slice(), &user.as_slice(), &domain.as_slice(), &owner.as_slice()],
            )
            .map(drop)
        })
    }

    fn delete_link(&mut self, policy_client: Address, user: Address, domain: B256, owner: Address) -> Result<()> {
        self.run("unlink identity", |c| {
            c.execute(
                "DELETE FROM privacy_identity_links
                 WHERE policy_client = $1 AND client_user = $2 AND domain = $3 AND owner = $4",
                &[&policy_client.as_slice(), &user.as_slice(), &domain.as_slice(), &owner.as_slice()],
            )
            .map(drop)
        })
    }

    fn linked_identity(&mut self, policy_client: Address, user: Address) -> Result<Vec<LinkedIdentity>> {
        // COLLATE "C": bytewise, as SQLite orders TEXT, whatever the database's collation.
        self.run("read identity links", |c| {
            let rows = c.query(
                r#"SELECT d.domain_name, l.owner, d.data_ref_id FROM privacy_identity_links l
                   JOIN privacy_identity_data d ON d.owner = l.owner AND d.domain = l.domain
                   WHERE l.policy_client = $1 AND l.client_user = $2 ORDER BY d.domain_name COLLATE "C""#,
                &[&policy_client.as_slice(), &user.as_slice()],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(LinkedIdentity {
                        domain: r.try_get(0)?,
                        owner: address(r.try_get(1)?),
                        data_ref_id: b256(r.try_get(2)?),
                    })
                })
                .collect()
        })
    }

    fn latest_version(&mut self, provider: Address, domain: B256) -> Result<Option<u64>> {
        self.run("read latest version", |c| {
            let row = c.query_one(
                "SELECT max(version) FROM privacy_confidential_versions WHERE provider = $1 AND domain = $2",
                &[&provider.as_slice(), &domain.as_slice()],
            )?;
            Ok(row.try_get::<_, Option<i64>>(0)?.map(from_sql_int))
        })
    }

    fn insert_version(
        &mut self,
        provider: Address,
        domain: B256,
        version: u64,
        domain_name: &str,
        data_ref_id: B256,
        at: u64,
    ) -> Result<()> {
        self.run("publish confidential data", |c| {
            c.execute(
                "INSERT INTO privacy_confidential_versions (provider, domain, version, domain_name, data_ref_id, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&provider.as_slice(), &domain.as_slice(), &sql_int(version), &domain_name, &data_ref_id.as_slice(), &sql_int(at)],
            )
            .map(drop)
        })
    }

    fn versions(&mut self, provider: Address, domain: B256) -> Result<Vec<(u64, B256)>> {
        self.run("read versions", |c| {
            let rows = c.query(
                "SELECT version, data_ref_id FROM privacy_confidential_versions
                 WHERE provider = $1 AND domain = $2 ORDER BY version",
                &[&provider.as_slice(), &domain.as_slice()],
            )?;
            rows.iter().map(|r| Ok((from_sql_int(r.try_get(0)?), b256(r.try_get(1)?)))).collect()
        })
    }

    fn grant_state(&mut self, provider: Address, domain: B256, policy_client: Address) -> Result<Option<GrantState>> {
        self.run("read grant", |c| {
            let row = c.query_opt(
                "SELECT state FROM privacy_grants WHERE provider = $1 AND domain = $2 AND policy_client = $3 FOR UPDATE",
                &[&provider.as_slice(), &domain.as_slice(), &policy_client.as_slice()],
            )?;
            row.map(|r| r.try_get(0).map(GrantState::parse)).transpose()
        })
    }

    fn set_grant(
        &mut self,
        step: GrantStep,
        provider: Address,
        domain: B256,
        policy_client: Address,
        at: u64,
    ) -> Result<()> {
        let (state, when) = grant_update(step);
        let when = when.map_or(String::new(), |condition| format!(" WHERE privacy_grants.state {condition}"));
        self.run("write grant", |c| {
            c.execute(
                &format!(
                    "INSERT INTO privacy_grants (provider, domain, policy_client, state, updated_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (provider, domain, policy_client) DO UPDATE SET state = excluded.state,
                     updated_at = excluded.updated_at{when}"
                ),
                &[&provider.as_slice(), &domain.as_slice(), &policy_client.as_slice(), &state, &sql_int(at)],
            )
            .map(drop)
        })
    }

    fn grants(&mut self, policy_client: Address) -> Result<Vec<Grant>> {
        self.run("read grants", |c| {
            let rows = c.query(
                r#"SELECT g.provider, g.state, v.domain_name, v.version, v.data_ref_id
                   FROM privacy_grants g JOIN privacy_confidential_versions v ON v.provider = g.provider AND v.domain = g.domain
                   WHERE g.policy_client = $1 AND v.version =
                     (SELECT max(version) FROM privacy_confidential_versions w WHERE w.provider = g.provider AND w.domain = g.domain)
                   ORDER BY v.domain_name COLLATE "C", g.provider"#,
                &[&policy_client.as_slice()],
            )?;
            rows.iter()
                .map(|r| {
                    let provider = address(r.try_get(0)?);
                    let domain: String = r.try_get(2)?;
                    Ok(Grant {
                        provider,
                        domain: domain.clone(),
                        state: GrantState::parse(r.try_get(1)?),
                        latest: Some(DataVersion {
                            domain,
                            provider,
                            version: from_sql_int(r.try_get(3)?),
                            data_ref_id: b256(r.try_get(4)?),
                        }),
                    })
                })
                .collect()
        })
    }
}
