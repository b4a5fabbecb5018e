//! The privacy store in a PostgreSQL database that several gateways share: the schema (tables
//! `privacy_*`, beside the gateway's own), connecting, and the [`Db`] statements.
//!
//! SQLite serializes writers with the file lock; here a write is a READ COMMITTED transaction
//! that locks what it depends on: the nonce row of each signer (so two writes by one signer, from
//! any gateway, take turns and the second sees the first's nonce) and the grant row a step reads.
//! Every other write of the lifecycles is by a signer whose nonce the transaction holds. The
//! statements themselves are in `statements.rs`.

mod statements;

use super::db::Db;
use super::SCHEMA_VERSION;
use newton_core::{check_schema_version, Error, ErrorCode, Result};
use postgres::{Client, Config, GenericClient, IsolationLevel, NoTls};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The advisory lock the schema is created under ("nprivacy" in ASCII; not the gateway's key).
const SCHEMA_LOCK: i64 = 0x6e70_7269_7661_6379;

/// How long connecting may take unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const META: &str = "CREATE TABLE IF NOT EXISTS privacy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

/// Version 1 (the SQLite schema's tables, prefixed).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS privacy_envelopes (
    data_ref_id BYTEA PRIMARY KEY CHECK (length(data_ref_id) = 32),
    kind TEXT NOT NULL CHECK (kind IN ('identity', 'confidential')),
    owner BYTEA NOT NULL,
    envelope TEXT NOT NULL,
    stored_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS privacy_nonces (signer BYTEA PRIMARY KEY, next BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS privacy_identity_data (
    owner BYTEA NOT NULL, domain BYTEA NOT NULL, domain_name TEXT NOT NULL, data_ref_id BYTEA NOT NULL,
    PRIMARY KEY (owner, domain)
);
CREATE TABLE IF NOT EXISTS privacy_identity_links (
    policy_client BYTEA NOT NULL, client_user BYTEA NOT NULL, domain BYTEA NOT NULL, owner BYTEA NOT NULL,
    PRIMARY KEY (policy_client, client_user, domain)
);
CREATE TABLE IF NOT EXISTS privacy_policy_client_owners (policy_client BYTEA PRIMARY KEY, owner BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS privacy_confidential_versions (
    provider BYTEA NOT NULL, domain BYTEA NOT NULL, version BIGINT NOT NULL, domain_name TEXT NOT NULL,
    data_ref_id BYTEA NOT NULL, published_at BIGINT NOT NULL,
    PRIMARY KEY (provider, domain, version)
);
CREATE TABLE IF NOT EXISTS privacy_grants (
    provider BYTEA NOT NULL, domain BYTEA NOT NULL, policy_client BYTEA NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'revoked')), updated_at BIGINT NOT NULL,
    PRIMARY KEY (provider, domain, policy_client)
);
";

/// Whether `location` is a PostgreSQL URL rather than a file path.
pub(super) fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// `url` without credentials or options: `postgres://host:port/database`.
pub(super) fn describe(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("postgres://{host}/{path}")
}

/// One PostgreSQL connection, made again when the server dropped it.
pub(super) struct Postgres {
    client: Mutex<Client>,
    config: Config,
    name: String,
}

impl Postgres {
    /// Connects, brings the schema to [`SCHEMA_VERSION`] under the schema lock, records
    /// `chain_id` if the database is new, and returns the chain id the database is for.
    pub(super) fn connect(url: &str, chain_id: u64) -> Result<(Self, String)> {
        if !is_url(url) {
            return Err(Error::invalid_argument(
                "the privacy store database must be a postgres://user:password@host:port/database URL",
            ));
        }
        let name = describe(url);
        // The parser's messages name the option, never its value.
        let mut config: Config = url
            .parse()
            .map_err(|e| Error::invalid_argument(format!("privacy store {name}: bad URL: {}", with_causes(&e))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("newton-privacy");
        }
        let store = Self { client: Mutex::new(connect(&config, &name)?), config, name };
        let stored = store.in_transaction("open", |statements| statements.migrate(chain_id))?;
        Ok((store, stored))
    }

    /// The database as errors name it (no credentials).
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn transaction<T>(&self, what: &str, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.in_transaction(what, |statements| f(statements))
    }

    fn in_transaction<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Statements<'_, postgres::Transaction<'_>>) -> Result<T>,
    ) -> Result<T> {
        let mut client = self.client()?;
        let failed = |e| store_error(&self.name, what, e);
        let mut tx =
            client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start().map_err(failed)?;
        let out = f(&mut Statements { client: &mut tx, name: &self.name })?;
        tx.commit().map_err(failed)?;
        Ok(out)
    }

    pub(super) fn read<T>(&self, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        f(&mut Statements { client: &mut *self.client()?, name: &self.name })
    }

    /// The connection, made again first if the server closed it (restart, idle timeout,
    /// `pg_terminate_backend`): the call that found it closed has failed already.
    fn client(&self) -> Result<MutexGuard<'_, Client>> {
        // A panic mid-transaction rolls it back when the Transaction drops; the client is fine.
        let mut client = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if client.is_closed() {
            *client = connect(&self.config, &self.name)?;
        }
        Ok(client)
    }
}

fn connect(config: &Config, name: &str) -> Result<Client> {
    config.connect(NoTls).map_err(|e| store_error(name, "connect", e))
}

/// `Store`, with the error's causes (the server's message for a database error, the OS error
/// for a failed connection): the client's own text is only "db error" or "error connecting".
fn store_error(name: &str, what: &str, e: postgres::Error) -> Error {
    Error::new(ErrorCode::Store, format!("privacy store {name}: {what}: {}", with_causes(&e)))
}

fn with_causes(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

/// The statements on a client or a transaction.
pub(super) struct Statements<'a, C> {
    client: &'a mut C,
    name: &'a str,
}

impl<C: GenericClient> Statements<'_, C> {
    /// Runs `f`, mapping its failure to `Store` with `what` and the database's name.
    fn run<T>(&mut self, what: &str, f: impl FnOnce(&mut C) -> std::result::Result<T, postgres::Error>) -> Result<T> {
        f(self.client).map_err(|e| store_error(self.name, what, e))
    }

    /// The schema step of [`Postgres::connect`], in its transaction.
    fn migrate(&mut self, chain_id: u64) -> Result<String> {
        let name = self.name;
        self.run("lock the schema", |c| c.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map(drop))?;
        self.run("create privacy_meta", |c| c.batch_execute(META))?;
        let found = self.run("read the schema version", |c| {
            let row = c.query_opt("SELECT value FROM privacy_meta WHERE key = 'schema_version'", &[])?;
            row.map(|r| r.try_get::<_, String>(0)).transpose()
        })?;
        let found = found.map_or(Ok(0), |v| {
            v.parse::<i64>().map_err(|_| {
                Error::new(ErrorCode::Store, format!("privacy store {name}: schema version {v:?} is not a number"))
            })
        })?;
        check_schema_version("privacy store", Path::new(name), found, SCHEMA_VERSION)?;
        self.run("create the schema", |c| c.batch_execute(SCHEMA))?;
        self.run("stamp the schema version", |c| {
            c.execute(
                "INSERT INTO privacy_meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&SCHEMA_VERSION.to_string()],
            )
            .map(drop)
        })?;
        self.run("record the chain id", |c| {
            c.execute(
                "INSERT INTO privacy_meta (key, value) VALUES ('chain_id', $1) ON CONFLICT (key) DO NOTHING",
                &[&chain_id.to_string()],
            )?;
            c.query_one("SELECT value FROM privacy_meta WHERE key = 'chain_id'", &[])?.try_get(0)
        })
    }
}
