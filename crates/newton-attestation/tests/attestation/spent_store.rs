//! The spent store: check-and-mark once, durably, with exactly one winner under contention.

use alloy_primitives::{keccak256, B256};
use newton_attestation::SpentStore;
use newton_core::ErrorCode;
use std::sync::{Arc, Barrier};

fn key(i: u64) -> B256 {
    keccak256(i.to_be_bytes())
}

#[test]
fn a_key_is_spent_once_and_stays_spent_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spent.db");
    let store = SpentStore::open(&path).unwrap();
    assert!(!store.is_spent(key(1)).unwrap());
    assert!(store.spend(key(1), key(100)).unwrap());
    assert!(!store.spend(key(1), key(101)).unwrap());
    assert!(store.is_spent(key(1)).unwrap());
    assert!(!store.is_spent(key(2)).unwrap());
    store.consume(key(2), key(102)).unwrap();
    assert_eq!(
        store.consume(key(2), key(102)).unwrap_err().code,
        ErrorCode::AttestationAlreadySpent
    );
    drop(store);

    let reopened = SpentStore::open(&path).unwrap();
    reopened.integrity_check().unwrap();
    assert!(!reopened.spend(key(1), key(100)).unwrap());
    assert!(!reopened.spend(key(2), key(102)).unwrap());
    assert!(reopened.spend(key(3), key(103)).unwrap());
}

#[test]
fn the_database_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spent.db");
    let _store = SpentStore::open(&path).unwrap();
    let connection = rusqlite::Connection::open(&path).unwrap();
    let mode: String = connection.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn an_unopenable_store_is_a_store_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = SpentStore::open(dir.path()).err().unwrap();
    assert_eq!(err.code, ErrorCode::Store);
    let err = SpentStore::open(dir.path().join("missing-dir").join("spent.db")).err().unwrap();
    assert_eq!(err.code, ErrorCode::Store);
}

#[test]
fn of_100_concurrent_spends_exactly_one_wins() {
    const THREADS: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join("spent.db"));
    let barrier = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|i| {
            let (path, barrier) = (Arc::clone(&path), Arc::clone(&barrier));
            std::thread::spawn(move || {
                // Each thread has its own connection to the one database file.
                let store = SpentStore::open(path.as_path()).unwrap();
                barrier.wait();
                store.spend(key(7), key(i as u64)).unwrap()
            })
        })
        .collect();
    let winners = threads.into_iter().map(|t| t.join().unwrap()).filter(|&won| won).count();
    assert_eq!(winners, 1);
    assert!(SpentStore::open(path.as_path()).unwrap().is_spent(key(7)).unwrap());
}

/// Sets the file's `PRAGMA user_version` behind the store's back.
fn set_user_version(path: &std::path::Path, version: i64) {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.pragma_update(None, "user_version", version).unwrap();
}

#[test]
fn the_schema_version_is_stamped_an_unversioned_file_opens_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spent.db");
    let store = SpentStore::open(&path).unwrap();
    assert!(store.spend(key(1), key(100)).unwrap());
    drop(store);
    let version = |p: &std::path::Path| -> i64 {
        rusqlite::Connection::open(p).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(version(&path), 1);

    // A file written before stores carried a version (user_version 0) keeps its spends.
    set_user_version(&path, 0);
    let reopened = SpentStore::open(&path).unwrap();
    assert!(reopened.is_spent(key(1)).unwrap());
    drop(reopened);
    assert_eq!(version(&path), 1);

    set_user_version(&path, 2);
    let err = SpentStore::open(&path).err().unwrap();
    assert_eq!(err.code, ErrorCode::Store);
    assert!(err.message.contains("schema version 2 is newer than this newton-engine knows (1)"), "{}", err.message);
    assert_eq!(version(&path), 2, "a refused file is left as it was");
}
