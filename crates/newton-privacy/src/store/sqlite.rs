//! The privacy store in a SQLite file (WAL, synchronous FULL): the schema, opening, and the
//! [`Db`] statements. Writes are one IMMEDIATE transaction each, so they are serialized by the
//! file's write lock.

use super::db::{grant_update, Db};
use super::{address, b256, from_sql_int, sql_int, DataKind, StoredEnvelope, SCHEMA_VERSION};
use crate::confidential::GrantState;
use crate::{DataVersion, Grant, GrantStep, LinkedIdentity};
use alloy_primitives::{Address, B256};
use newton_core::{check_schema_version, Error, ErrorCode, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long a writer waits for another connection's lock before failing with `Store`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Version 1. Files from before versioning (user_version 0) already have these tables.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelopes (
    data_ref_id BLOB PRIMARY KEY NOT NULL CHECK (length(data_ref_id) = 32),
    kind TEXT NOT NULL CHECK (kind IN ('identity', 'confidential')),
    owner BLOB NOT NULL,
    envelope TEXT NOT NULL,
    stored_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nonces (signer BLOB PRIMARY KEY NOT NULL, next INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identity_data (
    owner BLOB NOT NULL, domain BLOB NOT NULL, domain_name TEXT NOT NULL, data_ref_id BLOB NOT NULL,
    PRIMARY KEY (owner, domain)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identity_links (
    policy_client BLOB NOT NULL, client_user BLOB NOT NULL, domain BLOB NOT NULL, owner BLOB NOT NULL,
    PRIMARY KEY (policy_client, client_user, domain)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS policy_client_owners (policy_client BLOB PRIMARY KEY NOT NULL, owner BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS confidential_versions (
    provider BLOB NOT NULL, domain BLOB NOT NULL, version INTEGER NOT NULL, domain_name TEXT NOT NULL,
    data_ref_id BLOB NOT NULL, published_at INTEGER NOT NULL,
    PRIMARY KEY (provider, domain, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS grants (
    provider BLOB NOT NULL, domain BLOB NOT NULL, policy_client BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'revoked')), updated_at INTEGER NOT NULL,
    PRIMARY KEY (provider, domain, policy_client)
) WITHOUT ROWID;
";

/// One SQLite connection.
pub(super) struct Sqlite(Mutex<Connection>);

impl Sqlite {
    /// Opens the file, brings its schema to [`SCHEMA_VERSION`], records `chain_id` if it is new,
    /// and returns the chain id the file is for.
    pub(super) fn open(path: &Path, chain_id: u64) -> Result<(Self, String)> {
        let failed = |e: rusqlite::Error| store_error(&format!("open {}", path.display()), e);
        let mut connection = Connection::open(path).map_err(failed)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
        connection.pragma_update(None, "journal_mode", "WAL").map_err(failed)?;
        connection.pragma_update(None, "synchronous", "FULL").map_err(failed)?;
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(failed)?;
        check_schema_version("privacy store", path, found, SCHEMA_VERSION)?;
        tx.execute_batch(SCHEMA).map_err(failed)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(failed)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('chain_id', ?1) ON CONFLICT DO NOTHING",
            [chain_id.to_string()],
        )
        .map_err(failed)?;
        let stored: String =
            tx.query_row("SELECT value FROM meta WHERE key = 'chain_id'", [], |r| r.get(0)).map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok((Self(Mutex::new(connection)), stored))
    }

    pub(super) fn transaction<T>(&self, what: &str, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut connection = self.lock();
        let failed = |e| store_error(what, e);
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
        let out = f(&mut Statements(&tx))?;
        tx.commit().map_err(failed)?;
        Ok(out)
    }

    pub(super) fn read<T>(&self, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        f(&mut Statements(&self.lock()))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-transaction rolls it back when the Transaction drops; the connection is fine.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn store_error(what: &str, e: rusqlite::Error) -> Error {
    Error::new(ErrorCode::Store, format!("privacy store: {what}: {e}"))
}

/// The statements on a connection or (through `Deref`) a transaction.
struct Statements<'a>(&'a Connection);

impl Statements<'_> {
    /// Runs `f`, mapping its failure to `Store` with `what`.
    fn run<T>(&self, what: &str, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        f(self.0).map_err(|e| store_error(what, e))
    }
}

impl Db for Statements<'_> {
    fn lock_nonce(&mut self, signer: Address) -> Result<u64> {
        self.nonce(signer)
    }

    fn nonce(&mut self, signer: Address) -> Result<u64> {
        self.run("read nonce", |c| {
            c.prepare_cached("SELECT next FROM nonces WHERE signer = ?1")?
                .query_row([signer.as_slice()], |r| r.get(0))
                .optional()
                .map(|n| n.map_or(0, from_sql_int))
        })
    }

    fn set_nonce(&mut self, signer: Address, next: u64) -> Result<()> {
        self.run("write nonce", |c| {
            c.prepare_cached(
                "INSERT INTO nonces (signer, next) VALUES (?1, ?2) ON CONFLICT (signer) DO UPDATE SET next = excluded.next",
            )?
            .execute(params![signer.as_slice(), sql_int(next)])
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
            c.prepare_cached(
                "INSERT INTO envelopes (data_ref_id, kind, owner, envelope, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (data_ref_id) DO NOTHING",
            )?
            .execute(params![data_ref_id.as_slice(), kind.as_str(), owner.as_slice(), json, sql_int(at)])
            .map(drop)
        })
    }

    fn envelope(&mut self, data_ref_id: B256) -> Result<Option<StoredEnvelope>> {
        self.run("read envelope", |c| {
            c.prepare_cached("SELECT kind, owner, envelope FROM envelopes WHERE data_ref_id = ?1")?
                .query_row([data_ref_id.as_slice()], |r| {
                    Ok(StoredEnvelope {
                        kind: DataKind::parse(&r.get::<_, String>(0)?),
                        owner: address(&r.get::<_, Vec<u8>>(1)?),
                        json: r.get(2)?,
                    })
                })
                .optional()
        })
    }

    fn set_policy_client_owner(&mut self, policy_client: Address, owner: Address) -> Result<()> {
        self.run("set policy client owner", |c| {
            c.prepare_cached(
                "INSERT INTO policy_client_owners (policy_client, owner) VALUES (?1, ?2)
                 ON CONFLICT (policy_client) DO UPDATE SET owner = excluded.owner",
            )?
            .execute(params![policy_client.as_slice(), owner.as_slice()])
            .map(drop)
        })
    }

    fn policy_client_owner(&mut self, policy_client: Address) -> Result<Option<Address>> {
        self.run("read policy client owner", |c| {
            c.prepare_cached("SELECT owner FROM policy_client_owners WHERE policy_client = ?1")?
                .query_row([policy_client.as_slice()], |r| Ok(address(&r.get::<_, Vec<u8>>(0)?)))
                .optional()
        })
    }

    fn set_identity(&mut self, owner: Address, domain: B256, domain_name: &str, data_ref_id: B256) -> Result<()> {
        self.run("register identity", |c| {
            c.prepare_cached(
                "INSERT INTO identity_data (owner, domain, domain_name, data_ref_id) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (owner, domain) DO UPDATE SET data_ref_id = excluded.data_ref_id",
            )?
            .execute(params![owner.as_slice(), domain.as_slice(), domain_name, data_ref_id.as_slice()])
            .map(drop)
        })
    }

    fn has_identity(&mut self, owner: Address, domain: B256) -> Result<bool> {
        self.run("read identity", |c| {
            c.prepare_cached("SELECT 1 FROM identity_data WHERE owner = ?1 AND domain = ?2")?
                .exists(params![owner.as_slice(), domain.as_slice()])
        })
    }

    fn set_link(&mut self, policy_client: Address, user: Address, domain: B256, owner: Address) -> Result<()> {
        self.run("link identity", |c| {
            c.prepare_cached(
                "INSERT INTO identity_links (policy_client, client_user, domain, owner) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (policy_client, client_user, domain) DO UPDATE SET owner = excluded.owner",
            )?
            .execute(params![policy_client.as_slice(), user.as_slice(), domain.as_slice(), owner.as_slice()])
            .map(drop)
        })
    }

    fn delete_link(&mut self, policy_client: Address, user: Address, domain: B256, owner: Address) -> Result<()> {
        self.run("unlink identity", |c| {
            c.prepare_cached(
                "DELETE FROM identity_links WHERE policy_client = ?1 AND client_user = ?2 AND domain = ?3 AND owner = ?4",
            )?
            .execute(params![policy_client.as_slice(), user.as_slice(), domain.as_slice(), owner.as_slice()])
            .map(drop)
        })
    }

    fn linked_identity(&mut self, policy_client: Address, user: Address) -> Result<Vec<LinkedIdentity>> {
        self.run("read identity links", |c| {
            let mut statement = c.prepare_cached(
                "SELECT d.domain_name, l.owner, d.data_ref_id FROM identity_links l
                 JOIN identity_data d ON d.owner = l.owner AND d.domain = l.domain
                 WHERE l.policy_client = ?1 AND l.client_user = ?2 ORDER BY d.domain_name",
            )?;
            let rows = statement.query_map(params![policy_client.as_slice(), user.as_slice()], |r| {
                Ok(LinkedIdentity {
                    domain: r.get(0)?,
                    owner: address(&r.get::<_, Vec<u8>>(1)?),
                    data_ref_id: b256(&r.get::<_, Vec<u8>>(2)?),
                })
            })?;
            rows.collect()
        })
    }

    fn latest_version(&mut self, provider: Address, domain: B256) -> Result<Option<u64>> {
        self.run("read latest version", |c| {
            c.prepare_cached("SELECT max(version) FROM confidential_versions WHERE provider = ?1 AND domain = ?2")?
                .query_row(params![provider.as_slice(), domain.as_slice()], |r| r.get::<_, Option<i64>>(0))
                .map(|v| v.map(from_sql_int))
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
            c.prepare_cached(
                "INSERT INTO confidential_versions (provider, domain, version, domain_name, data_ref_id, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                provider.as_slice(),
                domain.as_slice(),
                sql_int(version),
                domain_name,
                data_ref_id.as_slice(),
                sql_int(at)
            ])
            .map(drop)
        })
    }

    fn versions(&mut self, provider: Address, domain: B256) -> Result<Vec<(u64, B256)>> {
        self.run("read versions", |c| {
            let mut statement = c.prepare_cached(
                "SELECT version, data_ref_id FROM confidential_versions WHERE provider = ?1 AND domain = ?2 ORDER BY version",
            )?;
            let rows = statement.query_map(params![provider.as_slice(), domain.as_slice()], |r| {
                Ok((from_sql_int(r.get(0)?), b256(&r.get::<_, Vec<u8>>(1)?)))
            })?;
            rows.collect()
        })
    }

    fn grant_state(&mut self, provider: Address, domain: B256, policy_client: Address) -> Result<Option<GrantState>> {
        self.run("read grant", |c| {
            c.prepare_cached("SELECT state FROM grants WHERE provider = ?1 AND domain = ?2 AND policy_client = ?3")?
                .query_row(params![provider.as_slice(), domain.as_slice(), policy_client.as_slice()], |r| {
                    Ok(GrantState::parse(&r.get::<_, String>(0)?))
                })
                .optional()
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
        let when = when.map_or(String::new(), |condition| format!(" WHERE grants.state {condition}"));
        self.run("write grant", |c| {
            c.prepare_cached(&format!(
                "INSERT INTO grants (provider, domain, policy_client, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (provider, domain, policy_client) DO UPDATE SET state = excluded.state,
                 updated_at = excluded.updated_at{when}"
            ))?
            .execute(params![provider.as_slice(), domain.as_slice(), policy_client.as_slice(), state, sql_int(at)])
            .map(drop)
        })
    }

    fn grants(&mut self, policy_client: Address) -> Result<Vec<Grant>> {
        self.run("read grants", |c| {
            let mut statement = c.prepare_cached(
                "SELECT g.provider, g.state, v.domain_name, v.version, v.data_ref_id
                 FROM grants g JOIN confidential_versions v ON v.provider = g.provider AND v.domain = g.domain
                 WHERE g.policy_client = ?1 AND v.version =
                   (SELECT max(version) FROM confidential_versions w WHERE w.provider = g.provider AND w.domain = g.domain)
                 ORDER BY v.domain_name, g.provider",
            )?;
            let rows = statement.query_map([policy_client.as_slice()], |r| {
                let provider = address(&r.get::<_, Vec<u8>>(0)?);
                let domain: String = r.get(2)?;
                Ok(Grant {
                    provider,
                    domain: domain.clone(),
                    state: GrantState::parse(&r.get::<_, String>(1)?),
                    latest: Some(DataVersion {
                        domain,
                        provider,
                        version: from_sql_int(r.get(3)?),
                        data_ref_id: b256(&r.get::<_, Vec<u8>>(4)?),
                    }),
                })
            })?;
            rows.collect()
        })
    }
}
