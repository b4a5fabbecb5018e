//! The durable single-use record of spent attestations (SQLite).
//!
//! `journal_mode=WAL` with `synchronous=FULL`: a spend is on disk when `spend` returns, so
//! neither a process crash nor a power cut after commit can reopen a replay. Check and mark
//! are one `INSERT … ON CONFLICT DO NOTHING` inside one `BEGIN IMMEDIATE` transaction, so of
//! concurrent spends of one attestation — across threads or processes — exactly one wins.

use alloy_primitives::B256;
use newton_core::{check_schema_version, Error, ErrorCode, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a writer waits for another connection's lock before failing with `Store`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema this build writes (`PRAGMA user_version`); see [`newton_core::check_schema_version`].
const SCHEMA_VERSION: i64 = 1;

/// Version 1. Files from before versioning (user_version 0) already have this table.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS spent_attestations (
    task_id BLOB PRIMARY KEY NOT NULL CHECK (length(task_id) = 32),
    attestation_hash BLOB NOT NULL CHECK (length(attestation_hash) = 32),
    spent_at INTEGER NOT NULL
) WITHOUT ROWID";

/// Spent attestations keyed by task id (as `AttestationValidator` keys them), with the spent
/// attestation's hash and the Unix time of the spend.
///
/// One connection, shared behind a mutex; open one store per thread or process for parallel
/// writers (SQLite serializes them).
pub struct SpentStore {
    connection: Mutex<Connection>,
}

impl SpentStore {
    /// Opens (creating if needed) the store at `path`; any failure, or a file written by a newer
    /// newton-engine (a higher schema version), → `Store`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let failed = |e: rusqlite::Error| store_error(&format!("open {}", path.display()), e);
        let mut connection = Connection::open(path).map_err(failed)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
        let mode: String = connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(failed)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::new(
                ErrorCode::Store,
                format!("spent store {}: journal_mode is {mode}, WAL is required", path.display()),
            ));
        }
        connection.pragma_update(None, "synchronous", "FULL").map_err(failed)?;
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
        let found: i64 =
            transaction.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(failed)?;
        check_schema_version("spent store", path, found, SCHEMA_VERSION)?;
        transaction.execute_batch(SCHEMA).map_err(failed)?;
        transaction.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(failed)?;
        transaction.commit().map_err(failed)?;
        Ok(Self { connection: Mutex::new(connection) })
    }

    /// Marks `task_id` spent unless it already is, in one IMMEDIATE transaction: `true` if this
    /// call spent it, `false` if it was already spent. On error nothing is marked (`Store`).
    pub fn spend(&self, task_id: B256, attestation_hash: B256) -> Result<bool> {
        let mut connection = self.lock();
        let failed = |e| store_error(&format!("spend {task_id}"), e);
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
        let inserted = transaction
            .execute(
                "INSERT INTO spent_attestations (task_id, attestation_hash, spent_at)
                 VALUES (?1, ?2, ?3) ON CONFLICT (task_id) DO NOTHING",
                params![task_id.as_slice(), attestation_hash.as_slice(), unix_seconds()],
            )
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
        Ok(inserted == 1)
    }

    /// [`SpentStore::spend`], with an already spent attestation as `AttestationAlreadySpent`.
    pub fn consume(&self, task_id: B256, attestation_hash: B256) -> Result<()> {
        if self.spend(task_id, attestation_hash)? {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::AttestationAlreadySpent,
            format!("attestation for task {task_id} was already spent"),
        ))
    }

    /// Whether `task_id` is spent.
    pub fn is_spent(&self, task_id: B256) -> Result<bool> {
        let connection = self.lock();
        connection
            .query_row(
                "SELECT 1 FROM spent_attestations WHERE task_id = ?1",
                [task_id.as_slice()],
                |_| Ok(()),
            )
            .optional()
            .map(|row| row.is_some())
            .map_err(|e| store_error(&format!("look up {task_id}"), e))
    }

    /// Runs SQLite's `integrity_check`; anything but `ok` → `Store`.
    pub fn integrity_check(&self) -> Result<()> {
        let connection = self.lock();
        let verdict: String = connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| store_error("integrity check", e))?;
        match verdict.as_str() {
            "ok" => Ok(()),
            _ => {
                Err(Error::new(ErrorCode::Store, format!("spent store integrity check: {verdict}")))
            }
        }
    }

    /// The connection. A panic while it was held cannot have left a transaction open (dropping
    /// one rolls it back), so a poisoned lock is recovered.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn store_error(context: &str, e: rusqlite::Error) -> Error {
    Error::new(ErrorCode::Store, format!("spent store: {context}: {e}"))
}

/// Seconds since the Unix epoch, for the audit column only (0 if the clock is before 1970).
fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}
