//! The privacy store: envelopes by `data_ref_id`, the identity registry, the confidential-data
//! registry and per-signer nonces. It only ever holds ciphertext: envelopes are stored exactly as
//! received and opened in memory at evaluation time.
//!
//! It lives in a SQLite file (the default, [`PrivacyStore::open`] with a path) or in a PostgreSQL
//! database shared by several gateways ([`PrivacyStore::open`] with a `postgres://` URL, or
//! [`PrivacyStore::connect`]). The statements are written once per backend ([`Db`] in `db.rs`,
//! `sqlite.rs`, `postgres.rs`); the transactions and checks around them are here, so both
//! backends behave alike: a write is one transaction with its nonce check, serialized against
//! every other write of the same signer.
//!
//! The store is for one chain: it is created with a chain id and refuses envelopes bound to
//! another.

mod db;
mod postgres;
mod sqlite;

use crate::authorization::{refused, registry_domain, Authorization};
use crate::SecureEnvelope;
use alloy_primitives::{keccak256, Address, B256};
use alloy_sol_types::{Eip712Domain, SolStruct};
pub(crate) use db::Db;
use newton_core::{Error, ErrorCode, Result};
use serde::Serialize;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The schema this build writes (SQLite `PRAGMA user_version`, PostgreSQL `privacy_meta`); see
/// [`newton_core::check_schema_version`].
const SCHEMA_VERSION: i64 = 1;

/// The privacy store of one chain.
pub struct PrivacyStore {
    backend: Backend,
    chain_id: u64,
    domain: Eip712Domain,
}

/// Where the store lives; each holds one connection.
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(Box<postgres::Postgres>),
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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DataKind::Identity => "identity",
            DataKind::Confidential => "confidential",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        if text == "identity" {
            DataKind::Identity
        } else {
            DataKind::Confidential
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
    /// Opens (creating if needed) the store for `chain_id` at `path_or_url`: a `postgres://` or
    /// `postgresql://` URL is a PostgreSQL database (see [`PrivacyStore::connect`]), anything
    /// else a SQLite file. A store created for another chain, or by a newer newton-engine (a
    /// higher schema version), is refused. Any database failure → `Store`.
    pub fn open(path_or_url: impl AsRef<Path>, chain_id: u64) -> Result<Self> {
        let location = path_or_url.as_ref();
        match location.to_str() {
            Some(url) if postgres::is_url(url) => Self::connect(url, chain_id),
            _ => {
                let (backend, stored) = sqlite::Sqlite::open(location, chain_id)?;
                Self::new(Backend::Sqlite(backend), &location.display().to_string(), stored, chain_id)
            }
        }
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/database`,
    /// no TLS) and creates or checks the store's tables there, all named `privacy_*` so they sit
    /// beside the gateway's own. Gateways opening one database at once take turns for the schema
    /// (an advisory lock). A connection the server dropped is made again on the next call; the
    /// call that found it dropped fails with `Store`. Errors name the database without its
    /// credentials.
    pub fn connect(url: &str, chain_id: u64) -> Result<Self> {
        let (backend, stored) = postgres::Postgres::connect(url, chain_id)?;
        let name = backend.name().to_owned();
        Self::new(Backend::Postgres(Box::new(backend)), &name, stored, chain_id)
    }

    /// Checks the chain the store was created for (`stored`, from its meta table).
    fn new(backend: Backend, name: &str, stored: String, chain_id: u64) -> Result<Self> {
        if stored != chain_id.to_string() {
            return Err(Error::new(
                ErrorCode::Store,
                format!("privacy store {name} is for chain {stored}, not {chain_id}"),
            ));
        }
        Ok(Self { backend, chain_id, domain: registry_domain(chain_id, Address::ZERO) })
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
        self.read(|db| db.nonce(signer))
    }

    /// The envelope stored under `data_ref_id`, or `PrivacyUnknownDataRef`.
    pub fn envelope(&self, data_ref_id: B256) -> Result<StoredEnvelope> {
        self.read(|db| db.envelope(data_ref_id))?.ok_or_else(|| unknown_ref(data_ref_id))
    }

    /// Records the local stand-in for the policy client contract's `getOwner()`: who may accept
    /// grants for it. Re-setting replaces the owner.
    pub fn set_policy_client_owner(&self, policy_client: Address, owner: Address) -> Result<()> {
        self.transaction("set policy client owner", |db| db.set_policy_client_owner(policy_client, owner))
    }

    /// Checks `auth` over `message` as `expected`'s signature (deadline included).
    pub(crate) fn verify<S: SolStruct>(&self, message: &S, auth: &Authorization, expected: Address) -> Result<()> {
        auth.verify(message, &self.domain, expected, unix_seconds())
    }

    /// Runs `f` in one transaction that first consumes the nonce of every (already verified)
    /// authorization in `auths`; nothing is written when anything fails. The signers' nonces are
    /// locked first, in address order, so two writes by one signer never interleave (on
    /// PostgreSQL, from any number of connections) and two multi-signer writes never deadlock.
    pub(crate) fn authorized<T>(
        &self,
        what: &str,
        auths: &[&Authorization],
        f: impl FnOnce(&mut dyn Db) -> Result<T>,
    ) -> Result<T> {
        self.transaction(what, |db| {
            let mut signers: Vec<Address> = auths.iter().map(|a| a.signer).collect();
            signers.sort_unstable();
            signers.dedup();
            let mut next = Vec::with_capacity(signers.len());
            for signer in signers {
                next.push((signer, db.lock_nonce(signer)?));
            }
            for auth in auths {
                let Some((_, expected)) = next.iter_mut().find(|(signer, _)| *signer == auth.signer) else {
                    return Err(Error::internal(format!("{what}: {} was not locked", auth.signer)));
                };
                if auth.nonce != *expected {
                    return Err(refused(format!(
                        "{what}: nonce {} is stale; {} must use nonce {expected}",
                        auth.nonce, auth.signer
                    )));
                }
                *expected += 1;
                db.set_nonce(auth.signer, *expected)?;
            }
            f(db)
        })
    }

    /// Runs `f` in one write transaction (SQLite: IMMEDIATE; PostgreSQL: READ COMMITTED with the
    /// row locks [`Db`] takes); it commits only when `f` succeeds.
    fn transaction<T>(&self, what: &str, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.transaction(what, f),
            Backend::Postgres(postgres) => postgres.transaction(what, f),
        }
    }

    /// Runs reads outside a transaction, each statement on the latest committed state.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.read(f),
            Backend::Postgres(postgres) => postgres.read(f),
        }
    }

    /// Stores (idempotently) an already checked envelope under keccak256 of the exact bytes
    /// received, and returns that `data_ref_id`.
    pub(crate) fn put_envelope(&self, db: &mut dyn Db, kind: DataKind, bound_to: Address, json: &str) -> Result<B256> {
        let data_ref_id = keccak256(json.as_bytes());
        db.insert_envelope(data_ref_id, kind, bound_to, json, unix_seconds())?;
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
        let backend = match &self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        };
        f.debug_struct("PrivacyStore")
            .field("chain_id", &self.chain_id)
            .field("backend", &backend)
            .finish_non_exhaustive()
    }
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

pub(crate) fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A u64 as an INTEGER/BIGINT (i64); values past i64::MAX (never reached by nonces, versions or
/// timestamps) saturate.
pub(crate) fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An INTEGER/BIGINT column read back as u64 (negative never written; reads as 0).
pub(crate) fn from_sql_int(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}
