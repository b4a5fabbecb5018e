//! The privacy store (SQLite): envelopes by `data_ref_id`, the identity registry, the
//! confidential-data registry and per-signer nonces. It only ever holds ciphertext: envelopes
//! are stored exactly as received and opened in memory at evaluation time.
//!
//! The store is for one chain: it is created with a chain id and refuses envelopes bound to
//! another. Writes are one IMMEDIATE transaction each, nonce check included.

use crate::authorization::{refused, registry_domain, Authorization};
use crate::SecureEnvelope;
use alloy_primitives::{keccak256, Address, B256};
use alloy_sol_types::{Eip712Domain, SolStruct};
use newton_core::{check_schema_version, Error, ErrorCode, Result};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a writer waits for another connection's lock before failing with `Store`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema this build writes (`PRAGMA user_version`); see [`newton_core::check_schema_version`].
const SCHEMA_VERSION: i64 = 1;

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

/// The privacy store of one chain.
pub struct PrivacyStore {
    connection: Mutex<Connection>,
    chain_id: u64,
    domain: Eip712Domain,
}

/// What kind of data an envelope holds (JSON: `"identity"` or `"confidential"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// User-owned identity data.
    Identity,
    /// A provider's confidential dataset.
    Confidential,
}

impl DataKind {
    fn as_str(self) -> &'static str {
        match self {
            DataKind::Identity => "identity",
            DataKind::Confidential => "confidential",
        }
    }
}

/// An envelope as stored: its kind, its owner (identity owner or provider) and its JSON.
///
/// JSON: `{"kind": "identity" | "confidential", "owner": "0x…", "envelope": "<the envelope JSON
/// text exactly as uploaded>"}`.
#[derive(Clone, Debug, Serialize)]
pub struct StoredEnvelope {
    /// Identity or confidential.
    pub kind: DataKind,
    /// The identity owner or the provider.
    pub owner: Address,
    /// The envelope JSON exactly as uploaded.
    #[serde(rename = "envelope")]
    pub json: String,
}

impl PrivacyStore {
    /// Opens (creating if needed) the store at `path` for `chain_id`; a store created for
    /// another chain, or by a newer newton-engine (a higher schema version), is refused. Any
    /// SQLite failure → `Store`.
    pub fn open(path: impl AsRef<Path>, chain_id: u64) -> Result<Self> {
        let path = path.as_ref();
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
        tx.execute("INSERT INTO meta (key, value) VALUES ('chain_id', ?1) ON CONFLICT DO NOTHING", [chain_id.to_string()])
            .map_err(failed)?;
        let stored: String =
            tx.query_row("SELECT value FROM meta WHERE key = 'chain_id'", [], |r| r.get(0)).map_err(failed)?;
        tx.commit().map_err(failed)?;
        if stored != chain_id.to_string() {
            return Err(Error::new(
                ErrorCode::Store,
                format!("privacy store {} is for chain {stored}, not {chain_id}", path.display()),
            ));
        }
        Ok(Self { connection: Mutex::new(connection), chain_id, domain: registry_domain(chain_id, Address::ZERO) })
    }

    /// The chain this store serves.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The EIP-712 domain registry authorizations are signed in.
    pub fn eip712_domain(&self) -> &Eip712Domain {
        &self.domain
    }

    /// The nonce `signer`'s next authorization must carry.
    pub fn nonce(&self, signer: Address) -> Result<u64> {
        let connection = self.lock();
        next_nonce(&connection, signer).map_err(|e| store_error("read nonce", e))
    }

    /// The envelope stored under `data_ref_id`, or `PrivacyUnknownDataRef`.
    pub fn envelope(&self, data_ref_id: B256) -> Result<StoredEnvelope> {
        let connection = self.lock();
        let row = connection
            .query_row(
                "SELECT kind, owner, envelope FROM envelopes WHERE data_ref_id = ?1",
                [data_ref_id.as_slice()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?)),
            )
            .optional()
            .map_err(|e| store_error("read envelope", e))?;
        let (kind, owner, json) = row.ok_or_else(|| unknown_ref(data_ref_id))?;
        let kind = if kind == "identity" { DataKind::Identity } else { DataKind::Confidential };
        Ok(StoredEnvelope { kind, owner: address(&owner), json })
    }

    /// Records the local stand-in for the policy client contract's `getOwner()`: who may accept
    /// grants for it. Re-setting replaces the owner.
    pub fn set_policy_client_owner(&self, policy_client: Address, owner: Address) -> Result<()> {
        self.write("set policy client owner", |tx| {
            tx.execute(
                "INSERT INTO policy_client_owners (policy_client, owner) VALUES (?1, ?2)
                 ON CONFLICT (policy_client) DO UPDATE SET owner = excluded.owner",
                params![policy_client.as_slice(), owner.as_slice()],
            )?;
            Ok(())
        })
    }

    /// Checks `auth` over `message` as `expected`'s signature (deadline included).
    pub(crate) fn verify<S: SolStruct>(&self, message: &S, auth: &Authorization, expected: Address) -> Result<()> {
        auth.verify(message, &self.domain, expected, unix_seconds())
    }

    /// Runs `f` in one IMMEDIATE transaction that first consumes the nonce of every (already
    /// verified) authorization in `auths`; nothing is written when anything fails.
    pub(crate) fn authorized<T>(
        &self,
        what: &str,
        auths: &[&Authorization],
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut connection = self.lock();
        let failed = |e| store_error(what, e);
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
        for auth in auths {
            let next = next_nonce(&tx, auth.signer).map_err(failed)?;
            if auth.nonce != next {
                return Err(refused(format!(
                    "{what}: nonce {} is stale; {} must use nonce {next}",
                    auth.nonce, auth.signer
                )));
            }
            tx.execute(
                "INSERT INTO nonces (signer, next) VALUES (?1, ?2)
                 ON CONFLICT (signer) DO UPDATE SET next = excluded.next",
                params![auth.signer.as_slice(), sql_int(next + 1)],
            )
            .map_err(failed)?;
        }
        let out = f(&tx)?;
        tx.commit().map_err(failed)?;
        Ok(out)
    }

    /// Runs `f` in one IMMEDIATE transaction.
    fn write<T>(&self, what: &str, f: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>) -> Result<T> {
        let mut connection = self.lock();
        let failed = |e| store_error(what, e);
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
        let out = f(&tx).map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(out)
    }

    /// Runs a read under the connection lock.
    pub(crate) fn read<T>(&self, what: &str, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        f(&self.lock()).map_err(|e| store_error(what, e))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-transaction rolls it back when the Transaction drops; the connection is fine.
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Parses an uploaded envelope, checks it is bound to `bound_to` on this chain, and stores
    /// it (idempotently) under keccak256 of the exact bytes received.
    pub(crate) fn put_envelope(
        &self,
        tx: &Transaction<'_>,
        kind: DataKind,
        bound_to: Address,
        json: &str,
    ) -> Result<B256> {
        let data_ref_id = keccak256(json.as_bytes());
        tx.execute(
            "INSERT INTO envelopes (data_ref_id, kind, owner, envelope, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (data_ref_id) DO NOTHING",
            params![data_ref_id.as_slice(), kind.as_str(), bound_to.as_slice(), json, sql_int(unix_seconds())],
        )
        .map_err(|e| store_error("store envelope", e))?;
        Ok(data_ref_id)
    }

    /// Validates an uploaded envelope's binding before anything is signed over or stored.
    pub(crate) fn check_upload(&self, json: &str, bound_to: Address) -> Result<B256> {
        SecureEnvelope::from_json(json)?.check_context(bound_to, self.chain_id)?;
        Ok(keccak256(json.as_bytes()))
    }
}

impl std::fmt::Debug for PrivacyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivacyStore").field("chain_id", &self.chain_id).finish_non_exhaustive()
    }
}

fn next_nonce(connection: &Connection, signer: Address) -> rusqlite::Result<u64> {
    connection
        .query_row("SELECT next FROM nonces WHERE signer = ?1", [signer.as_slice()], |r| r.get(0))
        .optional()
        .map(|n| n.map_or(0, from_sql_int))
}

pub(crate) fn address(bytes: &[u8]) -> Address {
    Address::try_from(bytes).unwrap_or_default()
}

/// A 32-byte id column (this store writes only 32-byte ids; anything else reads as zero, which
/// names no envelope).
pub(crate) fn b256(bytes: &[u8]) -> B256 {
    B256::try_from(bytes).unwrap_or_default()
}

pub(crate) fn unknown_ref(data_ref_id: B256) -> Error {
    Error::new(ErrorCode::PrivacyUnknownDataRef, format!("no envelope is stored under data_ref_id {data_ref_id}"))
}

pub(crate) fn store_error(what: &str, e: rusqlite::Error) -> Error {
    Error::new(ErrorCode::Store, format!("privacy store: {what}: {e}"))
}

pub(crate) fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A u64 as SQLite's INTEGER (i64); values past i64::MAX (never reached by nonces, versions or
/// timestamps) saturate.
pub(crate) fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An INTEGER column read back as u64 (negative never written; reads as 0).
pub(crate) fn from_sql_int(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}
