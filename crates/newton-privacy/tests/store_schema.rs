//! The privacy store's schema version (`PRAGMA user_version`): stamped on open, unversioned files
//! from before versioning keep their data, a file from a newer newton-engine is refused.

use alloy_primitives::Address;
use newton_core::ErrorCode;
use newton_privacy::PrivacyStore;
use std::path::Path;

const CHAIN: u64 = 11155111;

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

fn set_user_version(path: &Path, version: i64) {
    rusqlite::Connection::open(path).unwrap().pragma_update(None, "user_version", version).unwrap();
}

#[test]
fn the_schema_version_is_stamped_an_unversioned_file_opens_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("privacy.db");
    let owner = Address::repeat_byte(0x11);
    let store = PrivacyStore::open(&path, CHAIN).unwrap();
    store.set_policy_client_owner(Address::repeat_byte(0x22), owner).unwrap();
    drop(store);
    assert_eq!(user_version(&path), 1);

    // A file written before stores carried a version (user_version 0) keeps its rows.
    set_user_version(&path, 0);
    drop(PrivacyStore::open(&path, CHAIN).unwrap());
    let stored_owner: Vec<u8> = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT owner FROM policy_client_owners", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored_owner, owner.as_slice());
    assert_eq!(user_version(&path), 1);

    set_user_version(&path, 7);
    let err = PrivacyStore::open(&path, CHAIN).err().unwrap();
    assert_eq!(err.code, ErrorCode::Store);
    assert!(err.message.contains("schema version 7 is newer than this newton-engine knows (1)"), "{}", err.message);
    assert_eq!(user_version(&path), 7, "a refused file is left as it was");
}
